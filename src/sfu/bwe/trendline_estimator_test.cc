#include "sfu/bwe/trendline_estimator.h"

#include <gtest/gtest.h>

namespace auralink::sfu {
namespace {

// Packets sent every 10 ms (one per group); each arrives `extra_us` later than the spacing
// it was sent with, i.e. the queue grows (positive) or drains (negative) by that much.
BandwidthUsage Feed(TrendlineEstimator* estimator, int64_t* send_us, int64_t* arrival_us,
                    int packets, int64_t extra_us) {
  for (int i = 0; i < packets; ++i) {
    *send_us += 10'000;
    *arrival_us += 10'000 + extra_us;
    estimator->OnPacket(*send_us, *arrival_us);
  }
  return estimator->state();
}

TEST(TrendlineEstimatorTest, SteadyDelayIsNormal) {
  TrendlineEstimator estimator;
  int64_t send = 0;
  int64_t arrival = 50'000;
  EXPECT_EQ(Feed(&estimator, &send, &arrival, 200, 0), BandwidthUsage::kNormal);
  EXPECT_NEAR(estimator.trend(), 0.0, 1e-9);
}

TEST(TrendlineEstimatorTest, GrowingQueueIsOveruseAndDrainingIsUnderuse) {
  TrendlineEstimator estimator;
  int64_t send = 0;
  int64_t arrival = 50'000;
  Feed(&estimator, &send, &arrival, 50, 0);
  // 1 ms more queueing per 10 ms: the link carries 10/11 of what is sent.
  bool overused = false;
  for (int i = 0; i < 40 && !overused; ++i) {
    overused = Feed(&estimator, &send, &arrival, 1, 1'000) == BandwidthUsage::kOverusing;
  }
  EXPECT_TRUE(overused);
  EXPECT_GT(estimator.trend(), 0);
  bool underused = false;
  for (int i = 0; i < 60 && !underused; ++i) {
    underused = Feed(&estimator, &send, &arrival, 1, -2'000) == BandwidthUsage::kUnderusing;
  }
  EXPECT_TRUE(underused);
}

TEST(TrendlineEstimatorTest, JitterWithoutTrendStaysNormal) {
  TrendlineEstimator estimator;
  int64_t send = 0;
  int64_t arrival = 50'000;
  int overuse_signals = 0;
  for (int i = 0; i < 400; ++i) {
    const int64_t jitter = (i % 2 == 0) ? 3'000 : -3'000;
    if (Feed(&estimator, &send, &arrival, 1, jitter) == BandwidthUsage::kOverusing) {
      ++overuse_signals;
    }
  }
  EXPECT_EQ(overuse_signals, 0);
}

}  // namespace
}  // namespace auralink::sfu
