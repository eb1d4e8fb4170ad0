#include "aic/video/policy/quality_targeted_rate_controller.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace auralink::video {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
// Targets on the ladder never go below this (a picture one can still make out).
constexpr double kLowestLadderTarget = 0.5;
// Steps of the compression-ratio search and of the quantizer solution.
constexpr double kTargetStep = 0.0025;
// The biases stay within what a sane model needs (a factor ~2.7 on 1 - SSIM or on the bitrate).
constexpr double kMaxBias = 1.0;
// Without prediction: SSIM change per quantizer step that the integral control assumes (measured
// slope near SSIM 0.9 for AV1 and VP8 on the shared clips: 0.004-0.007), and its largest step.
constexpr double kSsimPerQuantizerStep = 0.005;
constexpr double kMaxQuantizerStep = 3.0;
constexpr int kMinReferenceSamples = 12;

double LogDistortion(double ssim) { return std::log(std::max(1e-4, 1.0 - ssim)); }

}  // namespace

StatusOr<std::unique_ptr<QualityTargetedRateController>> QualityTargetedRateController::Create(
    const RateControllerConfig& config, const RateQualityModel* model) {
  if (model == nullptr) return Status::Error("rate controller: no rate model");
  if (config.width < 16 || config.height < 16 || config.width > kMaxVideoDimension ||
      config.height > kMaxVideoDimension) {
    return Status::Error("rate controller: source size out of range");
  }
  if (!(config.fps > 0.0 && config.fps <= 1000.0)) {
    return Status::Error("rate controller: source frame rate out of range");
  }
  AURALINK_RETURN_IF_ERROR(ValidateAicVideoSettings(config.settings));
  if (config.rungs.empty()) return Status::Error("rate controller: no ladder rungs");
  if (config.resolution_scales.empty())
    return Status::Error("rate controller: no resolution scales");
  for (double scale : config.resolution_scales) {
    if (!(scale > 0.0 && scale <= 1.0))
      return Status::Error("rate controller: resolution scales must be in (0, 1]");
  }
  RateControllerConfig checked = config;
  if (checked.profiles.empty()) {
    for (const ProfileModel& profile : model->data().profiles)
      checked.profiles.push_back(profile.profile);
  }
  std::vector<EncoderProfile> usable;
  for (const EncoderProfile& profile : checked.profiles) {
    if (model->FindProfile(profile) == nullptr) continue;
    // H.264 needs even sizes (4:2:0 cropping in pairs).
    if (profile.codec == VideoCodecType::kH264 && (config.width % 2 != 0 || config.height % 2 != 0))
      continue;
    usable.push_back(profile);
  }
  if (usable.empty())
    return Status::Error("rate controller: the rate model knows none of the candidate profiles");
  checked.profiles = usable;
  if (checked.redecide_frames <= 0)
    checked.redecide_frames = std::max(1, static_cast<int>(std::lround(config.fps)));
  return std::unique_ptr<QualityTargetedRateController>(
      new QualityTargetedRateController(checked, model));
}

QualityTargetedRateController::QualityTargetedRateController(const RateControllerConfig& config,
                                                             const RateQualityModel* model)
    : config_(config),
      model_(model),
      ladder_(static_cast<int>(config.rungs.size()), config.ladder) {
  for (const EncoderProfile& profile : config_.profiles) {
    ProfileState state;
    state.profile = profile;
    profiles_.push_back(state);
  }
}

QualityTargetedRateController::ProfileState* QualityTargetedRateController::StateOf(
    const EncoderProfile& profile) {
  for (ProfileState& state : profiles_) {
    if (state.profile == profile) return &state;
  }
  return nullptr;
}

const QualityTargetedRateController::ProfileState* QualityTargetedRateController::StateOf(
    const EncoderProfile& profile) const {
  return const_cast<QualityTargetedRateController*>(this)->StateOf(profile);
}

