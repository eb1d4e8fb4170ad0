#include "quality/gammatone_spectrogram.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <complex>
#include <limits>
#include <string>

namespace auralink::quality {
namespace {

// Glasberg & Moore (1990) ERB parameters, as in Slaney's ERB filter bank.
constexpr double kEarQ = 9.26449;
constexpr double kMinBandwidthHz = 24.7;
// Gammatone bandwidth parameter b = 1.019 ERB for a 4th-order filter (Patterson et al. 1992).
constexpr double kBandwidthPerErb = 1.019;
// Power gains below this (-70 dB) are left out of a band's weights.
constexpr double kNegligiblePowerGain = 1e-7;
// ViSQOL's floors, on its 10*log10(RMS) scale.
constexpr double kAbsoluteFloor = -45.0;
constexpr double kFloorBelowFramePeak = 45.0;

double ErbHz(double frequency_hz) { return frequency_hz / kEarQ + kMinBandwidthHz; }

// Centre frequencies uniformly spaced on the ERB-rate scale, the lowest exactly at min_frequency
// and the highest one step below max_frequency (Slaney, Apple TR #35, pp. 33-34).
std::vector<double> ErbSpacedCenters(double min_frequency, double max_frequency, size_t count) {
  const double offset = kEarQ * kMinBandwidthHz;
  const double step = (std::log(min_frequency + offset) - std::log(max_frequency + offset)) /
                      static_cast<double>(count);
  std::vector<double> centers(count);
  for (size_t i = 0; i < count; ++i) {
    // i = 0 is the lowest band.
    const double k = static_cast<double>(count - i);
    centers[i] = std::exp(k * step) * (max_frequency + offset) - offset;
  }
  return centers;
}

size_t FftSizeFor(size_t window_samples) {
  // Zero-pad to at least twice the window so the filters' ring-out does not wrap around.
  size_t size = 2;
  while (size < 2 * window_samples) size <<= 1;
  return size;
}

}  // namespace

GammatoneSpectrogramBuilder::GammatoneSpectrogramBuilder(
    const GammatoneSpectrogramSettings& settings)
    : settings_(settings), fft_(FftSizeFor(settings.window_samples)) {
  assert(settings.sample_rate_hz > 0 && settings.num_bands > 0 && settings.hop_samples > 0 &&
         settings.window_samples >= settings.hop_samples);
  assert(settings.min_frequency_hz > 0 && settings.min_frequency_hz < settings.max_frequency_hz);
  const double nyquist = settings.sample_rate_hz / 2.0;
  const double max_frequency = std::min(settings.max_frequency_hz, nyquist);
  center_frequencies_hz_ =
      ErbSpacedCenters(settings.min_frequency_hz, max_frequency, settings.num_bands);

  const size_t fft_size = fft_.size();
  const double bin_hz = settings.sample_rate_hz / static_cast<double>(fft_size);
  bands_.resize(settings.num_bands);
  for (size_t band = 0; band < settings.num_bands; ++band) {
    const double center = center_frequencies_hz_[band];
    const double bandwidth = kBandwidthPerErb * ErbHz(center);
    // A 4th-order gammatone's magnitude response is (1 + ((f - fc)/b)^2)^-2 around +fc; the image
    // at -fc matters for the lowest bands. Unity gain at the centre, as Slaney normalises.
    std::vector<double> gains(fft_size / 2 + 1);
    for (size_t k = 0; k < gains.size(); ++k) {
      const double f = k * bin_hz;
      const double above = (f - center) / bandwidth;
      const double below = (f + center) / bandwidth;
      gains[k] = std::pow(1.0 + above * above, -4.0) + std::pow(1.0 + below * below, -4.0);
    }
    size_t first = 0;
    while (first < gains.size() && gains[first] < kNegligiblePowerGain) ++first;
    size_t last = gains.size();
    while (last > first && gains[last - 1] < kNegligiblePowerGain) --last;
    bands_[band].first_bin = first;
    bands_[band].power_gain.assign(gains.begin() + static_cast<std::ptrdiff_t>(first),
                                   gains.begin() + static_cast<std::ptrdiff_t>(last));
  }
  window_ = dsp::HannWindow(settings.window_samples);
}

StatusOr<Spectrogram> GammatoneSpectrogramBuilder::Build(std::span<const float> signal) const {
  const size_t window = settings_.window_samples;
  if (signal.size() < window) {
    return Status::Error("signal of " + std::to_string(signal.size()) +
                         " samples is shorter than one " + std::to_string(window) +
                         "-sample analysis window");
  }
  Spectrogram spectrogram;
  spectrogram.num_bands = settings_.num_bands;
  spectrogram.num_frames = 1 + (signal.size() - window) / settings_.hop_samples;
  spectrogram.values.resize(spectrogram.num_frames * spectrogram.num_bands);

  // Two real frames per complex FFT: frame f in the real part, frame f + 1 in the imaginary part,
  // separated afterwards by conjugate symmetry.
  const size_t fft_size = fft_.size();
  std::vector<std::complex<float>> packed(fft_size);
  std::vector<double> first_power(fft_size / 2 + 1), second_power(fft_size / 2 + 1);
  for (size_t f = 0; f < spectrogram.num_frames; f += 2) {
    const bool has_second = f + 1 < spectrogram.num_frames;
    const float* first = &signal[f * settings_.hop_samples];
    const float* second = has_second ? &signal[(f + 1) * settings_.hop_samples] : nullptr;
    for (size_t i = 0; i < window; ++i) {
      packed[i] = {first[i] * window_[i], has_second ? second[i] * window_[i] : 0.0f};
    }
    std::fill(packed.begin() + static_cast<std::ptrdiff_t>(window), packed.end(),
              std::complex<float>{});
    fft_.Forward(packed);
    for (size_t k = 0; k <= fft_size / 2; ++k) {
      const std::complex<float> z = packed[k];
      const std::complex<float> mirror = std::conj(packed[(fft_size - k) % fft_size]);
      // Each interior bin stands for itself and its negative-frequency twin.
      const double twins = (k == 0 || k == fft_size / 2) ? 1.0 : 2.0;
      first_power[k] = twins * std::norm(0.5f * (z + mirror));
      second_power[k] = twins * std::norm(0.5f * (z - mirror));
    }
    StoreBandLevels(first_power, &spectrogram.values[f * spectrogram.num_bands]);
    if (has_second) {
      StoreBandLevels(second_power, &spectrogram.values[(f + 1) * spectrogram.num_bands]);
    }
  }
  return spectrogram;
}

void GammatoneSpectrogramBuilder::StoreBandLevels(const std::vector<double>& power,
                                                  double* levels) const {
  for (size_t band = 0; band < bands_.size(); ++band) {
    const BandWeights& weights = bands_[band];
    double energy = 0.0;
    for (size_t j = 0; j < weights.power_gain.size(); ++j) {
      energy += weights.power_gain[j] * power[weights.first_bin + j];
    }
    // Parseval: the filtered frame's sum of squares is energy / fft_size; RMS over the frame.
    const double rms = std::sqrt(energy / static_cast<double>(fft_.size()) /
                                 static_cast<double>(settings_.window_samples));
    levels[band] = 10.0 * std::log10(std::max(rms, std::numeric_limits<double>::epsilon()));
  }
}

void PrepareSpectrogramsForComparison(Spectrogram* reference, Spectrogram* degraded) {
  for (Spectrogram* s : {reference, degraded}) {
    for (double& value : s->values) value = std::max(value, kAbsoluteFloor);
  }
  const size_t frames = std::min(reference->num_frames, degraded->num_frames);
  for (size_t f = 0; f < frames; ++f) {
    double peak = -std::numeric_limits<double>::infinity();
    for (size_t b = 0; b < reference->num_bands; ++b) peak = std::max(peak, reference->level(f, b));
    for (size_t b = 0; b < degraded->num_bands; ++b) peak = std::max(peak, degraded->level(f, b));
    const double floor = peak - kFloorBelowFramePeak;
    for (size_t b = 0; b < reference->num_bands; ++b) {
      reference->level(f, b) = std::max(reference->level(f, b), floor);
    }
    for (size_t b = 0; b < degraded->num_bands; ++b) {
      degraded->level(f, b) = std::max(degraded->level(f, b), floor);
    }
  }
  double lowest = std::numeric_limits<double>::infinity();
  for (const Spectrogram* s : {reference, degraded}) {
    for (double value : s->values) lowest = std::min(lowest, value);
  }
  if (!std::isfinite(lowest)) return;  // both empty
  for (Spectrogram* s : {reference, degraded}) {
    for (double& value : s->values) value -= lowest;
  }
}

}  // namespace auralink::quality
