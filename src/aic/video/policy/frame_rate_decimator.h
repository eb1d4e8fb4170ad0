// Drops source frames to reach a lower frame rate, as a browser capping a camera's frame rate
// does (and as `auralink video baseline` does): counting frames from the last rate change, frame i
// passes when floor(i * output / input) advances, so the kept frames are spread evenly (25 -> 20
// fps keeps four of every five, 30 -> 15 every other one).
#pragma once

#include <cstdint>

namespace auralink::video {

class FrameRateDecimator {
 public:
  // Rates in frames per second; an output rate at or above the input rate keeps every frame.
  FrameRateDecimator(double input_fps, double output_fps) { SetRates(input_fps, output_fps); }

  // Changes the rates between frames; the next frame passes and starts the new pattern.
  void SetRates(double input_fps, double output_fps);

  // Whether source frame `index` (increasing) goes to the encoder.
  bool Keep(int64_t index);

  double input_fps() const { return input_fps_; }
  double output_fps() const { return output_fps_; }

 private:
  double input_fps_ = 30.0;
  double output_fps_ = 30.0;
  int64_t first_index_ = 0;
  bool restart_ = true;
};

}  // namespace auralink::video
