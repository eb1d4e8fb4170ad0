#include "sfu/bwe/trendline_estimator.h"

#include <algorithm>
#include <cmath>

namespace auralink::sfu {
namespace {

// Points beyond this many deltas do not make the detector more sensitive (libwebrtc's cap).
constexpr int kDeltaCountCap = 60;
// A delay swing larger than the threshold by this much is a spike (a route change, a burst of
// cross traffic) and must not drag the threshold along (gcc-02 s5.4).
constexpr double kThresholdSpikeMs = 15.0;
constexpr double kMinThresholdMs = 6.0;
constexpr double kMaxThresholdMs = 600.0;

}  // namespace

TrendlineEstimator::TrendlineEstimator(const Config& config)
    : config_(config), threshold_(config.initial_threshold_ms) {}

void TrendlineEstimator::OnPacket(int64_t send_time_us, int64_t arrival_time_us) {
  if (!has_current_) {
    current_ = {send_time_us, send_time_us, arrival_time_us};
    has_current_ = true;
    return;
  }
  if (send_time_us < current_.first_send_us) return;  // reordered across groups: skip
  if (send_time_us - current_.first_send_us <= config_.send_group_span_us) {
    current_.last_send_us = std::max(current_.last_send_us, send_time_us);
    current_.last_arrival_us = std::max(current_.last_arrival_us, arrival_time_us);
    return;
  }
  // A new group begins: the completed one is compared with the group before it (s5.2).
  if (has_previous_) {
    const double send_delta_ms = (current_.last_send_us - previous_.last_send_us) / 1000.0;
    const double arrival_delta_ms = (current_.last_arrival_us - previous_.last_arrival_us) / 1000.0;
    OnGroupDelta(send_delta_ms, arrival_delta_ms, current_.last_arrival_us);
  }
  previous_ = current_;
  has_previous_ = true;
  current_ = {send_time_us, send_time_us, arrival_time_us};
}

void TrendlineEstimator::OnGroupDelta(double send_delta_ms, double arrival_delta_ms,
                                      int64_t arrival_us) {
  const double arrival_ms = arrival_us / 1000.0;
  if (first_arrival_ms_ < 0) first_arrival_ms_ = arrival_ms;
  delta_count_ = std::min(delta_count_ + 1, kDeltaCountCap);
  accumulated_delay_ms_ += arrival_delta_ms - send_delta_ms;
  smoothed_delay_ms_ =
      config_.smoothing * smoothed_delay_ms_ + (1 - config_.smoothing) * accumulated_delay_ms_;
  window_.push_back({arrival_ms - first_arrival_ms_, smoothed_delay_ms_});
  if (static_cast<int>(window_.size()) > config_.window_size) window_.pop_front();

  if (static_cast<int>(window_.size()) == config_.window_size) {
    // Least-squares slope of smoothed delay over arrival time.
    double mean_x = 0;
    double mean_y = 0;
    for (const Point& p : window_) {
      mean_x += p.arrival_ms;
      mean_y += p.smoothed_delay_ms;
    }
    mean_x /= static_cast<double>(window_.size());
    mean_y /= static_cast<double>(window_.size());
    double numerator = 0;
    double denominator = 0;
    for (const Point& p : window_) {
      numerator += (p.arrival_ms - mean_x) * (p.smoothed_delay_ms - mean_y);
      denominator += (p.arrival_ms - mean_x) * (p.arrival_ms - mean_x);
    }
    if (denominator > 0) trend_ = numerator / denominator;
  }
  Detect(send_delta_ms, arrival_ms);
}

void TrendlineEstimator::Detect(double send_delta_ms, double now_ms) {
  if (delta_count_ < 2) {
    state_ = BandwidthUsage::kNormal;
    return;
  }
  const double modified_trend = delta_count_ * trend_ * config_.threshold_gain;
  if (modified_trend > threshold_) {
    // Overuse must last (10 ms) and keep growing before it is signalled (s5.4).
    time_over_using_ms_ =
        time_over_using_ms_ < 0 ? send_delta_ms / 2 : time_over_using_ms_ + send_delta_ms;
    ++overuse_count_;
    if (time_over_using_ms_ > config_.overuse_time_threshold_ms && overuse_count_ > 1 &&
        trend_ >= previous_trend_) {
      time_over_using_ms_ = 0;
      overuse_count_ = 0;
      state_ = BandwidthUsage::kOverusing;
    }
  } else if (modified_trend < -threshold_) {
    time_over_using_ms_ = -1;
    overuse_count_ = 0;
    state_ = BandwidthUsage::kUnderusing;
  } else {
    time_over_using_ms_ = -1;
    overuse_count_ = 0;
    state_ = BandwidthUsage::kNormal;
  }
  previous_trend_ = trend_;
  UpdateThreshold(modified_trend, now_ms);
}

void TrendlineEstimator::UpdateThreshold(double modified_trend, double now_ms) {
  if (last_threshold_update_ms_ < 0) last_threshold_update_ms_ = now_ms;
  const double magnitude = std::fabs(modified_trend);
  if (magnitude > threshold_ + kThresholdSpikeMs) {
    last_threshold_update_ms_ = now_ms;
    return;
  }
  const double rate =
      magnitude < threshold_ ? config_.threshold_down_rate : config_.threshold_up_rate;
  const double elapsed_ms = std::clamp(now_ms - last_threshold_update_ms_, 0.0, 100.0);
  threshold_ += rate * (magnitude - threshold_) * elapsed_ms;
  threshold_ = std::clamp(threshold_, kMinThresholdMs, kMaxThresholdMs);
  last_threshold_update_ms_ = now_ms;
}

}  // namespace auralink::sfu
