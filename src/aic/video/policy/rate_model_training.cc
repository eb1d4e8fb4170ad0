#include "aic/video/policy/rate_model_training.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include "aic/video/analysis/content_analyzer.h"
#include "aic/video/livekit_video_presets.h"
#include "aic/video/policy/aic_encoder_config.h"
#include "aic/video/policy/encoding_trial.h"
#include "aic/video/policy/ridge_regression.h"
#include "common/log.h"
#include "quality/video_quality.h"
#include "video/annexb.h"
#include "video/frame_scaler.h"
#include "video/y4m.h"

extern char** environ;

namespace auralink::video {
namespace {

namespace fs = std::filesystem;

constexpr double kRidgeGrid[] = {1e-4, 1e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0};
constexpr int kMaxRepeatGap = 3;
// Segments hold about this many pixels' worth of frames (24 frames at 0.3 MP).
constexpr double kSegmentMegapixels = 0.3;

double Median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
}

double LogDistortion(double ssim) { return std::log(std::max(1e-4, 1.0 - ssim)); }

StatusOr<std::vector<VideoFrame>> DecodeAnnexBFrames(const std::string& path, int count) {
  auto reader = AnnexBReader::Create(path);
  if (!reader.ok()) return reader.status();
  auto decoder = CreateVideoDecoder(VideoCodecType::kH264);
  if (!decoder.ok()) return decoder.status();
  std::vector<VideoFrame> frames;
  std::vector<uint8_t> access_unit;
  while (static_cast<int>(frames.size()) < count) {
    auto more = (*reader)->ReadAccessUnit(&access_unit);
    if (!more.ok()) return more.status();
    if (!*more) break;
    const Status status = (*decoder)->Decode(access_unit, &frames);
    if (!status.ok()) return status.WithContext(path);
  }
  if (static_cast<int>(frames.size()) > count) frames.resize(static_cast<size_t>(count));
  for (size_t i = 0; i < frames.size(); ++i) frames[i].pts = static_cast<int64_t>(i);
  return frames;
}

// Runs ffmpeg (argv, no shell) to turn the first `count` frames of a video into a .y4m.
Status DecodeWithFfmpeg(const std::string& ffmpeg, const std::string& input, int count,
                        const std::string& output) {
  std::vector<std::string> arguments = {
      ffmpeg,      "-loglevel",           "error", "-nostdin", "-y",      "-i", input,
      "-frames:v", std::to_string(count), "-an",   "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe",
      output};
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, ffmpeg.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    return Status::Error("cannot run " + ffmpeg);
  }
  int wait_status = 0;
  if (waitpid(pid, &wait_status, 0) != pid || !WIFEXITED(wait_status) ||
      WEXITSTATUS(wait_status) != 0) {
    return Status::Error(ffmpeg + " could not decode " + input);
  }
  return Status::Ok();
}

StatusOr<std::vector<VideoFrame>> ScaleFrames(const std::vector<VideoFrame>& frames, int width,
                                              int height) {
  std::vector<VideoFrame> scaled;
  for (const VideoFrame& frame : frames) {
    auto small = ScaleFrame(frame, width, height, ScaleFilter::kBox);
    if (!small.ok()) return small.status();
    scaled.push_back(std::move(*small));
  }
  return scaled;
}

int SegmentFrames(int width, int height, int segment_frames) {
  const double megapixels = width * static_cast<double>(height) / 1e6;
  const int frames = static_cast<int>(
      std::lround(segment_frames * kSegmentMegapixels / std::max(megapixels, kSegmentMegapixels)));
  return std::clamp(frames, std::min(16, segment_frames), segment_frames);
}

std::string SharedVideoDirectory(const std::string& explicit_directory) {
  if (!explicit_directory.empty()) return explicit_directory;
  if (const char* shared = std::getenv("AURALINK_SHARED"); shared != nullptr && *shared != '\0') {
    return (fs::path(shared) / "media" / "video").string();
  }
#ifdef AURALINK_SOURCE_DIR
  return (fs::path(AURALINK_SOURCE_DIR) / ".." / "shared" / "media" / "video")
      .lexically_normal()
      .string();
#else
  return "../shared/media/video";
#endif
}

struct SegmentPlan {
  std::string clip;
  std::vector<VideoFrame> frames;
  double fps = 25.0;
};

