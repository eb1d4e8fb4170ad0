// Development driver for the AIC video policy (the CLI proper is `auralink video ...`):
//   aic_video_policy_tool train --out data/video_rate_model.json [--clips DIR] [--cache FILE]
//   aic_video_policy_tool encode CLIP.y4m [--mode M] [--settings JSON] [--frames N] [--cap KBPS]
//                                [--profiles av1-s6,vp8-s-6] [--per-frame] [--loops N]
//                                [--keyframe-offset N] [--cpu-time]
//   aic_video_policy_tool trial CLIP.y4m --profile av1-s6 --quantizer Q [--scale S] [--fps F]
//                               [--screen] [--keyframe-offset N] [--frames N]
// `encode` runs AicVideoEncoder and measures the result viewer-side: every source frame against
// the decoded picture on screen at its time, upscaled with libyuv when coded smaller.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "aic/video/policy/aic_encoder_config.h"
#include "aic/video/policy/aic_video_encoder.h"
#include "aic/video/policy/encoding_trial.h"
#include "aic/video/policy/rate_model_training.h"
#include "common/cpu_affinity.h"
#include "common/log.h"
#include "quality/video_quality.h"
#include "video/frame_scaler.h"
#include "video/y4m.h"

namespace {

using namespace auralink;
using namespace auralink::video;

int Train(int argc, char** argv) {
  TrainingOptions options;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      options.out_path = argv[++i];
    } else if (std::strcmp(argv[i], "--clips") == 0 && i + 1 < argc) {
      options.clips_directory = argv[++i];
    } else if (std::strcmp(argv[i], "--cache") == 0 && i + 1 < argc) {
      options.cache_path = argv[++i];
    } else if (std::strcmp(argv[i], "--samples") == 0 && i + 1 < argc) {
      options.samples_csv_path = argv[++i];
    } else if (std::strcmp(argv[i], "--segment-frames") == 0 && i + 1 < argc) {
      options.segment_frames = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  TrainingReport report;
  const Status status = TrainRateModel(options, &report);
  if (!status.ok()) {
    std::fprintf(stderr, "error: %s\n", status.message().c_str());
    return 1;
  }
  std::printf("%s\n", report.ToJson().dump(1).c_str());
  return 0;
}

std::optional<EncoderProfile> ParseProfile(const std::string& text) {
  // "av1-s6", "vp8-s-6"
  const size_t dash = text.find("-s");
  if (dash == std::string::npos) return std::nullopt;
  const auto codec = ParseVideoCodecName(text.substr(0, dash));
  if (!codec) return std::nullopt;
  return EncoderProfile{*codec, std::atoi(text.c_str() + dash + 2)};
}

int Encode(int argc, char** argv) {
  if (argc < 3) return 2;
  const std::string path = argv[2];
  AicVideoSettings settings;
  AicVideoEncoderOptions options;
  int max_frames = 1 << 30;
  int loops = 1;
  bool per_frame = false;
  std::optional<double> cap;
  for (int i = 3; i < argc; ++i) {
    const std::string argument = argv[i];
    const bool has_value = i + 1 < argc;
    if (argument == "--mode" && has_value) {
      auto mode = ParseAicMode(argv[++i]);
      if (!mode.ok()) return std::fprintf(stderr, "%s\n", mode.status().message().c_str()), 2;
      settings.mode = *mode;
    } else if (argument == "--settings" && has_value) {
      auto parsed = ParseAicVideoSettings(argv[++i]);
      if (!parsed.ok()) return std::fprintf(stderr, "%s\n", parsed.status().message().c_str()), 2;
      const AicMode mode = settings.mode;
      settings = *parsed;
      if (std::strstr(argv[i], "\"mode\"") == nullptr) settings.mode = mode;
    } else if (argument == "--frames" && has_value) {
      max_frames = std::atoi(argv[++i]);
    } else if (argument == "--loops" && has_value) {
      loops = std::max(1, std::atoi(argv[++i]));
    } else if (argument == "--cap" && has_value) {
      cap = std::atof(argv[++i]);
    } else if (argument == "--profiles" && has_value) {
      std::stringstream list(argv[++i]);
      std::string item;
      while (std::getline(list, item, ',')) {
        auto profile = ParseProfile(item);
        if (!profile) return std::fprintf(stderr, "bad profile %s\n", item.c_str()), 2;
        options.profiles.push_back(*profile);
      }
    } else if (argument == "--calibration-ms" && has_value) {
      options.reference_calibration_ms = std::atof(argv[++i]);
    } else if (argument == "--keyframe-offset" && has_value) {
      options.keyframe_quantizer_offset = std::atoi(argv[++i]);
    } else if (argument == "--cpu-time") {
      options.thread_cpu_time = true;
    } else if (argument == "--per-frame") {
      per_frame = true;
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argument.c_str());
      return 2;
    }
  }
  if (cap) options.bandwidth_cap_kbps = *cap;
  double fps = 0.0;
  auto clip = ReadY4mFrames(path, 0, max_frames, &fps);
  if (!clip.ok()) return std::fprintf(stderr, "%s\n", clip.status().message().c_str()), 2;
  std::vector<VideoFrame> source = std::move(*clip);
  if (source.empty()) return std::fprintf(stderr, "no frames\n"), 2;
  const int width = source[0].width;
  const int height = source[0].height;
  auto encoder = AicVideoEncoder::Create(settings, width, height, fps, options);
  if (!encoder.ok()) return std::fprintf(stderr, "%s\n", encoder.status().message().c_str()), 2;
  PinToCurrentCore();

