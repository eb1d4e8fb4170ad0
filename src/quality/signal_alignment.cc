#include "quality/signal_alignment.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>

#include "dsp/fft.h"

namespace auralink::quality {
namespace {

// The envelope is searched at 1/8 of the sample rate (2 kHz for 16 kHz input).
constexpr size_t kEnvelopeDecimation = 8;
// Waveform refinement around the envelope peak: +-40 samples (2.5 ms at 16 kHz) covers the
// envelope's resolution with margin while staying under a typical pitch period.
constexpr int kRefinementRadiusSamples = 40;

size_t NextPowerOfTwo(size_t n) {
  size_t size = 2;
  while (size < n) size <<= 1;
  return size;
}

// Rectified envelope averaged over blocks of kEnvelopeDecimation samples, mean removed so the
// cross-correlation is not biased towards the lag of largest overlap. Like ViSQOL's Hilbert
// envelope it ignores phase; block averaging makes it cheap and shrinks the correlation 8x.
std::vector<float> CenteredEnvelope(std::span<const float> signal) {
  std::vector<float> envelope(signal.size() / kEnvelopeDecimation);
  double mean = 0.0;
  for (size_t m = 0; m < envelope.size(); ++m) {
    float sum = 0.0f;
    for (size_t i = 0; i < kEnvelopeDecimation; ++i) {
      sum += std::abs(signal[m * kEnvelopeDecimation + i]);
    }
    envelope[m] = sum / kEnvelopeDecimation;
    mean += envelope[m];
  }
  if (envelope.empty()) return envelope;
  mean /= static_cast<double>(envelope.size());
  for (float& value : envelope) value -= static_cast<float>(mean);
  return envelope;
}

// Lag in [-max_lag, max_lag] maximising sum_n a[n] * b[n + lag], computed with one FFT product.
int BestCorrelationLag(std::span<const float> a, std::span<const float> b, int max_lag) {
  const size_t size = NextPowerOfTwo(a.size() + b.size());
  dsp::Fft fft(size);
  std::vector<std::complex<float>> fa(size), fb(size);
  for (size_t i = 0; i < a.size(); ++i) fa[i] = {a[i], 0.0f};
  for (size_t i = 0; i < b.size(); ++i) fb[i] = {b[i], 0.0f};
  fft.Forward(fa);
  fft.Forward(fb);
  for (size_t k = 0; k < size; ++k) fa[k] = std::conj(fa[k]) * fb[k];
  fft.Inverse(fa);  // fa[lag mod size] = sum_n a[n] b[n + lag]
  const int lowest = std::max(-max_lag, -static_cast<int>(a.size()) + 1);
  const int highest = std::min(max_lag, static_cast<int>(b.size()) - 1);
  int best_lag = 0;
  float best = -std::numeric_limits<float>::infinity();
  for (int lag = lowest; lag <= highest; ++lag) {
    const size_t index = lag >= 0 ? static_cast<size_t>(lag) : size - static_cast<size_t>(-lag);
    const float value = fa[index].real();
    // Ties (e.g. all zero for silence) keep the lag nearest zero.
    if (value > best || (value == best && std::abs(lag) < std::abs(best_lag))) {
      best = value;
      best_lag = lag;
    }
  }
  return best > 0.0f ? best_lag : 0;
}

double WaveformCorrelation(std::span<const float> reference, std::span<const float> degraded,
                           int lag) {
  double sum = 0.0;
  const size_t first = lag < 0 ? static_cast<size_t>(-lag) : 0;
  for (size_t n = first; n < reference.size(); ++n) {
    const long long m = static_cast<long long>(n) + lag;
    if (m >= static_cast<long long>(degraded.size())) break;
    sum += static_cast<double>(reference[n]) * degraded[static_cast<size_t>(m)];
  }
  return sum;
}

}  // namespace

int EstimateDelay(std::span<const float> reference, std::span<const float> degraded,
                  int max_lag_samples) {
  if (reference.empty() || degraded.empty() || max_lag_samples < 0) return 0;
  const std::vector<float> reference_envelope = CenteredEnvelope(reference);
  const std::vector<float> degraded_envelope = CenteredEnvelope(degraded);
  const int coarse =
      reference_envelope.empty() || degraded_envelope.empty()
          ? 0
          : static_cast<int>(kEnvelopeDecimation) *
                BestCorrelationLag(reference_envelope, degraded_envelope,
                                   max_lag_samples / static_cast<int>(kEnvelopeDecimation));

  int best_lag = coarse;
  double best = WaveformCorrelation(reference, degraded, coarse);
  for (int lag = coarse - kRefinementRadiusSamples; lag <= coarse + kRefinementRadiusSamples;
       ++lag) {
    if (std::abs(lag) > max_lag_samples || lag == coarse) continue;
    const double value = WaveformCorrelation(reference, degraded, lag);
    if (value > best) {
      best = value;
      best_lag = lag;
    }
  }
  // A polarity-inverted or phase-scrambled copy has no positive waveform peak: trust the envelope.
  return best > 0.0 ? best_lag : coarse;
}

std::vector<float> RemoveDelay(std::span<const float> degraded, int delay_samples, size_t length) {
  std::vector<float> aligned(length, 0.0f);
  for (size_t n = 0; n < length; ++n) {
    const long long m = static_cast<long long>(n) + delay_samples;
    if (m < 0) continue;
    if (m >= static_cast<long long>(degraded.size())) break;
    aligned[n] = degraded[static_cast<size_t>(m)];
  }
  return aligned;
}

}  // namespace auralink::quality
