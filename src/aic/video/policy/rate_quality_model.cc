#include "aic/video/policy/rate_quality_model.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "aic/video/policy/frame_rate_decimator.h"

namespace auralink::video {

// Defined in the generated embedded_rate_model.cc (the committed data/video_rate_model.json).
extern const char* const kEmbeddedRateModelJson;

namespace {

constexpr int kModelVersion = 1;
// Predictions stay inside what SSIM can be: log(1 - SSIM) in [log(1e-4), log(1)].
constexpr double kMinLogDistortion = -9.2;
constexpr double kMaxLogDistortion = 0.0;

double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) sum += a[i] * b[i];
  return sum;
}

double SsimFromLogDistortion(double z) {
  return 1.0 - std::exp(std::clamp(z, kMinLogDistortion, kMaxLogDistortion));
}

Status ReadCoefficients(const nlohmann::json& json, const char* key, size_t expected,
                        const std::string& where, std::vector<double>* out) {
  if (!json.contains(key) || !json.at(key).is_array()) {
    return Status::Error("rate model: " + where + " lacks the array \"" + key + "\"");
  }
  const nlohmann::json& array = json.at(key);
  if (array.size() != expected) {
    return Status::Error("rate model: " + where + " \"" + key + "\" has " +
                         std::to_string(array.size()) + " coefficients, expected " +
                         std::to_string(expected));
  }
  out->clear();
  for (const nlohmann::json& value : array) {
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
      return Status::Error("rate model: " + where + " \"" + key + "\" holds a non-number");
    }
    out->push_back(value.get<double>());
  }
  return Status::Ok();
}

Status CheckNames(const nlohmann::json& json, const char* key,
                  const std::vector<std::string>& expected) {
  if (!json.contains(key) || !json.at(key).is_array()) {
    return Status::Error(std::string("rate model: missing \"") + key + "\"");
  }
  std::vector<std::string> names;
  for (const nlohmann::json& name : json.at(key)) {
    if (!name.is_string())
      return Status::Error(std::string("rate model: \"") + key + "\" holds a non-string");
    names.push_back(name.get<std::string>());
  }
  if (names != expected) {
    return Status::Error(std::string("rate model: \"") + key +
                         "\" does not match this build's features (retrain with "
                         "`auralink video train-rate-model`)");
  }
  return Status::Ok();
}

nlohmann::json NamesJson(const std::vector<std::string>& names) {
  nlohmann::json array = nlohmann::json::array();
  for (const std::string& name : names) array.push_back(name);
  return array;
}

}  // namespace

std::string EncoderProfileName(const EncoderProfile& profile) {
  return std::string(VideoCodecName(profile.codec)) + "-s" + std::to_string(profile.speed);
}

int MaxQuantizerOf(VideoCodecType codec) { return codec == VideoCodecType::kH264 ? 51 : 63; }

void ScaledEncodeSize(int width, int height, double scale, int* scaled_width, int* scaled_height) {
  if (!(scale < 1.0)) {
    *scaled_width = width;
    *scaled_height = height;
    return;
  }
  auto scaled = [scale](int size) {
    const int value = static_cast<int>(std::lround(size * std::max(scale, 0.0) / 2.0)) * 2;
    return std::min(std::max(value, 16), size);
  };
  *scaled_width = scaled(width);
  *scaled_height = scaled(height);
}

const std::vector<std::string>& RateModelFeatureNames() {
  static const std::vector<std::string> kNames = {"bias",
                                                  "quantizer",
                                                  "quantizer_squared",
                                                  "log_spatial_information",
                                                  "log_temporal_information",
                                                  "log_motion",
                                                  "changed_block_fraction",
                                                  "screen_content",
                                                  "log_resolution_scale",
                                                  "quantizer_x_log_resolution_scale",
                                                  "log_megapixels",
                                                  "log_frame_interval"};
  return kNames;
}

const std::vector<std::string>& RepeatSimilarityFeatureNames() {
  static const std::vector<std::string> kNames = {"bias",           "log_temporal_information",
                                                  "log_motion",     "changed_block_fraction",
                                                  "screen_content", "log_gap"};
  return kNames;
}

