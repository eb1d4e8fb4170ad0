// When the AIC video engine gives up on its own encoding for a while and sends the plain baseline
// (VP8 CBR at the LiveKit preset) instead: a frame's analysis + encode time over the budget (on
// `latency_strikes` frames in a row, or any frame over twice the budget), measured quality under
// the floor (the mean of the last `quality_window` samples, about a second's worth in the
// pipeline, and only while the bandwidth cap is not what holds the quality down, since the baseline
// would fare no better there), or an encoder error. The baseline then runs for a hold time that
// doubles with each fallback that follows within a minute of the last one (up to max_hold_ms), so a
// machine that cannot keep up stops retrying every two seconds. Pure: times come from the caller.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>

namespace auralink::video {

enum class FallbackReason { kNone, kLatency, kQuality, kEncoderError };
const char* FallbackReasonName(
    FallbackReason reason);  // "none", "latency", "quality", "encoder_error"

struct VideoFallbackConfig {
  double max_latency_ms = 33.0;  // per frame, analysis + encode
  int latency_strikes = 3;
  double min_quality = 0.70;  // SSIM-Y
  int quality_window = 3;
  int64_t hold_ms = 2000;
  int64_t max_hold_ms = 30000;
  int64_t repeat_window_ms = 60000;
};

struct FallbackCounters {
  int latency = 0;
  int quality = 0;
  int encoder_error = 0;
  int total() const { return latency + quality + encoder_error; }
};

class VideoFallbackPolicy {
 public:
  explicit VideoFallbackPolicy(const VideoFallbackConfig& config) : config_(config) {}

  // Whether the baseline is to encode the frame at `now_ms`. Ends an expired fallback.
  bool Active(int64_t now_ms);

  // Reports of AIC frames (ignored while a fallback runs: they describe the baseline).
  void OnFrameTime(int64_t now_ms, double analysis_encode_ms);
  void OnQualityMeasured(int64_t now_ms, double ssim, bool bandwidth_limited);
  void OnEncoderError(int64_t now_ms, const std::string& message);

  FallbackReason reason() const { return reason_; }  // of the running (or last) fallback
  const std::string& detail() const { return detail_; }
  const FallbackCounters& counters() const { return counters_; }
  int64_t fallback_until_ms() const { return until_ms_; }
  const VideoFallbackConfig& config() const { return config_; }

 private:
  void Trigger(int64_t now_ms, FallbackReason reason, std::string detail);

  VideoFallbackConfig config_;
  bool active_ = false;
  int64_t until_ms_ = 0;
  int64_t last_trigger_ms_ = INT64_MIN / 2;
  int64_t current_hold_ms_ = 0;
  FallbackReason reason_ = FallbackReason::kNone;
  std::string detail_;
  int strikes_ = 0;
  std::deque<double> quality_;
  FallbackCounters counters_;
};

}  // namespace auralink::video
