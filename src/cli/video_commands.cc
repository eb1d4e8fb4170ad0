#include "cli/video_commands.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "aic/video/livekit_video_presets.h"
#include "aic/video/policy/aic_encoder_config.h"
#include "aic/video/policy/aic_video_encoder.h"
#include "aic/video/policy/frame_rate_decimator.h"
#include "aic/video/policy/rate_model_training.h"
#include "aic/video/video_codec.h"
#include "cli/cli_output.h"
#include "cli/command_line.h"
#include "cli/video_stream_file.h"
#include "common/cpu_affinity.h"
#include "quality/video_quality.h"
#include "video/frame_scaler.h"
#include "video/y4m.h"

namespace auralink::cli {
namespace {

constexpr const char* kVideoUsage =
    "usage:\n"
    "  auralink video encode IN.y4m OUT [--codec vp8|vp9|av1|h264] [--mode M] [--bitrate KBPS]\n"
    "                        [--target-ssim Q] [--max-kbps KBPS] [--no-roi] [--json]\n"
    "                        [--av1-encoder aom|svt] [--quantizer Q]\n"
    "  auralink video baseline IN.y4m OUT.ivf [--json]\n"
    "  auralink video decode IN OUT.y4m [--fps N[/D]] [--json]\n"
    "  auralink video compare REF.y4m DEG.y4m [--per-frame] [--json]\n"
    "  auralink video train-rate-model --out MODEL.json [--clips DIR] [--cache FILE] [--json]\n"
    "modes: conservative, adaptive (default), aggressive, off (plain CBR: the baseline, or "
    "--codec\n"
    "at --bitrate, or at constant --quantizer Q capped by --bitrate). --av1-encoder picks libaom\n"
    "(default) or SVT-AV1 for --mode off. OUT is IVF for every codec, or H.264 Annex-B when named\n"
    ".264 or .h264.\n";

using Clock = std::chrono::steady_clock;

double FrameRate(int numerator, int denominator) {
  return static_cast<double>(numerator) / std::max(1, denominator);
}

struct EncodeSummary {
  int64_t source_frames = 0;
  int64_t encoded_frames = 0;
  size_t bytes = 0;
  std::vector<double> encode_ms;
  double duration_s = 0.0;
};

void AddEncodeKeys(const EncodeSummary& summary, Json* json) {
  (*json)["frames"] = summary.source_frames;
  (*json)["encoded_frames"] = summary.encoded_frames;
  (*json)["bytes"] = summary.bytes;
  (*json)["bitrate_kbps"] = summary.duration_s > 0 ? static_cast<double>(summary.bytes) * 8.0 /
                                                         summary.duration_s / 1000.0
                                                   : 0.0;
  (*json)["duration_s"] = summary.duration_s;
  (*json)["encode_ms_median"] = Percentile(summary.encode_ms, 0.5);
  (*json)["encode_ms_p95"] = Percentile(summary.encode_ms, 0.95);
  double total_ms = 0.0;
  for (double ms : summary.encode_ms) total_ms += ms;
  (*json)["encode_fps"] =
      total_ms > 0 ? static_cast<double>(summary.encode_ms.size()) * 1000.0 / total_ms : 0.0;
}

// Encodes every frame of `reader` with a plain (non-AIC) encoder, keeping the frames `decimator`
// passes; the output frames carry the source frame index as pts.
Status EncodePlain(video::Y4mReader& reader, video::VideoEncoder& encoder,
                   video::FrameRateDecimator& decimator, EncodedVideoWriter& writer,
                   EncodeSummary* summary) {
  video::VideoFrame frame;
  std::vector<video::EncodedFrame> encoded;
  for (int64_t index = 0;; ++index) {
    auto more = reader.ReadFrame(&frame);
    if (!more.ok()) return more.status();
    if (!*more) break;
    ++summary->source_frames;
    if (!decimator.Keep(index)) continue;
    frame.pts = index;
    encoded.clear();
    auto start = Clock::now();
    Status status = encoder.Encode(frame, index == 0, &encoded);
    summary->encode_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    AURALINK_RETURN_IF_ERROR(status.WithContext("encoding frame " + std::to_string(index)));
    for (const video::EncodedFrame& out : encoded) {
      AURALINK_RETURN_IF_ERROR(writer.Write(out));
      ++summary->encoded_frames;
    }
  }
  // Encoders with latency (SVT-AV1) still hold the last frame.
  encoded.clear();
  AURALINK_RETURN_IF_ERROR(encoder.Flush(&encoded));
  for (const video::EncodedFrame& out : encoded) {
    AURALINK_RETURN_IF_ERROR(writer.Write(out));
    ++summary->encoded_frames;
  }
  return Status::Ok();
}

std::vector<video::EncoderProfile> ProfilesOf(const video::RateQualityModel& model,
                                              video::VideoCodecType codec) {
  std::vector<video::EncoderProfile> profiles;
  for (const video::ProfileModel& profile : model.data().profiles) {
    if (profile.profile.codec == codec) profiles.push_back(profile.profile);
  }
  return profiles;
}

// What `--mode off` encodes with; all unset is the LiveKit baseline.
struct PlainEncodeOptions {
  std::optional<video::VideoCodecType> codec;
  long long bitrate_kbps = 0;
  double max_kbps = 0.0;
  std::optional<int> quantizer;  // constant quality at this quantizer, capped by the bitrate
  video::Av1Encoder av1_encoder = video::Av1Encoder::kLibaom;
};

// Plain (non-AIC) encoding: the LiveKit baseline (VP8 CBR at the preset's bitrate and frame rate),
// or `codec` at `bitrate_kbps` (CBR at the source frame rate) when those are given, or at a
// constant `quantizer`.
Status EncodeWithoutAic(video::Y4mReader& reader, const std::string& out_path,
                        const PlainEncodeOptions& options, EncodeSummary* summary, Json* json) {
  const std::optional<video::VideoCodecType>& codec = options.codec;
  const long long bitrate_kbps = options.bitrate_kbps;
  const double max_kbps = options.max_kbps;
  const video::Y4mHeader& header = reader.header();
  const double source_fps = FrameRate(header.fps_numerator, header.fps_denominator);
  video::VideoEncoderConfig config =
      video::BaselineEncoderConfig(header.width, header.height, source_fps);
  if (codec && *codec != config.codec) {
    config.codec = *codec;
    config.speed = -1;
    config.max_quantizer = std::min(config.max_quantizer, video::MaxQuantizerOf(*codec));
  }
  double send_fps = FrameRate(config.fps_numerator, config.fps_denominator);
  if (bitrate_kbps > 0) {
    config.target_kbps = static_cast<int>(bitrate_kbps);
    config.fps_numerator = header.fps_numerator;
    config.fps_denominator = header.fps_denominator;
    send_fps = source_fps;
  }
  if (max_kbps > 0) config.target_kbps = std::min(config.target_kbps, static_cast<int>(max_kbps));
  config.av1_encoder = options.av1_encoder;
  if (options.quantizer) {
    config.rate_control = video::RateControlMode::kConstantQuality;
    config.quality = *options.quantizer;
    config.min_quantizer = 0;
    config.max_quantizer = 63;
    config.fps_numerator = header.fps_numerator;
    config.fps_denominator = header.fps_denominator;
    send_fps = source_fps;
    if (bitrate_kbps <= 0 && max_kbps <= 0) config.target_kbps = 0;
  }
  auto encoder = video::CreateVideoEncoder(config);
  if (!encoder.ok()) return encoder.status();
  auto writer = EncodedVideoWriter::Create(out_path, config.codec, header.width, header.height,
                                           header.fps_numerator, header.fps_denominator);
  if (!writer.ok()) return writer.status();
  video::FrameRateDecimator decimator(source_fps, send_fps);
  AURALINK_RETURN_IF_ERROR(EncodePlain(reader, **encoder, decimator, **writer, summary));
  if (summary->source_frames == 0) return Status::Error("no frames in the input");
  AURALINK_RETURN_IF_ERROR((*writer)->Close());
  summary->bytes = (*writer)->payload_bytes();
  (*json)["codec"] = video::VideoCodecName(config.codec);
  if (config.codec == video::VideoCodecType::kAv1) {
    (*json)["av1_encoder"] = video::Av1EncoderName(config.av1_encoder);
  }
  if (options.quantizer) (*json)["quantizer"] = *options.quantizer;
  (*json)["mode"] = "off";
  (*json)["fps"] = send_fps;
  (*json)["target_kbps"] = config.target_kbps;
  (*json)["fallbacks"] = 0;
  return Status::Ok();
}

int Encode(const std::vector<std::string>& raw) {
  auto args = ParsedArguments::Parse(raw, {{"codec", true},
                                           {"mode", true},
                                           {"bitrate", true},
                                           {"target-ssim", true},
                                           {"max-kbps", true},
                                           {"no-roi", false},
                                           {"json", false},
                                           {"av1-encoder", true},
                                           {"quantizer", true}});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().size() != 2)
    return Fail(Status::Error("video encode needs IN.y4m and OUT"));
  auto mode = video::ParseAicMode(args->Value("mode").value_or("adaptive"));
  if (!mode.ok()) return Fail(mode.status());
  std::optional<video::VideoCodecType> codec;
  if (auto name = args->Value("codec")) {
    codec = video::ParseVideoCodecName(*name);
    if (!codec)
      return Fail(Status::Error("unknown codec '" + *name + "' (use vp8, vp9, av1 or h264)"));
  }
  auto bitrate = args->Integer("bitrate", 0, 1, 1000000);
  if (!bitrate.ok()) return Fail(bitrate.status());
  auto max_kbps = args->Number("max-kbps", 0.0, 1.0, 1000000.0);
  if (!max_kbps.ok()) return Fail(max_kbps.status());
  auto target_ssim = args->Number("target-ssim", 0.0, 0.5, 0.999);
  if (!target_ssim.ok()) return Fail(target_ssim.status());
  PlainEncodeOptions plain;
  if (auto name = args->Value("av1-encoder")) {
    auto av1_encoder = video::ParseAv1EncoderName(*name);
    if (!av1_encoder) {
      return Fail(Status::Error("unknown AV1 encoder '" + *name + "' (use aom or svt)"));
    }
    plain.av1_encoder = *av1_encoder;
  }
  if (args->Has("quantizer")) {
    auto quantizer = args->Integer("quantizer", 0, 0, 63);
    if (!quantizer.ok()) return Fail(quantizer.status());
    plain.quantizer = static_cast<int>(*quantizer);
  }
  if (*mode != video::AicMode::kOff &&
      (plain.quantizer || plain.av1_encoder != video::Av1Encoder::kLibaom)) {
    return Fail(Status::Error("--quantizer and --av1-encoder svt go with --mode off"));
  }

