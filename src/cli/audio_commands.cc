#include "cli/audio_commands.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <numbers>
#include <random>

#include "aic/speech/speech_codec.h"
#include "audio/audio_file.h"
#include "audio/aus_stream.h"
#include "cli/cli_output.h"
#include "cli/command_line.h"
#include "common/cpu_affinity.h"
#include "common/model_path.h"
#include "quality/speech_quality.h"

namespace auralink::cli {
namespace {

constexpr const char* kAudioUsage =
    "usage:\n"
    "  auralink audio encode --codec soundstream|opus --bitrate BPS [--dtx] [--fec] IN OUT.aus "
    "[--json]\n"
    "  auralink audio decode IN.aus OUT.wav [--rate HZ] [--loss PCT] [--loss-seed N] "
    "[--burst-ms MS] [--json]\n"
    "  auralink audio compare REF.wav DEG.wav [--json]\n"
    "  auralink audio bench [--codec C] [--bitrate BPS] [--input FILE] [--seconds S] [--json]\n"
    "options common to encode, decode and bench: --models DIR (SoundStream weights)\n";

std::string ModelDirectoryFor(speech::CodecType codec, const ParsedArguments& args,
                              Status* status) {
  if (codec != speech::CodecType::kSoundStream) return "";
  auto dir = ResolveModelDirectory(args.Value("models").value_or(""));
  if (!dir.ok()) {
    *status = dir.status();
    return "";
  }
  return *dir;
}

StatusOr<speech::CodecType> CodecFromArguments(const ParsedArguments& args) {
  std::string name = args.Value("codec").value_or("soundstream");
  auto codec = speech::ParseCodecName(name);
  if (!codec) return Status::Error("unknown codec '" + name + "' (use soundstream or opus)");
  return *codec;
}

int DefaultBitrate(speech::CodecType codec) {
  return codec == speech::CodecType::kSoundStream ? 6000 : 32000;
}

std::vector<float> MonoSamples(const audio::AudioBuffer& buffer) {
  std::vector<float> mono;
  audio::DownmixToMono(buffer.samples, buffer.channels, &mono);
  return mono;
}

// ---------------------------------------------------------------------------------------------

int Encode(const std::vector<std::string>& raw) {
  auto args = ParsedArguments::Parse(raw, {{"codec", true}, {"bitrate", true}, {"dtx", false},
                                           {"fec", false}, {"models", true}, {"json", false}});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().size() != 2) {
    return Fail(Status::Error("audio encode needs IN and OUT.aus"));
  }
  const std::string& in_path = args->positional()[0];
  const std::string& out_path = args->positional()[1];
  auto codec = CodecFromArguments(*args);
  if (!codec.ok()) return Fail(codec.status());
  auto bitrate = args->Integer("bitrate", DefaultBitrate(*codec), 1, 510000);
  if (!bitrate.ok()) return Fail(bitrate.status());

  auto input = audio::ReadAudioFile(in_path);
  if (!input.ok()) return Fail(input.status());
  if (!speech::IsSupportedSampleRate(input->sample_rate_hz)) {
    return Fail(Status::Error(in_path + ": unsupported sample rate " +
                              std::to_string(input->sample_rate_hz) +
                              " Hz (use 8000, 16000, 32000, 44100 or 48000)"));
  }
  if (input->channels != 1 && input->channels != 2) {
    return Fail(Status::Error(in_path + ": " + std::to_string(input->channels) +
                              " channels; only mono and stereo are supported"));
  }
  if (input->frames() == 0) return Fail(Status::Error(in_path + ": no audio samples"));

  Status model_status;
  speech::EncoderOptions options;
  options.codec = *codec;
  options.bitrate_bps = static_cast<int>(*bitrate);
  options.input_sample_rate_hz = input->sample_rate_hz;
  options.input_channels = input->channels;
  options.dtx = args->Has("dtx");
  options.opus_inband_fec = args->Has("fec");
  options.opus_expected_loss_percent = options.opus_inband_fec ? 10 : 0;
  options.model_directory = ModelDirectoryFor(*codec, *args, &model_status);
  if (!model_status.ok()) return Fail(model_status);
  auto encoder = speech::CreateSpeechEncoder(options);
  if (!encoder.ok()) return Fail(encoder.status());

