// Delay estimation between a reference and a degraded copy of it (codec look-ahead, jitter buffers,
// network paths). Coarse search on amplitude envelopes, as ViSQOL's global alignment does (it uses
// the Hilbert envelope), because envelopes survive the phase changes that low-rate codecs make;
// then a waveform refinement so the sample-exact measures (SNR) line up.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace auralink::quality {

// Delay of `degraded` behind `reference` in samples (positive: degraded lags), searched within
// +-max_lag_samples: degraded[n + delay] ~ reference[n]. Returns 0 for silent or empty input.
int EstimateDelay(std::span<const float> reference, std::span<const float> degraded,
                  int max_lag_samples);

// The degraded signal with `delay_samples` removed, cut or zero-padded to `length` samples:
// result[n] = degraded[n + delay_samples].
std::vector<float> RemoveDelay(std::span<const float> degraded, int delay_samples, size_t length);

}  // namespace auralink::quality
