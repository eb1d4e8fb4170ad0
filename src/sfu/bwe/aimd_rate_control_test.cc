#include "sfu/bwe/aimd_rate_control.h"

#include <gtest/gtest.h>

#include <cmath>

namespace auralink::sfu {
namespace {

constexpr AimdRateControl::Config kConfig = {
    .min_bitrate_bps = 50'000, .max_bitrate_bps = 5'000'000, .start_bitrate_bps = 1'000'000};

TEST(AimdRateControlTest, OveruseCutsToBetaTimesAcknowledgedRate) {
  AimdRateControl control(kConfig);
  EXPECT_EQ(control.Update(BandwidthUsage::kOverusing, 900'000, 1000), 765'000);
  EXPECT_TRUE(control.link_capacity_bps().has_value());
  // Not again within one round trip.
  control.SetRoundTripTime(100);
  EXPECT_EQ(control.Update(BandwidthUsage::kOverusing, 600'000, 1050), 765'000);
  EXPECT_EQ(control.Update(BandwidthUsage::kOverusing, 600'000, 1200), 510'000);
}

TEST(AimdRateControlTest, GrowsAboutEightPercentPerSecondWithoutCapacityEstimate) {
  AimdRateControl control(kConfig);
  int64_t rate = 0;
  for (int64_t t = 0; t <= 10'000; t += 100) rate = control.Update(BandwidthUsage::kNormal, {}, t);
  const double expected = 1'000'000 * std::pow(1.08, 9.9);  // the first update only starts
  EXPECT_NEAR(static_cast<double>(rate), expected, expected * 0.02);
}

TEST(AimdRateControlTest, IncreaseIsCappedByAcknowledgedRate) {
  AimdRateControl control(kConfig);
  int64_t rate = 0;
  for (int64_t t = 0; t <= 20'000; t += 100) {
    rate = control.Update(BandwidthUsage::kNormal, 400'000, t);
  }
  EXPECT_EQ(rate, 1'000'000);  // already above 1.5 x 400k + 10k: held
  AimdRateControl low({.min_bitrate_bps = 50'000, .start_bitrate_bps = 100'000});
  for (int64_t t = 0; t <= 20'000; t += 100) {
    rate = low.Update(BandwidthUsage::kNormal, 200'000, t);
  }
  EXPECT_EQ(rate, 310'000);
}

TEST(AimdRateControlTest, UnderuseHoldsAndBoundsApply) {
  AimdRateControl control(kConfig);
  for (int64_t t = 0; t <= 5'000; t += 100) {
    EXPECT_EQ(control.Update(BandwidthUsage::kUnderusing, {}, t), 1'000'000);
  }
  int64_t rate = 0;
  for (int64_t t = 0; t <= 10'000; t += 50) {
    rate = control.Update(BandwidthUsage::kOverusing, 1'000, 100'000 + t);
  }
  EXPECT_EQ(rate, kConfig.min_bitrate_bps);
}

}  // namespace
}  // namespace auralink::sfu