  const size_t frame_size = static_cast<size_t>((*encoder)->frame_size());
  const size_t frames = (input->samples.size() + frame_size - 1) / frame_size;
  audio::AusStream stream;
  stream.header.codec = static_cast<uint8_t>(*codec);
  stream.header.sample_rate_hz = static_cast<uint32_t>(input->sample_rate_hz);
  stream.header.channels = static_cast<uint8_t>(input->channels);
  stream.header.bitrate_bps = static_cast<uint32_t>(*bitrate);
  stream.header.frame_count = static_cast<uint32_t>(frames);
  stream.packets.resize(frames);
  std::vector<float> frame(frame_size);
  std::vector<double> encode_ms;
  size_t payload_bytes = 0;
  size_t empty_packets = 0;
  for (size_t f = 0; f < frames; ++f) {
    const size_t begin = f * frame_size;
    const size_t count = std::min(frame_size, input->samples.size() - begin);
    std::fill(frame.begin(), frame.end(), 0.0f);
    std::copy_n(input->samples.begin() + static_cast<std::ptrdiff_t>(begin), count, frame.begin());
    auto start = std::chrono::steady_clock::now();
    Status status = (*encoder)->Encode(frame, &stream.packets[f]);
    encode_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    if (!status.ok()) return Fail(status.WithContext("encoding frame " + std::to_string(f)));
    payload_bytes += stream.packets[f].size();
    if (stream.packets[f].empty()) ++empty_packets;
  }
  Status written = audio::WriteAusFile(out_path, stream);
  if (!written.ok()) return Fail(written);

  const double duration_s = static_cast<double>(frames) * speech::kFrameDurationMs / 1000.0;
  if (args->Has("json")) {
    std::error_code ec;
    Json json;
    json["codec"] = speech::CodecName(*codec);
    json["bitrate_bps"] = *bitrate;
    json["frames"] = frames;
    json["bytes"] = payload_bytes;
    json["duration_s"] = duration_s;
    json["file_bytes"] = std::filesystem::file_size(out_path, ec);
    json["payload_bitrate_bps"] = static_cast<double>(payload_bytes) * 8.0 / duration_s;
    json["empty_frames"] = empty_packets;
    json["sample_rate_hz"] = input->sample_rate_hz;
    json["channels"] = input->channels;
    json["dtx"] = options.dtx;
    json["encode_ms_median"] = Percentile(encode_ms, 0.5);
    PrintJson(json);
  } else {
    std::printf("encoded %zu frames (%.2f s) with %s at %lld bps: %zu payload bytes, %zu empty\n",
                frames, duration_s, speech::CodecName(*codec), *bitrate, payload_bytes,
                empty_packets);
  }
  return 0;
}

// Decides which packets the simulated network drops: independent losses, or bursts of
// `burst_frames` consecutive frames whose start rate keeps the overall loss near `loss_percent`.
std::vector<bool> SimulateLoss(size_t frames, double loss_percent, int burst_frames,
                               uint64_t seed) {
  std::vector<bool> lost(frames, false);
  if (loss_percent <= 0.0) return lost;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const double start_probability = loss_percent / 100.0 / std::max(1, burst_frames);
  for (size_t f = 0; f < frames; ++f) {
    if (lost[f]) continue;
    if (uniform(rng) < start_probability) {
      for (int b = 0; b < std::max(1, burst_frames) && f + static_cast<size_t>(b) < frames; ++b) {
        lost[f + static_cast<size_t>(b)] = true;
      }
    }
  }
  return lost;
}

int Decode(const std::vector<std::string>& raw) {
  auto args = ParsedArguments::Parse(raw, {{"rate", true}, {"loss", true}, {"loss-seed", true},
                                           {"burst-ms", true}, {"models", true}, {"json", false}});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().size() != 2) {
    return Fail(Status::Error("audio decode needs IN.aus and OUT.wav"));
  }
  const std::string& in_path = args->positional()[0];
  const std::string& out_path = args->positional()[1];
  auto loss = args->Number("loss", 0.0, 0.0, 100.0);
  if (!loss.ok()) return Fail(loss.status());
  auto seed = args->Integer("loss-seed", 1, 0, std::numeric_limits<long long>::max());
  if (!seed.ok()) return Fail(seed.status());
  auto burst_ms = args->Integer("burst-ms", speech::kFrameDurationMs, speech::kFrameDurationMs,
                                10000);
  if (!burst_ms.ok()) return Fail(burst_ms.status());

