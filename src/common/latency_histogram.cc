#include "common/latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace auralink {

LatencyHistogram::LatencyHistogram() : buckets_(kMaxTrackedUs + 1, 0) {}

void LatencyHistogram::Add(int64_t delay_us) {
  delay_us = std::max<int64_t>(delay_us, 0);
  ++buckets_[static_cast<size_t>(std::min(delay_us, kMaxTrackedUs))];
  ++count_;
  sum_us_ += delay_us;
  max_us_ = std::max(max_us_, delay_us);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_us_ += other.sum_us_;
  max_us_ = std::max(max_us_, other.max_us_);
}

void LatencyHistogram::Clear() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
  sum_us_ = 0;
  max_us_ = 0;
}

int64_t LatencyHistogram::Percentile(double fraction) const {
  if (count_ == 0) return 0;
  fraction = std::clamp(fraction, 0.0, 1.0);
  const uint64_t rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(fraction * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return static_cast<int64_t>(i);
  }
  return kMaxTrackedUs;
}

}  // namespace auralink
