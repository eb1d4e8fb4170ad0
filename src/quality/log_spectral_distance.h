// Log-spectral distance: the RMS difference, in dB, between the short-time power spectra of the
// reference and the degraded signal, averaged over the frames where the reference is active. A
// training-free distortion measure that sees what STOI's band envelopes miss: lost bandwidth
// (narrowband decoding), spectral holes and tonal noise. Lower is better; 0 for identical input.
#pragma once

#include <span>

#include "common/status.h"

namespace auralink::quality {

// Both signals mono at sample_rate_hz and time-aligned; the longer one is cut to the shorter.
// Frames are Hann-windowed, 32 ms long (512 samples at 16 kHz) with 50% overlap, all bins up to
// Nyquist. Per frame: sqrt(mean over bins of (10 log10((P_ref + e) / (P_deg + e)))^2), where e
// sits 80 dB under the loudest reference bin (one floor for the whole clip, so the measure does
// not depend on level and a band the codec dropped costs at most what the reference had there).
// Frames more than 40 dB under the loudest reference frame are skipped. Errors when no frame fits.
StatusOr<double> LogSpectralDistance(std::span<const float> reference,
                                     std::span<const float> degraded, int sample_rate_hz);

}  // namespace auralink::quality