double QualityTargetedRateController::QualityBiasAt(const ProfileState& state, double scale) const {
  const int key = static_cast<int>(std::lround(scale * 1000.0));
  const auto found = state.scale_bias.find(key);
  if (found != state.scale_bias.end() && found->second.samples > 0) return found->second.value;
  const auto shared = shared_scale_bias_.find(key);
  if (shared != shared_scale_bias_.end() && shared->second.samples > 0) return shared->second.value;
  if (exploring_) return 0.0;
  return state.quality_samples > 0 ? state.quality_bias : shared_quality_bias_.value;
}

double QualityTargetedRateController::BitsBiasOf(const ProfileState& state) const {
  return state.bits_samples > 0 ? state.bits_bias : shared_bits_bias_.value;
}

double QualityTargetedRateController::quality_bias(const EncoderProfile& profile) const {
  const ProfileState* state = StateOf(profile);
  return state != nullptr ? state->quality_bias : 0.0;
}

RateModelContent QualityTargetedRateController::SceneContent() const {
  RateModelContent content;
  content.width = config_.width;
  content.height = config_.height;
  content.fps = config_.fps;
  if (count_si_ > 0) content.spatial_information = sum_si_ / count_si_;
  if (count_temporal_ > 0) {
    content.temporal_information = sum_ti_ / count_temporal_;
    content.motion_pixels = sum_motion_ / count_temporal_;
    content.changed_block_fraction = sum_changed_ / count_temporal_;
  } else {
    // Before a scene's second frame nothing is known about its motion: the last scene's, or a
    // talking head's at first (the shared talking-head clips: TI 11-18, motion 1.4-3, 35-55 % of
    // blocks changing).
    content.temporal_information = prior_temporal_information_;
    content.motion_pixels = prior_motion_pixels_;
    content.changed_block_fraction = prior_changed_block_fraction_;
  }
  content.screen_content = scene_frames_ > 0 && 2 * screen_frames_ > scene_frames_;
  return content;
}

double QualityTargetedRateController::EncodeBudgetMs() const {
  if (config_.encode_budget_ms > 0.0) return config_.encode_budget_ms;
  // Without a latency setting, the frame interval at 30 fps or more: the default path must keep
  // up with a 30 fps camera on one core even when the stream at hand runs at 25.
  const double frame_budget = config_.settings.max_latency_ms > 0.0
                                  ? config_.settings.max_latency_ms
                                  : 1000.0 / std::max(30.0, config_.fps);
  return 0.7 * frame_budget;
}

bool QualityTargetedRateController::FitsCpu(const EncoderProfile& profile, double scale) const {
  const ProfileModel* model = model_->FindProfile(profile);
  const ProfileState* state = StateOf(profile);
  if (model == nullptr || state == nullptr) return false;
  int width = 0;
  int height = 0;
  ScaledEncodeSize(config_.width, config_.height, scale, &width, &height);
  const double milliseconds = model->EncodeMsPerMegapixel(SceneContent().screen_content) *
                              state->time_factor * width * static_cast<double>(height) / 1e6;
  return milliseconds <= EncodeBudgetMs();
}

std::optional<QualityTargetedRateController::Candidate> QualityTargetedRateController::Evaluate(
    const RateModelContent& content, RateModelSettings settings, double target) const {
  const ProfileState* state = StateOf(settings.profile);
  if (state == nullptr) return std::nullopt;
  const double bias = QualityBiasAt(*state, settings.resolution_scale);
  const std::optional<double> quantizer =
      model_->QuantizerForTarget(content, settings, target, bias);
  Candidate candidate;
  // A target out of reach still gets the finest quantizer: the ladder decides whether that fits.
  settings.quantizer = quantizer.value_or(0.0);
  auto prediction = model_->Predict(content, settings, bias);
  if (!prediction.ok()) return std::nullopt;
  candidate.settings = settings;
  candidate.kbps = prediction->kbps * std::exp(BitsBiasOf(*state));
  candidate.ssim = prediction->ssim_viewer;
  const ProfileModel* model = model_->FindProfile(settings.profile);
  // Only finer than trained is an extrapolation that matters: coarser is the target being easy
  // (the codec's coarsest step, one past the training grid, rated the full-size 720p encode
  // "untrained" and handed the choice to a needless 3/4 size).
  candidate.trained = settings.quantizer >= model->min_trained_quantizer - 1e-9;
  if (!quantizer) candidate.kbps = kInfinity;
  return candidate;
}