  auto stream = audio::ReadAusFile(in_path);
  if (!stream.ok()) return Fail(stream.status());
  auto rate = args->Integer("rate", stream->header.sample_rate_hz, 1, 192000);
  if (!rate.ok()) return Fail(rate.status());
  if (!speech::IsSupportedSampleRate(static_cast<int>(*rate))) {
    return Fail(Status::Error("unsupported output rate " + std::to_string(*rate) +
                              " Hz (use 8000, 16000, 32000, 44100 or 48000)"));
  }
  const auto codec = static_cast<speech::CodecType>(stream->header.codec);

  Status model_status;
  speech::DecoderOptions options;
  options.codec = codec;
  options.output_sample_rate_hz = static_cast<int>(*rate);
  options.model_directory = ModelDirectoryFor(codec, *args, &model_status);
  if (!model_status.ok()) return Fail(model_status);
  auto decoder = speech::CreateSpeechDecoder(options);
  if (!decoder.ok()) return Fail(decoder.status());

  const size_t frames = stream->packets.size();
  const int burst_frames = static_cast<int>(*burst_ms / speech::kFrameDurationMs);
  std::vector<bool> lost = SimulateLoss(frames, *loss, burst_frames, static_cast<uint64_t>(*seed));
  audio::AudioBuffer output;
  output.sample_rate_hz = static_cast<int>(*rate);
  output.channels = 1;
  output.samples.reserve(frames * static_cast<size_t>((*decoder)->frame_size()));
  std::vector<float> frame;
  size_t lost_frames = 0;
  size_t concealed_frames = 0;
  size_t invalid_packets = 0;
  size_t bytes = 0;
  auto received = [&](size_t f) -> std::span<const uint8_t> {
    if (f >= frames || lost[f]) return {};
    return stream->packets[f];
  };
  for (size_t f = 0; f < frames; ++f) {
    bytes += stream->packets[f].size();
    if (lost[f]) ++lost_frames;
    std::span<const uint8_t> packet = received(f);
    bool decoded = false;
    if (!packet.empty()) {
      Status status = (*decoder)->Decode(packet, &frame);
      decoded = status.ok();
      if (!decoded) ++invalid_packets;
    }
    if (!decoded) {
      (*decoder)->Conceal(received(f + 1), &frame);
      ++concealed_frames;
    }
    output.samples.insert(output.samples.end(), frame.begin(), frame.end());
  }
  Status written = audio::WriteWavFile(out_path, output);
  if (!written.ok()) return Fail(written);

  const double duration_s = static_cast<double>(frames) * speech::kFrameDurationMs / 1000.0;
  if (args->Has("json")) {
    Json json;
    json["codec"] = speech::CodecName(codec);
    json["bitrate_bps"] = stream->header.bitrate_bps;
    json["frames"] = frames;
    json["bytes"] = bytes;
    json["duration_s"] = duration_s;
    json["sample_rate_hz"] = *rate;
    json["samples"] = output.samples.size();
    json["lost_frames"] = lost_frames;
    json["concealed_frames"] = concealed_frames;
    json["invalid_packets"] = invalid_packets;
    PrintJson(json);
  } else {
    std::printf("decoded %zu frames (%.2f s) of %s to %lld Hz: %zu lost, %zu concealed\n", frames,
                duration_s, speech::CodecName(codec), *rate, lost_frames, concealed_frames);
  }
  return 0;
}

