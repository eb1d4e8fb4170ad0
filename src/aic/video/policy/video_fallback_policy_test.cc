#include "aic/video/policy/video_fallback_policy.h"

#include <gtest/gtest.h>

namespace auralink::video {
namespace {

VideoFallbackConfig Config() {
  VideoFallbackConfig config;
  config.max_latency_ms = 30.0;
  config.latency_strikes = 3;
  config.min_quality = 0.8;
  config.quality_window = 3;
  config.hold_ms = 2000;
  config.max_hold_ms = 8000;
  return config;
}

TEST(VideoFallbackPolicyTest, SlowFramesInARowTriggerALatencyFallbackForTheHoldTime) {
  VideoFallbackPolicy policy(Config());
  policy.OnFrameTime(0, 40);
  policy.OnFrameTime(40, 20);  // the streak breaks
  policy.OnFrameTime(80, 40);
  policy.OnFrameTime(120, 40);
  EXPECT_FALSE(policy.Active(120));
  policy.OnFrameTime(160, 40);
  EXPECT_TRUE(policy.Active(160));
  EXPECT_EQ(policy.reason(), FallbackReason::kLatency);
  EXPECT_NE(policy.detail().find("budget"), std::string::npos);
  EXPECT_TRUE(policy.Active(2159));
  EXPECT_FALSE(policy.Active(2160));
  EXPECT_EQ(policy.counters().latency, 1);
}

TEST(VideoFallbackPolicyTest, OneFrameOverTwiceTheBudgetIsEnough) {
  VideoFallbackPolicy policy(Config());
  policy.OnFrameTime(0, 61);
  EXPECT_TRUE(policy.Active(0));
}

TEST(VideoFallbackPolicyTest, QualityUnderTheFloorTriggersUnlessTheCapExplainsIt) {
  VideoFallbackPolicy policy(Config());
  for (int i = 0; i < 5; ++i) policy.OnQualityMeasured(i * 200, 0.7, /*bandwidth_limited=*/true);
  EXPECT_FALSE(policy.Active(1000));
  policy.OnQualityMeasured(1200, 0.85, false);
  policy.OnQualityMeasured(1400, 0.70, false);
  EXPECT_FALSE(policy.Active(1400));  // the window is not full yet
  policy.OnQualityMeasured(1600, 0.88, false);
  EXPECT_FALSE(policy.Active(1600));  // mean (0.85 + 0.70 + 0.88) / 3 = 0.81
  policy.OnQualityMeasured(1800, 0.70, false);
  EXPECT_TRUE(policy.Active(1800));  // mean (0.70 + 0.88 + 0.70) / 3 = 0.76
}

TEST(VideoFallbackPolicyTest, MeanOfTheWindowDecides) {
  VideoFallbackPolicy policy(Config());
  policy.OnQualityMeasured(0, 0.90, false);
  policy.OnQualityMeasured(200, 0.78, false);
  policy.OnQualityMeasured(400, 0.79, false);
  EXPECT_FALSE(policy.Active(400));  // mean 0.823
  policy.OnQualityMeasured(600, 0.70, false);
  EXPECT_TRUE(policy.Active(600));  // mean 0.757
  EXPECT_EQ(policy.reason(), FallbackReason::kQuality);
  EXPECT_EQ(policy.counters().quality, 1);
}

TEST(VideoFallbackPolicyTest, RepeatedFallbacksHoldLongerAndReportsDuringOneAreIgnored) {
  VideoFallbackPolicy policy(Config());
  policy.OnEncoderError(0, "boom");
  EXPECT_TRUE(policy.Active(0));
  EXPECT_EQ(policy.reason(), FallbackReason::kEncoderError);
  EXPECT_EQ(policy.fallback_until_ms(), 2000);
  policy.OnFrameTime(100, 500);  // the baseline's time: not counted
  EXPECT_EQ(policy.counters().latency, 0);
  EXPECT_FALSE(policy.Active(2000));
  policy.OnEncoderError(3000, "boom");
  EXPECT_EQ(policy.fallback_until_ms(), 3000 + 4000);
  EXPECT_FALSE(policy.Active(7000));
  policy.OnEncoderError(8000, "boom");
  EXPECT_EQ(policy.fallback_until_ms(), 8000 + 8000);  // capped at max_hold_ms
  EXPECT_FALSE(policy.Active(16000));
  // A minute later the hold starts over.
  policy.OnEncoderError(80000, "boom");
  EXPECT_EQ(policy.fallback_until_ms(), 82000);
  EXPECT_EQ(policy.counters().encoder_error, 4);
  EXPECT_EQ(policy.counters().total(), 4);
}

}  // namespace
}  // namespace auralink::video