std::optional<QualityTargetedRateController::Candidate> QualityTargetedRateController::Cheapest(
    const RateModelContent& content, const LadderRung& rung, double target,
    const EncoderProfile* only_profile) const {
  std::optional<Candidate> best;
  std::vector<double> frame_rates = {config_.fps};
  if (rung.max_frame_rate_factor < 1.0) frame_rates = {config_.fps * rung.max_frame_rate_factor};
  for (const ProfileState& state : profiles_) {
    if (only_profile != nullptr && !(state.profile == *only_profile)) continue;
    for (double scale : config_.resolution_scales) {
      if (scale > rung.max_resolution_scale + 1e-9) continue;
      // Text and UI do not survive resampling: screen content keeps its size and lets the
      // quantizer and frame rate absorb the bandwidth.
      if (content.screen_content && scale < 1.0 - 1e-9) continue;
      if (!FitsCpu(state.profile, scale)) continue;
      for (double frame_rate : frame_rates) {
        RateModelSettings settings;
        settings.profile = state.profile;
        settings.resolution_scale = scale;
        settings.frame_rate = frame_rate;
        auto candidate = Evaluate(content, settings, target);
        if (!candidate) continue;
        // Trained candidates first, then the fewest bits; a reduced size must save
        // downscale_saving of the bits to be taken over a larger one.
        const auto cost = [this](const Candidate& c) {
          return c.settings.resolution_scale < 1.0 - 1e-9
                     ? c.kbps / std::max(1e-3, 1.0 - config_.downscale_saving)
                     : c.kbps;
        };
        if (!best || (candidate->trained && !best->trained) ||
            (candidate->trained == best->trained && cost(*candidate) < cost(*best))) {
          best = candidate;
        }
      }
    }
  }
  if (!best && only_profile == nullptr) {
    // Nothing fits the CPU budget: the fastest profile at the smallest size (the fallback policy
    // takes over if even that is too slow).
    const ProfileState* fastest = nullptr;
    for (const ProfileState& state : profiles_) {
      const ProfileModel* model = model_->FindProfile(state.profile);
      const ProfileModel* fastest_model = fastest ? model_->FindProfile(fastest->profile) : nullptr;
      if (fastest == nullptr || model->encode_ms_per_megapixel * state.time_factor <
                                    fastest_model->encode_ms_per_megapixel * fastest->time_factor) {
        fastest = &state;
      }
    }
    double smallest = 1.0;
    for (double scale : config_.resolution_scales) {
      if (scale <= rung.max_resolution_scale + 1e-9) smallest = std::min(smallest, scale);
    }
    RateModelSettings settings;
    settings.profile = fastest->profile;
    settings.resolution_scale = std::min(smallest, rung.max_resolution_scale);
    settings.frame_rate = frame_rates.front();
    best = Evaluate(content, settings, target);
  }
  return best;
}

bool QualityTargetedRateController::Adopt(const RateDecision& next) {
  const bool structure = !has_decision_ || !(next.profile == decision_.profile) ||
                         next.width != decision_.width || next.height != decision_.height ||
                         std::abs(next.frame_rate - decision_.frame_rate) > 1e-6;
  const bool changed = structure || next.screen_content != decision_.screen_content ||
                       std::abs(next.quantizer - decision_.quantizer) > 1e-9 ||
                       next.ladder_rung != decision_.ladder_rung;
  const int64_t version = decision_.version;
  decision_ = next;
  decision_.version = changed ? version + 1 : version;
  has_decision_ = true;
  if (changed) ++stats_.decisions;
  if (structure) {
    ++stats_.structure_changes;
    last_structure_change_ms_ = now_ms_;
  }
  return changed;
}