int Compare(const std::vector<std::string>& raw) {
  auto args = ParsedArguments::Parse(raw, {{"json", false}});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().size() != 2) {
    return Fail(Status::Error("audio compare needs REF.wav and DEG.wav"));
  }
  auto reference = audio::ReadAudioFile(args->positional()[0]);
  if (!reference.ok()) return Fail(reference.status());
  auto degraded = audio::ReadAudioFile(args->positional()[1]);
  if (!degraded.ok()) return Fail(degraded.status());
  std::vector<float> reference_mono = MonoSamples(*reference);
  std::vector<float> degraded_mono = MonoSamples(*degraded);
  auto scores = quality::CompareSpeech(reference_mono, reference->sample_rate_hz, degraded_mono,
                                       degraded->sample_rate_hz);
  if (!scores.ok()) return Fail(scores.status());
  const double duration_s =
      static_cast<double>(reference_mono.size()) / static_cast<double>(reference->sample_rate_hz);
  if (args->Has("json")) {
    Json json;
    json["mos"] = scores->mos;
    json["nsim"] = scores->nsim;
    json["stoi"] = scores->stoi;
    json["lsd_db"] = scores->lsd_db;
    json["snr_db"] = scores->snr_db;
    json["delay_ms"] = scores->delay_ms;
    json["duration_s"] = duration_s;
    PrintJson(json);
  } else {
    std::printf("MOS %.3f  NSIM %.4f  STOI %.4f  LSD %.2f dB  SNR %.2f dB  delay %.1f ms\n",
                scores->mos, scores->nsim, scores->stoi, scores->lsd_db, scores->snr_db,
                scores->delay_ms);
  }
  return 0;
}

// A speech-like test signal for bench when no input is given: a gliding harmonic voice with
// syllable-rate amplitude modulation and a little noise.
std::vector<float> SyntheticSpeech(int sample_rate_hz, double seconds) {
  std::vector<float> samples(static_cast<size_t>(seconds * sample_rate_hz));
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0.0f, 0.01f);
  double phase = 0.0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const double t = static_cast<double>(i) / sample_rate_hz;
    const double f0 = 120.0 + 30.0 * std::sin(2.0 * std::numbers::pi * 0.7 * t);
    phase += 2.0 * std::numbers::pi * f0 / sample_rate_hz;
    double voiced = 0.0;
    for (int h = 1; h <= 12; ++h) voiced += std::sin(h * phase) / h;
    const double envelope = 0.5 + 0.5 * std::sin(2.0 * std::numbers::pi * 4.0 * t);
    samples[i] = static_cast<float>(0.15 * envelope * voiced) + noise(rng);
  }
  return samples;
}

