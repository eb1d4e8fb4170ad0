// Delays in microseconds, kept as counts per microsecond up to kMaxTrackedUs (larger values share
// the last bucket), so that every packet can be recorded in fixed memory with exact p50/p99 below
// the cap: one-way delays in the load client, the server's hop from arrival to send.
#pragma once

#include <cstdint>
#include <vector>

namespace auralink {

class LatencyHistogram {
 public:
  static constexpr int64_t kMaxTrackedUs = 100'000;

  LatencyHistogram();

  // Negative delays (a clock step, a corrupt stamp) count as 0.
  void Add(int64_t delay_us);
  void Merge(const LatencyHistogram& other);
  void Clear();

  uint64_t count() const { return count_; }
  // The smallest delay d such that at least `fraction` of the samples are <= d; 0 when empty.
  int64_t Percentile(double fraction) const;
  double MeanUs() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_us_) / count_; }
  int64_t MaxUs() const { return max_us_; }

 private:
  std::vector<uint32_t> buckets_;
  uint64_t count_ = 0;
  int64_t sum_us_ = 0;
  int64_t max_us_ = 0;
};

}  // namespace auralink