bool QualityTargetedRateController::Decide(int64_t now_ms, bool free_structure) {
  now_ms_ = now_ms;
  frames_since_decision_ = 0;
  if (!config_.settings.enable_predictive_compression)
    return DecideWithoutModel(now_ms, free_structure);
  const RateModelContent content = SceneContent();
  const double reference = ReferenceSsim();
  const double target = AicQualityTarget(config_.settings, reference);
  const ProfileModel* current_model =
      has_decision_ ? model_->FindProfile(decision_.profile) : nullptr;
  // Finer than anything trained: the loop is compensating for a model that was wrong about this
  // structure. (Coarser than trained is only the quality target being easy.)
  const bool current_untrained =
      current_model != nullptr && decision_.quantizer < current_model->min_trained_quantizer - 1e-9;
  exploring_ = current_untrained;

  // What each rung needs. Rungs that keep the codec use the scene's profile once there is one.
  const EncoderProfile* scene_profile = has_decision_ ? &decision_.profile : nullptr;
  std::vector<double> required(config_.rungs.size(), kInfinity);
  std::vector<std::optional<Candidate>> best(config_.rungs.size());
  for (size_t r = 0; r < config_.rungs.size(); ++r) {
    const LadderRung& rung = config_.rungs[r];
    const double rung_target = std::max(kLowestLadderTarget, target - rung.quality_drop);
    const EncoderProfile* only =
        (rung.any_profile || r == 0 || free_structure) ? nullptr : scene_profile;
    best[r] = Cheapest(content, rung, rung_target, only);
    if (best[r]) required[r] = best[r]->kbps;
  }
  const int rung = ladder_.Update(now_ms, config_.cap_kbps, required);
  std::optional<Candidate> chosen = best[static_cast<size_t>(rung)];
  double chosen_target =
      std::max(kLowestLadderTarget, target - config_.rungs[static_cast<size_t>(rung)].quality_drop);

  // The compression-ratio goal lowers the target towards the floor, never below it.
  if (rung == 0 && config_.settings.target_compression_ratio > 0.0 && chosen) {
    const double goal_kbps = config_.baseline_kbps / config_.settings.target_compression_ratio;
    const double floor = std::min(target, config_.settings.min_quality_score + kQualityFloorMargin);
    for (double lowered = target;
         chosen->kbps > goal_kbps && lowered - kTargetStep >= floor - 1e-12;) {
      lowered -= kTargetStep;
      auto candidate = Cheapest(content, config_.rungs[0], lowered, nullptr);
      if (!candidate) break;
      chosen = candidate;
      chosen_target = lowered;
    }
  }
  if (!chosen) {
    exploring_ = false;
    return false;
  }

  // Within a scene a new structure must pay for its key frame: it must save
  // structure_switch_saving of the bits, and the structure must have held for structure_dwell_ms;
  // unless the loop has driven the current one out of the model's trained range.
  if (!free_structure && has_decision_ && rung == decision_.ladder_rung && !current_untrained) {
    const bool same_structure =
        chosen->settings.profile == decision_.profile &&
        std::abs(chosen->settings.resolution_scale - decision_.resolution_scale) < 1e-9 &&
        std::abs(chosen->settings.frame_rate - decision_.frame_rate) < 1e-6;
    if (!same_structure) {
      RateModelSettings current;
      current.profile = decision_.profile;
      current.resolution_scale = decision_.resolution_scale;
      current.frame_rate = decision_.frame_rate;
      auto kept = Evaluate(content, current, chosen_target);
      const bool too_soon = now_ms - last_structure_change_ms_ < config_.structure_dwell_ms;
      if (kept && FitsCpu(current.profile, current.resolution_scale) &&
          (too_soon || chosen->kbps > (1.0 - config_.structure_switch_saving) * kept->kbps)) {
        chosen = kept;
      }
    }
  }

  exploring_ = false;
  RateDecision next;
  next.profile = chosen->settings.profile;
  next.quantizer = chosen->settings.quantizer;
  next.resolution_scale = chosen->settings.resolution_scale;
  ScaledEncodeSize(config_.width, config_.height, next.resolution_scale, &next.width, &next.height);
  next.frame_rate = chosen->settings.frame_rate;
  next.screen_content = content.screen_content;
  next.reference_ssim = reference;
  next.target_ssim = chosen_target;
  next.predicted_ssim = chosen->ssim;
  next.predicted_kbps = chosen->kbps;
  next.ladder_rung = rung;
  next.bandwidth_limited = rung > 0;
  const ProfileState* state = StateOf(next.profile);
  decision_model_kbps_ = chosen->kbps / std::exp(state != nullptr ? BitsBiasOf(*state) : 0.0);
  return Adopt(next);
}