const std::vector<std::string>& BaselineFeatureNames() {
  static const std::vector<std::string> kNames = {
      "bias",       "log_bits_per_pixel",     "log_spatial_information", "log_temporal_information",
      "log_motion", "changed_block_fraction", "screen_content",          "log_megapixels"};
  return kNames;
}

std::vector<double> RateModelFeatures(const RateModelContent& content,
                                      const RateModelSettings& settings) {
  const double quantizer = std::clamp(settings.quantizer, 0.0,
                                      static_cast<double>(MaxQuantizerOf(settings.profile.codec))) /
                           MaxQuantizerOf(settings.profile.codec);
  const double log_scale = std::log(std::clamp(settings.resolution_scale, 0.05, 1.0));
  const double megapixels =
      std::max(1e-3, content.width * static_cast<double>(content.height) / 1e6);
  const double interval =
      settings.frame_rate > 0.0 ? std::max(1.0, content.fps / settings.frame_rate) : 1.0;
  return {1.0,
          quantizer,
          quantizer * quantizer,
          std::log1p(std::max(0.0, content.spatial_information)),
          std::log1p(std::max(0.0, content.temporal_information)),
          std::log1p(std::max(0.0, content.motion_pixels)),
          std::clamp(content.changed_block_fraction, 0.0, 1.0),
          content.screen_content ? 1.0 : 0.0,
          log_scale,
          quantizer * log_scale,
          std::log(megapixels),
          std::log(interval)};
}

std::vector<double> RepeatSimilarityFeatures(const RateModelContent& content, int gap) {
  return {1.0,
          std::log1p(std::max(0.0, content.temporal_information)),
          std::log1p(std::max(0.0, content.motion_pixels)),
          std::clamp(content.changed_block_fraction, 0.0, 1.0),
          content.screen_content ? 1.0 : 0.0,
          std::log(std::max(1, gap))};
}

std::vector<double> BaselineFeatures(const RateModelContent& content, double kbps, double fps) {
  const double pixels = std::max(1.0, content.width * static_cast<double>(content.height));
  const double bits_per_pixel = std::max(1e-5, kbps * 1000.0 / (pixels * std::max(1.0, fps)));
  return {1.0,
          std::log(bits_per_pixel),
          std::log1p(std::max(0.0, content.spatial_information)),
          std::log1p(std::max(0.0, content.temporal_information)),
          std::log1p(std::max(0.0, content.motion_pixels)),
          std::clamp(content.changed_block_fraction, 0.0, 1.0),
          content.screen_content ? 1.0 : 0.0,
          std::log(std::max(1e-3, pixels / 1e6))};
}

std::vector<double> RepeatAgeDistribution(double source_fps, double encoded_fps) {
  // Two seconds' worth of the decimator's pattern (at least 240 frames) gives the shares exactly
  // enough for rates that repeat within that span.
  FrameRateDecimator decimator(source_fps, encoded_fps);
  const int frames = std::max(240, static_cast<int>(std::ceil(source_fps * 2.0)));
  std::vector<double> shares;
  int age = 0;
  for (int index = 0; index < frames; ++index) {
    age = decimator.Keep(index) ? 0 : age + 1;
    if (static_cast<size_t>(age) >= shares.size()) shares.resize(age + 1, 0.0);
    shares[static_cast<size_t>(age)] += 1.0 / frames;
  }
  return shares;
}

