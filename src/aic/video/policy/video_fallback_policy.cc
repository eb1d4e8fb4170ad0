#include "aic/video/policy/video_fallback_policy.h"

#include <algorithm>
#include <cstdio>

namespace auralink::video {

const char* FallbackReasonName(FallbackReason reason) {
  switch (reason) {
    case FallbackReason::kNone:
      return "none";
    case FallbackReason::kLatency:
      return "latency";
    case FallbackReason::kQuality:
      return "quality";
    case FallbackReason::kEncoderError:
      return "encoder_error";
  }
  return "unknown";
}

bool VideoFallbackPolicy::Active(int64_t now_ms) {
  if (active_ && now_ms >= until_ms_) {
    active_ = false;
    strikes_ = 0;
    quality_.clear();
  }
  return active_;
}

void VideoFallbackPolicy::Trigger(int64_t now_ms, FallbackReason reason, std::string detail) {
  const bool repeated = now_ms - last_trigger_ms_ <= config_.repeat_window_ms;
  current_hold_ms_ =
      repeated ? std::min(config_.max_hold_ms, std::max(config_.hold_ms, current_hold_ms_ * 2))
               : config_.hold_ms;
  last_trigger_ms_ = now_ms;
  active_ = true;
  until_ms_ = now_ms + current_hold_ms_;
  reason_ = reason;
  detail_ = std::move(detail);
  strikes_ = 0;
  quality_.clear();
  switch (reason) {
    case FallbackReason::kLatency:
      ++counters_.latency;
      break;
    case FallbackReason::kQuality:
      ++counters_.quality;
      break;
    case FallbackReason::kEncoderError:
      ++counters_.encoder_error;
      break;
    case FallbackReason::kNone:
      break;
  }
}

void VideoFallbackPolicy::OnFrameTime(int64_t now_ms, double analysis_encode_ms) {
  if (Active(now_ms) || config_.max_latency_ms <= 0.0) return;
  if (analysis_encode_ms > 2.0 * config_.max_latency_ms) {
    strikes_ = config_.latency_strikes;
  } else if (analysis_encode_ms > config_.max_latency_ms) {
    ++strikes_;
  } else {
    strikes_ = 0;
  }
  if (strikes_ >= std::max(1, config_.latency_strikes)) {
    char detail[128];
    std::snprintf(detail, sizeof(detail), "analysis + encode took %.1f ms, budget %.1f ms",
                  analysis_encode_ms, config_.max_latency_ms);
    Trigger(now_ms, FallbackReason::kLatency, detail);
  }
}

void VideoFallbackPolicy::OnQualityMeasured(int64_t now_ms, double ssim, bool bandwidth_limited) {
  if (Active(now_ms)) return;
  if (bandwidth_limited) {
    quality_.clear();
    return;
  }
  quality_.push_back(ssim);
  const size_t window = static_cast<size_t>(std::max(1, config_.quality_window));
  while (quality_.size() > window) quality_.pop_front();
  if (quality_.size() < window) return;
  double mean = 0.0;
  for (double value : quality_) mean += value;
  mean /= static_cast<double>(quality_.size());
  if (mean < config_.min_quality) {
    char detail[128];
    std::snprintf(detail, sizeof(detail), "measured SSIM-Y %.4f under the floor %.4f", mean,
                  config_.min_quality);
    Trigger(now_ms, FallbackReason::kQuality, detail);
  }
}

void VideoFallbackPolicy::OnEncoderError(int64_t now_ms, const std::string& message) {
  Trigger(now_ms, FallbackReason::kEncoderError, "encoder error: " + message);
}

}  // namespace auralink::video