  std::unique_ptr<VideoDecoder> decoder;
  VideoCodecType decoder_codec = VideoCodecType::kVp8;
  std::optional<VideoFrame> on_screen;
  quality::VideoQualityOptions quality_options;
  quality_options.ms_ssim = false;
  double ssim_sum = 0.0;
  double psnr_sum = 0.0;
  int64_t bytes = 0;
  int measured = 0;
  double pipeline_ms = 0.0;
  std::vector<EncodedFrame> encoded;
  std::vector<VideoFrame> decoded;
  int64_t total_frames = 0;
  for (int loop = 0; loop < loops; ++loop) {
    for (size_t i = 0; i < source.size(); ++i) {
      // Loops play the clip forwards then backwards so the stream has no jump.
      const size_t index = loop % 2 == 0 ? i : source.size() - 1 - i;
      VideoFrame input = source[index];
      input.pts = total_frames;
      encoded.clear();
      FrameReport report;
      const auto start = std::chrono::steady_clock::now();
      Status status = (*encoder)->Encode(input, &encoded, &report);
      pipeline_ms +=
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      if (!status.ok()) return std::fprintf(stderr, "encode: %s\n", status.message().c_str()), 1;
      for (const EncodedFrame& unit : encoded) {
        bytes += static_cast<int64_t>(unit.data.size());
        if (!decoder || decoder_codec != report.codec) {
          auto created = CreateVideoDecoder(report.codec);
          if (!created.ok()) return 1;
          decoder = std::move(*created);
          decoder_codec = report.codec;
        }
        decoded.clear();
        status = decoder->Decode(unit.data, &decoded);
        if (!status.ok()) return std::fprintf(stderr, "decode: %s\n", status.message().c_str()), 1;
        if (decoded.empty()) continue;
        if (decoded.back().width != width || decoded.back().height != height) {
          auto upscaled = ScaleFrame(decoded.back(), width, height, ScaleFilter::kBilinear);
          if (!upscaled.ok()) return 1;
          on_screen = std::move(*upscaled);
        } else {
          on_screen = std::move(decoded.back());
        }
      }
      if (!on_screen) on_screen = VideoFrame::Allocate(width, height);
      auto quality = quality::MeasureFrame(input, *on_screen, quality_options);
      if (!quality.ok()) return 1;
      ssim_sum += quality->ssim_y;
      psnr_sum += quality->psnr_y;
      ++measured;
      ++total_frames;
      if (per_frame) {
        std::printf(
            "%4lld %s %s%dx%d q%.2f(%d) ref %.4f shadow %.4f tgt %.4f pred %.4f ssim %.4f meas %s "
            "%5zu B %s%s rung %d %.1f ms\n",
            static_cast<long long>(report.pts), report.sent ? "sent" : "drop",
            VideoCodecName(report.codec), report.width, report.height, report.decision.quantizer,
            report.quantizer, report.decision.reference_ssim, report.reference_ssim.value_or(0.0),
            report.decision.target_ssim, report.decision.predicted_ssim, quality->ssim_y,
            report.measured_ssim ? std::to_string(*report.measured_ssim).c_str() : "-",
            report.bytes, report.keyframe ? "KEY " : "",
            report.fallback ? FallbackReasonName(report.fallback_reason) : "",
            report.decision.ladder_rung,
            report.analysis_ms + report.encode_ms + report.quality_check_ms);
      }
    }
  }
  const AicVideoStats& stats = (*encoder)->stats();
  const double seconds = static_cast<double>(total_frames) / fps;
  std::printf(
      "%s mode=%s frames=%lld kbps=%.1f ssim=%.4f psnr=%.2f sent=%lld keyframes=%lld "
      "fps=%.1f (analysis %.2f encode %.2f check %.2f calibration %.2f ms/frame) "
      "fallbacks=%d/%d/%d "
      "decisions=%d structure=%d codec_switches=%d scene_cuts=%d\n",
      path.substr(path.rfind('/') + 1).c_str(), AicModeName(settings.mode),
      static_cast<long long>(total_frames), bytes * 8.0 / 1000.0 / seconds, ssim_sum / measured,
      psnr_sum / measured, static_cast<long long>(stats.sent_frames),
      static_cast<long long>(stats.keyframes), 1000.0 * total_frames / pipeline_ms,
      stats.analysis_ms / total_frames, stats.encode_ms / total_frames,
      stats.quality_check_ms / total_frames, stats.calibration_ms / total_frames,
      stats.fallbacks.latency, stats.fallbacks.quality, stats.fallbacks.encoder_error,
      stats.controller.decisions, stats.controller.structure_changes, stats.codec_switches,
      stats.controller.scene_cuts);
  return 0;
}