// Cuts `frames` into up to `segments` evenly spaced segments of the size SegmentFrames() allows.
void AddSegments(const std::string& clip, const std::vector<VideoFrame>& frames, double fps,
                 int segments, int segment_frames, std::vector<SegmentPlan>* plans) {
  if (frames.size() < 2) return;
  const int length =
      std::min<int>(static_cast<int>(frames.size()),
                    SegmentFrames(frames[0].width, frames[0].height, segment_frames));
  const int room = static_cast<int>(frames.size()) - length;
  segments = std::max(1, std::min(segments, room / std::max(1, length) + 1));
  for (int segment = 0; segment < segments; ++segment) {
    const int start = segments > 1 ? room * segment / (segments - 1) : 0;
    SegmentPlan plan;
    plan.clip = clip;
    plan.fps = fps;
    plan.frames.assign(frames.begin() + start, frames.begin() + start + length);
    for (size_t i = 0; i < plan.frames.size(); ++i) plan.frames[i].pts = static_cast<int64_t>(i);
    plans->push_back(std::move(plan));
  }
}

nlohmann::json ErrorJson(const RateModelError& error) {
  nlohmann::json json;
  json["trials"] = error.trials;
  json["ssim_mae"] = error.ssim_mae;
  json["log_kbps_mae"] = error.log_kbps_mae;
  json["baselines"] = error.baselines;
  json["baseline_ssim_mae"] = error.baseline_ssim_mae;
  json["per_profile"] = error.per_profile;
  return json;
}

}  // namespace

StatusOr<std::vector<VideoFrame>> ReadY4mFrames(const std::string& path, int start, int count,
                                                double* fps) {
  auto reader = Y4mReader::Create(path);
  if (!reader.ok()) return reader.status();
  *fps =
      static_cast<double>((*reader)->header().fps_numerator) / (*reader)->header().fps_denominator;
  std::vector<VideoFrame> frames;
  VideoFrame frame;
  for (int index = 0; static_cast<int>(frames.size()) < count; ++index) {
    auto more = (*reader)->ReadFrame(&frame);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (index < start) continue;
    frame.pts = static_cast<int64_t>(frames.size());
    frames.push_back(frame);
  }
  return frames;
}

void RateTrainingSamples::Append(const RateTrainingSamples& other) {
  trials.insert(trials.end(), other.trials.begin(), other.trials.end());
  repeats.insert(repeats.end(), other.repeats.begin(), other.repeats.end());
  baselines.insert(baselines.end(), other.baselines.begin(), other.baselines.end());
}

namespace {

nlohmann::json ContentJson(const RateModelContent& content) {
  return {content.spatial_information,
          content.temporal_information,
          content.motion_pixels,
          content.changed_block_fraction,
          content.screen_content ? 1 : 0,
          content.width,
          content.height,
          content.fps};
}

RateModelContent ContentFromJson(const nlohmann::json& json) {
  RateModelContent content;
  content.spatial_information = json.at(0).get<double>();
  content.temporal_information = json.at(1).get<double>();
  content.motion_pixels = json.at(2).get<double>();
  content.changed_block_fraction = json.at(3).get<double>();
  content.screen_content = json.at(4).get<int>() != 0;
  content.width = json.at(5).get<int>();
  content.height = json.at(6).get<int>();
  content.fps = json.at(7).get<double>();
  return content;
}

}  // namespace

nlohmann::json RateTrainingSamples::ToJson() const {
  nlohmann::json json;
  json["trials"] = nlohmann::json::array();
  for (const RateTrialSample& t : trials) {
    json["trials"].push_back({t.clip, ContentJson(t.content),
                              VideoCodecName(t.settings.profile.codec), t.settings.profile.speed,
                              t.settings.quantizer, t.settings.resolution_scale,
                              t.settings.frame_rate, t.ssim_fresh, t.ssim_viewer, t.inter_kbps,
                              t.log_bits_per_pixel, t.encode_ms_per_megapixel});
  }
  json["repeats"] = nlohmann::json::array();
  for (const RepeatSimilaritySample& r : repeats) {
    json["repeats"].push_back({r.clip, ContentJson(r.content), r.gap, r.similarity});
  }
  json["baselines"] = nlohmann::json::array();
  for (const BaselineSample& b : baselines) {
    json["baselines"].push_back(
        {b.clip, ContentJson(b.content), b.kbps, b.fps, b.ssim_fresh, b.ssim_viewer});
  }
  return json;
}

