// A MOS-LQO estimate in the manner of ViSQOL v3's speech mode (Chinen et al., "ViSQOL v3: An Open
// Source Production Ready Objective Speech and Audio Metric", QoMEX 2020; Hines et al., "ViSQOL: an
// objective speech quality model", EURASIP JASMP 2015): level matching, gammatone spectrograms,
// voiced reference patches, patch alignment with fine time-domain realignment, mean NSIM, and
// ViSQOL v3's exponential NSIM-to-MOS mapping. See docs/speech-quality.md for what differs.
#pragma once

#include <cstddef>
#include <span>

#include "common/status.h"

namespace auralink::quality {

struct SpeechMosEstimate {
  double mos = 1.0;              // 1..5
  double nsim = 0.0;             // mean NSIM over the reference's voiced patches
  size_t patches_compared = 0;   // voiced reference patches
  size_t patches_unmatched = 0;  // of those, patches with no degraded match
};

// Both signals at 16 kHz, already globally aligned (see signal_alignment.h). Errors when the
// reference is shorter than one patch or holds no voice activity.
StatusOr<SpeechMosEstimate> EstimateSpeechMos(std::span<const float> reference,
                                              std::span<const float> degraded);

// ViSQOL v3's speech-mode mapping: MOS = (A + exp(B (nsim - X0))) * S, clamped to [1, 5], with the
// published fit to the TCD-VOIP data set scaled so that NSIM 1 maps to 5; NSIM below 0.15
// (unrelated signals) maps to 1.
double MapNsimToMos(double nsim);

}  // namespace auralink::quality