bool QualityTargetedRateController::DecideWithoutModel(int64_t now_ms, bool free_structure) {
  const double reference = ReferenceSsim();
  RateDecision next = decision_;
  if (!has_decision_ || free_structure) {
    // The first profile (in order of preference) that fits the CPU at full size, else the fastest.
    const EncoderProfile* chosen = nullptr;
    for (const ProfileState& state : profiles_) {
      if (FitsCpu(state.profile, 1.0)) {
        chosen = &state.profile;
        break;
      }
    }
    if (chosen == nullptr) {
      double fastest = kInfinity;
      for (const ProfileState& state : profiles_) {
        const double cost =
            model_->FindProfile(state.profile)->encode_ms_per_megapixel * state.time_factor;
        if (cost < fastest) {
          fastest = cost;
          chosen = &state.profile;
        }
      }
    }
    if (!has_decision_ || !(*chosen == decision_.profile)) {
      free_quantizer_ = config_.default_quantizer_fraction * MaxQuantizerOf(chosen->codec);
    }
    next.profile = *chosen;
    next.resolution_scale = 1.0;
    next.width = config_.width;
    next.height = config_.height;
    next.frame_rate = config_.fps;
  }
  next.screen_content = SceneContent().screen_content;
  next.quantizer = free_quantizer_;
  next.reference_ssim = reference;
  next.target_ssim = AicQualityTarget(config_.settings, reference);
  next.predicted_ssim = 0.0;
  next.predicted_kbps = 0.0;
  next.ladder_rung = 0;
  next.bandwidth_limited = false;
  decision_model_kbps_ = 0.0;
  return Adopt(next);
}

bool QualityTargetedRateController::OnFrame(int64_t now_ms, const FrameFeatures* features) {
  now_ms_ = now_ms;
  bool cut = false;
  if (features != nullptr) {
    if (features->scene_cut && scene_frames_ > 0) {
      cut = true;
      ++stats_.scene_cuts;
      if (count_temporal_ > 0) {
        prior_temporal_information_ = sum_ti_ / count_temporal_;
        prior_motion_pixels_ = sum_motion_ / count_temporal_;
        prior_changed_block_fraction_ = sum_changed_ / count_temporal_;
      }
      sum_si_ = sum_ti_ = sum_motion_ = sum_changed_ = 0.0;
      count_si_ = count_temporal_ = screen_frames_ = scene_frames_ = 0;
    }
    ++scene_frames_;
    sum_si_ += features->spatial_information;
    ++count_si_;
    if (features->content_class == ContentClass::kScreenContent) ++screen_frames_;
    // The first frame of a stream or scene has no meaningful temporal information.
    if (scene_frames_ > 1) {
      sum_ti_ += features->temporal_information;
      sum_motion_ += features->mean_motion_pixels;
      sum_changed_ += features->changed_block_fraction;
      ++count_temporal_;
    }
  }
  ++frames_since_decision_;
  if (!has_decision_ || cut) {
    last_structure_change_ms_ = now_ms;
    return Decide(now_ms, /*free_structure=*/true);
  }
  // The second analysed frame brings the first temporal features: the quantizer follows them at
  // once, the structure only if they change the picture enough (hysteresis as ever).
  if (scene_frames_ == 2 && features != nullptr) return Decide(now_ms, false);
  if (frames_since_decision_ >= config_.redecide_frames) return Decide(now_ms, false);
  return false;
}

