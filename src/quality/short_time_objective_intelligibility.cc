#include "quality/short_time_objective_intelligibility.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <utility>
#include <vector>

#include "dsp/fft.h"
#include "quality/sample_rate_conversion.h"

namespace auralink::quality {
namespace {

// Taal et al. 2011, sec. II.
constexpr int kSampleRateHz = 10000;
constexpr size_t kFrameSamples = 256;  // 25.6 ms
constexpr size_t kHopSamples = kFrameSamples / 2;
constexpr size_t kFftSize = 512;
constexpr size_t kNumBands = 15;
constexpr double kLowestCenterHz = 150.0;
constexpr size_t kSegmentFrames = 30;     // N: 384 ms
constexpr double kClippingDb = -15.0;     // beta, signal-to-distortion lower bound
constexpr double kDynamicRangeDb = 40.0;  // frames this far under the loudest are silent
constexpr double kEpsilon = 1e-12;

// The paper's analysis window: a Hann window of frame length + 2 without its zero end points.
std::vector<float> AnalysisWindow() {
  std::vector<float> window(kFrameSamples);
  for (size_t i = 0; i < kFrameSamples; ++i) {
    window[i] = static_cast<float>(
        0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i + 1) /
                             static_cast<double>(kFrameSamples + 1)));
  }
  return window;
}

// Drops frames whose reference energy is more than 40 dB under the loudest frame from both signals
// and overlap-adds the windowed frames that remain (sec. II: silent regions carry no speech).
void RemoveSilentFrames(const std::vector<float>& window, std::vector<float>* reference,
                        std::vector<float>* degraded) {
  const size_t length = reference->size();
  if (length < kFrameSamples) {
    reference->clear();
    degraded->clear();
    return;
  }
  const size_t num_frames = 1 + (length - kFrameSamples) / kHopSamples;
  std::vector<double> energy_db(num_frames);
  double loudest = -std::numeric_limits<double>::infinity();
  for (size_t f = 0; f < num_frames; ++f) {
    double energy = 0.0;
    for (size_t i = 0; i < kFrameSamples; ++i) {
      const double sample = (*reference)[f * kHopSamples + i] * window[i];
      energy += sample * sample;
    }
    energy_db[f] = 10.0 * std::log10(energy + kEpsilon);
    loudest = std::max(loudest, energy_db[f]);
  }
  std::vector<size_t> kept;
  for (size_t f = 0; f < num_frames; ++f) {
    if (energy_db[f] > loudest - kDynamicRangeDb) kept.push_back(f);
  }
  std::vector<float> new_reference, new_degraded;
  if (!kept.empty()) {
    new_reference.assign((kept.size() - 1) * kHopSamples + kFrameSamples, 0.0f);
    new_degraded.assign(new_reference.size(), 0.0f);
    for (size_t k = 0; k < kept.size(); ++k) {
      const size_t from = kept[k] * kHopSamples;
      const size_t to = k * kHopSamples;
      for (size_t i = 0; i < kFrameSamples; ++i) {
        new_reference[to + i] += (*reference)[from + i] * window[i];
        new_degraded[to + i] += (*degraded)[from + i] * window[i];
      }
    }
  }
  *reference = std::move(new_reference);
  *degraded = std::move(new_degraded);
}

// FFT bin ranges [first, last) of the one-third-octave bands: centres 150 * 2^(j/3) Hz, edges a
// sixth of an octave either side, each edge snapped to the nearest bin (as in the paper's code).
std::vector<std::pair<size_t, size_t>> ThirdOctaveBins() {
  const double bin_hz = static_cast<double>(kSampleRateHz) / kFftSize;
  auto nearest_bin = [&](double hz) {
    return std::min(static_cast<size_t>(std::lround(hz / bin_hz)), kFftSize / 2);
  };
  std::vector<std::pair<size_t, size_t>> bands(kNumBands);
  for (size_t j = 0; j < kNumBands; ++j) {
    const double center = kLowestCenterHz * std::pow(2.0, static_cast<double>(j) / 3.0);
    bands[j] = {nearest_bin(center * std::pow(2.0, -1.0 / 6.0)),
                nearest_bin(center * std::pow(2.0, 1.0 / 6.0))};
  }
  return bands;
}

