#include "aic/video/policy/rate_quality_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace auralink::video {
namespace {

// A model with known coefficients: log(1 - SSIM) = -5 + 4 q (q the quantizer over its range),
// log(bits per pixel) = -1 - 5 q, repeat similarity 1 - exp(-3 + 0.5 log gap), 10 ms per MP.
RateQualityModelData KnownData() {
  RateQualityModelData data;
  const size_t features = RateModelFeatureNames().size();
  for (VideoCodecType codec : {VideoCodecType::kAv1, VideoCodecType::kVp8}) {
    ProfileModel profile;
    profile.profile = {codec, codec == VideoCodecType::kAv1 ? 6 : -6};
    profile.ssim_coefficients.assign(features, 0.0);
    profile.ssim_coefficients[0] = -5.0;
    profile.ssim_coefficients[1] = 4.0;
    profile.bits_coefficients.assign(features, 0.0);
    profile.bits_coefficients[0] = -1.0;
    profile.bits_coefficients[1] = -5.0;
    profile.encode_ms_per_megapixel = 10.0;
    data.profiles.push_back(profile);
  }
  data.repeat_similarity_coefficients.assign(RepeatSimilarityFeatureNames().size(), 0.0);
  data.repeat_similarity_coefficients[0] = -3.0;
  data.repeat_similarity_coefficients.back() = 0.5;
  data.baseline_ssim_coefficients.assign(BaselineFeatureNames().size(), 0.0);
  data.baseline_ssim_coefficients[0] = -4.0;
  data.baseline_ssim_coefficients[1] = -0.5;  // more bits per pixel, better
  return data;
}

RateModelContent TalkingHead() {
  RateModelContent content;
  content.spatial_information = 60;
  content.temporal_information = 12;
  content.motion_pixels = 1.5;
  content.changed_block_fraction = 0.4;
  content.width = 512;
  content.height = 512;
  content.fps = 25;
  return content;
}

std::unique_ptr<RateQualityModel> KnownModel() {
  auto model = RateQualityModel::Create(KnownData());
  EXPECT_TRUE(model.ok()) << model.status().message();
  return model.ok() ? std::move(*model) : nullptr;
}

TEST(RateQualityModelTest, PredictsWhatItsCoefficientsSay) {
  auto model = KnownModel();
  ASSERT_NE(model, nullptr);
  RateModelSettings settings{{VideoCodecType::kAv1, 6}, 31.5, 1.0, 25.0};
  auto prediction = model->Predict(TalkingHead(), settings);
  ASSERT_TRUE(prediction.ok()) << prediction.status().message();
  const double q = 31.5 / 63.0;
  EXPECT_NEAR(prediction->ssim_fresh, 1.0 - std::exp(-5.0 + 4.0 * q), 1e-12);
  EXPECT_DOUBLE_EQ(prediction->ssim_viewer, prediction->ssim_fresh);  // full frame rate
  EXPECT_NEAR(prediction->kbps, std::exp(-1.0 - 5.0 * q) * 512 * 512 * 25 / 1000.0, 1e-9);
  EXPECT_NEAR(prediction->encode_ms, 10.0 * 512 * 512 / 1e6, 1e-12);
  // The bias shifts log(1 - SSIM).
  auto biased = model->Predict(TalkingHead(), settings, 0.5);
  ASSERT_TRUE(biased.ok());
  EXPECT_NEAR(1.0 - biased->ssim_fresh, (1.0 - prediction->ssim_fresh) * std::exp(0.5), 1e-12);
}

TEST(RateQualityModelTest, RepeatedFramesLowerTheViewerSideQuality) {
  auto model = KnownModel();
  ASSERT_NE(model, nullptr);
  RateModelSettings settings{{VideoCodecType::kAv1, 6}, 30.0, 1.0, 20.0};
  auto prediction = model->Predict(TalkingHead(), settings);
  ASSERT_TRUE(prediction.ok());
  // 25 -> 20 fps: a fifth of the frames is shown one frame late.
  const double similarity = 1.0 - std::exp(-3.0);
  EXPECT_NEAR(prediction->ssim_viewer, prediction->ssim_fresh * (0.8 + 0.2 * similarity), 1e-9);
  const std::vector<double> ages = RepeatAgeDistribution(25.0, 20.0);
  ASSERT_EQ(ages.size(), 2u);
  EXPECT_NEAR(ages[0], 0.8, 1e-3);
  EXPECT_NEAR(ages[1], 0.2, 1e-3);
  const std::vector<double> third = RepeatAgeDistribution(30.0, 10.0);
  ASSERT_EQ(third.size(), 3u);
  for (double share : third) EXPECT_NEAR(share, 1.0 / 3.0, 1e-2);
}

TEST(RateQualityModelTest, InvertsToTheCoarsestQuantizerThatReachesTheTarget) {
  auto model = KnownModel();
  ASSERT_NE(model, nullptr);
  RateModelSettings settings{{VideoCodecType::kVp8, -6}, 0.0, 1.0, 25.0};
  const double target = 0.95;
  auto quantizer = model->QuantizerForTarget(TalkingHead(), settings, target);
  ASSERT_TRUE(quantizer.has_value());
  // Analytically: -5 + 4 q = log(0.05).
  const double exact = (std::log(0.05) + 5.0) / 4.0 * 63.0;
  EXPECT_LE(*quantizer, exact);
  EXPECT_GT(*quantizer, exact - 0.25);
  settings.quantizer = *quantizer;
  EXPECT_GE(model->Predict(TalkingHead(), settings)->ssim_viewer, target);
  settings.quantizer = *quantizer + 0.25;
  EXPECT_LT(model->Predict(TalkingHead(), settings)->ssim_viewer, target);
  // Out of reach, and reachable even at the coarsest quantizer.
  EXPECT_FALSE(model->QuantizerForTarget(TalkingHead(), settings, 0.9999).has_value());
  EXPECT_EQ(model->QuantizerForTarget(TalkingHead(), settings, 0.5), 63.0);
}

TEST(RateQualityModelTest, BaselineQualityRisesWithItsBitrate) {
  auto model = KnownModel();
  ASSERT_NE(model, nullptr);
  const double low = model->PredictBaselineSsim(TalkingHead(), 250, 20);
  const double high = model->PredictBaselineSsim(TalkingHead(), 1000, 20);
  EXPECT_LT(low, high);
  EXPECT_GT(low, 0.0);
  EXPECT_LT(high, 1.0);
}

TEST(RateQualityModelTest, JsonRoundTripsAndRejectsBrokenFiles) {
  auto model = KnownModel();
  ASSERT_NE(model, nullptr);
  const nlohmann::json json = model->ToJson();
  auto again = RateQualityModel::FromJson(json);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ((*again)->ToJson(), json);

  auto broken = [&](auto change, const char* mentions) {
    nlohmann::json copy = json;
    change(copy);
    auto result = RateQualityModel::FromJson(copy);
    ASSERT_FALSE(result.ok()) << mentions;
    EXPECT_NE(result.status().message().find(mentions), std::string::npos)
        << result.status().message();
  };
  broken([](nlohmann::json& j) { j["version"] = 2; }, "version");
  broken([](nlohmann::json& j) { j["features"][1] = "qp"; }, "features");
  broken([](nlohmann::json& j) { j["profiles"][0]["ssim_coefficients"].erase(0); }, "coefficients");
  broken([](nlohmann::json& j) { j["profiles"][0]["bits_coefficients"][2] = "x"; }, "non-number");
  broken([](nlohmann::json& j) { j["profiles"][0]["codec"] = "hevc"; }, "hevc");
  broken([](nlohmann::json& j) { j["profiles"][1] = j["profiles"][0]; }, "twice");
  broken([](nlohmann::json& j) { j["profiles"][0]["encode_ms_per_megapixel"] = -1; }, "encode_ms");
  broken([](nlohmann::json& j) { j.erase("baseline_ssim_coefficients"); },
         "baseline_ssim_coefficients");
  broken([](nlohmann::json& j) { j["profiles"] = nlohmann::json::array(); }, "no encoder profiles");
}

TEST(RateQualityModelTest, LoadNamesTheFileInItsErrors) {
  auto missing = RateQualityModel::Load("/nonexistent/model.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/model.json"), std::string::npos);
  const std::string path =
      (std::filesystem::temp_directory_path() / "auralink_rate_model_test.json").string();
  {
    std::ofstream file(path);
    file << "{ not json";
  }
  auto garbage = RateQualityModel::Load(path);
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("not valid JSON"), std::string::npos);
  std::remove(path.c_str());
}