StatusOr<std::unique_ptr<RateQualityModel>> RateQualityModel::Create(RateQualityModelData data) {
  const size_t features = RateModelFeatureNames().size();
  if (data.profiles.empty()) return Status::Error("rate model: no encoder profiles");
  for (size_t i = 0; i < data.profiles.size(); ++i) {
    const ProfileModel& profile = data.profiles[i];
    const std::string name = EncoderProfileName(profile.profile);
    if (profile.ssim_coefficients.size() != features ||
        profile.bits_coefficients.size() != features) {
      return Status::Error("rate model: profile " + name +
                           " has coefficient vectors of the wrong length");
    }
    for (double value : profile.ssim_coefficients) {
      if (!std::isfinite(value))
        return Status::Error("rate model: profile " + name + " has a non-finite coefficient");
    }
    for (double value : profile.bits_coefficients) {
      if (!std::isfinite(value))
        return Status::Error("rate model: profile " + name + " has a non-finite coefficient");
    }
    if (!(profile.encode_ms_per_megapixel > 0.0) ||
        !std::isfinite(profile.encode_ms_per_megapixel)) {
      return Status::Error("rate model: profile " + name +
                           " needs a positive encode_ms_per_megapixel");
    }
    for (size_t j = 0; j < i; ++j) {
      if (data.profiles[j].profile == profile.profile) {
        return Status::Error("rate model: profile " + name + " appears twice");
      }
    }
  }
  if (data.repeat_similarity_coefficients.size() != RepeatSimilarityFeatureNames().size()) {
    return Status::Error("rate model: repeat-similarity coefficients of the wrong length");
  }
  if (data.baseline_ssim_coefficients.size() != BaselineFeatureNames().size()) {
    return Status::Error("rate model: baseline coefficients of the wrong length");
  }
  for (double value : data.repeat_similarity_coefficients) {
    if (!std::isfinite(value))
      return Status::Error("rate model: non-finite repeat-similarity coefficient");
  }
  for (double value : data.baseline_ssim_coefficients) {
    if (!std::isfinite(value)) return Status::Error("rate model: non-finite baseline coefficient");
  }
  return std::unique_ptr<RateQualityModel>(new RateQualityModel(std::move(data)));
}

StatusOr<std::unique_ptr<RateQualityModel>> RateQualityModel::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return Status::Error("rate model: expected a JSON object");
  if (!json.contains("version") || !json.at("version").is_number_integer() ||
      json.at("version").get<int>() != kModelVersion) {
    return Status::Error("rate model: unsupported or missing version (this build reads version 1)");
  }
  AURALINK_RETURN_IF_ERROR(CheckNames(json, "features", RateModelFeatureNames()));
  AURALINK_RETURN_IF_ERROR(
      CheckNames(json, "repeat_similarity_features", RepeatSimilarityFeatureNames()));
  AURALINK_RETURN_IF_ERROR(CheckNames(json, "baseline_features", BaselineFeatureNames()));
  RateQualityModelData data;
  if (!json.contains("profiles") || !json.at("profiles").is_array()) {
    return Status::Error("rate model: missing the \"profiles\" array");
  }
  for (const nlohmann::json& item : json.at("profiles")) {
    if (!item.is_object()) return Status::Error("rate model: a profile is not an object");
    if (!item.contains("codec") || !item.at("codec").is_string()) {
      return Status::Error("rate model: a profile lacks its codec name");
    }
    const auto codec = ParseVideoCodecName(item.at("codec").get<std::string>());
    if (!codec) {
      return Status::Error("rate model: unknown codec \"" + item.at("codec").get<std::string>() +
                           "\"");
    }
    if (!item.contains("speed") || !item.at("speed").is_number_integer()) {
      return Status::Error("rate model: a profile lacks an integer speed");
    }
    ProfileModel profile;
    profile.profile = {*codec, item.at("speed").get<int>()};
    const std::string where = "profile " + EncoderProfileName(profile.profile);
    AURALINK_RETURN_IF_ERROR(ReadCoefficients(item, "ssim_coefficients",
                                              RateModelFeatureNames().size(), where,
                                              &profile.ssim_coefficients));
    AURALINK_RETURN_IF_ERROR(ReadCoefficients(item, "bits_coefficients",
                                              RateModelFeatureNames().size(), where,
                                              &profile.bits_coefficients));
    if (!item.contains("encode_ms_per_megapixel") ||
        !item.at("encode_ms_per_megapixel").is_number()) {
      return Status::Error("rate model: " + where + " lacks encode_ms_per_megapixel");
    }
    profile.encode_ms_per_megapixel = item.at("encode_ms_per_megapixel").get<double>();
    if (item.contains("screen_encode_ms_per_megapixel")) {
      const nlohmann::json& screen = item.at("screen_encode_ms_per_megapixel");
      if (!screen.is_number() || !(screen.get<double>() > 0.0) ||
          !std::isfinite(screen.get<double>())) {
        return Status::Error("rate model: " + where +
                             " screen_encode_ms_per_megapixel must be a positive number");
      }
      profile.screen_encode_ms_per_megapixel = screen.get<double>();
    }
    profile.max_trained_quantizer = MaxQuantizerOf(profile.profile.codec);
    if (item.contains("trained_quantizers")) {
      const nlohmann::json& range = item.at("trained_quantizers");
      if (!range.is_array() || range.size() != 2 || !range[0].is_number() ||
          !range[1].is_number() || range[0].get<double>() > range[1].get<double>()) {
        return Status::Error("rate model: " + where +
                             " \"trained_quantizers\" must be [low, high]");
      }
      profile.min_trained_quantizer = range[0].get<double>();
      profile.max_trained_quantizer = range[1].get<double>();
    }
    data.profiles.push_back(std::move(profile));
  }
  AURALINK_RETURN_IF_ERROR(ReadCoefficients(json, "repeat_similarity_coefficients",
                                            RepeatSimilarityFeatureNames().size(), "the model",
                                            &data.repeat_similarity_coefficients));
  AURALINK_RETURN_IF_ERROR(ReadCoefficients(json, "baseline_ssim_coefficients",
                                            BaselineFeatureNames().size(), "the model",
                                            &data.baseline_ssim_coefficients));
  if (json.contains("provenance")) data.provenance = json.at("provenance");
  return Create(std::move(data));
}

