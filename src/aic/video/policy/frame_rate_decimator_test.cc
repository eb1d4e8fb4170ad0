#include "aic/video/policy/frame_rate_decimator.h"

#include <gtest/gtest.h>

#include <cmath>

namespace auralink::video {
namespace {

int KeptOf(FrameRateDecimator& decimator, int first, int count) {
  int kept = 0;
  for (int i = first; i < first + count; ++i) kept += decimator.Keep(i) ? 1 : 0;
  return kept;
}

TEST(FrameRateDecimatorTest, KeepsTheRequestedShareEvenlySpread) {
  FrameRateDecimator decimator(25.0, 20.0);
  // Four of every five, never two drops in a row.
  bool previous_kept = true;
  int kept = 0;
  for (int i = 0; i < 100; ++i) {
    const bool keep = decimator.Keep(i);
    EXPECT_TRUE(keep || previous_kept) << "two drops in a row at " << i;
    previous_kept = keep;
    kept += keep ? 1 : 0;
  }
  EXPECT_EQ(kept, 80);
}

TEST(FrameRateDecimatorTest, HalvesAndKeepsAll) {
  FrameRateDecimator half(30.0, 15.0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(half.Keep(i), i % 2 == 0) << i;
  FrameRateDecimator all(25.0, 30.0);
  EXPECT_EQ(KeptOf(all, 0, 50), 50);
}

TEST(FrameRateDecimatorTest, MatchesTheBrowserRuleForNtscRates) {
  // 29.97 -> 20: the same count as floor(i * 20 / 29.97) advancing from frame 0.
  FrameRateDecimator decimator(30000.0 / 1001.0, 20.0);
  int expected = 1;
  for (int i = 1; i < 90; ++i) {
    const double ratio = 20.0 / (30000.0 / 1001.0);
    expected += std::floor(i * ratio) != std::floor((i - 1) * ratio) ? 1 : 0;
  }
  EXPECT_EQ(KeptOf(decimator, 0, 90), expected);
}

TEST(FrameRateDecimatorTest, ARateChangeStartsANewPatternAtTheNextFrame) {
  FrameRateDecimator decimator(30.0, 10.0);
  EXPECT_TRUE(decimator.Keep(0));
  EXPECT_FALSE(decimator.Keep(1));
  decimator.SetRates(30.0, 15.0);
  EXPECT_TRUE(decimator.Keep(2));
  EXPECT_FALSE(decimator.Keep(3));
  EXPECT_TRUE(decimator.Keep(4));
}

}  // namespace
}  // namespace auralink::video
