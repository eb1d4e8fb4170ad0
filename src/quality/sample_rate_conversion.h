// Whole-signal sample-rate conversion for the quality measures, which compare complete clips
// offline and so can afford a one-shot, time-aligned (linear-phase, delay-compensated) resampler.
#pragma once

#include <span>
#include <vector>

#include "common/status.h"

namespace auralink::quality {

// Converts mono `input` from input_rate_hz to output_rate_hz with libsoxr's high-quality
// linear-phase filter; the output has round(size * output/input) samples and no added delay.
StatusOr<std::vector<float>> ConvertSampleRate(std::span<const float> input, int input_rate_hz,
                                               int output_rate_hz);

}  // namespace auralink::quality
