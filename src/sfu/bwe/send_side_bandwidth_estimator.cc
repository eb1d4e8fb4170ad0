#include "sfu/bwe/send_side_bandwidth_estimator.h"

#include <algorithm>
#include <string>

namespace auralink::sfu {

StatusOr<std::unique_ptr<SendSideBandwidthEstimator>> SendSideBandwidthEstimator::Create(
    const Config& config) {
  if (config.min_bitrate_bps <= 0 || config.max_bitrate_bps < config.min_bitrate_bps) {
    return Status::Error("bandwidth estimator bounds [" + std::to_string(config.min_bitrate_bps) +
                         ", " + std::to_string(config.max_bitrate_bps) + "] bps are invalid");
  }
  if (config.start_bitrate_bps < config.min_bitrate_bps ||
      config.start_bitrate_bps > config.max_bitrate_bps) {
    return Status::Error("bandwidth estimator start rate " +
                         std::to_string(config.start_bitrate_bps) + " bps is outside its bounds");
  }
  return std::unique_ptr<SendSideBandwidthEstimator>(new SendSideBandwidthEstimator(config));
}

SendSideBandwidthEstimator::SendSideBandwidthEstimator(const Config& config)
    : config_(config),
      rate_control_({.min_bitrate_bps = config.min_bitrate_bps,
                     .max_bitrate_bps = config.max_bitrate_bps,
                     .start_bitrate_bps = config.start_bitrate_bps}),
      target_bps_(config.start_bitrate_bps) {}

void SendSideBandwidthEstimator::OnRoundTripTime(int64_t rtt_ms) {
  if (rtt_ms < 0) return;
  external_rtt_ = true;
  rate_control_.SetRoundTripTime(rtt_ms);
}

void SendSideBandwidthEstimator::OnProbeResult(int64_t bps, int64_t now_ms) {
  rate_control_.RaiseTo(bps);
  // Until the sender fills the new room (a layer switch waits for a key frame), the estimate must
  // not fall back to 1.5 x the old acknowledged rate; congestion still lowers it.
  probe_floor_bps_ = bps;
  probe_floor_until_ms_ = now_ms + kProbeFloorHoldMs;
  int64_t target = rate_control_.bitrate_bps();
  if (auto bound = loss_controller_.bound_bps()) target = std::min(target, std::max(*bound, bps));
  target_bps_ =
      std::clamp(std::max(target_bps_, target), config_.min_bitrate_bps, config_.max_bitrate_bps);
}

void SendSideBandwidthEstimator::OnTransportFeedback(
    std::span<const TransportFeedbackEntry> entries, int64_t now_us) {
  const TransportPacketsFeedback feedback = feedback_adapter_.OnTransportFeedback(entries, now_us);
  if (feedback.packets.empty()) return;
  // Any overuse signalled while this feedback's packets are fed counts, not only the last
  // verdict: a short overuse between two normal groups must still cut the rate.
  bool overused = false;
  int received = 0;
  int lost = 0;
  for (const PacketResult& packet : feedback.packets) {
    if (!packet.received) {
      ++lost;
      continue;
    }
    ++received;
    trendline_.OnPacket(packet.send_time_us, packet.arrival_time_us);
    acknowledged_bitrate_.OnPacketReceived(packet.arrival_time_us, packet.size_bytes);
    overused = overused || trendline_.state() == BandwidthUsage::kOverusing;
  }
  if (feedback.round_trip_time_us && !external_rtt_) {
    rate_control_.SetRoundTripTime(*feedback.round_trip_time_us / 1000);
  }
  const int64_t now_ms = now_us / 1000;
  const BandwidthUsage usage = overused ? BandwidthUsage::kOverusing : trendline_.state();
  const int64_t delay_based =
      rate_control_.Update(usage, acknowledged_bitrate_.bitrate_bps(), now_ms);
  loss_controller_.OnPacketResults(received, lost, target_bps_, delay_based, now_ms);
  int64_t target = delay_based;
  if (auto bound = loss_controller_.bound_bps()) target = std::min(target, *bound);
  const bool congested =
      usage == BandwidthUsage::kOverusing || (received + lost > 0 && lost * 10 > received + lost);
  if (congested) probe_floor_until_ms_ = 0;
  if (now_ms < probe_floor_until_ms_) {
    target = std::max(target, probe_floor_bps_);
    rate_control_.RaiseTo(probe_floor_bps_);
  }
  target_bps_ = std::clamp(target, config_.min_bitrate_bps, config_.max_bitrate_bps);
}

}  // namespace auralink::sfu
