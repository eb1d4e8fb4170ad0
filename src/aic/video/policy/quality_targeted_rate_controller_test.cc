#include "aic/video/policy/quality_targeted_rate_controller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "aic/video/policy/test_rate_model.h"

namespace auralink::video {
namespace {

using testing::SyntheticRateModel;

RateControllerConfig Config() {
  RateControllerConfig config;
  config.width = 512;
  config.height = 512;
  config.fps = 25.0;
  config.baseline_kbps = 500;
  config.baseline_fps = 20;
  config.settings.min_quality_score = 0.5;
  return config;
}

FrameFeatures Features(double ti = 10.0, bool cut = false) {
  FrameFeatures features;
  features.spatial_information = 60.0;
  features.temporal_information = ti;
  features.mean_motion_pixels = 1.5;
  features.changed_block_fraction = 0.4;
  features.scene_cut = cut;
  return features;
}

// "Reality" for the closed loop: the model's SSIM with log(1 - SSIM) off by `bias`.
double TrueSsim(const RateQualityModel& model, const RateModelContent& content,
                const RateDecision& decision, double bias) {
  RateModelSettings settings{decision.profile, std::round(decision.quantizer),
                             decision.resolution_scale, decision.frame_rate};
  return model.Predict(content, settings, bias)->ssim_fresh;
}

TEST(QualityTargetedRateControllerTest, ChoosesTheCheapestProfileThatReachesTheTarget) {
  auto model = SyntheticRateModel();
  ASSERT_NE(model, nullptr);
  auto controller = QualityTargetedRateController::Create(Config(), model.get());
  ASSERT_TRUE(controller.ok()) << controller.status().message();
  const FrameFeatures features = Features();
  (*controller)->OnFrame(0, &features);
  (*controller)->OnFrame(40, &features);
  const RateDecision& decision = (*controller)->decision();
  // 512x512: a 23 ms encode budget (70 % of a 30 fps frame) fits AV1 speed 6 (21 ms), the most
  // efficient.
  EXPECT_EQ(decision.profile, (EncoderProfile{VideoCodecType::kAv1, 6}));
  EXPECT_EQ(decision.resolution_scale, 1.0);  // smaller pictures lose more than they save here
  EXPECT_DOUBLE_EQ(decision.frame_rate, 25.0);
  // Adaptive: 0.003 under the reference, and the quantizer is the coarsest that gets there.
  EXPECT_NEAR(decision.target_ssim, decision.reference_ssim - 0.003, 1e-12);
  EXPECT_GE(decision.predicted_ssim, decision.target_ssim);
  RateModelSettings coarser{decision.profile, decision.quantizer + 0.25, decision.resolution_scale,
                            decision.frame_rate};
  EXPECT_LT(model->Predict((*controller)->SceneContent(), coarser)->ssim_viewer,
            decision.target_ssim);
}

TEST(QualityTargetedRateControllerTest, CpuBudgetRulesOutSlowProfiles) {
  auto model = SyntheticRateModel();
  RateControllerConfig config = Config();
  config.width = 1280;
  config.height = 720;
  config.fps = 30;
  auto controller = QualityTargetedRateController::Create(config, model.get());
  ASSERT_TRUE(controller.ok());
  const FrameFeatures features = Features();
  (*controller)->OnFrame(0, &features);
  (*controller)->OnFrame(33, &features);
  // 23 ms per frame: AV1 speed 6 needs 74 ms at 720p and 18 ms at half size, speed 10 needs 18 ms.
  const RateDecision& decision = (*controller)->decision();
  const bool fits = decision.profile == EncoderProfile{VideoCodecType::kAv1, 10} ||
                    (decision.profile == EncoderProfile{VideoCodecType::kAv1, 6} &&
                     decision.resolution_scale <= 0.5);
  EXPECT_TRUE(fits) << EncoderProfileName(decision.profile) << " at " << decision.resolution_scale;
}

TEST(QualityTargetedRateControllerTest, ClosedLoopConvergesOnTheTargetDespiteAWrongModel) {
  auto model = SyntheticRateModel();
  auto controller = QualityTargetedRateController::Create(Config(), model.get());
  ASSERT_TRUE(controller.ok());
  const FrameFeatures features = Features();
  // Reality is 40 % more distorted than the model thinks (bias log 1.4).
  const double truth_bias = std::log(1.4);
  for (int frame = 0; frame < 200; ++frame) {
    (*controller)->OnFrame(frame * 40, &features);
    if (frame % 5 == 4) {
      const RateDecision& decision = (*controller)->decision();
      (*controller)
          ->OnQualityMeasured(
              TrueSsim(*model, (*controller)->SceneContent(), decision, truth_bias));
    }
  }
  const RateDecision& decision = (*controller)->decision();
  const double reached = TrueSsim(*model, (*controller)->SceneContent(), decision, truth_bias);
  EXPECT_GE(reached, decision.target_ssim - 0.002);
  EXPECT_LE(reached, decision.target_ssim + 0.004);
  EXPECT_NEAR((*controller)->quality_bias(decision.profile), truth_bias, 0.05);
}

TEST(QualityTargetedRateControllerTest, ASceneCutRestartsTheContentAverages) {
  auto model = SyntheticRateModel();
  auto controller = QualityTargetedRateController::Create(Config(), model.get());
  ASSERT_TRUE(controller.ok());
  FrameFeatures calm = Features(5.0);
  for (int frame = 0; frame < 30; ++frame) (*controller)->OnFrame(frame * 40, &calm);
  const double calm_kbps = (*controller)->decision().predicted_kbps;
  FrameFeatures cut = Features(60.0, /*cut=*/true);
  FrameFeatures busy = Features(40.0);
  (*controller)->OnFrame(30 * 40, &cut);
  (*controller)->OnFrame(31 * 40, &busy);
  EXPECT_EQ((*controller)->stats().scene_cuts, 1);
  EXPECT_NEAR((*controller)->SceneContent().temporal_information, 40.0, 1e-9);
  EXPECT_GT((*controller)->decision().predicted_kbps, calm_kbps);
}

TEST(QualityTargetedRateControllerTest, BandwidthCapWalksTheLadderAndBack) {
  auto model = SyntheticRateModel();
  auto controller = QualityTargetedRateController::Create(Config(), model.get());
  ASSERT_TRUE(controller.ok());
  const FrameFeatures features = Features();
  int64_t now = 0;
  for (; now < 2000; now += 40) (*controller)->OnFrame(now, &features);
  const double free_kbps = (*controller)->decision().predicted_kbps;
  ASSERT_EQ((*controller)->decision().ladder_rung, 0);
  (*controller)->SetBandwidthCap(now, free_kbps * 0.5);
  const RateDecision& limited = (*controller)->decision();
  EXPECT_GT(limited.ladder_rung, 0);
  EXPECT_TRUE(limited.bandwidth_limited);
  EXPECT_LT(limited.predicted_kbps, free_kbps);
  EXPECT_LT(limited.target_ssim, limited.reference_ssim - 0.003);
  (*controller)->SetBandwidthCap(now, free_kbps * 2.0);
  for (; now < 40000; now += 40) (*controller)->OnFrame(now, &features);
  EXPECT_EQ((*controller)->decision().ladder_rung, 0);
  EXPECT_FALSE((*controller)->decision().bandwidth_limited);
}

TEST(QualityTargetedRateControllerTest, CompressionRatioGoalLowersTheTargetDownToTheFloorOnly) {
  auto model = SyntheticRateModel();
  RateControllerConfig config = Config();
  config.settings.target_compression_ratio = 1000;  // unreachable
  config.settings.min_quality_score = 0.9;
  auto controller = QualityTargetedRateController::Create(config, model.get());
  ASSERT_TRUE(controller.ok());
  const FrameFeatures features = Features();
  (*controller)->OnFrame(0, &features);
  (*controller)->OnFrame(40, &features);
  const RateDecision& decision = (*controller)->decision();
  EXPECT_LT(decision.target_ssim, decision.reference_ssim - 0.003);
  EXPECT_NEAR(decision.target_ssim, 0.9 + kQualityFloorMargin, kQualityFloorMargin / 2);
  EXPECT_GE(decision.predicted_ssim, decision.target_ssim);
}

TEST(QualityTargetedRateControllerTest, WithoutPredictionIntegralControlFindsTheTarget) {
  auto model = SyntheticRateModel();
  RateControllerConfig config = Config();
  config.settings.enable_predictive_compression = false;
  auto controller = QualityTargetedRateController::Create(config, model.get());
  ASSERT_TRUE(controller.ok());
  const FrameFeatures features = Features();
  (*controller)->OnFrame(0, &features);
  const double start = (*controller)->decision().quantizer;
  EXPECT_NEAR(start, 0.76 * 63, 1e-9);
  for (int frame = 1; frame < 400; ++frame) {
    (*controller)->OnFrame(frame * 40, &features);
    if (frame % 5 == 0) {
      const RateDecision& decision = (*controller)->decision();
      RateModelSettings settings{decision.profile, decision.quantizer, 1.0, 25.0};
      (*controller)
          ->OnQualityMeasured(model->Predict((*controller)->SceneContent(), settings)->ssim_fresh);
    }
  }
  const RateDecision& decision = (*controller)->decision();
  RateModelSettings settings{decision.profile, decision.quantizer, 1.0, 25.0};
  const double reached = model->Predict((*controller)->SceneContent(), settings)->ssim_fresh;
  EXPECT_NEAR(reached, decision.target_ssim, 0.003);
}

TEST(QualityTargetedRateControllerTest, AReducedSizeMustSaveEnoughToBeChosen) {
  // Downscaling costs no quality in this model, so 3/4 and 1/2 size save 44 % and 75 % of the
  // bits: taken unless the required saving is larger.
  RateQualityModelData data = testing::SyntheticRateModelData();
  const std::vector<std::string>& names = RateModelFeatureNames();
  const size_t scale_feature =
      std::find(names.begin(), names.end(), "log_resolution_scale") - names.begin();
  for (ProfileModel& profile : data.profiles) profile.ssim_coefficients[scale_feature] = 0.0;
  auto model = RateQualityModel::Create(data);
  ASSERT_TRUE(model.ok());
  const FrameFeatures features = Features();
  for (double saving : {0.15, 0.8}) {
    RateControllerConfig config = Config();
    config.downscale_saving = saving;
    auto controller = QualityTargetedRateController::Create(config, model->get());
    ASSERT_TRUE(controller.ok());
    (*controller)->OnFrame(0, &features);
    (*controller)->OnFrame(40, &features);
    EXPECT_EQ((*controller)->decision().resolution_scale, saving < 0.75 ? 0.5 : 1.0)
        << "saving " << saving;
  }
}

TEST(QualityTargetedRateControllerTest, MeasuredBaselineQualityTakesOverTheReferenceGradually) {
  auto model = SyntheticRateModel();
  auto controller = QualityTargetedRateController::Create(Config(), model.get());
  ASSERT_TRUE(controller.ok());
  const FrameFeatures features = Features();
  (*controller)->OnFrame(0, &features);
  (*controller)->OnFrame(40, &features);
  const double predicted = (*controller)->ReferenceSsim();
  const double measured = predicted + 0.02;
  for (int i = 0; i < 6; ++i) (*controller)->OnReferenceMeasured(measured);
  EXPECT_NEAR((*controller)->ReferenceSsim(), predicted + 0.5 * (measured - predicted), 1e-9);
  for (int i = 0; i < 6; ++i) (*controller)->OnReferenceMeasured(measured);
  EXPECT_NEAR((*controller)->ReferenceSsim(), measured, 1e-9);
  EXPECT_NEAR((*controller)->decision().target_ssim, measured - 0.003, 1e-9);
}

TEST(QualityTargetedRateControllerTest, ScreenContentIsTimedWithItsOwnEncodeCost) {
  // AV1 speed 6 needs 74 ms a frame for a 720p camera but 4 ms for screen content, which fits.
  RateQualityModelData data = testing::SyntheticRateModelData();
  data.profiles[0].screen_encode_ms_per_megapixel = 4.0;
  auto model = RateQualityModel::Create(data);
  ASSERT_TRUE(model.ok());
  RateControllerConfig config = Config();
  config.width = 1280;
  config.height = 720;
  FrameFeatures screen = Features(2.0);
  screen.content_class = ContentClass::kScreenContent;
  auto controller = QualityTargetedRateController::Create(config, model->get());
  ASSERT_TRUE(controller.ok());
  (*controller)->OnFrame(0, &screen);
  (*controller)->OnFrame(40, &screen);
  EXPECT_TRUE((*controller)->decision().screen_content);
  EXPECT_EQ((*controller)->decision().profile, (EncoderProfile{VideoCodecType::kAv1, 6}));
  EXPECT_EQ((*controller)->decision().resolution_scale, 1.0);
}

TEST(QualityTargetedRateControllerTest, RefusesBadConfigurations) {
  auto model = SyntheticRateModel();
  RateControllerConfig config = Config();
  EXPECT_FALSE(QualityTargetedRateController::Create(config, nullptr).ok());
  config.width = 0;
  EXPECT_FALSE(QualityTargetedRateController::Create(config, model.get()).ok());
  config = Config();
  config.fps = 0;
  EXPECT_FALSE(QualityTargetedRateController::Create(config, model.get()).ok());
  config = Config();
  config.profiles = {{VideoCodecType::kH264, -1}};  // the model has no H.264 profile
  EXPECT_FALSE(QualityTargetedRateController::Create(config, model.get()).ok());
}

}  // namespace
}  // namespace auralink::video
