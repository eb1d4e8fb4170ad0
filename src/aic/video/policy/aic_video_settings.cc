#include "aic/video/policy/aic_video_settings.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace auralink::video {
namespace {

constexpr const char* kKnownKeys[] = {"mode",
                                      "min_quality_score",
                                      "max_latency_ms",
                                      "target_compression_ratio",
                                      "enable_predictive_compression",
                                      "enable_perceptual_optimization",
                                      "target_quality_score"};

Status ReadNumber(const nlohmann::json& json, const char* key, double* value) {
  if (!json.contains(key)) return Status::Ok();
  const nlohmann::json& item = json.at(key);
  if (!item.is_number())
    return Status::Error(std::string("AIC settings: ") + key + " must be a number");
  const double number = item.get<double>();
  if (!std::isfinite(number))
    return Status::Error(std::string("AIC settings: ") + key + " is not finite");
  *value = number;
  return Status::Ok();
}

Status ReadBool(const nlohmann::json& json, const char* key, bool* value) {
  if (!json.contains(key)) return Status::Ok();
  const nlohmann::json& item = json.at(key);
  if (!item.is_boolean()) {
    return Status::Error(std::string("AIC settings: ") + key + " must be true or false");
  }
  *value = item.get<bool>();
  return Status::Ok();
}

}  // namespace

const char* AicModeName(AicMode mode) {
  switch (mode) {
    case AicMode::kConservative:
      return "conservative";
    case AicMode::kAdaptive:
      return "adaptive";
    case AicMode::kAggressive:
      return "aggressive";
    case AicMode::kOff:
      return "off";
  }
  return "unknown";
}

StatusOr<AicMode> ParseAicMode(std::string_view name) {
  for (AicMode mode :
       {AicMode::kConservative, AicMode::kAdaptive, AicMode::kAggressive, AicMode::kOff}) {
    if (name == AicModeName(mode)) return mode;
  }
  return Status::Error("AIC settings: unknown mode \"" + std::string(name) +
                       "\" (conservative, adaptive, aggressive or off)");
}

double AicModeQualityOffset(AicMode mode) {
  switch (mode) {
    case AicMode::kConservative:
      return 0.003;
    case AicMode::kAdaptive:
      return -0.003;
    case AicMode::kAggressive:
      return -0.025;
    case AicMode::kOff:
      return 0.0;
  }
  return 0.0;
}

Status ValidateAicVideoSettings(const AicVideoSettings& settings) {
  if (!(settings.min_quality_score >= 0.0 && settings.min_quality_score <= 0.99)) {
    return Status::Error("AIC settings: min_quality_score must be within 0..0.99 (SSIM-Y)");
  }
  if (!(settings.max_latency_ms >= 0.0 && settings.max_latency_ms <= 10000.0)) {
    return Status::Error(
        "AIC settings: max_latency_ms must be within 0..10000 (0 = one frame interval)");
  }
  if (!(settings.target_compression_ratio == 0.0 ||
        (settings.target_compression_ratio >= 1.0 &&
         settings.target_compression_ratio <= 1000.0))) {
    return Status::Error(
        "AIC settings: target_compression_ratio must be 0 (none) or within 1..1000");
  }
  if (!(settings.target_quality_score == 0.0 ||
        (settings.target_quality_score >= 0.5 && settings.target_quality_score <= 0.999))) {
    return Status::Error(
        "AIC settings: target_quality_score must be 0 (the mode's) or within 0.5..0.999 (SSIM-Y)");
  }
  return Status::Ok();
}

StatusOr<AicVideoSettings> AicVideoSettingsFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return Status::Error("AIC settings: expected a JSON object");
  const std::set<std::string> known(std::begin(kKnownKeys), std::end(kKnownKeys));
  for (const auto& item : json.items()) {
    if (known.count(item.key()) == 0) {
      return Status::Error("AIC settings: unknown key \"" + item.key() + "\"");
    }
  }
  AicVideoSettings settings;
  if (json.contains("mode")) {
    if (!json.at("mode").is_string()) return Status::Error("AIC settings: mode must be a string");
    auto mode = ParseAicMode(json.at("mode").get<std::string>());
    if (!mode.ok()) return mode.status();
    settings.mode = *mode;
  }
  AURALINK_RETURN_IF_ERROR(ReadNumber(json, "min_quality_score", &settings.min_quality_score));
  AURALINK_RETURN_IF_ERROR(ReadNumber(json, "max_latency_ms", &settings.max_latency_ms));
  AURALINK_RETURN_IF_ERROR(
      ReadNumber(json, "target_compression_ratio", &settings.target_compression_ratio));
  AURALINK_RETURN_IF_ERROR(
      ReadBool(json, "enable_predictive_compression", &settings.enable_predictive_compression));
  AURALINK_RETURN_IF_ERROR(
      ReadBool(json, "enable_perceptual_optimization", &settings.enable_perceptual_optimization));
  AURALINK_RETURN_IF_ERROR(
      ReadNumber(json, "target_quality_score", &settings.target_quality_score));
  AURALINK_RETURN_IF_ERROR(ValidateAicVideoSettings(settings));
  return settings;
}

StatusOr<AicVideoSettings> ParseAicVideoSettings(std::string_view json_text) {
  const nlohmann::json json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::Error("AIC settings: not valid JSON");
  return AicVideoSettingsFromJson(json);
}

nlohmann::json AicVideoSettingsToJson(const AicVideoSettings& settings) {
  nlohmann::json json;
  json["mode"] = AicModeName(settings.mode);
  json["min_quality_score"] = settings.min_quality_score;
  json["max_latency_ms"] = settings.max_latency_ms;
  json["target_compression_ratio"] = settings.target_compression_ratio;
  json["enable_predictive_compression"] = settings.enable_predictive_compression;
  json["enable_perceptual_optimization"] = settings.enable_perceptual_optimization;
  json["target_quality_score"] = settings.target_quality_score;
  return json;
}

double AicQualityTarget(const AicVideoSettings& settings, double reference_ssim) {
  const double wanted = settings.target_quality_score > 0.0
                            ? settings.target_quality_score
                            : reference_ssim + AicModeQualityOffset(settings.mode);
  double target = std::clamp(wanted, kMinQualityTarget, kMaxQualityTarget);
  return std::max(target, std::min(settings.min_quality_score + kQualityFloorMargin, 0.999));
}

}  // namespace auralink::video
