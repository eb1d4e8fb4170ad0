#include "aic/speech/opus_codec.h"

#include <opus/opus.h>

#include <algorithm>
#include <cmath>

#include "audio/audio_buffer.h"

namespace auralink::speech {
namespace {

constexpr int kMaxOpusPacketBytes = 1275;  // RFC 6716 s3.4 R2
// Opus's DTX marks silent frames with packets of at most 2 bytes (a TOC byte, maybe a count).
constexpr int kOpusDtxPacketBytes = 2;

bool IsOpusNativeRate(int rate) {
  return rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000;
}

bool IsCodecBoundaryRate(int rate) {
  return IsOpusNativeRate(rate) || rate == 32000 || rate == 44100;
}

std::string OpusError(int code) { return opus_strerror(code); }

}  // namespace

StatusOr<std::unique_ptr<OpusSpeechEncoder>> OpusSpeechEncoder::Create(
    const EncoderOptions& options) {
  if (options.codec != CodecType::kOpus) return Status::Error("opus encoder: codec is not opus");
  if (!IsCodecBoundaryRate(options.input_sample_rate_hz)) {
    return Status::Error("opus encoder: unsupported input sample rate " +
                         std::to_string(options.input_sample_rate_hz) + " Hz");
  }
  if (options.input_channels != 1 && options.input_channels != 2) {
    return Status::Error("opus encoder: unsupported channel count " +
                         std::to_string(options.input_channels) + " (1 or 2)");
  }
  if (options.bitrate_bps < kOpusMinBitrateBps || options.bitrate_bps > kOpusMaxBitrateBps) {
    return Status::Error("opus encoder: bitrate " + std::to_string(options.bitrate_bps) +
                         " bps is outside 6000..510000");
  }
  if (options.opus_expected_loss_percent < 0 || options.opus_expected_loss_percent > 100) {
    return Status::Error("opus encoder: expected loss " +
                         std::to_string(options.opus_expected_loss_percent) +
                         "% is outside 0..100");
  }
  std::unique_ptr<OpusSpeechEncoder> encoder(new OpusSpeechEncoder());
  encoder->input_channels_ = options.input_channels;
  encoder->frame_size_ = SamplesPerFrame(options.input_sample_rate_hz) * options.input_channels;
  encoder->opus_rate_hz_ =
      IsOpusNativeRate(options.input_sample_rate_hz) ? options.input_sample_rate_hz : 48000;
  if (encoder->opus_rate_hz_ != options.input_sample_rate_hz) {
    auto resampler =
        audio::StreamingResampler::Create(options.input_sample_rate_hz, encoder->opus_rate_hz_);
    if (!resampler.ok()) return resampler.status();
    encoder->resampler_ = std::move(*resampler);
  }
  int error = OPUS_OK;
  encoder->encoder_ = opus_encoder_create(encoder->opus_rate_hz_, 1, OPUS_APPLICATION_VOIP, &error);
  if (error != OPUS_OK || encoder->encoder_ == nullptr) {
    encoder->encoder_ = nullptr;
    return Status::Error("opus encoder: " + OpusError(error));
  }
  OpusEncoder* opus = encoder->encoder_;
  for (int result :
       {opus_encoder_ctl(opus, OPUS_SET_BITRATE(options.bitrate_bps)),
        opus_encoder_ctl(opus, OPUS_SET_INBAND_FEC(options.opus_inband_fec ? 1 : 0)),
        opus_encoder_ctl(opus, OPUS_SET_PACKET_LOSS_PERC(options.opus_expected_loss_percent)),
        opus_encoder_ctl(opus, OPUS_SET_DTX(options.dtx ? 1 : 0))}) {
    if (result != OPUS_OK) return Status::Error("opus encoder: " + OpusError(result));
  }
  encoder->bitrate_bps_ = options.bitrate_bps;
  encoder->dtx_ = options.dtx;
  encoder->buffer_.resize(kMaxOpusPacketBytes);
  return encoder;
}

OpusSpeechEncoder::~OpusSpeechEncoder() {
  if (encoder_ != nullptr) opus_encoder_destroy(encoder_);
}

Status OpusSpeechEncoder::Encode(std::span<const float> interleaved_frame,
                                 std::vector<uint8_t>* packet) {
  if (static_cast<int>(interleaved_frame.size()) != frame_size_) {
    return Status::Error("opus encoder: frame of " + std::to_string(interleaved_frame.size()) +
                         " samples, expected " + std::to_string(frame_size_));
  }
  audio::DownmixToMono(interleaved_frame, input_channels_, &mono_);
  // libopus expects finite samples; clip so a hot or corrupt input cannot upset its state.
  for (float& sample : mono_)
    sample = std::isfinite(sample) ? std::clamp(sample, -1.0f, 1.0f) : 0.0f;
  std::span<const float> input = mono_;
  if (resampler_) {
    resampler_->ProcessFrame(mono_, &resampled_);
    input = resampled_;
  }
  const opus_int32 length =
      opus_encode_float(encoder_, input.data(), static_cast<int>(input.size()), buffer_.data(),
                        static_cast<opus_int32>(buffer_.size()));
  if (length < 0) return Status::Error("opus encoder: " + OpusError(length));
  if (dtx_ && length <= kOpusDtxPacketBytes) {
    packet->clear();
    return Status::Ok();
  }
  packet->assign(buffer_.begin(), buffer_.begin() + length);
  return Status::Ok();
}

Status OpusSpeechEncoder::SetBitrate(int bitrate_bps) {
  if (bitrate_bps < kOpusMinBitrateBps || bitrate_bps > kOpusMaxBitrateBps) {
    return Status::Error("opus encoder: bitrate " + std::to_string(bitrate_bps) +
                         " bps is outside 6000..510000");
  }
  const int result = opus_encoder_ctl(encoder_, OPUS_SET_BITRATE(bitrate_bps));
  if (result != OPUS_OK) return Status::Error("opus encoder: " + OpusError(result));
  bitrate_bps_ = bitrate_bps;
  return Status::Ok();
}

StatusOr<std::unique_ptr<OpusSpeechDecoder>> OpusSpeechDecoder::Create(
    const DecoderOptions& options) {
  if (options.codec != CodecType::kOpus) return Status::Error("opus decoder: codec is not opus");
  if (!IsCodecBoundaryRate(options.output_sample_rate_hz)) {
    return Status::Error("opus decoder: unsupported output sample rate " +
                         std::to_string(options.output_sample_rate_hz) + " Hz");
  }
  std::unique_ptr<OpusSpeechDecoder> decoder(new OpusSpeechDecoder());
  decoder->frame_size_ = SamplesPerFrame(options.output_sample_rate_hz);
  decoder->opus_rate_hz_ =
      IsOpusNativeRate(options.output_sample_rate_hz) ? options.output_sample_rate_hz : 48000;
  if (decoder->opus_rate_hz_ != options.output_sample_rate_hz) {
    auto resampler =
        audio::StreamingResampler::Create(decoder->opus_rate_hz_, options.output_sample_rate_hz);
    if (!resampler.ok()) return resampler.status();
    decoder->resampler_ = std::move(*resampler);
  }
  int error = OPUS_OK;
  decoder->decoder_ = opus_decoder_create(decoder->opus_rate_hz_, 1, &error);
  if (error != OPUS_OK || decoder->decoder_ == nullptr) {
    decoder->decoder_ = nullptr;
    return Status::Error("opus decoder: " + OpusError(error));
  }
  decoder->opus_frame_.resize(static_cast<size_t>(SamplesPerFrame(decoder->opus_rate_hz_)));
  return decoder;
}

OpusSpeechDecoder::~OpusSpeechDecoder() {
  if (decoder_ != nullptr) opus_decoder_destroy(decoder_);
}

bool OpusSpeechDecoder::IsTwentyMillisecondPacket(std::span<const uint8_t> packet) const {
  if (packet.empty() || packet.size() > static_cast<size_t>(kMaxOpusPacketBytes)) return false;
  // Also rejects malformed framing (RFC 6716 s3.4) before the decoder sees the packet.
  return opus_packet_get_nb_samples(packet.data(), static_cast<opus_int32>(packet.size()),
                                    opus_rate_hz_) == static_cast<int>(opus_frame_.size());
}

void OpusSpeechDecoder::Emit(std::vector<float>* frame) {
  if (resampler_) {
    resampler_->ProcessFrame(opus_frame_, frame);
  } else {
    frame->assign(opus_frame_.begin(), opus_frame_.end());
  }
}

Status OpusSpeechDecoder::Decode(std::span<const uint8_t> packet, std::vector<float>* frame) {
  if (packet.empty()) {
    Conceal({}, frame);
    return Status::Ok();
  }
  if (packet.size() > static_cast<size_t>(kMaxOpusPacketBytes)) {
    return Status::Error("opus decoder: packet of " + std::to_string(packet.size()) +
                         " bytes is over the 1275-byte limit");
  }
  const int samples = opus_packet_get_nb_samples(
      packet.data(), static_cast<opus_int32>(packet.size()), opus_rate_hz_);
  if (samples < 0) {
    return Status::Error("opus decoder: malformed packet of " + std::to_string(packet.size()) +
                         " bytes (" + OpusError(samples) + ")");
  }
  if (samples != static_cast<int>(opus_frame_.size())) {
    return Status::Error("opus decoder: packet holds " +
                         std::to_string(samples * 1000 / opus_rate_hz_) + " ms, expected 20 ms");
  }
  const int decoded =
      opus_decode_float(decoder_, packet.data(), static_cast<opus_int32>(packet.size()),
                        opus_frame_.data(), static_cast<int>(opus_frame_.size()), 0);
  if (decoded != static_cast<int>(opus_frame_.size())) {
    return Status::Error("opus decoder: " + OpusError(decoded < 0 ? decoded : OPUS_INTERNAL_ERROR));
  }
  Emit(frame);
  return Status::Ok();
}

void OpusSpeechDecoder::Conceal(std::span<const uint8_t> next_packet, std::vector<float>* frame) {
  const int frame_samples = static_cast<int>(opus_frame_.size());
  int decoded = -1;
  if (IsTwentyMillisecondPacket(next_packet)) {
    // decode_fec = 1 decodes the LBRR copy of the previous frame carried by `next_packet`; libopus
    // falls back to concealment by itself when the packet has none.
    decoded =
        opus_decode_float(decoder_, next_packet.data(), static_cast<opus_int32>(next_packet.size()),
                          opus_frame_.data(), frame_samples, 1);
  }
  if (decoded != frame_samples) {
    decoded = opus_decode_float(decoder_, nullptr, 0, opus_frame_.data(), frame_samples, 0);
  }
  if (decoded != frame_samples) std::fill(opus_frame_.begin(), opus_frame_.end(), 0.0f);
  Emit(frame);
}

}  // namespace auralink::speech
