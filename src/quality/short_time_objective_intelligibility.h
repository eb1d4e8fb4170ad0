// Short-Time Objective Intelligibility (STOI; Taal, Hendriks, Heusdens & Jensen, "An Algorithm for
// Intelligibility Prediction of Time-Frequency Weighted Noisy Speech", IEEE TASLP 19(7), 2011): the
// mean correlation of one-third-octave band envelopes of clean and degraded speech over 384 ms
// segments. Needs no training; 0..1, higher is more intelligible.
#pragma once

#include <span>

#include "common/status.h"

namespace auralink::quality {

// Both signals mono at sample_rate_hz and time-aligned; the longer one is cut to the shorter.
// Resampled to 10 kHz internally (sec. II of the paper). Errors when, after silent frames are
// removed, fewer than two 25.6 ms frames remain. Shorter than one 384 ms segment of speech, the
// whole remainder is used as one segment (the paper assumes longer input).
StatusOr<double> ShortTimeObjectiveIntelligibility(std::span<const float> reference,
                                                   std::span<const float> degraded,
                                                   int sample_rate_hz);

}  // namespace auralink::quality