bool QualityTargetedRateController::OnQualityMeasured(double ssim) {
  if (!has_decision_ || !std::isfinite(ssim)) return false;
  ++stats_.quality_measurements;
  if (!config_.settings.enable_predictive_compression) {
    const double step = std::clamp(0.5 * (ssim - decision_.target_ssim) / kSsimPerQuantizerStep,
                                   -kMaxQuantizerStep, kMaxQuantizerStep);
    free_quantizer_ = std::clamp(free_quantizer_ + step, 0.0,
                                 static_cast<double>(MaxQuantizerOf(decision_.profile.codec)));
    RateDecision next = decision_;
    next.quantizer = free_quantizer_;
    return Adopt(next);
  }
  ProfileState* state = StateOf(decision_.profile);
  if (state == nullptr) return false;
  RateModelSettings settings;
  settings.profile = decision_.profile;
  settings.quantizer = decision_.quantizer;
  settings.resolution_scale = decision_.resolution_scale;
  settings.frame_rate = decision_.frame_rate;
  const RateModelContent content = SceneContent();
  auto prediction = model_->Predict(content, settings);
  if (!prediction.ok()) return false;
  const double residual = LogDistortion(ssim) - LogDistortion(prediction->ssim_fresh);
  ++state->quality_samples;
  const double gain = std::max(config_.bias_gain, 1.0 / state->quality_samples);
  state->quality_bias += gain * (residual - state->quality_bias);
  state->quality_bias = std::clamp(state->quality_bias, -kMaxBias, kMaxBias);
  Bias& at_scale =
      state->scale_bias[static_cast<int>(std::lround(decision_.resolution_scale * 1000.0))];
  ++at_scale.samples;
  at_scale.value +=
      std::max(config_.bias_gain, 1.0 / at_scale.samples) * (residual - at_scale.value);
  at_scale.value = std::clamp(at_scale.value, -kMaxBias, kMaxBias);
  ++shared_quality_bias_.samples;
  shared_quality_bias_.value += std::max(config_.bias_gain, 1.0 / shared_quality_bias_.samples) *
                                (residual - shared_quality_bias_.value);
  Bias& shared_at_scale =
      shared_scale_bias_[static_cast<int>(std::lround(decision_.resolution_scale * 1000.0))];
  ++shared_at_scale.samples;
  shared_at_scale.value += std::max(config_.bias_gain, 1.0 / shared_at_scale.samples) *
                           (std::clamp(residual, -kMaxBias, kMaxBias) - shared_at_scale.value);

  // Re-solve the quantizer for the same structure and target.
  auto candidate = Evaluate(content, settings, decision_.target_ssim);
  if (!candidate) return false;
  RateDecision next = decision_;
  next.quantizer = candidate->settings.quantizer;
  next.predicted_ssim = candidate->ssim;
  next.predicted_kbps = candidate->kbps;
  decision_model_kbps_ = candidate->kbps / std::exp(BitsBiasOf(*state));
  return Adopt(next);
}

