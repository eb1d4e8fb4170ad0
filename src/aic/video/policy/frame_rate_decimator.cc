#include "aic/video/policy/frame_rate_decimator.h"

#include <algorithm>
#include <cmath>

namespace auralink::video {

void FrameRateDecimator::SetRates(double input_fps, double output_fps) {
  input_fps_ = input_fps > 0.0 ? input_fps : 30.0;
  output_fps_ = output_fps > 0.0 ? std::min(output_fps, input_fps_) : input_fps_;
  restart_ = true;
}

bool FrameRateDecimator::Keep(int64_t index) {
  if (restart_ || index <= first_index_) {
    restart_ = false;
    first_index_ = index;
    return true;
  }
  if (output_fps_ >= input_fps_) return true;
  const double ratio = output_fps_ / input_fps_;
  const auto position = static_cast<double>(index - first_index_);
  // The epsilon keeps exact multiples (5 * 0.8 = 4) from rounding down.
  return std::floor(position * ratio + 1e-9) != std::floor((position - 1.0) * ratio + 1e-9);
}

}  // namespace auralink::video