TEST(RateQualityModelTest, ScaledSizesAreEvenAndWithinTheSource) {
  int width = 0;
  int height = 0;
  ScaledEncodeSize(1280, 720, 0.75, &width, &height);
  EXPECT_EQ(width, 960);
  EXPECT_EQ(height, 540);
  ScaledEncodeSize(352, 288, 0.5, &width, &height);
  EXPECT_EQ(width, 176);
  EXPECT_EQ(height, 144);
  ScaledEncodeSize(351, 287, 1.0, &width, &height);
  EXPECT_EQ(width, 351);  // scale 1 keeps the source as it is
  EXPECT_EQ(height, 287);
  ScaledEncodeSize(20, 20, 0.1, &width, &height);
  EXPECT_EQ(width, 16);
  EXPECT_EQ(height, 16);
}

// The committed model (data/video_rate_model.json, embedded at build time) loads and behaves:
// quality falls and bits fall as the quantizer grows, for every profile, on talking-head content.
TEST(RateQualityModelTest, CommittedModelLoadsAndIsMonotonic) {
  auto model = LoadDefaultRateQualityModel();
  ASSERT_TRUE(model.ok()) << model.status().message();
  for (const ProfileModel& profile : (*model)->data().profiles) {
    const int top = MaxQuantizerOf(profile.profile.codec);
    double previous_ssim = 2.0;
    double previous_kbps = 1e12;
    for (int quantizer = top / 3; quantizer <= top; quantizer += 4) {
      RateModelSettings settings{profile.profile, static_cast<double>(quantizer), 1.0, 25.0};
      auto prediction = (*model)->Predict(TalkingHead(), settings);
      ASSERT_TRUE(prediction.ok());
      EXPECT_LT(prediction->ssim_viewer, previous_ssim)
          << EncoderProfileName(profile.profile) << " q" << quantizer;
      EXPECT_LT(prediction->kbps, previous_kbps)
          << EncoderProfileName(profile.profile) << " q" << quantizer;
      previous_ssim = prediction->ssim_viewer;
      previous_kbps = prediction->kbps;
    }
  }
  const double baseline = (*model)->PredictBaselineSsim(TalkingHead(), 500, 20);
  EXPECT_GT(baseline, 0.8);
  EXPECT_LT(baseline, 0.99);
}

}  // namespace
}  // namespace auralink::video