  auto reader = video::Y4mReader::Create(args->positional()[0]);
  if (!reader.ok()) return Fail(reader.status());
  const video::Y4mHeader& header = (*reader)->header();
  const double source_fps = FrameRate(header.fps_numerator, header.fps_denominator);
  const std::string& out_path = args->positional()[1];
  PinToCurrentCore();
  EncodeSummary summary;
  Json json;

  if (*mode == video::AicMode::kOff) {
    plain.codec = codec;
    plain.bitrate_kbps = *bitrate;
    plain.max_kbps = *max_kbps;
    Status status = EncodeWithoutAic(**reader, out_path, plain, &summary, &json);
    if (!status.ok()) return Fail(status);
  } else {
    video::AicVideoSettings settings;
    settings.mode = *mode;
    settings.enable_perceptual_optimization = !args->Has("no-roi");
    settings.target_quality_score = *target_ssim;
    auto model = video::LoadDefaultRateQualityModel();
    if (!model.ok()) return Fail(model.status());
    video::AicVideoEncoderOptions options;
    options.model = model->get();
    double cap = 0.0;
    if (*bitrate > 0) cap = static_cast<double>(*bitrate);
    if (*max_kbps > 0) cap = cap > 0 ? std::min(cap, *max_kbps) : *max_kbps;
    if (cap > 0) options.bandwidth_cap_kbps = cap;

    video::VideoFrame frame;
    auto first = (*reader)->ReadFrame(&frame);
    if (!first.ok()) return Fail(first.status());
    if (!*first) return Fail(Status::Error(args->positional()[0] + ": no frames"));
    std::vector<video::EncodedFrame> encoded;
    video::FrameReport report;
    if (!codec) {
      // A file holds one codec: let the AIC choose it on the first frame, then hold it.
      auto probe = video::AicVideoEncoder::Create(settings, header.width, header.height, source_fps,
                                                  options);
      if (!probe.ok()) return Fail(probe.status());
      Status status = (*probe)->Encode(frame, &encoded, &report);
      if (!status.ok()) return Fail(status);
      codec = report.codec;
      encoded.clear();
    }
    options.profiles = ProfilesOf(**model, *codec);
    options.fallback_codec = *codec;
    if (options.profiles.empty()) {
      return Fail(Status::Error(std::string("the rate model has no profile for ") +
                                video::VideoCodecName(*codec)));
    }
    auto encoder =
        video::AicVideoEncoder::Create(settings, header.width, header.height, source_fps, options);
    if (!encoder.ok()) return Fail(encoder.status());
    auto writer = EncodedVideoWriter::Create(out_path, *codec, header.width, header.height,
                                             header.fps_numerator, header.fps_denominator);
    if (!writer.ok()) return Fail(writer.status());
    double calibration_ms = 0.0, measured_sum = 0.0;
    int measured_count = 0, roi_frames = 0;
    for (int64_t index = 0;; ++index) {
      if (index > 0) {
        auto more = (*reader)->ReadFrame(&frame);
        if (!more.ok()) return Fail(more.status());
        if (!*more) break;
      }
      frame.pts = index;
      ++summary.source_frames;
      encoded.clear();
      report = {};
      auto start = Clock::now();
      Status status = (*encoder)->Encode(frame, &encoded, &report);
      const double wall_ms =
          std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (!status.ok()) return Fail(status.WithContext("encoding frame " + std::to_string(index)));
      // The shadow baseline that calibrates the quality reference is reported apart.
      calibration_ms += report.calibration_ms;
      if (report.sent) summary.encode_ms.push_back(std::max(0.0, wall_ms - report.calibration_ms));
      if (report.measured_ssim) {
        measured_sum += *report.measured_ssim;
        ++measured_count;
      }
      if (report.region_of_interest) ++roi_frames;
      for (video::EncodedFrame& out : encoded) {
        if (report.codec != *codec) {
          return Fail(Status::Error("frame " + std::to_string(index) + " came out as " +
                                    video::VideoCodecName(report.codec) + " in a " +
                                    video::VideoCodecName(*codec) + " stream"));
        }
        out.pts = index;
        Status written = (*writer)->Write(out);
        if (!written.ok()) return Fail(written);
        ++summary.encoded_frames;
      }
    }
    Status closed = (*writer)->Close();
    if (!closed.ok()) return Fail(closed);
    summary.bytes = (*writer)->payload_bytes();
    const video::AicVideoStats& stats = (*encoder)->stats();
    json["codec"] = video::VideoCodecName(*codec);
    json["mode"] = video::AicModeName(*mode);
    json["fps"] =
        static_cast<double>(stats.sent_frames) * source_fps / std::max<int64_t>(1, stats.frames);
    json["fallbacks"] = stats.fallbacks.total();
    json["fallbacks_by_reason"] = {{"latency", stats.fallbacks.latency},
                                   {"quality", stats.fallbacks.quality},
                                   {"encoder_error", stats.fallbacks.encoder_error}};
    json["fallback_frames"] = stats.fallback_frames;
    json["keyframes"] = stats.keyframes;
    json["region_of_interest_frames"] = roi_frames;
    json["sampled_ssim_mean"] = measured_count > 0 ? measured_sum / measured_count : 0.0;
    json["calibration_ms_total"] = calibration_ms;
    json["settings"] = video::AicVideoSettingsToJson(settings);
  }
  summary.duration_s = static_cast<double>(summary.source_frames) / source_fps;
  AddEncodeKeys(summary, &json);
  if (args->Has("json")) {
    PrintJson(json);
  } else {
    std::printf("%s %s: %lld frames, %.1f kbps, encode %.2f ms median (%.0f fps), %d fallbacks\n",
                json["mode"].get<std::string>().c_str(), json["codec"].get<std::string>().c_str(),
                static_cast<long long>(summary.source_frames), json["bitrate_kbps"].get<double>(),
                json["encode_ms_median"].get<double>(), json["encode_fps"].get<double>(),
                json["fallbacks"].get<int>());
  }
  return 0;
}

int Baseline(const std::vector<std::string>& raw) {
  auto args = ParsedArguments::Parse(raw, {{"json", false}});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().size() != 2) {
    return Fail(Status::Error("video baseline needs IN.y4m and OUT.ivf"));
  }
  auto reader = video::Y4mReader::Create(args->positional()[0]);
  if (!reader.ok()) return Fail(reader.status());
  const video::Y4mHeader& header = (*reader)->header();
  const video::LiveKitVideoPreset preset =
      video::LiveKitCameraPresetFor(header.width, header.height);
  PinToCurrentCore();
  EncodeSummary summary;
  Json json;
  Status status =
      EncodeWithoutAic(**reader, args->positional()[1], PlainEncodeOptions{}, &summary, &json);
  if (!status.ok()) return Fail(status.WithContext(args->positional()[0]));
  json["mode"] = "baseline";
  json["preset"] = std::string(preset.name) + " (" + std::string(preset.aspect) + ")";
  summary.duration_s = static_cast<double>(summary.source_frames) /
                       FrameRate(header.fps_numerator, header.fps_denominator);
  AddEncodeKeys(summary, &json);
  if (args->Has("json")) {
    PrintJson(json);
  } else {
    std::printf(
        "baseline: VP8 CBR %d kbps at %.1f fps (livekit-client preset %s): %lld frames, "
        "%.1f kbps, encode %.2f ms median\n",
        json["target_kbps"].get<int>(), json["fps"].get<double>(),
        json["preset"].get<std::string>().c_str(), static_cast<long long>(summary.source_frames),
        json["bitrate_kbps"].get<double>(), json["encode_ms_median"].get<double>());
  }
  return 0;
}