StatusOr<RateTrainingSamples> RateTrainingSamples::FromJson(const nlohmann::json& json) {
  RateTrainingSamples samples;
  try {
    for (const nlohmann::json& t : json.at("trials")) {
      RateTrialSample sample;
      sample.clip = t.at(0).get<std::string>();
      sample.content = ContentFromJson(t.at(1));
      const auto codec = ParseVideoCodecName(t.at(2).get<std::string>());
      if (!codec) return Status::Error("training cache: unknown codec");
      sample.settings.profile = {*codec, t.at(3).get<int>()};
      sample.settings.quantizer = t.at(4).get<double>();
      sample.settings.resolution_scale = t.at(5).get<double>();
      sample.settings.frame_rate = t.at(6).get<double>();
      sample.ssim_fresh = t.at(7).get<double>();
      sample.ssim_viewer = t.at(8).get<double>();
      sample.inter_kbps = t.at(9).get<double>();
      sample.log_bits_per_pixel = t.at(10).get<double>();
      sample.encode_ms_per_megapixel = t.at(11).get<double>();
      samples.trials.push_back(std::move(sample));
    }
    for (const nlohmann::json& r : json.at("repeats")) {
      samples.repeats.push_back({r.at(0).get<std::string>(), ContentFromJson(r.at(1)),
                                 r.at(2).get<int>(), r.at(3).get<double>()});
    }
    for (const nlohmann::json& b : json.at("baselines")) {
      samples.baselines.push_back({b.at(0).get<std::string>(), ContentFromJson(b.at(1)),
                                   b.at(2).get<double>(), b.at(3).get<double>(),
                                   b.at(4).get<double>(), b.at(5).get<double>()});
    }
  } catch (const nlohmann::json::exception& error) {
    // nlohmann reports shape errors by exception; they are turned into a value here.
    return Status::Error(std::string("training cache: malformed (") + error.what() + ")");
  }
  return samples;
}

TrainingGrid DefaultTrainingGrid() {
  TrainingGrid grid;
  grid.profiles = {{VideoCodecType::kAv1, 5},
                   {VideoCodecType::kAv1, 10},
                   {VideoCodecType::kVp9, 7},
                   {VideoCodecType::kVp8, -6},
                   {VideoCodecType::kH264, -1}};
  grid.quantizers = {{30, 42, 50, 56, 62},
                     {30, 42, 50, 56, 62},
                     {30, 42, 50, 56, 62},
                     {16, 28, 40, 50, 60},
                     {24, 30, 36, 42, 48}};
  return grid;
}

StatusOr<RateModelContent> AnalyzeSegmentContent(const std::vector<VideoFrame>& frames,
                                                 double fps) {
  if (frames.empty()) return Status::Error("rate model training: empty segment");
  auto analyzer = ContentAnalyzer::Create();
  if (!analyzer.ok()) return analyzer.status();
  RateModelContent content;
  content.width = frames[0].width;
  content.height = frames[0].height;
  content.fps = fps;
  int counted = 0;
  int screen = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    auto features = (*analyzer)->Analyze(frames[i]);
    if (!features.ok()) return features.status();
    if (features->content_class == ContentClass::kScreenContent) ++screen;
    if (i == 0) continue;
    content.spatial_information += features->spatial_information;
    content.temporal_information += features->temporal_information;
    content.motion_pixels += features->mean_motion_pixels;
    content.changed_block_fraction += features->changed_block_fraction;
    ++counted;
  }
  if (counted > 0) {
    content.spatial_information /= counted;
    content.temporal_information /= counted;
    content.motion_pixels /= counted;
    content.changed_block_fraction /= counted;
  }
  content.screen_content = 2 * screen > static_cast<int>(frames.size());
  return content;
}

