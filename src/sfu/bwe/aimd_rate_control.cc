#include "sfu/bwe/aimd_rate_control.h"

#include <algorithm>
#include <cmath>

namespace auralink::sfu {
namespace {

constexpr double kCapacitySmoothing = 0.05;
constexpr double kMultiplicativeIncreasePerSecond = 1.08;
constexpr double kAssumedPacketBits = 1200 * 8;
constexpr double kAssumedFramesPerSecond = 30;

}  // namespace

AimdRateControl::AimdRateControl(const Config& config)
    : config_(config),
      bitrate_bps_(
          std::clamp(config.start_bitrate_bps, config.min_bitrate_bps, config.max_bitrate_bps)) {}

std::optional<double> AimdRateControl::link_capacity_bps() const {
  if (!capacity_kbps_) return std::nullopt;
  return *capacity_kbps_ * 1000;
}

void AimdRateControl::OnOveruseSample(double acknowledged_kbps) {
  if (!capacity_kbps_) {
    capacity_kbps_ = acknowledged_kbps;
  } else {
    capacity_kbps_ =
        (1 - kCapacitySmoothing) * *capacity_kbps_ + kCapacitySmoothing * acknowledged_kbps;
  }
  const double norm = std::max(*capacity_kbps_, 1.0);
  const double error = *capacity_kbps_ - acknowledged_kbps;
  capacity_variance_ =
      (1 - kCapacitySmoothing) * capacity_variance_ + kCapacitySmoothing * error * error / norm;
  capacity_variance_ = std::clamp(capacity_variance_, 0.4, 2.5);
}

// About one average packet per response time (RTT + 100 ms), gcc-02 s5.5.
double AimdRateControl::NearMaxIncreaseBpsPerSecond() const {
  const double bits_per_frame = static_cast<double>(bitrate_bps_) / kAssumedFramesPerSecond;
  const double packets_per_frame = std::ceil(bits_per_frame / kAssumedPacketBits);
  const double packet_bits = bits_per_frame / std::max(packets_per_frame, 1.0);
  const double response_time_ms = static_cast<double>(rtt_ms_) + 100;
  return std::max(4000.0, packet_bits * 1000 / response_time_ms);
}

int64_t AimdRateControl::Update(BandwidthUsage usage, std::optional<int64_t> acknowledged_bps,
                                int64_t now_ms) {
  // State transitions (gcc-02 s5.5, table): overuse -> decrease, underuse -> hold, normal ->
  // increase (from hold) or hold (right after a decrease).
  switch (usage) {
    case BandwidthUsage::kOverusing:
      state_ = State::kDecrease;
      break;
    case BandwidthUsage::kUnderusing:
      state_ = State::kHold;
      break;
    case BandwidthUsage::kNormal:
      if (state_ == State::kHold) {
        state_ = State::kIncrease;
      } else if (state_ == State::kDecrease) {
        state_ = State::kHold;
      }
      break;
  }
  const double elapsed_s =
      last_update_ms_ ? std::clamp((now_ms - *last_update_ms_) / 1000.0, 0.0, 1.0) : 0.0;
  last_update_ms_ = now_ms;

  if (acknowledged_bps && capacity_kbps_) {
    // Far above the capacity seen at the last overuse: the path changed, forget it.
    const double sigma_kbps = std::sqrt(capacity_variance_ * *capacity_kbps_);
    if (*acknowledged_bps / 1000.0 > *capacity_kbps_ + 3 * sigma_kbps) capacity_kbps_.reset();
  }

  double bitrate = static_cast<double>(bitrate_bps_);
  switch (state_) {
    case State::kHold:
      break;
    case State::kIncrease: {
      const double increase =
          capacity_kbps_ ? NearMaxIncreaseBpsPerSecond() * elapsed_s
                         : bitrate * (std::pow(kMultiplicativeIncreasePerSecond, elapsed_s) - 1);
      double increased = bitrate + std::max(increase, capacity_kbps_ ? 0.0 : 1000.0 * elapsed_s);
      // Never run far ahead of what the receiver gets (libwebrtc: 1.5 x throughput + 10 kbps).
      if (acknowledged_bps) {
        const double limit = 1.5 * static_cast<double>(*acknowledged_bps) + 10'000;
        if (bitrate < limit) {
          increased = std::min(increased, limit);
        } else {
          increased = bitrate;
        }
      }
      bitrate = increased;
      break;
    }
    case State::kDecrease: {
      // Once per round trip: the effect of a cut shows only after one.
      const int64_t min_interval_ms = std::clamp<int64_t>(rtt_ms_, 10, 200);
      if (last_decrease_ms_ && now_ms - *last_decrease_ms_ < min_interval_ms) break;
      double decreased = config_.beta * bitrate;
      if (acknowledged_bps) {
        decreased = config_.beta * static_cast<double>(*acknowledged_bps);
        OnOveruseSample(static_cast<double>(*acknowledged_bps) / 1000.0);
        if (decreased > bitrate && capacity_kbps_)
          decreased = config_.beta * *capacity_kbps_ * 1000;
      }
      bitrate = std::min(bitrate, decreased);
      last_decrease_ms_ = now_ms;
      state_ = State::kHold;
      break;
    }
  }
  bitrate_bps_ =
      std::clamp(static_cast<int64_t>(bitrate), config_.min_bitrate_bps, config_.max_bitrate_bps);
  return bitrate_bps_;
}

void AimdRateControl::RaiseTo(int64_t bps) {
  bitrate_bps_ =
      std::clamp(std::max(bitrate_bps_, bps), config_.min_bitrate_bps, config_.max_bitrate_bps);
  state_ = State::kHold;
}

}  // namespace auralink::sfu