int TrainRateModel(const std::vector<std::string>& raw) {
  auto args = ParsedArguments::Parse(
      raw, {{"out", true}, {"clips", true}, {"cache", true}, {"json", false}});
  if (!args.ok()) return Fail(args.status());
  if (!args->positional().empty() || !args->Has("out")) {
    return Fail(Status::Error("video train-rate-model needs --out MODEL.json"));
  }
  video::TrainingOptions options;
  options.out_path = *args->Value("out");
  options.clips_directory = args->Value("clips").value_or("");
  options.cache_path = args->Value("cache").value_or("");
  video::TrainingReport report;
  Status status = video::TrainRateModel(options, &report);
  if (!status.ok()) return Fail(status);
  if (args->Has("json")) {
    PrintJson(Json(report.ToJson()));
  } else {
    std::printf("%s\n", report.ToJson().dump(2).c_str());
  }
  return 0;
}

StatusOr<std::pair<int, int>> ParseFps(const std::string& text) {
  int numerator = 0, denominator = 1;
  char slash = 0;
  int fields = std::sscanf(text.c_str(), "%d%c%d", &numerator, &slash, &denominator);
  if (fields < 1 || (fields >= 2 && (slash != '/' || fields != 3)) || numerator <= 0 ||
      denominator <= 0 || numerator > 1000000 || denominator > 1000000) {
    return Status::Error("--fps needs N or N/D with positive integers, got '" + text + "'");
  }
  return std::make_pair(numerator, denominator);
}