StatusOr<RateTrainingSamples> MeasureSegment(const std::string& clip,
                                             const std::vector<VideoFrame>& frames, double fps,
                                             const TrainingGrid& grid) {
  if (frames.size() < 2)
    return Status::Error("rate model training: " + clip + ": segment too short");
  if (grid.quantizers.size() != grid.profiles.size()) {
    return Status::Error("rate model training: one quantizer list per profile is needed");
  }
  auto content = AnalyzeSegmentContent(frames, fps);
  if (!content.ok()) return content.status();
  RateTrainingSamples samples;
  const int width = frames[0].width;
  const int height = frames[0].height;

  for (int gap = 1; gap <= kMaxRepeatGap && gap < static_cast<int>(frames.size()); ++gap) {
    double sum = 0.0;
    int count = 0;
    for (size_t i = static_cast<size_t>(gap); i < frames.size(); ++i) {
      sum += quality::PlaneSsim(frames[i].y().data(), width, frames[i - gap].y().data(), width,
                                width, height);
      ++count;
    }
    samples.repeats.push_back({clip, *content, gap, sum / count});
  }

  EncodingTrialOptions options;
  // Steady state: the model serves long calls, where key frames are rare (the bits are inter
  // frames' only for the same reason).
  options.settle_frames = static_cast<int>(frames.size()) / 3;
  for (size_t p = 0; p < grid.profiles.size(); ++p) {
    const EncoderProfile& profile = grid.profiles[p];
    const std::vector<int>& quantizers = grid.quantizers[p];
    if (quantizers.empty()) continue;
    if (profile.codec == VideoCodecType::kH264 && (width % 2 != 0 || height % 2 != 0)) continue;
    struct Variant {
      int quantizer;
      double scale;
      double frame_rate;
    };
    std::vector<Variant> variants;
    for (int quantizer : quantizers) variants.push_back({quantizer, 1.0, fps});
    const int middle = quantizers[quantizers.size() / 2];
    const int upper = quantizers[std::min(quantizers.size() - 1, quantizers.size() / 2 + 1)];
    for (size_t s = 0; s < grid.resolution_scales.size(); ++s) {
      variants.push_back({s % 2 == 0 ? middle : upper, grid.resolution_scales[s], fps});
    }
    if (grid.half_frame_rate && frames.size() >= 6) variants.push_back({middle, 1.0, fps / 2.0});
    for (const Variant& variant : variants) {
      int encoded_width = width;
      int encoded_height = height;
      ScaledEncodeSize(width, height, variant.scale, &encoded_width, &encoded_height);
      const VideoEncoderConfig config = QualityEncoderConfig(
          profile, encoded_width, encoded_height, variant.frame_rate, variant.quantizer,
          content->screen_content ? VideoContentType::kScreen : VideoContentType::kCamera);
      auto trial = RunEncodingTrial(frames, fps, config, options);
      if (!trial.ok()) {
        return trial.status().WithContext(clip + " " + EncoderProfileName(profile) + " q" +
                                          std::to_string(variant.quantizer));
      }
      const int inter_frames = trial->encoded_frames - trial->keyframes;
      if (inter_frames < 1) continue;
      const double inter_bits =
          8.0 * static_cast<double>(trial->total_bytes - trial->keyframe_bytes);
      const double encoded_pixels = static_cast<double>(encoded_width) * encoded_height;
      const double encoded_fps = std::min(variant.frame_rate, fps);
      RateTrialSample sample;
      sample.clip = clip;
      sample.content = *content;
      sample.settings = {profile, static_cast<double>(variant.quantizer),
                         encoded_width == width ? 1.0 : static_cast<double>(encoded_width) / width,
                         encoded_fps};
      sample.ssim_fresh = trial->mean_ssim_fresh;
      sample.ssim_viewer = trial->mean_ssim_y;
      sample.inter_kbps = inter_bits / inter_frames * encoded_fps / 1000.0;
      sample.log_bits_per_pixel =
          std::log(std::max(1e-6, inter_bits / inter_frames / encoded_pixels));
      sample.encode_ms_per_megapixel = Median(trial->frame_encode_ms) / (encoded_pixels / 1e6);
      samples.trials.push_back(sample);
    }
  }

  const VideoEncoderConfig baseline = BaselineEncoderConfig(width, height, fps);
  for (double factor : grid.baseline_bitrate_factors) {
    VideoEncoderConfig config = baseline;
    config.target_kbps = std::max(10, static_cast<int>(std::lround(baseline.target_kbps * factor)));
    auto trial = RunEncodingTrial(frames, fps, config, options);
    if (!trial.ok()) return trial.status().WithContext(clip + " baseline");
    BaselineSample sample;
    sample.clip = clip;
    sample.content = *content;
    sample.kbps = config.target_kbps;
    sample.fps = static_cast<double>(config.fps_numerator) / config.fps_denominator;
    sample.ssim_fresh = trial->mean_ssim_fresh;
    sample.ssim_viewer = trial->mean_ssim_y;
    samples.baselines.push_back(sample);
  }
  return samples;
}