StatusOr<std::unique_ptr<RateQualityModel>> RateQualityModel::Load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::Error(path + ": cannot open the video rate model");
  std::stringstream text;
  text << file.rdbuf();
  const nlohmann::json json =
      nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::Error(path + ": the video rate model is not valid JSON");
  auto model = FromJson(json);
  if (!model.ok()) return model.status().WithContext(path);
  return model;
}

nlohmann::json RateQualityModel::ToJson() const {
  nlohmann::json json;
  json["version"] = kModelVersion;
  json["features"] = NamesJson(RateModelFeatureNames());
  json["repeat_similarity_features"] = NamesJson(RepeatSimilarityFeatureNames());
  json["baseline_features"] = NamesJson(BaselineFeatureNames());
  nlohmann::json profiles = nlohmann::json::array();
  for (const ProfileModel& profile : data_.profiles) {
    nlohmann::json item;
    item["codec"] = VideoCodecName(profile.profile.codec);
    item["speed"] = profile.profile.speed;
    item["ssim_coefficients"] = profile.ssim_coefficients;
    item["bits_coefficients"] = profile.bits_coefficients;
    item["encode_ms_per_megapixel"] = profile.encode_ms_per_megapixel;
    if (profile.screen_encode_ms_per_megapixel > 0.0) {
      item["screen_encode_ms_per_megapixel"] = profile.screen_encode_ms_per_megapixel;
    }
    item["trained_quantizers"] = {profile.min_trained_quantizer, profile.max_trained_quantizer};
    profiles.push_back(std::move(item));
  }
  json["profiles"] = std::move(profiles);
  json["repeat_similarity_coefficients"] = data_.repeat_similarity_coefficients;
  json["baseline_ssim_coefficients"] = data_.baseline_ssim_coefficients;
  if (!data_.provenance.is_null()) json["provenance"] = data_.provenance;
  return json;
}

const ProfileModel* RateQualityModel::FindProfile(const EncoderProfile& profile) const {
  for (const ProfileModel& candidate : data_.profiles) {
    if (candidate.profile == profile) return &candidate;
  }
  return nullptr;
}

double RateQualityModel::ViewerSsim(const RateModelContent& content, double ssim_fresh,
                                    double encoded_fps) const {
  if (!(encoded_fps > 0.0) || encoded_fps >= content.fps) return ssim_fresh;
  const std::vector<double> ages = RepeatAgeDistribution(content.fps, encoded_fps);
  double viewer = 0.0;
  for (size_t age = 0; age < ages.size(); ++age) {
    double similarity = 1.0;
    if (age > 0) {
      similarity =
          SsimFromLogDistortion(Dot(data_.repeat_similarity_coefficients,
                                    RepeatSimilarityFeatures(content, static_cast<int>(age))));
    }
    viewer += ages[age] * ssim_fresh * similarity;
  }
  return viewer;
}