int Decode(const std::vector<std::string>& raw) {
  auto args = ParsedArguments::Parse(raw, {{"fps", true}, {"json", false}});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().size() != 2)
    return Fail(Status::Error("video decode needs IN and OUT.y4m"));
  auto reader = EncodedVideoReader::Create(args->positional()[0]);
  if (!reader.ok()) return Fail(reader.status());
  auto decoder = video::CreateVideoDecoder((*reader)->codec());
  if (!decoder.ok()) return Fail(decoder.status());

  int fps_numerator = (*reader)->fps_numerator(), fps_denominator = (*reader)->fps_denominator();
  if (auto fps = args->Value("fps")) {
    auto parsed = ParseFps(*fps);
    if (!parsed.ok()) return Fail(parsed.status());
    std::tie(fps_numerator, fps_denominator) = *parsed;
  } else if (fps_numerator == 0) {
    fps_numerator = 30;
    fps_denominator = 1;
  }

  // Annex-B carries no stream size: a first pass finds the largest picture, which is the size the
  // sender's camera had (the AIC may start or dip below it).
  int stream_width = (*reader)->width(), stream_height = (*reader)->height();
  if (stream_width == 0) {
    auto scan = EncodedVideoReader::Create(args->positional()[0]);
    auto scan_decoder = video::CreateVideoDecoder((*reader)->codec());
    if (!scan.ok() || !scan_decoder.ok()) return Fail(Status::Error("cannot reopen input"));
    EncodedVideoUnit unit;
    std::vector<video::VideoFrame> pictures;
    for (;;) {
      auto more = (*scan)->Read(&unit);
      if (!more.ok()) return Fail(more.status());
      if (!*more) break;
      pictures.clear();
      if (!(*scan_decoder)->Decode(unit.data, &pictures).ok()) continue;
      for (const video::VideoFrame& picture : pictures) {
        if (static_cast<int64_t>(picture.width) * picture.height >
            static_cast<int64_t>(stream_width) * stream_height) {
          stream_width = picture.width;
          stream_height = picture.height;
        }
      }
    }
  }

  // One output frame per source frame: a frame the encoder skipped shows the previous picture
  // again, and every picture is scaled to the stream's size, as a viewer would see it.
  std::unique_ptr<video::Y4mWriter> writer;
  video::VideoFrame shown;
  int64_t next_index = 0;
  int64_t units = 0, decode_errors = 0, repeated = 0;
  auto emit = [&](const video::VideoFrame& picture, int64_t index) -> Status {
    if (!writer) {
      video::Y4mHeader header;
      header.width = stream_width > 0 ? stream_width : picture.width;
      header.height = stream_height > 0 ? stream_height : picture.height;
      header.fps_numerator = fps_numerator;
      header.fps_denominator = fps_denominator;
      auto created = video::Y4mWriter::Create(args->positional()[1], header);
      if (!created.ok()) return created.status();
      writer = std::move(*created);
      shown = video::VideoFrame::Allocate(header.width, header.height);
    }
    while (next_index < index) {  // skipped source frames: the previous picture stays on screen
      AURALINK_RETURN_IF_ERROR(writer->WriteFrame(shown));
      ++next_index;
      ++repeated;
    }
    if (picture.width == shown.width && picture.height == shown.height) {
      shown.data = picture.data;
    } else {
      AURALINK_RETURN_IF_ERROR(
          video::ScaleFrameInto(picture, &shown, video::ScaleFilter::kBilinear));
    }
    AURALINK_RETURN_IF_ERROR(writer->WriteFrame(shown));
    ++next_index;
    return Status::Ok();
  };

  EncodedVideoUnit unit;
  std::vector<video::VideoFrame> pictures;
  for (;;) {
    auto more = (*reader)->Read(&unit);
    if (!more.ok()) return Fail(more.status());
    if (!*more) break;
    ++units;
    pictures.clear();
    Status decoded = (*decoder)->Decode(unit.data, &pictures);
    if (!decoded.ok()) {
      ++decode_errors;
      continue;
    }
    for (const video::VideoFrame& picture : pictures) {
      const int64_t index = unit.pts >= 0 ? std::max(unit.pts, next_index) : next_index;
      if (index - next_index > 100000) {
        return Fail(Status::Error(args->positional()[0] + ": frame timestamp " +
                                  std::to_string(unit.pts) + " jumps too far ahead"));
      }
      Status status = emit(picture, index);
      if (!status.ok()) return Fail(status);
    }
  }
  if (!writer) {
    return Fail(Status::Error(args->positional()[0] + ": no decodable frames (" +
                              std::to_string(units) + " units, " + std::to_string(decode_errors) +
                              " failed to decode)"));
  }
  Status closed = writer->Close();
  if (!closed.ok()) return Fail(closed);

  Json json;
  json["codec"] = video::VideoCodecName((*reader)->codec());
  json["frames"] = next_index;
  json["units"] = units;
  json["repeated_frames"] = repeated;
  json["decode_errors"] = decode_errors;
  json["width"] = shown.width;
  json["height"] = shown.height;
  json["fps"] = FrameRate(fps_numerator, fps_denominator);
  if (args->Has("json")) {
    PrintJson(json);
  } else {
    std::printf("decoded %lld %s units to %lld frames (%lld repeated, %lld decode errors)\n",
                static_cast<long long>(units), video::VideoCodecName((*reader)->codec()),
                static_cast<long long>(next_index), static_cast<long long>(repeated),
                static_cast<long long>(decode_errors));
  }
  return 0;
}

