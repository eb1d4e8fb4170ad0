// Delay-based overuse detection (draft-ietf-rmcat-gcc-02 s5.3-5.4, with the trendline filter
// libwebrtc replaced the Kalman filter with): packets are grouped by send time, the one-way delay
// variation between groups is accumulated and smoothed, and the slope of a least-squares line
// through the last points is compared with an adaptive threshold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace auralink::sfu {

enum class BandwidthUsage { kNormal, kUnderusing, kOverusing };

class TrendlineEstimator {
 public:
  struct Config {
    int window_size = 20;         // delay points in the regression
    double smoothing = 0.9;       // of the accumulated delay
    double threshold_gain = 4.0;  // scales the slope before comparing it
    double initial_threshold_ms = 12.5;
    double threshold_up_rate = 0.0087;   // K_u, gcc-02 s5.4
    double threshold_down_rate = 0.039;  // K_d
    int64_t send_group_span_us = 5'000;  // packets sent within 5 ms form one group (s5.2)
    double overuse_time_threshold_ms = 10.0;
  };

  TrendlineEstimator() : TrendlineEstimator(Config{}) {}
  explicit TrendlineEstimator(const Config& config);

  // Feed received packets in send order.
  void OnPacket(int64_t send_time_us, int64_t arrival_time_us);

  BandwidthUsage state() const { return state_; }
  double trend() const { return trend_; }  // slope of smoothed delay (ms per ms)
  double threshold_ms() const { return threshold_; }

 private:
  struct Group {
    int64_t first_send_us = 0;
    int64_t last_send_us = 0;
    int64_t last_arrival_us = 0;
  };
  struct Point {
    double arrival_ms;
    double smoothed_delay_ms;
  };

  void OnGroupDelta(double send_delta_ms, double arrival_delta_ms, int64_t arrival_us);
  void Detect(double send_delta_ms, double now_ms);
  void UpdateThreshold(double modified_trend, double now_ms);

  Config config_;
  bool has_current_ = false;
  bool has_previous_ = false;
  Group current_;
  Group previous_;

  std::deque<Point> window_;
  double first_arrival_ms_ = -1;
  double accumulated_delay_ms_ = 0;
  double smoothed_delay_ms_ = 0;
  int delta_count_ = 0;

  double trend_ = 0;
  double previous_trend_ = 0;
  double threshold_;
  double last_threshold_update_ms_ = -1;
  double time_over_using_ms_ = -1;
  int overuse_count_ = 0;
  BandwidthUsage state_ = BandwidthUsage::kNormal;
};

}  // namespace auralink::sfu