void QualityTargetedRateController::OnFrameEncoded(int64_t now_ms, size_t bytes, bool keyframe,
                                                   double encode_ms) {
  if (!has_decision_) return;
  ProfileState* state = StateOf(decision_.profile);
  if (state == nullptr) return;
  if (window_start_ms_ < 0) window_start_ms_ = now_ms;
  if (!keyframe) {
    const double frame_rate = std::max(1e-3, decision_.frame_rate);
    window_bits_ += 8.0 * static_cast<double>(bytes);
    window_predicted_bits_ += decision_model_kbps_ * 1000.0 / frame_rate;
  }
  if (encode_ms > 0.0) {
    const ProfileModel* model = model_->FindProfile(decision_.profile);
    window_encode_ms_ += encode_ms;
    window_predicted_ms_ += model->EncodeMsPerMegapixel(decision_.screen_content) *
                            decision_.width * static_cast<double>(decision_.height) / 1e6;
  }
  if (now_ms - window_start_ms_ < 1000) return;
  if (window_predicted_bits_ > 0.0 && window_bits_ > 0.0 &&
      config_.settings.enable_predictive_compression) {
    const double residual = std::log(window_bits_ / window_predicted_bits_);
    ++state->bits_samples;
    state->bits_bias +=
        std::max(config_.bias_gain, 1.0 / state->bits_samples) * (residual - state->bits_bias);
    state->bits_bias = std::clamp(state->bits_bias, -kMaxBias, kMaxBias);
    ++shared_bits_bias_.samples;
    shared_bits_bias_.value +=
        std::max(config_.bias_gain, 1.0 / shared_bits_bias_.samples) *
        (std::clamp(residual, -kMaxBias, kMaxBias) - shared_bits_bias_.value);
  }
  if (window_predicted_ms_ > 0.0 && window_encode_ms_ > 0.0) {
    const double factor = window_encode_ms_ / window_predicted_ms_;
    state->time_factor = std::clamp(
        state->time_factor + config_.bias_gain * (factor - state->time_factor), 0.1, 10.0);
  }
  window_start_ms_ = now_ms;
  window_bits_ = window_predicted_bits_ = window_encode_ms_ = window_predicted_ms_ = 0.0;
}

double QualityTargetedRateController::ReferenceSsim() const {
  const double predicted =
      model_->PredictBaselineSsim(SceneContent(), config_.baseline_kbps, config_.baseline_fps);
  // The measurements take over from the prediction in proportion to their number, wholly after a
  // dozen (about half a second): the baseline's first frames (its key frame, its first repeats)
  // are a poor guide to the rest, but the prediction can be 0.005 off, which on a short stream
  // (the 19-frame 720p clip gets 7 samples) is more than the mode's margin.
  const double weight =
      std::min(1.0, reference_samples_ / static_cast<double>(kMinReferenceSamples));
  return predicted + weight * (reference_measured_ - predicted);
}

bool QualityTargetedRateController::OnReferenceMeasured(double baseline_ssim) {
  if (!std::isfinite(baseline_ssim)) return false;
  // The mean of SSIM itself: a baseline's frames are bimodal (fresh ones near 0.95, repeated ones
  // down to 0.4 in a pan), and the viewer's mean is a mean of SSIM. A plain mean at first, then
  // an exponential average over about reference_memory_seconds of frames, so the reference
  // follows the baseline as the content changes (a pan, a new scene).
  ++reference_samples_;
  const double memory = std::max(1.0, config_.reference_memory_seconds * config_.fps);
  reference_measured_ +=
      std::max(1.0 / reference_samples_, 1.0 / memory) * (baseline_ssim - reference_measured_);
  if (!has_decision_) return false;
  const double target = AicQualityTarget(config_.settings, ReferenceSsim());
  if (std::abs(target - decision_.target_ssim) < 5e-4 || decision_.ladder_rung != 0) return false;
  return Decide(now_ms_, false);
}

bool QualityTargetedRateController::SetBandwidthCap(int64_t now_ms, double kbps) {
  now_ms_ = now_ms;
  config_.cap_kbps = std::max(0.0, kbps);
  if (!has_decision_) return false;
  return Decide(now_ms, /*free_structure=*/false);
}

}  // namespace auralink::video
