#include "aic/video/policy/aic_video_settings.h"

#include <gtest/gtest.h>

namespace auralink::video {
namespace {

TEST(AicVideoSettingsTest, DefaultsAreAdaptiveWithPredictionAndRegionsOfInterest) {
  auto settings = ParseAicVideoSettings("{}");
  ASSERT_TRUE(settings.ok()) << settings.status().message();
  EXPECT_EQ(settings->mode, AicMode::kAdaptive);
  EXPECT_TRUE(settings->enable_predictive_compression);
  EXPECT_TRUE(settings->enable_perceptual_optimization);
  EXPECT_EQ(settings->target_compression_ratio, 0.0);
  EXPECT_EQ(settings->max_latency_ms, 0.0);
}

TEST(AicVideoSettingsTest, ParsesEveryKeyAndRoundTrips) {
  auto settings = ParseAicVideoSettings(
      R"({"mode": "aggressive", "min_quality_score": 0.85, "max_latency_ms": 25,
          "target_compression_ratio": 4, "enable_predictive_compression": false,
          "enable_perceptual_optimization": false})");
  ASSERT_TRUE(settings.ok()) << settings.status().message();
  EXPECT_EQ(settings->mode, AicMode::kAggressive);
  EXPECT_DOUBLE_EQ(settings->min_quality_score, 0.85);
  EXPECT_DOUBLE_EQ(settings->max_latency_ms, 25.0);
  EXPECT_DOUBLE_EQ(settings->target_compression_ratio, 4.0);
  EXPECT_FALSE(settings->enable_predictive_compression);
  EXPECT_FALSE(settings->enable_perceptual_optimization);
  auto again = AicVideoSettingsFromJson(AicVideoSettingsToJson(*settings));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(AicVideoSettingsToJson(*again), AicVideoSettingsToJson(*settings));
}

TEST(AicVideoSettingsTest, RefusesBadInputWithMessagesNamingTheKey) {
  struct Case {
    const char* json;
    const char* mentions;
  };
  const Case cases[] = {
      {"not json", "not valid JSON"},
      {"[1, 2]", "object"},
      {R"({"mode": "turbo"})", "turbo"},
      {R"({"mode": 3})", "mode"},
      {R"({"min_quality_score": 1.5})", "min_quality_score"},
      {R"({"min_quality_score": "high"})", "min_quality_score"},
      {R"({"max_latency_ms": -1})", "max_latency_ms"},
      {R"({"target_compression_ratio": 0.5})", "target_compression_ratio"},
      {R"({"enable_predictive_compression": 1})", "enable_predictive_compression"},
      {R"({"enable_perceptual_optimisation": true})", "unknown key"},
  };
  for (const Case& c : cases) {
    auto settings = ParseAicVideoSettings(c.json);
    ASSERT_FALSE(settings.ok()) << c.json;
    EXPECT_NE(settings.status().message().find(c.mentions), std::string::npos)
        << c.json << " -> " << settings.status().message();
  }
}

TEST(AicVideoSettingsTest, ModesOrderTheirTargetsAroundTheReference) {
  AicVideoSettings settings;
  settings.min_quality_score = 0.5;
  const double reference = 0.93;
  settings.mode = AicMode::kConservative;
  const double conservative = AicQualityTarget(settings, reference);
  settings.mode = AicMode::kAdaptive;
  const double adaptive = AicQualityTarget(settings, reference);
  settings.mode = AicMode::kAggressive;
  const double aggressive = AicQualityTarget(settings, reference);
  EXPECT_GE(conservative, reference);
  EXPECT_LT(adaptive, reference);
  EXPECT_GE(adaptive, reference - 0.005);
  EXPECT_LT(aggressive, adaptive);
}

TEST(AicVideoSettingsTest, TargetStaysWithinTheRangeAndAboveTheFloor) {
  AicVideoSettings settings;
  settings.min_quality_score = 0.5;
  EXPECT_DOUBLE_EQ(AicQualityTarget(settings, 0.999), kMaxQualityTarget);
  EXPECT_DOUBLE_EQ(AicQualityTarget(settings, 0.3), kMinQualityTarget);
  settings.min_quality_score = 0.95;
  EXPECT_GE(AicQualityTarget(settings, 0.90), 0.95 + kQualityFloorMargin - 1e-12);
}

}  // namespace
}  // namespace auralink::video
