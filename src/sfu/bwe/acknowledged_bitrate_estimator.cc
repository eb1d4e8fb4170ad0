#include "sfu/bwe/acknowledged_bitrate_estimator.h"

#include <algorithm>

namespace auralink::sfu {

void AcknowledgedBitrateEstimator::OnPacketReceived(int64_t arrival_time_us, size_t size_bytes) {
  newest_arrival_us_ =
      samples_.empty() ? arrival_time_us : std::max(newest_arrival_us_, arrival_time_us);
  samples_.push_back({arrival_time_us, size_bytes});
  window_bytes_ += size_bytes;
  while (!samples_.empty() && newest_arrival_us_ - samples_.front().arrival_time_us > window_us_) {
    window_bytes_ -= samples_.front().size_bytes;
    samples_.pop_front();
  }
}

std::optional<int64_t> AcknowledgedBitrateEstimator::bitrate_bps() const {
  if (samples_.size() < 2) return std::nullopt;
  const int64_t span_us = newest_arrival_us_ - samples_.front().arrival_time_us;
  if (span_us < window_us_ / 5) return std::nullopt;
  // The first packet marks the start of the span; its bytes arrived before it.
  const auto bits = static_cast<int64_t>(window_bytes_ - samples_.front().size_bytes) * 8;
  return bits * 1'000'000 / span_us;
}

}  // namespace auralink::sfu