StatusOr<RateQualityModelData> FitRateQualityModel(const RateTrainingSamples& samples,
                                                   const std::vector<EncoderProfile>& profiles,
                                                   const RidgePenalties& penalties) {
  RateQualityModelData data;
  for (const EncoderProfile& profile : profiles) {
    std::vector<std::vector<double>> rows;
    std::vector<double> ssim_targets;
    std::vector<double> bits_targets;
    std::vector<double> costs;
    std::vector<double> screen_costs;
    for (const RateTrialSample& sample : samples.trials) {
      if (!(sample.settings.profile == profile)) continue;
      rows.push_back(RateModelFeatures(sample.content, sample.settings));
      ssim_targets.push_back(LogDistortion(sample.ssim_fresh));
      bits_targets.push_back(sample.log_bits_per_pixel);
      (sample.content.screen_content ? screen_costs : costs)
          .push_back(sample.encode_ms_per_megapixel);
    }
    if (costs.empty()) costs = screen_costs;
    if (rows.size() < 4) {
      return Status::Error("rate model training: too few encodes of " +
                           EncoderProfileName(profile));
    }
    ProfileModel model;
    model.profile = profile;
    auto ssim = FitRidgeRegression(rows, ssim_targets, penalties.ssim);
    if (!ssim.ok()) return ssim.status().WithContext(EncoderProfileName(profile) + " quality");
    auto bits = FitRidgeRegression(rows, bits_targets, penalties.bits);
    if (!bits.ok()) return bits.status().WithContext(EncoderProfileName(profile) + " bits");
    model.ssim_coefficients = std::move(*ssim);
    model.bits_coefficients = std::move(*bits);
    model.encode_ms_per_megapixel = std::max(0.1, Median(costs));
    if (!screen_costs.empty()) {
      model.screen_encode_ms_per_megapixel = std::max(0.1, Median(screen_costs));
    }
    model.min_trained_quantizer = MaxQuantizerOf(profile.codec);
    model.max_trained_quantizer = 0.0;
    for (const RateTrialSample& sample : samples.trials) {
      if (!(sample.settings.profile == profile)) continue;
      model.min_trained_quantizer =
          std::min(model.min_trained_quantizer, sample.settings.quantizer);
      model.max_trained_quantizer =
          std::max(model.max_trained_quantizer, sample.settings.quantizer);
    }
    data.profiles.push_back(std::move(model));
  }

  std::vector<std::vector<double>> rows;
  std::vector<double> targets;
  for (const RepeatSimilaritySample& sample : samples.repeats) {
    rows.push_back(RepeatSimilarityFeatures(sample.content, sample.gap));
    targets.push_back(LogDistortion(sample.similarity));
  }
  if (rows.size() < 3)
    return Status::Error("rate model training: too few repeat-similarity samples");
  auto repeat = FitRidgeRegression(rows, targets, penalties.repeat);
  if (!repeat.ok()) return repeat.status().WithContext("repeat similarity");
  data.repeat_similarity_coefficients = std::move(*repeat);

  rows.clear();
  targets.clear();
  for (const BaselineSample& sample : samples.baselines) {
    rows.push_back(BaselineFeatures(sample.content, sample.kbps, sample.fps));
    targets.push_back(LogDistortion(sample.ssim_fresh));
  }
  if (rows.size() < 3) return Status::Error("rate model training: too few baseline encodes");
  auto baseline = FitRidgeRegression(rows, targets, penalties.baseline);
  if (!baseline.ok()) return baseline.status().WithContext("baseline");
  data.baseline_ssim_coefficients = std::move(*baseline);
  return data;
}

namespace {

std::string ClipGroup(const std::string& clip) { return clip.substr(0, clip.find('@')); }

// Mean over held-out clips of the mean absolute error of one regression fitted without them.
// `rows_of` fills the rows and targets of one sample set; `error_of` maps a residual to the error.
template <typename Sample, typename RowOf>
double CrossValidatedError(const std::vector<Sample>& samples, double ridge, RowOf row_of,
                           bool ssim_units) {
  std::vector<std::string> groups;
  for (const Sample& sample : samples) {
    const std::string group = ClipGroup(sample.clip);
    if (std::find(groups.begin(), groups.end(), group) == groups.end()) groups.push_back(group);
  }
  if (groups.size() < 2) return 0.0;
  double total = 0.0;
  int counted = 0;
  for (const std::string& held_out : groups) {
    std::vector<std::vector<double>> rows;
    std::vector<double> targets;
    for (const Sample& sample : samples) {
      if (ClipGroup(sample.clip) == held_out) continue;
      auto [row, target] = row_of(sample);
      rows.push_back(std::move(row));
      targets.push_back(target);
    }
    auto weights = FitRidgeRegression(rows, targets, ridge);
    if (!weights.ok()) return std::numeric_limits<double>::infinity();
    double error = 0.0;
    int count = 0;
    for (const Sample& sample : samples) {
      if (ClipGroup(sample.clip) != held_out) continue;
      auto [row, target] = row_of(sample);
      double predicted = 0.0;
      for (size_t i = 0; i < row.size(); ++i) predicted += row[i] * (*weights)[i];
      // Log-distortion residuals are judged in SSIM units, where the targets are defined.
      error += ssim_units
                   ? std::abs(std::exp(std::min(predicted, 0.0)) - std::exp(std::min(target, 0.0)))
                   : std::abs(predicted - target);
      ++count;
    }
    if (count > 0) {
      total += error / count;
      ++counted;
    }
  }
  return counted > 0 ? total / counted : 0.0;
}

template <typename Sample, typename RowOf>
double BestRidge(const std::vector<Sample>& samples, RowOf row_of, bool ssim_units) {
  double best = kRidgeGrid[0];
  double best_error = std::numeric_limits<double>::infinity();
  for (double ridge : kRidgeGrid) {
    const double error = CrossValidatedError(samples, ridge, row_of, ssim_units);
    if (error < best_error) {
      best_error = error;
      best = ridge;
    }
  }
  return best;
}

}  // namespace

