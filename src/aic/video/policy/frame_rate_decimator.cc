#include "aic/video/policy/frame_rate_decimator.h"

#include <algorithm>

namespace auralink::video {

void FrameRateDecimator::SetRates(double input_fps, double output_fps) {
  input_fps_ = input_fps > 0.0 ? input_fps : 30.0;
  output_fps_ = output_fps > 0.0 ? std::min(output_fps, input_fps_) : input_fps_;
  restart_ = true;
}

bool FrameRateDecimator::Keep(int64_t index) {
  const double now = static_cast<double>(index) / input_fps_;
  // Half an input interval of tolerance absorbs rounding of the frame times.
  const double tolerance = 0.5 / input_fps_;
  if (!restart_ && now + tolerance < next_due_seconds_) return false;
  const double interval = 1.0 / output_fps_;
  next_due_seconds_ += interval;
  // After a restart or a stall the schedule starts again from this frame instead of letting a
  // burst of late frames through.
  if (restart_ || next_due_seconds_ < now) next_due_seconds_ = now + interval;
  restart_ = false;
  return true;
}

}  // namespace auralink::video
