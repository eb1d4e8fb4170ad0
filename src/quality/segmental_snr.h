// Segmental SNR (Quackenbush, Barnwell & Clements, "Objective Measures of Speech Quality", 1988):
// the mean over 20 ms frames of each frame's SNR, clamped to [-10, 35] dB so silent or perfect
// frames do not dominate. A waveform measure: meaningful for additive noise and waveform coders,
// near or below 0 dB for parametric and neural codecs that do not keep the waveform. Reported for
// information next to the perceptual measures.
#pragma once

#include <span>

#include "common/status.h"

namespace auralink::quality {

// Both signals mono at sample_rate_hz and time-aligned; the longer one is cut to the shorter.
// Frames more than 40 dB under the loudest reference frame are skipped. Errors when no frame fits
// or the reference is silent.
StatusOr<double> SegmentalSnr(std::span<const float> reference, std::span<const float> degraded,
                              int sample_rate_hz);

}  // namespace auralink::quality