int Bench(const std::vector<std::string>& raw) {
  auto args = ParsedArguments::Parse(raw, {{"codec", true}, {"bitrate", true}, {"input", true},
                                           {"seconds", true}, {"models", true}, {"json", false}});
  if (!args.ok()) return Fail(args.status());
  if (!args->positional().empty()) return Fail(Status::Error("audio bench takes no positionals"));
  auto codec = CodecFromArguments(*args);
  if (!codec.ok()) return Fail(codec.status());
  auto bitrate = args->Integer("bitrate", DefaultBitrate(*codec), 1, 510000);
  if (!bitrate.ok()) return Fail(bitrate.status());
  auto seconds = args->Number("seconds", 10.0, 0.1, 3600.0);
  if (!seconds.ok()) return Fail(seconds.status());

  PinToCurrentCore();

  constexpr int kRate = 16000;
  std::vector<float> signal;
  std::string input_name = "synthetic";
  if (auto input_path = args->Value("input")) {
    auto input = audio::ReadAudioFile(*input_path);
    if (!input.ok()) return Fail(input.status());
    if (input->sample_rate_hz != kRate) {
      return Fail(Status::Error(*input_path + ": bench input must be 16 kHz"));
    }
    signal = MonoSamples(*input);
    input_name = *input_path;
  } else {
    signal = SyntheticSpeech(kRate, *seconds);
  }

  Status model_status;
  speech::EncoderOptions encoder_options;
  encoder_options.codec = *codec;
  encoder_options.bitrate_bps = static_cast<int>(*bitrate);
  encoder_options.input_sample_rate_hz = kRate;
  encoder_options.model_directory = ModelDirectoryFor(*codec, *args, &model_status);
  if (!model_status.ok()) return Fail(model_status);
  auto encoder = speech::CreateSpeechEncoder(encoder_options);
  if (!encoder.ok()) return Fail(encoder.status());
  speech::DecoderOptions decoder_options;
  decoder_options.codec = *codec;
  decoder_options.output_sample_rate_hz = kRate;
  decoder_options.model_directory = encoder_options.model_directory;
  auto decoder = speech::CreateSpeechDecoder(decoder_options);
  if (!decoder.ok()) return Fail(decoder.status());

  const size_t frame_size = static_cast<size_t>((*encoder)->frame_size());
  const size_t frames = signal.size() / frame_size;
  if (frames == 0) return Fail(Status::Error("bench input is shorter than one frame"));
  std::vector<double> encode_ms, decode_ms, total_ms;
  std::vector<uint8_t> packet;
  std::vector<float> output;
  size_t bytes = 0;
  using Clock = std::chrono::steady_clock;
  for (size_t f = 0; f < frames; ++f) {
    std::span<const float> frame(signal.data() + f * frame_size, frame_size);
    auto t0 = Clock::now();
    Status encoded = (*encoder)->Encode(frame, &packet);
    auto t1 = Clock::now();
    if (!encoded.ok()) return Fail(encoded);
    Status decoded = (*decoder)->Decode(packet, &output);
    auto t2 = Clock::now();
    if (!decoded.ok()) return Fail(decoded);
    bytes += packet.size();
    encode_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    decode_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    total_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
  }
  double total_sum = 0.0;
  for (double v : total_ms) total_sum += v;
  const double duration_s = static_cast<double>(frames) * speech::kFrameDurationMs / 1000.0;
  // Real-time factor: processing time over audio time (below 1 is faster than real time).
  const double realtime_factor = total_sum / 1000.0 / duration_s;
  Json json;
  json["codec"] = speech::CodecName(*codec);
  json["bitrate_bps"] = *bitrate;
  json["frames"] = frames;
  json["bytes"] = bytes;
  json["duration_s"] = duration_s;
  json["input"] = input_name;
  json["encode_ms_median"] = Percentile(encode_ms, 0.5);
  json["encode_ms_p95"] = Percentile(encode_ms, 0.95);
  json["decode_ms_median"] = Percentile(decode_ms, 0.5);
  json["decode_ms_p95"] = Percentile(decode_ms, 0.95);
  json["total_ms_median"] = Percentile(total_ms, 0.5);
  json["total_ms_p95"] = Percentile(total_ms, 0.95);
  json["realtime_factor"] = realtime_factor;
  if (args->Has("json")) {
    PrintJson(json);
  } else {
    std::printf(
        "%s %lld bps, %zu frames on one core: encode %.3f ms (p95 %.3f), decode %.3f ms "
        "(p95 %.3f), total %.3f ms (p95 %.3f) per 20 ms frame; real-time factor %.4f "
        "(%.0fx faster than real time)\n",
        speech::CodecName(*codec), *bitrate, frames, Percentile(encode_ms, 0.5),
        Percentile(encode_ms, 0.95), Percentile(decode_ms, 0.5), Percentile(decode_ms, 0.95),
        Percentile(total_ms, 0.5), Percentile(total_ms, 0.95), realtime_factor,
        1.0 / realtime_factor);
  }
  return 0;
}

}  // namespace

int RunAudioCommand(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "help") {
    std::fputs(kAudioUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "encode") return Encode(rest);
  if (args[0] == "decode") return Decode(rest);
  if (args[0] == "compare") return Compare(rest);
  if (args[0] == "bench") return Bench(rest);
  return Fail(Status::Error("unknown audio command '" + args[0] + "' (see 'auralink audio help')"));
}

}  // namespace auralink::cli
