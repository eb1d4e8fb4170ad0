// Gammatone spectrogram as ViSQOL v3 builds it in speech mode (Chinen et al., QoMEX 2020, sec. 2):
// a bank of 4th-order gammatone filters, ERB-spaced (Glasberg & Moore 1990; Slaney, Apple TR #35)
// between 50 Hz and 8 kHz, applied to Hann-windowed 80 ms frames every 20 ms; each cell is the RMS
// of one band over one frame, expressed as 10*log10(RMS) (ViSQOL's scale, on which its floors and
// NSIM constants were tuned).
//
// Unlike ViSQOL, which runs the IIR filters over each windowed frame, the filters are applied in
// the frequency domain: the frame's power spectrum weighted by each filter's squared magnitude
// response. By Parseval this is the energy of the filtered frame including the filter's ring-out,
// which ViSQOL truncates at the frame end (a small difference for the lowest bands only).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "common/status.h"
#include "dsp/fft.h"

namespace auralink::quality {

struct GammatoneSpectrogramSettings {
  int sample_rate_hz = 16000;
  size_t num_bands = 32;
  double min_frequency_hz = 50.0;
  double max_frequency_hz = 8000.0;
  size_t window_samples = 1280;  // 80 ms
  size_t hop_samples = 320;      // 25% of the window, 20 ms
};

// Band levels, frame-major: level(frame, band) = values[frame * num_bands + band]; bands ascend.
struct Spectrogram {
  size_t num_frames = 0;
  size_t num_bands = 0;
  std::vector<double> values;

  double& level(size_t frame, size_t band) { return values[frame * num_bands + band]; }
  double level(size_t frame, size_t band) const { return values[frame * num_bands + band]; }
};

class GammatoneSpectrogramBuilder {
 public:
  // Settings come from code, not outside data: nonsense settings are a programmer error (assert).
  explicit GammatoneSpectrogramBuilder(const GammatoneSpectrogramSettings& settings = {});

  // Error when the signal is shorter than one analysis window.
  StatusOr<Spectrogram> Build(std::span<const float> signal) const;

  const GammatoneSpectrogramSettings& settings() const { return settings_; }
  // Centre frequencies in ascending order.
  const std::vector<double>& center_frequencies_hz() const { return center_frequencies_hz_; }

 private:
  struct BandWeights {
    size_t first_bin = 0;
    std::vector<double> power_gain;  // |H(f)|^2 for bins first_bin, first_bin + 1, ...
  };

  // One frame's band levels from its one-sided power spectrum (negative frequencies folded in).
  void StoreBandLevels(const std::vector<double>& power, double* levels) const;

  GammatoneSpectrogramSettings settings_;
  dsp::Fft fft_;
  std::vector<float> window_;
  std::vector<double> center_frequencies_hz_;
  std::vector<BandWeights> bands_;
};

// ViSQOL's conditioning before comparing two spectrograms (its PrepareSpectrogramsForComparison):
// an absolute floor, then a per-frame floor 45 units under the louder of the two frames, then both
// shifted so the lowest cell of either is 0. Frames past the shorter spectrogram get only the
// absolute floor.
void PrepareSpectrogramsForComparison(Spectrogram* reference, Spectrogram* degraded);

}  // namespace auralink::quality
