// Send-side bandwidth estimation for one subscriber's downlink, GoogCC style
// (draft-ietf-rmcat-gcc-02 with transport-wide feedback): the delay-based controller
// (TrendlineEstimator + AimdRateControl) and the loss-based controller each propose a rate;
// the target is the smaller, within [min, max]. Pure: fed with sent packets and decoded TWCC
// feedback, with times from the caller.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "common/media_path_memory.h"
#include "common/status.h"
#include "sfu/bwe/acknowledged_bitrate_estimator.h"
#include "sfu/bwe/aimd_rate_control.h"
#include "sfu/bwe/loss_based_controller.h"
#include "sfu/bwe/transport_feedback_adapter.h"
#include "sfu/bwe/trendline_estimator.h"

namespace auralink::sfu {

class SendSideBandwidthEstimator : public MediaPathAllocated {
 public:
  struct Config {
    int64_t min_bitrate_bps = 30'000;
    int64_t max_bitrate_bps = 10'000'000;
    int64_t start_bitrate_bps = 300'000;
  };

  static StatusOr<std::unique_ptr<SendSideBandwidthEstimator>> Create(const Config& config);

  void OnPacketSent(const SentPacket& packet) { feedback_adapter_.OnPacketSent(packet); }
  void PrefetchForSend(bool slot) const { feedback_adapter_.Prefetch(slot); }
  void OnTransportFeedback(std::span<const TransportFeedbackEntry> entries, int64_t now_us);
  // An RTT measured elsewhere (RTCP receiver reports) replaces the feedback-derived one.
  void OnRoundTripTime(int64_t rtt_ms);
  // The receive rate a probe reached without congestion (libwebrtc's probe result): the estimate
  // jumps there instead of climbing a few percent per second, so a sender that only sends what
  // the estimate allows can find spare capacity.
  void OnProbeResult(int64_t bps, int64_t now_ms);

  int64_t target_bitrate_bps() const { return target_bps_; }
  int64_t delay_based_bitrate_bps() const { return rate_control_.bitrate_bps(); }
  std::optional<int64_t> loss_based_bound_bps() const { return loss_controller_.bound_bps(); }
  // The loss over the loss-based controller's last evaluation interval.
  std::optional<double> loss_fraction() const { return loss_controller_.last_loss_fraction(); }
  std::optional<int64_t> acknowledged_bitrate_bps() const {
    return acknowledged_bitrate_.bitrate_bps();
  }
  BandwidthUsage delay_state() const { return trendline_.state(); }

 private:
  explicit SendSideBandwidthEstimator(const Config& config);

  Config config_;
  TransportFeedbackAdapter feedback_adapter_;
  TrendlineEstimator trendline_;
  AcknowledgedBitrateEstimator acknowledged_bitrate_;
  AimdRateControl rate_control_;
  LossBasedController loss_controller_;
  bool external_rtt_ = false;
  int64_t target_bps_;
  static constexpr int64_t kProbeFloorHoldMs = 3000;
  int64_t probe_floor_bps_ = 0;
  int64_t probe_floor_until_ms_ = 0;
};

}  // namespace auralink::sfu