StatusOr<RatePrediction> RateQualityModel::Predict(const RateModelContent& content,
                                                   const RateModelSettings& settings,
                                                   double ssim_bias) const {
  const ProfileModel* profile = FindProfile(settings.profile);
  if (profile == nullptr) {
    return Status::Error("rate model: no profile " + EncoderProfileName(settings.profile));
  }
  if (content.width < 1 || content.height < 1 || !(content.fps > 0.0)) {
    return Status::Error("rate model: content needs a size and a positive frame rate");
  }
  if (!(settings.resolution_scale > 0.0 && settings.resolution_scale <= 1.0) ||
      !(settings.frame_rate > 0.0)) {
    return Status::Error(
        "rate model: resolution scale must be in (0, 1] and the frame rate positive");
  }
  const std::vector<double> features = RateModelFeatures(content, settings);
  RatePrediction prediction;
  prediction.ssim_fresh =
      SsimFromLogDistortion(Dot(profile->ssim_coefficients, features) + ssim_bias);
  const double frame_rate = std::min(settings.frame_rate, content.fps);
  prediction.ssim_viewer = ViewerSsim(content, prediction.ssim_fresh, frame_rate);
  int width = 0;
  int height = 0;
  ScaledEncodeSize(content.width, content.height, settings.resolution_scale, &width, &height);
  const double pixels = static_cast<double>(width) * height;
  const double bits_per_pixel =
      std::exp(std::clamp(Dot(profile->bits_coefficients, features), -12.0, 3.0));
  prediction.kbps = bits_per_pixel * pixels * frame_rate / 1000.0;
  prediction.encode_ms = profile->EncodeMsPerMegapixel(content.screen_content) * pixels / 1e6;
  return prediction;
}

std::optional<double> RateQualityModel::QuantizerForTarget(const RateModelContent& content,
                                                           RateModelSettings settings,
                                                           double target, double ssim_bias,
                                                           double min_quantizer) const {
  // Bisection on a grid of quarter steps, on the (fitted, so smooth) assumption that quality
  // falls as the quantizer grows: the answer is the last grid point that still reaches the target.
  constexpr double kStep = 0.25;
  const double top = MaxQuantizerOf(settings.profile.codec);
  min_quantizer = std::clamp(min_quantizer, 0.0, top);
  auto reaches = [&](double quantizer) -> std::optional<bool> {
    settings.quantizer = quantizer;
    auto prediction = Predict(content, settings, ssim_bias);
    if (!prediction.ok()) return std::nullopt;
    return prediction->ssim_viewer >= target;
  };
  const auto at_top = reaches(top);
  if (!at_top) return std::nullopt;
  if (*at_top) return top;
  const auto at_bottom = reaches(min_quantizer);
  if (!at_bottom || !*at_bottom) return std::nullopt;
  int low = 0;  // grid index from min_quantizer: reaches
  int high = static_cast<int>(std::ceil((top - min_quantizer) / kStep));  // does not reach
  while (high - low > 1) {
    const int middle = (low + high) / 2;
    const auto result = reaches(std::min(top, min_quantizer + middle * kStep));
    if (!result) return std::nullopt;
    (*result ? low : high) = middle;
  }
  return min_quantizer + low * kStep;
}

double RateQualityModel::PredictBaselineSsim(const RateModelContent& content, double kbps,
                                             double fps) const {
  const double frame_rate = std::min(fps, content.fps);
  const double fresh = SsimFromLogDistortion(
      Dot(data_.baseline_ssim_coefficients, BaselineFeatures(content, kbps, frame_rate)));
  return ViewerSsim(content, fresh, frame_rate);
}

StatusOr<std::unique_ptr<RateQualityModel>> LoadDefaultRateQualityModel() {
  if (const char* path = std::getenv("AURALINK_VIDEO_RATE_MODEL");
      path != nullptr && *path != '\0') {
    return RateQualityModel::Load(path);
  }
  const nlohmann::json json =
      nlohmann::json::parse(kEmbeddedRateModelJson, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::Error("embedded video rate model: not valid JSON");
  auto model = RateQualityModel::FromJson(json);
  if (!model.ok()) return model.status().WithContext("embedded video rate model");
  return model;
}

}  // namespace auralink::video