// Band envelopes, band-major: envelopes[band][frame] = sqrt(sum of |X|^2 over the band's bins).
std::vector<std::vector<double>> BandEnvelopes(const std::vector<float>& signal,
                                               const std::vector<float>& window,
                                               const std::vector<std::pair<size_t, size_t>>& bands,
                                               const dsp::Fft& fft) {
  const size_t num_frames =
      signal.size() < kFrameSamples ? 0 : 1 + (signal.size() - kFrameSamples) / kHopSamples;
  std::vector<std::vector<double>> envelopes(bands.size(), std::vector<double>(num_frames));
  std::vector<float> frame(kFftSize, 0.0f);
  std::vector<std::complex<float>> spectrum;
  for (size_t f = 0; f < num_frames; ++f) {
    for (size_t i = 0; i < kFrameSamples; ++i) frame[i] = signal[f * kHopSamples + i] * window[i];
    fft.ForwardReal(frame, &spectrum);
    for (size_t j = 0; j < bands.size(); ++j) {
      double energy = 0.0;
      for (size_t k = bands[j].first; k < bands[j].second; ++k) energy += std::norm(spectrum[k]);
      envelopes[j][f] = std::sqrt(energy);
    }
  }
  return envelopes;
}

// Intermediate intelligibility of one band over one segment (eqs. 3-5): the degraded envelope is
// scaled to the clean energy, clipped at a signal-to-distortion ratio of beta, and correlated.
double SegmentCorrelation(const double* clean, const double* degraded, size_t length) {
  double clean_energy = 0.0, degraded_energy = 0.0;
  for (size_t i = 0; i < length; ++i) {
    clean_energy += clean[i] * clean[i];
    degraded_energy += degraded[i] * degraded[i];
  }
  const double scale = std::sqrt(clean_energy) / (std::sqrt(degraded_energy) + kEpsilon);
  const double clip_factor = 1.0 + std::pow(10.0, -kClippingDb / 20.0);
  std::vector<double> clipped(length);
  double clean_mean = 0.0, clipped_mean = 0.0;
  for (size_t i = 0; i < length; ++i) {
    clipped[i] = std::min(scale * degraded[i], clip_factor * clean[i]);
    clean_mean += clean[i];
    clipped_mean += clipped[i];
  }
  clean_mean /= static_cast<double>(length);
  clipped_mean /= static_cast<double>(length);
  double covariance = 0.0, clean_variance = 0.0, clipped_variance = 0.0;
  for (size_t i = 0; i < length; ++i) {
    const double a = clean[i] - clean_mean;
    const double b = clipped[i] - clipped_mean;
    covariance += a * b;
    clean_variance += a * a;
    clipped_variance += b * b;
  }
  return covariance / (std::sqrt(clean_variance * clipped_variance) + kEpsilon);
}

}  // namespace

StatusOr<double> ShortTimeObjectiveIntelligibility(std::span<const float> reference,
                                                   std::span<const float> degraded,
                                                   int sample_rate_hz) {
  const size_t common = std::min(reference.size(), degraded.size());
  StatusOr<std::vector<float>> clean =
      ConvertSampleRate(reference.first(common), sample_rate_hz, kSampleRateHz);
  if (!clean.ok()) return clean.status();
  StatusOr<std::vector<float>> processed =
      ConvertSampleRate(degraded.first(common), sample_rate_hz, kSampleRateHz);
  if (!processed.ok()) return processed.status();

  double clean_energy = 0.0;
  for (float sample : *clean) clean_energy += static_cast<double>(sample) * sample;
  if (clean_energy <= 0.0) return Status::Error("reference is silent");
  const std::vector<float> window = AnalysisWindow();
  RemoveSilentFrames(window, &*clean, &*processed);
  const dsp::Fft fft(kFftSize);
  const auto bands = ThirdOctaveBins();
  const auto clean_envelopes = BandEnvelopes(*clean, window, bands, fft);
  const auto processed_envelopes = BandEnvelopes(*processed, window, bands, fft);
  const size_t num_frames = clean_envelopes[0].size();
  if (num_frames < 2) {
    return Status::Error("too little active speech for STOI (needs at least two 25.6 ms frames)");
  }
  const size_t segment = std::min(kSegmentFrames, num_frames);
  double total = 0.0;
  size_t count = 0;
  for (size_t end = segment; end <= num_frames; ++end) {
    for (size_t j = 0; j < bands.size(); ++j) {
      total += SegmentCorrelation(&clean_envelopes[j][end - segment],
                                  &processed_envelopes[j][end - segment], segment);
      ++count;
    }
  }
  return total / static_cast<double>(count);
}

}  // namespace auralink::quality
