#include "quality/log_spectral_distance.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <vector>

#include "dsp/fft.h"

namespace auralink::quality {
namespace {

constexpr double kFrameSeconds = 0.032;
constexpr double kFloorBelowPeakDb = 80.0;
constexpr double kActiveRangeDb = 40.0;

std::vector<std::vector<double>> PowerSpectra(std::span<const float> signal, size_t frame_size,
                                              const std::vector<float>& window,
                                              const dsp::Fft& fft) {
  const size_t hop = frame_size / 2;
  const size_t num_frames = signal.size() < frame_size ? 0 : 1 + (signal.size() - frame_size) / hop;
  std::vector<std::vector<double>> spectra(num_frames, std::vector<double>(frame_size / 2 + 1));
  std::vector<float> frame(frame_size);
  std::vector<std::complex<float>> spectrum;
  for (size_t f = 0; f < num_frames; ++f) {
    for (size_t i = 0; i < frame_size; ++i) frame[i] = signal[f * hop + i] * window[i];
    fft.ForwardReal(frame, &spectrum);
    for (size_t k = 0; k < spectra[f].size(); ++k) spectra[f][k] = std::norm(spectrum[k]);
  }
  return spectra;
}

}  // namespace

StatusOr<double> LogSpectralDistance(std::span<const float> reference,
                                     std::span<const float> degraded, int sample_rate_hz) {
  if (sample_rate_hz <= 0) return Status::Error("sample rate must be positive");
  // The power of two nearest 32 ms (512 at 16 kHz).
  size_t frame_size = 2;
  while (frame_size * 3 / 2 < kFrameSeconds * sample_rate_hz) frame_size <<= 1;
  const size_t common = std::min(reference.size(), degraded.size());
  if (common < frame_size) return Status::Error("signals are shorter than one LSD frame");
  const dsp::Fft fft(frame_size);
  const std::vector<float> window = dsp::HannWindow(frame_size);
  const auto reference_spectra = PowerSpectra(reference.first(common), frame_size, window, fft);
  const auto degraded_spectra = PowerSpectra(degraded.first(common), frame_size, window, fft);

  double peak_bin = 0.0;
  double loudest_frame = 0.0;
  std::vector<double> frame_energy(reference_spectra.size(), 0.0);
  for (size_t f = 0; f < reference_spectra.size(); ++f) {
    for (double power : reference_spectra[f]) {
      peak_bin = std::max(peak_bin, power);
      frame_energy[f] += power;
    }
    loudest_frame = std::max(loudest_frame, frame_energy[f]);
  }
  if (loudest_frame <= 0.0) return Status::Error("reference is silent");
  const double floor = peak_bin * std::pow(10.0, -kFloorBelowPeakDb / 10.0);
  const double active_threshold = loudest_frame * std::pow(10.0, -kActiveRangeDb / 10.0);

  double total = 0.0;
  size_t frames = 0;
  for (size_t f = 0; f < reference_spectra.size(); ++f) {
    if (frame_energy[f] < active_threshold) continue;
    double squared = 0.0;
    for (size_t k = 0; k < reference_spectra[f].size(); ++k) {
      const double difference_db =
          10.0 * std::log10((reference_spectra[f][k] + floor) / (degraded_spectra[f][k] + floor));
      squared += difference_db * difference_db;
    }
    total += std::sqrt(squared / static_cast<double>(reference_spectra[f].size()));
    ++frames;
  }
  return total / static_cast<double>(frames);
}

}  // namespace auralink::quality