// One fixed-settings encode as the rate model's training makes them (encoding_trial.h): the
// numbers behind a lever, without the controller in the way.
int Trial(int argc, char** argv) {
  if (argc < 3) return 2;
  const std::string path = argv[2];
  std::optional<EncoderProfile> profile;
  int quantizer = 40;
  double scale = 1.0;
  double frame_rate = 0.0;
  bool screen = false;
  int max_frames = 1 << 30;
  double denoise_threshold = 0.0;
  EncodingTrialOptions options;
  for (int i = 3; i < argc; ++i) {
    const std::string argument = argv[i];
    const bool has_value = i + 1 < argc;
    if (argument == "--profile" && has_value) {
      profile = ParseProfile(argv[++i]);
    } else if (argument == "--quantizer" && has_value) {
      quantizer = std::atoi(argv[++i]);
    } else if (argument == "--scale" && has_value) {
      scale = std::atof(argv[++i]);
    } else if (argument == "--fps" && has_value) {
      frame_rate = std::atof(argv[++i]);
    } else if (argument == "--screen") {
      screen = true;
    } else if (argument == "--keyframe-offset" && has_value) {
      options.keyframe_quality_offset = std::atoi(argv[++i]);
    } else if (argument == "--frames" && has_value) {
      max_frames = std::atoi(argv[++i]);
    } else if (argument == "--denoise" && has_value) {
      denoise_threshold = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argument.c_str());
      return 2;
    }
  }
  if (!profile) return std::fprintf(stderr, "trial needs --profile\n"), 2;
  double fps = 0.0;
  auto clip = ReadY4mFrames(path, 0, max_frames, &fps);
  if (!clip.ok()) return std::fprintf(stderr, "%s\n", clip.status().message().c_str()), 2;
  std::vector<VideoFrame> source = std::move(*clip);
  if (source.empty()) return std::fprintf(stderr, "no frames\n"), 2;
  std::vector<VideoFrame> original;
  if (denoise_threshold > 0.0) {
    // Experiment: a motion-adaptive recursive temporal filter; quality is judged against the
    // original frames.
    original = source;
    for (size_t f = 1; f < source.size(); ++f) {
      for (size_t i = 0; i < source[f].data.size(); ++i) {
        const double previous = source[f - 1].data[i];
        const double difference = source[f].data[i] - previous;
        const double magnitude = std::abs(difference);
        const double weight =
            magnitude >= denoise_threshold ? 1.0 : 0.4 + 0.6 * magnitude / denoise_threshold;
        source[f].data[i] = static_cast<uint8_t>(std::lround(previous + weight * difference));
      }
    }
    options.reference = original;
  }
  int width = 0;
  int height = 0;
  ScaledEncodeSize(source[0].width, source[0].height, scale, &width, &height);
  const VideoEncoderConfig config =
      QualityEncoderConfig(*profile, width, height, frame_rate > 0.0 ? frame_rate : fps, quantizer,
                           screen ? VideoContentType::kScreen : VideoContentType::kCamera);
  PinToCurrentCore();
  auto result = RunEncodingTrial(source, fps, config, options);
  if (!result.ok()) return std::fprintf(stderr, "%s\n", result.status().message().c_str()), 1;
  std::vector<double> times = result->frame_encode_ms;
  std::sort(times.begin(), times.end());
  const double seconds = static_cast<double>(source.size()) / fps;
  const int inter = result->encoded_frames - result->keyframes;
  std::printf(
      "%s q%d %dx%d kbps=%.1f inter_kbps=%.1f ssim=%.4f fresh=%.4f psnr=%.2f "
      "key_bytes=%lld encode_ms_median=%.2f fps=%.1f\n",
      EncoderProfileName(*profile).c_str(), quantizer, width, height, result->kbps,
      inter > 0
          ? 8.0 * (result->total_bytes - result->keyframe_bytes) / inter *
                std::min(fps, config.fps_numerator / static_cast<double>(config.fps_denominator)) /
                1000.0
          : 0.0,
      result->mean_ssim_y, result->mean_ssim_fresh, result->mean_psnr_y,
      static_cast<long long>(result->keyframe_bytes), times[times.size() / 2],
      1000.0 * source.size() / std::max(1e-9, result->encode_ms_per_frame * source.size()));
  (void)seconds;
  // Settling: the key frame's quality persists in blocks that do not change.
  const std::vector<double>& ssim = result->frame_ssim_y;
  const size_t third = ssim.size() / 3;
  double early = 0.0, late = 0.0;
  for (size_t i = 0; i < ssim.size(); ++i) (i < third ? early : late) += ssim[i];
  std::printf("  first third ssim=%.4f, the rest %.4f\n", third ? early / third : 0.0,
              late / std::max<size_t>(1, ssim.size() - third));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  SetLogLevel(LogLevel::kInfo);
  if (argc >= 2 && std::strcmp(argv[1], "train") == 0) return Train(argc, argv);
  if (argc >= 2 && std::strcmp(argv[1], "encode") == 0) return Encode(argc, argv);
  if (argc >= 2 && std::strcmp(argv[1], "trial") == 0) return Trial(argc, argv);
  std::fprintf(stderr, "usage: aic_video_policy_tool train|encode ... (see the file's header)\n");
  return 2;
}
