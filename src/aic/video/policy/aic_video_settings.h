// What a user chooses for AIC video (the per-user AIC configuration the REST API will carry):
// a mode, each with a documented quality target, and overrides. Quality is SSIM-Y as a viewer sees
// it (every source frame against the picture on screen at its time), the measure the savings are
// judged by.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace auralink::video {

// The quality targets are relative to the reference quality: the SSIM-Y the baseline (what a
// LiveKit browser sends for this camera: VP8, CBR at the preset's bitrate and frame rate) would
// reach on the same content, as the rate model predicts it.
enum class AicMode {
  // Reference + 0.003: never visibly worse than a normal call; the saving comes only from coding
  // the same quality more cheaply. The margin covers the model's error in predicting the baseline.
  kConservative,
  // Reference - 0.003 (the default): the quality of a normal call within the 0.005 SSIM a viewer
  // cannot tell apart on talking heads, for the fewest bits. The 0.002 kept back from 0.005 absorbs
  // the closed loop's residual error.
  kAdaptive,
  // Reference - 0.025: visibly softer, for constrained links; still above min_quality_score.
  kAggressive,
  // No AIC: the baseline encoder alone.
  kOff,
};

const char* AicModeName(AicMode mode);  // "conservative", "adaptive", "aggressive", "off"
StatusOr<AicMode> ParseAicMode(std::string_view name);

// SSIM-Y offset of the mode's target from the reference quality (0 for kOff).
double AicModeQualityOffset(AicMode mode);

// Targets are kept in this range whatever the reference: above 0.985 bits grow without a visible
// gain; below 0.80 a picture looks broken.
inline constexpr double kMinQualityTarget = 0.80;
inline constexpr double kMaxQualityTarget = 0.985;
// The target stays this far above min_quality_score, so the closed loop's ripple around the
// target does not dip under the floor and trigger fallbacks.
inline constexpr double kQualityFloorMargin = 0.01;

struct AicVideoSettings {
  AicMode mode = AicMode::kAdaptive;
  // SSIM-Y floor: the target never goes below min_quality_score + kQualityFloorMargin, and measured
  // quality under it makes the encoder fall back to the baseline. 0.70 is where faces lose
  // expression detail in a call.
  double min_quality_score = 0.70;
  // Per-frame budget for analysis + encoding in milliseconds; 0 = one frame interval at the source
  // frame rate (what keeps up in real time).
  double max_latency_ms = 0.0;
  // Baseline bits / AIC bits to aim for; 0 = none. A goal: when the quality target costs more, the
  // target is lowered towards the floor, never below it.
  double target_compression_ratio = 0.0;
  // Use the learned rate model to choose settings up front; off = start from a default quantizer
  // and rely on the closed loop alone.
  bool enable_predictive_compression = true;
  // Region-of-interest coding: faces get finer quantizers than the background (codecs that take a
  // map: VP8, VP9).
  bool enable_perceptual_optimization = true;
  // An explicit SSIM-Y target instead of the mode's (0 = the mode's); still kept within
  // kMinQualityTarget..kMaxQualityTarget and above min_quality_score + kQualityFloorMargin.
  double target_quality_score = 0.0;
};

// Checks ranges: min_quality_score 0..0.99, max_latency_ms 0..10000, target_compression_ratio 0 or
// 1..1000, target_quality_score 0 or 0.5..0.999.
Status ValidateAicVideoSettings(const AicVideoSettings& settings);

// Parses {"mode": "adaptive", "min_quality_score": 0.7, "max_latency_ms": 0,
// "target_compression_ratio": 0, "enable_predictive_compression": true,
// "enable_perceptual_optimization": true, "target_quality_score": 0}; every key is optional (defaults above), unknown keys
// and wrong types are errors naming the key.
StatusOr<AicVideoSettings> AicVideoSettingsFromJson(const nlohmann::json& json);
StatusOr<AicVideoSettings> ParseAicVideoSettings(std::string_view json_text);
nlohmann::json AicVideoSettingsToJson(const AicVideoSettings& settings);

// The SSIM-Y to aim for given the reference (predicted baseline) quality.
double AicQualityTarget(const AicVideoSettings& settings, double reference_ssim);

}  // namespace auralink::video
