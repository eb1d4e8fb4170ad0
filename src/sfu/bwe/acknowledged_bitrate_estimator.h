// The rate at which the receiver actually got our packets, from transport feedback: bytes
// received over a sliding window of arrival time. Delay-based decreases aim below it
// (draft-ietf-rmcat-gcc-02 s5.5) and increases are capped relative to it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace auralink::sfu {

class AcknowledgedBitrateEstimator {
 public:
  explicit AcknowledgedBitrateEstimator(int64_t window_us = 500'000) : window_us_(window_us) {}

  // Feed received packets; arrival times may step back a little (reordering).
  void OnPacketReceived(int64_t arrival_time_us, size_t size_bytes);
  // Absent until the window spans at least a fifth of its length.
  std::optional<int64_t> bitrate_bps() const;

 private:
  struct Sample {
    int64_t arrival_time_us;
    size_t size_bytes;
  };
  int64_t window_us_;
  std::deque<Sample> samples_;
  size_t window_bytes_ = 0;
  int64_t newest_arrival_us_ = 0;
};

}  // namespace auralink::sfu
