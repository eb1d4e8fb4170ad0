// The delay-based rate controller of draft-ietf-rmcat-gcc-02 s5.5: a state machine driven by the
// overuse detector. Overuse cuts the rate to beta (0.85) times the acknowledged rate; normal
// use grows it multiplicatively (8 %/s) while the link capacity is unknown and additively (about
// one packet per response time) near the capacity last seen at an overuse.
#pragma once

#include <cstdint>
#include <optional>

#include "sfu/bwe/trendline_estimator.h"

namespace auralink::sfu {

class AimdRateControl {
 public:
  struct Config {
    int64_t min_bitrate_bps = 30'000;
    int64_t max_bitrate_bps = 10'000'000;
    int64_t start_bitrate_bps = 300'000;
    double beta = 0.85;
  };

  explicit AimdRateControl(const Config& config);

  // Call once per feedback with the detector's verdict. Returns the new estimate.
  int64_t Update(BandwidthUsage usage, std::optional<int64_t> acknowledged_bps, int64_t now_ms);
  void SetRoundTripTime(int64_t rtt_ms) { rtt_ms_ = rtt_ms; }
  int64_t bitrate_bps() const { return bitrate_bps_; }
  // A probe delivered `bps` without congestion: the link carries at least that much.
  void RaiseTo(int64_t bps);
  // The capacity estimated from the acknowledged rate at overuse, while it is trusted.
  std::optional<double> link_capacity_bps() const;

 private:
  enum class State { kHold, kIncrease, kDecrease };

  void OnOveruseSample(double acknowledged_kbps);
  double NearMaxIncreaseBpsPerSecond() const;

  Config config_;
  int64_t bitrate_bps_;
  State state_ = State::kHold;
  std::optional<int64_t> last_update_ms_;
  std::optional<int64_t> last_decrease_ms_;
  int64_t rtt_ms_ = 200;
  // Link capacity as an exponential average of acknowledged rates at overuse, with a variance
  // normalised by the estimate (as libwebrtc's LinkCapacityEstimator).
  std::optional<double> capacity_kbps_;
  double capacity_variance_ = 0.4;
};

}  // namespace auralink::sfu
