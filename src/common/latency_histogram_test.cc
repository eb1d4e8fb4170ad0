#include "common/latency_histogram.h"

#include <gtest/gtest.h>

namespace auralink {
namespace {

TEST(LatencyHistogramTest, PercentilesOfKnownSamples) {
  LatencyHistogram histogram;
  for (int delay = 1; delay <= 100; ++delay) histogram.Add(delay);  // 1..100 us
  EXPECT_EQ(histogram.count(), 100u);
  EXPECT_EQ(histogram.Percentile(0.5), 50);
  EXPECT_EQ(histogram.Percentile(0.99), 99);
  EXPECT_EQ(histogram.Percentile(1.0), 100);
  EXPECT_DOUBLE_EQ(histogram.MeanUs(), 50.5);
  EXPECT_EQ(histogram.MaxUs(), 100);
}

TEST(LatencyHistogramTest, ClampsAndMerges) {
  LatencyHistogram a, b;
  a.Add(-5);  // counts as 0
  b.Add(LatencyHistogram::kMaxTrackedUs * 3);
  a.Merge(b);
  EXPECT_EQ(a.count(), 2u);
  EXPECT_EQ(a.Percentile(0.5), 0);
  EXPECT_EQ(a.Percentile(1.0), LatencyHistogram::kMaxTrackedUs);
  EXPECT_EQ(a.MaxUs(), LatencyHistogram::kMaxTrackedUs * 3);
  a.Clear();
  EXPECT_EQ(a.count(), 0u);
  EXPECT_EQ(a.Percentile(0.99), 0);
}

}  // namespace
}  // namespace auralink