RidgePenalties SelectRidgePenalties(const RateTrainingSamples& samples,
                                    const std::vector<EncoderProfile>& profiles) {
  RidgePenalties penalties;
  // One penalty for all profiles: the clips, not the codecs, are what a fit may overlearn.
  double best_ssim_error = std::numeric_limits<double>::infinity();
  double best_bits_error = std::numeric_limits<double>::infinity();
  for (double ridge : kRidgeGrid) {
    double ssim_error = 0.0;
    double bits_error = 0.0;
    for (const EncoderProfile& profile : profiles) {
      std::vector<RateTrialSample> of_profile;
      for (const RateTrialSample& sample : samples.trials) {
        if (sample.settings.profile == profile) of_profile.push_back(sample);
      }
      ssim_error += CrossValidatedError(
          of_profile, ridge,
          [](const RateTrialSample& sample) {
            return std::make_pair(RateModelFeatures(sample.content, sample.settings),
                                  LogDistortion(sample.ssim_fresh));
          },
          true);
      bits_error += CrossValidatedError(
          of_profile, ridge,
          [](const RateTrialSample& sample) {
            return std::make_pair(RateModelFeatures(sample.content, sample.settings),
                                  sample.log_bits_per_pixel);
          },
          false);
    }
    if (ssim_error < best_ssim_error) {
      best_ssim_error = ssim_error;
      penalties.ssim = ridge;
    }
    if (bits_error < best_bits_error) {
      best_bits_error = bits_error;
      penalties.bits = ridge;
    }
  }
  std::vector<BaselineSample> baselines = samples.baselines;
  penalties.baseline = BestRidge(
      baselines,
      [](const BaselineSample& sample) {
        return std::make_pair(BaselineFeatures(sample.content, sample.kbps, sample.fps),
                              LogDistortion(sample.ssim_fresh));
      },
      true);
  std::vector<RepeatSimilaritySample> repeats = samples.repeats;
  penalties.repeat = BestRidge(
      repeats,
      [](const RepeatSimilaritySample& sample) {
        return std::make_pair(RepeatSimilarityFeatures(sample.content, sample.gap),
                              LogDistortion(sample.similarity));
      },
      true);
  return penalties;
}

RateModelError EvaluateRateQualityModel(const RateQualityModel& model,
                                        const RateTrainingSamples& samples) {
  RateModelError error;
  struct Sums {
    int trials = 0;
    double ssim = 0.0;
    double log_kbps = 0.0;
  };
  std::map<std::string, Sums> per_profile;
  for (const RateTrialSample& sample : samples.trials) {
    auto prediction = model.Predict(sample.content, sample.settings);
    if (!prediction.ok() || !(sample.inter_kbps > 0.0)) continue;
    const double ssim = std::abs(prediction->ssim_viewer - sample.ssim_viewer);
    const double log_kbps = std::abs(std::log(prediction->kbps) - std::log(sample.inter_kbps));
    error.ssim_mae += ssim;
    error.log_kbps_mae += log_kbps;
    ++error.trials;
    Sums& sums = per_profile[EncoderProfileName(sample.settings.profile)];
    ++sums.trials;
    sums.ssim += ssim;
    sums.log_kbps += log_kbps;
  }
  if (error.trials > 0) {
    error.ssim_mae /= error.trials;
    error.log_kbps_mae /= error.trials;
  }
  error.per_profile = nlohmann::json::object();
  for (const auto& [name, sums] : per_profile) {
    error.per_profile[name] = {{"trials", sums.trials},
                               {"ssim_mae", sums.ssim / sums.trials},
                               {"log_kbps_mae", sums.log_kbps / sums.trials}};
  }
  for (const BaselineSample& sample : samples.baselines) {
    error.baseline_ssim_mae += std::abs(
        model.PredictBaselineSsim(sample.content, sample.kbps, sample.fps) - sample.ssim_viewer);
    ++error.baselines;
  }
  if (error.baselines > 0) error.baseline_ssim_mae /= error.baselines;
  return error;
}

nlohmann::json TrainingReport::ToJson() const {
  nlohmann::json json;
  json["training_clips"] = training_clips;
  json["evaluation_clips"] = evaluation_clips;
  json["skipped"] = skipped;
  json["training_trials"] = training_trials;
  json["ridge_penalties"] = {{"ssim", penalties.ssim},
                             {"bits", penalties.bits},
                             {"repeat", penalties.repeat},
                             {"baseline", penalties.baseline}};
  json["training_error"] = ErrorJson(training_error);
  json["evaluation_error"] = ErrorJson(evaluation_error);
  json["seconds"] = seconds;
  return json;
}

