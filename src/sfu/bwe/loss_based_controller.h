// The loss-based controller of draft-ietf-rmcat-gcc-02 s6: over each evaluation interval, loss
// above 10 % cuts the rate by half the loss fraction, loss below 2 % lets it grow by 5 %, and
// anything between holds it. It only bounds the estimate once losses have forced a cut: until
// then (and again once it has grown past the delay-based rate) the delay-based rate rules.
#pragma once

#include <cstdint>
#include <optional>

namespace auralink::sfu {

class LossBasedController {
 public:
  struct Config {
    double high_loss = 0.10;
    double low_loss = 0.02;
    double increase_factor = 1.05;
    int min_packets = 20;           // per evaluation, so a few losses are not read as 50 %
    int64_t min_interval_ms = 200;  // between evaluations, about a round trip or more
  };

  LossBasedController() : LossBasedController(Config{}) {}
  explicit LossBasedController(const Config& config) : config_(config) {}

  // Counts from one feedback. `target_bps` is the rate in force (what a cut starts from);
  // `delay_based_bps` the delay-based rate, past which a growing bound is dropped.
  void OnPacketResults(int received, int lost, int64_t target_bps, int64_t delay_based_bps,
                       int64_t now_ms);

  std::optional<int64_t> bound_bps() const { return bound_bps_; }
  std::optional<double> last_loss_fraction() const { return last_loss_; }

 private:
  Config config_;
  int received_ = 0;
  int lost_ = 0;
  std::optional<int64_t> last_evaluation_ms_;
  std::optional<int64_t> bound_bps_;
  std::optional<double> last_loss_;
};

}  // namespace auralink::sfu
