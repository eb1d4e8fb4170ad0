// Full-reference speech quality of a degraded copy (codec round trip, network path) against its
// reference: a ViSQOL-v3-speech-style MOS, STOI, log-spectral distance and segmental SNR, all
// computed after the degraded signal is time-aligned to the reference. An objective estimate, not a
// listening test; see docs/speech-quality.md for the method, its limits and measured numbers.
#pragma once

#include <span>

#include "common/status.h"

namespace auralink::quality {

struct SpeechQualityScores {
  double mos = 1.0;       // ViSQOL-v3-speech-style MOS-LQO, 1..5 (identical input -> top of scale)
  double nsim = 0.0;      // mean NSIM similarity behind the MOS
  double stoi = 0.0;      // short-time objective intelligibility (Taal et al. 2011), 0..1
  double lsd_db = 0.0;    // log-spectral distance in dB (lower is better)
  double snr_db = 0.0;    // segmental SNR after alignment, for information
  double delay_ms = 0.0;  // estimated delay of degraded behind reference (negative: ahead)
};

// reference and degraded are mono float in [-1, 1] at their own rates (8 kHz..48 kHz); both are
// resampled to 16 kHz internally (speech mode: content above 8 kHz is not judged). The degraded
// signal may be longer or shorter than the reference and delayed by up to half the reference.
// Errors for an unsupported rate, input shorter than 0.5 s, non-finite samples or a silent
// reference.
StatusOr<SpeechQualityScores> CompareSpeech(std::span<const float> reference, int reference_rate_hz,
                                            std::span<const float> degraded, int degraded_rate_hz);

}  // namespace auralink::quality
