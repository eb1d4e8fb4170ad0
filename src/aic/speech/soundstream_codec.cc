#include "aic/speech/soundstream_codec.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "audio/audio_buffer.h"

namespace auralink::speech {
namespace {

StatusOr<std::shared_ptr<const nn::Model>> LoadGraph(const std::string& directory,
                                                     const char* file) {
  return nn::Model::Load((std::filesystem::path(directory) / file).string());
}

Status CheckShape(const nn::TensorView& tensor, size_t elements, const char* what) {
  size_t count = 1;
  for (int32_t d : tensor.shape) count *= static_cast<size_t>(d);
  if (count != elements) {
    return Status::Error(std::string("unexpected SoundStream graph: ") + what + " has " +
                         std::to_string(count) + " elements, expected " + std::to_string(elements));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::shared_ptr<const SoundStreamModels>> SoundStreamModels::Load(
    const std::string& directory) {
  auto models = std::make_shared<SoundStreamModels>();
  auto encoder = LoadGraph(directory, "soundstream_encoder.tflite");
  if (!encoder.ok()) return encoder.status();
  auto quantizer = LoadGraph(directory, "quantizer.tflite");
  if (!quantizer.ok()) return quantizer.status();
  auto decoder = LoadGraph(directory, "lyragan.tflite");
  if (!decoder.ok()) return decoder.status();
  models->encoder = *encoder;
  models->quantizer = *quantizer;
  models->decoder = *decoder;
  return std::shared_ptr<const SoundStreamModels>(std::move(models));
}

// ---------------------------------------------------------------------------------------------
// Encoder

StatusOr<std::unique_ptr<SoundStreamEncoder>> SoundStreamEncoder::Create(
    const EncoderOptions& options, std::shared_ptr<const SoundStreamModels> models) {
  if (!SoundStreamQuantizersForBitrate(options.bitrate_bps)) {
    return Status::Error("soundstream bitrate must be 3200, 6000 or 9200 bps, not " +
                         std::to_string(options.bitrate_bps));
  }
  if (!IsSupportedSampleRate(options.input_sample_rate_hz)) {
    return Status::Error("unsupported input sample rate " +
                         std::to_string(options.input_sample_rate_hz) +
                         " Hz (use 8000, 16000, 32000, 44100 or 48000)");
  }
  if (options.input_channels != 1 && options.input_channels != 2) {
    return Status::Error("input must be mono or stereo, not " +
                         std::to_string(options.input_channels) + " channels");
  }
  std::unique_ptr<SoundStreamEncoder> encoder(new SoundStreamEncoder());
  encoder->models_ = std::move(models);
  auto graph = nn::Interpreter::Create(encoder->models_->encoder);
  if (!graph.ok()) return graph.status().WithContext("soundstream encoder");
  encoder->encoder_ = std::move(*graph);
  auto quantizer = nn::Interpreter::Create(encoder->models_->quantizer, "encode");
  if (!quantizer.ok()) return quantizer.status().WithContext("soundstream quantizer");
  encoder->quantizer_ = std::move(*quantizer);

  AURALINK_RETURN_IF_ERROR(
      CheckShape(encoder->encoder_->input(0), kSoundStreamFrameSamples, "encoder input"));
  AURALINK_RETURN_IF_ERROR(
      CheckShape(encoder->encoder_->output(0), kSoundStreamFeatureSize, "encoder output"));
  const int frames_input = encoder->quantizer_->input_index("input_frames");
  encoder->num_quantizers_input_ = encoder->quantizer_->input_index("num_quantizers");
  encoder->indices_output_ = encoder->quantizer_->output_index("output_0");
  if (frames_input < 0 || encoder->num_quantizers_input_ < 0 || encoder->indices_output_ < 0) {
    return Status::Error("unexpected SoundStream quantizer: encode signature lacks input_frames, "
                         "num_quantizers or output_0");
  }
  AURALINK_RETURN_IF_ERROR(CheckShape(encoder->quantizer_->input(static_cast<size_t>(frames_input)),
                                      kSoundStreamFeatureSize, "quantizer input"));
  AURALINK_RETURN_IF_ERROR(
      CheckShape(encoder->quantizer_->output(static_cast<size_t>(encoder->indices_output_)),
                 kSoundStreamMaxQuantizers, "quantizer indices"));

  if (options.input_sample_rate_hz != kSoundStreamSampleRateHz) {
    auto resampler = audio::StreamingResampler::Create(options.input_sample_rate_hz,
                                                       kSoundStreamSampleRateHz);
    if (!resampler.ok()) return resampler.status();
    encoder->resampler_ = std::move(*resampler);
  }
  if (options.dtx) {
    encoder->voice_activity_ = std::make_unique<VoiceActivityDetector>();
  }
  encoder->input_channels_ = options.input_channels;
  encoder->frame_size_ = SamplesPerFrame(options.input_sample_rate_hz) * options.input_channels;
  encoder->bitrate_bps_ = options.bitrate_bps;
  encoder->quantizers_ = *SoundStreamQuantizersForBitrate(options.bitrate_bps);
  encoder->features_.assign(kSoundStreamFeatureSize, 0.0f);
  return encoder;
}

Status SoundStreamEncoder::SetBitrate(int bitrate_bps) {
  std::optional<int> quantizers = SoundStreamQuantizersForBitrate(bitrate_bps);
  if (!quantizers) {
    return Status::Error("soundstream bitrate must be 3200, 6000 or 9200 bps, not " +
                         std::to_string(bitrate_bps));
  }
  bitrate_bps_ = bitrate_bps;
  quantizers_ = *quantizers;
  return Status::Ok();
}

Status SoundStreamEncoder::Encode(std::span<const float> interleaved_frame,
                                  std::vector<uint8_t>* packet) {
  if (interleaved_frame.size() != static_cast<size_t>(frame_size_)) {
    return Status::Error("soundstream encoder expects " + std::to_string(frame_size_) +
                         " samples per frame, got " + std::to_string(interleaved_frame.size()));
  }
  std::span<const float> mono = interleaved_frame;
  if (input_channels_ == 2) {
    audio::DownmixToMono(interleaved_frame, input_channels_, &mono_);
    mono = mono_;
  }
  if (resampler_) {
    resampler_->ProcessFrame(mono, &frame_16k_);
    mono = frame_16k_;
  }

  std::span<float> input = encoder_->input(0).as<float>();
  std::copy(mono.begin(), mono.end(), input.begin());
  AURALINK_RETURN_IF_ERROR(encoder_->Invoke());
  std::span<const float> features = encoder_->output(0).as<float>();
  std::copy(features.begin(), features.end(), features_.begin());

  packet->clear();
  // The encoder graph runs on every frame so its causal state stays continuous across DTX gaps.
  if (voice_activity_ && !voice_activity_->IsSpeech(mono)) return Status::Ok();

  std::span<float> quantizer_input =
      quantizer_->input(static_cast<size_t>(quantizer_->input_index("input_frames"))).as<float>();
  std::copy(features_.begin(), features_.end(), quantizer_input.begin());
  quantizer_->input(static_cast<size_t>(num_quantizers_input_)).as<int32_t>()[0] = quantizers_;
  AURALINK_RETURN_IF_ERROR(quantizer_->Invoke());
  *packet = PackSoundStreamIndices(
      quantizer_->output(static_cast<size_t>(indices_output_)).as<int32_t>(), quantizers_);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Decoder

StatusOr<std::unique_ptr<SoundStreamDecoder>> SoundStreamDecoder::Create(
    const DecoderOptions& options, std::shared_ptr<const SoundStreamModels> models) {
  if (!IsSupportedSampleRate(options.output_sample_rate_hz)) {
    return Status::Error("unsupported output sample rate " +
                         std::to_string(options.output_sample_rate_hz) +
                         " Hz (use 8000, 16000, 32000, 44100 or 48000)");
  }
  std::unique_ptr<SoundStreamDecoder> decoder(new SoundStreamDecoder());
  decoder->models_ = std::move(models);
  auto dequantizer = nn::Interpreter::Create(decoder->models_->quantizer, "decode");
  if (!dequantizer.ok()) return dequantizer.status().WithContext("soundstream quantizer");
  decoder->dequantizer_ = std::move(*dequantizer);
  auto generator = nn::Interpreter::Create(decoder->models_->decoder);
  if (!generator.ok()) return generator.status().WithContext("soundstream decoder");
  decoder->generator_ = std::move(*generator);
  AURALINK_RETURN_IF_ERROR(CheckShape(decoder->dequantizer_->input(0), kSoundStreamMaxQuantizers,
                                      "quantizer decode input"));
  AURALINK_RETURN_IF_ERROR(CheckShape(decoder->dequantizer_->output(0), kSoundStreamFeatureSize,
                                      "quantizer decode output"));
  AURALINK_RETURN_IF_ERROR(
      CheckShape(decoder->generator_->input(0), kSoundStreamFeatureSize, "decoder input"));
  AURALINK_RETURN_IF_ERROR(
      CheckShape(decoder->generator_->output(0), kSoundStreamFrameSamples, "decoder output"));

  if (options.output_sample_rate_hz != kSoundStreamSampleRateHz) {
    auto resampler = audio::StreamingResampler::Create(kSoundStreamSampleRateHz,
                                                       options.output_sample_rate_hz);
    if (!resampler.ok()) return resampler.status();
    decoder->resampler_ = std::move(*resampler);
  }
  decoder->comfort_noise_ = std::make_unique<ComfortNoiseGenerator>(kSoundStreamSampleRateHz);
  decoder->frame_size_ = SamplesPerFrame(options.output_sample_rate_hz);
  decoder->frame_16k_.assign(kSoundStreamFrameSamples, 0.0f);
  decoder->noise_16k_.assign(kSoundStreamFrameSamples, 0.0f);
  return decoder;
}

Status SoundStreamDecoder::Synthesize(const std::array<int32_t, kSoundStreamMaxQuantizers>* indices) {
  std::span<float> features = generator_->input(0).as<float>();
  if (indices != nullptr) {
    std::span<int32_t> quantizer_input = dequantizer_->input(0).as<int32_t>();
    std::copy(indices->begin(), indices->end(), quantizer_input.begin());
    AURALINK_RETURN_IF_ERROR(dequantizer_->Invoke());
    std::span<const float> dequantized = dequantizer_->output(0).as<float>();
    std::copy(dequantized.begin(), dequantized.end(), features.begin());
  } else {
    std::fill(features.begin(), features.end(), 0.0f);
  }
  AURALINK_RETURN_IF_ERROR(generator_->Invoke());
  std::span<const float> samples = generator_->output(0).as<float>();
  std::copy(samples.begin(), samples.end(), frame_16k_.begin());
  return Status::Ok();
}

void SoundStreamDecoder::Emit(std::vector<float>* frame) {
  if (resampler_) {
    resampler_->ProcessFrame(frame_16k_, frame);
  } else {
    frame->assign(frame_16k_.begin(), frame_16k_.end());
  }
}

Status SoundStreamDecoder::Decode(std::span<const uint8_t> packet, std::vector<float>* frame) {
  std::array<int32_t, kSoundStreamMaxQuantizers> indices;
  if (!UnpackSoundStreamIndices(packet, indices)) {
    return Status::Error("invalid soundstream packet of " + std::to_string(packet.size()) +
                         " bytes (expected 8, 15 or 23)");
  }
  AURALINK_RETURN_IF_ERROR(Synthesize(&indices));
  if (lost_frames_ > kModelConcealmentFrames) {
    // Back from comfort noise: fade the decoded speech in over this frame.
    comfort_noise_->Generate(noise_16k_);
    const float n = static_cast<float>(frame_16k_.size());
    for (size_t i = 0; i < frame_16k_.size(); ++i) {
      const float w = static_cast<float>(i) / n;
      frame_16k_[i] = w * frame_16k_[i] + (1.0f - w) * noise_16k_[i];
    }
  } else {
    comfort_noise_->Learn(frame_16k_);
  }
  lost_frames_ = 0;
  Emit(frame);
  return Status::Ok();
}

void SoundStreamDecoder::Conceal(std::span<const uint8_t> /*next_packet*/,
                                 std::vector<float>* frame) {
  ++lost_frames_;
  const int fade_frame = lost_frames_ - kModelConcealmentFrames;  // 1..kCrossFadeFrames fading
  if (fade_frame <= kCrossFadeFrames) {
    if (!Synthesize(nullptr).ok()) std::fill(frame_16k_.begin(), frame_16k_.end(), 0.0f);
  }
  if (fade_frame >= 1) {
    comfort_noise_->Generate(noise_16k_);
    const float fade_length = static_cast<float>(kCrossFadeFrames * kSoundStreamFrameSamples);
    for (size_t i = 0; i < frame_16k_.size(); ++i) {
      const float position = static_cast<float>((fade_frame - 1) * kSoundStreamFrameSamples) +
                             static_cast<float>(i);
      const float w = std::min(1.0f, position / fade_length);
      const float model = fade_frame <= kCrossFadeFrames ? frame_16k_[i] : 0.0f;
      frame_16k_[i] = (1.0f - w) * model + w * noise_16k_[i];
    }
  }
  Emit(frame);
}

}  // namespace auralink::speech
