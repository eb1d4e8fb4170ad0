// Drops source frames to reach a lower frame rate, the way libwebrtc's video adapter does before
// the encoder: a frame passes when its capture time has reached the next due time, and the due
// time then advances by one output interval. 25 -> 20 fps keeps four frames of five; 30 -> 15
// every other frame.
#pragma once

#include <cstdint>

namespace auralink::video {

class FrameRateDecimator {
 public:
  // Rates in frames per second; an output rate at or above the input rate keeps every frame.
  FrameRateDecimator(double input_fps, double output_fps) { SetRates(input_fps, output_fps); }

  // Changes the rates between frames; the next frame passes.
  void SetRates(double input_fps, double output_fps);

  // Whether source frame `index` (counted at the input rate from 0) goes to the encoder.
  bool Keep(int64_t index);

  double input_fps() const { return input_fps_; }
  double output_fps() const { return output_fps_; }

 private:
  double input_fps_ = 30.0;
  double output_fps_ = 30.0;
  double next_due_seconds_ = 0.0;
  bool restart_ = true;
};

}  // namespace auralink::video