int Compare(const std::vector<std::string>& raw) {
  auto args = ParsedArguments::Parse(raw, {{"per-frame", false}, {"json", false}});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().size() != 2) {
    return Fail(Status::Error("video compare needs REF.y4m and DEG.y4m"));
  }
  auto reference = video::Y4mReader::Create(args->positional()[0]);
  if (!reference.ok()) return Fail(reference.status());
  auto degraded = video::Y4mReader::Create(args->positional()[1]);
  if (!degraded.ok()) return Fail(degraded.status());

  quality::VideoQualityAccumulator accumulator;
  Json per_frame = Json::array();
  video::VideoFrame ref_frame, deg_frame, scaled;
  int64_t reference_frames = 0, degraded_frames = 0;
  for (;;) {
    auto more_ref = (*reference)->ReadFrame(&ref_frame);
    if (!more_ref.ok()) return Fail(more_ref.status());
    auto more_deg = (*degraded)->ReadFrame(&deg_frame);
    if (!more_deg.ok()) return Fail(more_deg.status());
    reference_frames += *more_ref ? 1 : 0;
    degraded_frames += *more_deg ? 1 : 0;
    if (!*more_ref || !*more_deg) {
      // Count what is left on the longer side so a length mismatch is reported, not hidden.
      if (*more_ref || *more_deg) {
        video::Y4mReader& longer = *more_ref ? **reference : **degraded;
        int64_t& count = *more_ref ? reference_frames : degraded_frames;
        video::VideoFrame rest;
        for (;;) {
          auto more = longer.ReadFrame(&rest);
          if (!more.ok()) return Fail(more.status());
          if (!*more) break;
          ++count;
        }
      }
      break;
    }
    const video::VideoFrame* compared = &deg_frame;
    if (deg_frame.width != ref_frame.width || deg_frame.height != ref_frame.height) {
      scaled = video::VideoFrame::Allocate(ref_frame.width, ref_frame.height);
      Status status = video::ScaleFrameInto(deg_frame, &scaled, video::ScaleFilter::kBilinear);
      if (!status.ok()) return Fail(status);
      compared = &scaled;
    }
    auto measured = quality::MeasureFrame(ref_frame, *compared, {.ms_ssim = true});
    if (!measured.ok()) return Fail(measured.status());
    accumulator.Add(*measured);
    Json frame_json;
    frame_json["frame"] = reference_frames - 1;
    frame_json["psnr_y"] = measured->psnr_y;
    frame_json["psnr_yuv"] = measured->psnr_yuv;
    frame_json["ssim_y"] = measured->ssim_y;
    frame_json["ms_ssim_y"] = measured->ms_ssim_y;
    per_frame.push_back(frame_json);
  }
  if (accumulator.frames() == 0) return Fail(Status::Error("no frames to compare"));
  const quality::FrameQuality mean = accumulator.Mean();
  Json json;
  json["frames"] = accumulator.frames();
  json["reference_frames"] = reference_frames;
  json["degraded_frames"] = degraded_frames;
  json["psnr_y"] = mean.psnr_y;
  json["psnr_yuv"] = mean.psnr_yuv;
  json["ssim_y"] = mean.ssim_y;
  json["ms_ssim_y"] = mean.ms_ssim_y;
  json["per_frame"] = per_frame;
  if (args->Has("json")) {
    PrintJson(json);
  } else {
    if (args->Has("per-frame")) {
      std::printf("frame   PSNR-Y  PSNR-YUV  SSIM-Y    MS-SSIM-Y\n");
      for (const Json& f : per_frame) {
        std::printf("%5lld  %7.3f  %8.3f  %.6f  %.6f\n", f["frame"].get<long long>(),
                    f["psnr_y"].get<double>(), f["psnr_yuv"].get<double>(),
                    f["ssim_y"].get<double>(), f["ms_ssim_y"].get<double>());
      }
    }
    std::printf("%lld frames: PSNR-Y %.3f dB  PSNR-YUV %.3f dB  SSIM-Y %.6f  MS-SSIM-Y %.6f\n",
                static_cast<long long>(accumulator.frames()), mean.psnr_y, mean.psnr_yuv,
                mean.ssim_y, mean.ms_ssim_y);
  }
  if (reference_frames != degraded_frames) {
    std::fprintf(stderr,
                 "auralink: warning: %lld reference frames but %lld degraded frames; "
                 "compared the first %lld\n",
                 static_cast<long long>(reference_frames), static_cast<long long>(degraded_frames),
                 static_cast<long long>(accumulator.frames()));
  }
  return 0;
}

}  // namespace

int RunVideoCommand(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "help") {
    std::fputs(kVideoUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "encode") return Encode(rest);
  if (args[0] == "baseline") return Baseline(rest);
  if (args[0] == "train-rate-model") return TrainRateModel(rest);
  if (args[0] == "decode") return Decode(rest);
  if (args[0] == "compare") return Compare(rest);
  return Fail(Status::Error("unknown video command '" + args[0] + "' (see 'auralink video help')"));
}

}  // namespace auralink::cli