Status TrainRateModel(const TrainingOptions& options, TrainingReport* report) {
  const auto start = std::chrono::steady_clock::now();
  *report = TrainingReport();
  const fs::path directory = SharedVideoDirectory(options.clips_directory);
  std::error_code error_code;
  if (!fs::is_directory(directory, error_code)) {
    return Status::Error("rate model training: no clip folder at " + directory.string() +
                         " (pass --clips DIR or set AURALINK_SHARED)");
  }
  const int segment_frames = std::clamp(options.segment_frames, 4, 300);
  const TrainingGrid grid = DefaultTrainingGrid();
  RateTrainingSamples training_samples;
  RateTrainingSamples evaluation_samples;
  bool cached = false;
  if (!options.cache_path.empty() && fs::exists(options.cache_path, error_code)) {
    std::ifstream file(options.cache_path);
    const nlohmann::json json = nlohmann::json::parse(file, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.contains("training") || !json.contains("evaluation")) {
      return Status::Error(options.cache_path + ": not a training cache");
    }
    auto train = RateTrainingSamples::FromJson(json.at("training"));
    if (!train.ok()) return train.status().WithContext(options.cache_path);
    auto evaluate = RateTrainingSamples::FromJson(json.at("evaluation"));
    if (!evaluate.ok()) return evaluate.status().WithContext(options.cache_path);
    training_samples = std::move(*train);
    evaluation_samples = std::move(*evaluate);
    cached = true;
  }
  std::vector<SegmentPlan> training;
  std::vector<SegmentPlan> evaluation;
  auto skip = [&](const std::string& name, const Status& status) {
    report->skipped.push_back(name + ": " + status.message());
    AURALINK_LOG(kWarning) << "rate model training: skipping " << name << ": " << status.message();
  };
  auto add_y4m = [&](const std::string& name, int segments, std::vector<SegmentPlan>* plans,
                     std::vector<std::string>* names) {
    double fps = 25.0;
    auto frames = ReadY4mFrames((directory / name).string(), 0, 1000, &fps);
    if (!frames.ok()) return skip(name, frames.status());
    AddSegments(name, *frames, fps, segments, segment_frames, plans);
    names->push_back(name);
  };

  if (!cached) {
    add_y4m("highmotion_foreman_cif_352x288_30fps_f160-249_decoded.y4m", 3, &training,
            &report->training_clips);
    add_y4m("screen_pdf_reader_scroll_1024x768_25fps_f24-48_decoded.y4m", 2, &training,
            &report->training_clips);
    add_y4m("raw_openh264_CiscoVT2people_320x192_12fps_9f.y4m", 1, &training,
            &report->training_clips);

    const std::string zhling = "src_openh264_Zhling_1280x720.264";
    if (auto frames = DecodeAnnexBFrames((directory / zhling).string(), 19); !frames.ok()) {
      skip(zhling, frames.status());
    } else if (!frames->empty()) {
      AddSegments(zhling, *frames, 25.0, 1, segment_frames, &training);
      if (auto small = ScaleFrames(*frames, 640, 360); small.ok()) {
        AddSegments(zhling + "@640x360", *small, 25.0, 1, segment_frames, &training);
      }
      report->training_clips.push_back(zhling);
    }

    // The second talking head (KatieHill's is the evaluation clip), decoded into a temporary
    // folder.
    const std::string talking_head = "src_hdtf_WDA_AlexandriaOcasioCortez_000.mp4";
    char temporary_template[] = "/tmp/auralink-rate-model-XXXXXX";
    if (char* temporary = mkdtemp(temporary_template); temporary == nullptr) {
      skip(talking_head, Status::Error("cannot create a temporary folder"));
    } else {
      const std::string decoded = std::string(temporary) + "/talking_head.y4m";
      Status status =
          DecodeWithFfmpeg(options.ffmpeg, (directory / talking_head).string(), 200, decoded);
      double fps = 25.0;
      if (!status.ok()) {
        skip(talking_head, status);
      } else if (auto frames = ReadY4mFrames(decoded, 0, 200, &fps); !frames.ok()) {
        skip(talking_head, frames.status());
      } else {
        AddSegments(talking_head, *frames, fps, 3, segment_frames, &training);
        if (!frames->empty()) {
          std::vector<VideoFrame> first(frames->begin(),
                                        frames->begin() + std::min<size_t>(frames->size(), 48));
          if (auto small = ScaleFrames(first, 256, 256); small.ok()) {
            AddSegments(talking_head + "@256x256", *small, fps, 1, segment_frames, &training);
          }
        }
        report->training_clips.push_back(talking_head);
      }
      fs::remove_all(temporary, error_code);
    }

    add_y4m("talkinghead_hdtf_KatieHill_512x512_25fps_75f_decoded.y4m", 3, &evaluation,
            &report->evaluation_clips);
    if (training.empty())
      return Status::Error("rate model training: no training clip found in " + directory.string());
  } else {
    for (const auto* set : {&training_samples, &evaluation_samples}) {
      auto* names = set == &training_samples ? &report->training_clips : &report->evaluation_clips;
      for (const RateTrialSample& sample : set->trials) {
        if (std::find(names->begin(), names->end(), sample.clip) == names->end())
          names->push_back(sample.clip);
      }
    }
  }

  for (const SegmentPlan& plan : training) {
    AURALINK_LOG(kInfo) << "rate model training: " << plan.clip << " (" << plan.frames.size()
                        << " frames at " << plan.frames[0].width << "x" << plan.frames[0].height
                        << ")";
    auto samples = MeasureSegment(plan.clip, plan.frames, plan.fps, grid);
    if (!samples.ok()) return samples.status();
    training_samples.Append(*samples);
  }
  report->penalties = SelectRidgePenalties(training_samples, grid.profiles);
  auto data = FitRateQualityModel(training_samples, grid.profiles, report->penalties);
  if (!data.ok()) return data.status();
  auto model = RateQualityModel::Create(*data);
  if (!model.ok()) return model.status();
  report->training_trials = static_cast<int>(training_samples.trials.size());
  report->training_error = EvaluateRateQualityModel(**model, training_samples);

  for (const SegmentPlan& plan : evaluation) {
    AURALINK_LOG(kInfo) << "rate model evaluation: " << plan.clip;
    auto samples = MeasureSegment(plan.clip, plan.frames, plan.fps, grid);
    if (!samples.ok()) return samples.status();
    evaluation_samples.Append(*samples);
  }
  report->evaluation_error = EvaluateRateQualityModel(**model, evaluation_samples);
  if (!options.cache_path.empty() && !cached) {
    std::ofstream file(options.cache_path, std::ios::trunc);
    file << nlohmann::json{{"training", training_samples.ToJson()},
                           {"evaluation", evaluation_samples.ToJson()}}
                .dump();
    if (!file) return Status::Error(options.cache_path + ": cannot write the training cache");
  }
  report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (!options.samples_csv_path.empty()) {
    std::ofstream csv(options.samples_csv_path, std::ios::trunc);
    csv << "set,clip,width,height,fps,si,ti,motion,changed,screen,profile,quantizer,scale,frame_"
           "rate,"
           "ssim_viewer,predicted_ssim_viewer,ssim_fresh,predicted_ssim_fresh,inter_kbps,"
           "predicted_kbps,encode_ms_per_megapixel\n";
    auto write = [&](const char* set, const RateTrainingSamples& samples) {
      for (const RateTrialSample& sample : samples.trials) {
        auto prediction = (*model)->Predict(sample.content, sample.settings);
        if (!prediction.ok()) continue;
        const RateModelContent& c = sample.content;
        csv << set << "," << sample.clip << "," << c.width << "," << c.height << "," << c.fps << ","
            << c.spatial_information << "," << c.temporal_information << "," << c.motion_pixels
            << "," << c.changed_block_fraction << "," << c.screen_content << ","
            << EncoderProfileName(sample.settings.profile) << "," << sample.settings.quantizer
            << "," << sample.settings.resolution_scale << "," << sample.settings.frame_rate << ","
            << sample.ssim_viewer << "," << prediction->ssim_viewer << "," << sample.ssim_fresh
            << "," << prediction->ssim_fresh << "," << sample.inter_kbps << "," << prediction->kbps
            << "," << sample.encode_ms_per_megapixel << "\n";
      }
    };
    write("train", training_samples);
    write("eval", evaluation_samples);
  }

  if (!options.out_path.empty()) {
    RateQualityModelData with_provenance = *data;
    with_provenance.provenance = report->ToJson();
    with_provenance.provenance["trained_by"] = "auralink video train-rate-model";
    auto final_model = RateQualityModel::Create(std::move(with_provenance));
    if (!final_model.ok()) return final_model.status();
    const fs::path out(options.out_path);
    const fs::path partial = out.string() + ".partial";
    {
      std::ofstream file(partial, std::ios::binary | std::ios::trunc);
      if (!file) return Status::Error(options.out_path + ": cannot write the rate model");
      file << (*final_model)->ToJson().dump(1) << "\n";
      if (!file) return Status::Error(options.out_path + ": write failed");
    }
    fs::rename(partial, out, error_code);
    if (error_code) return Status::Error(options.out_path + ": " + error_code.message());
  }
  return Status::Ok();
}

}  // namespace auralink::video
