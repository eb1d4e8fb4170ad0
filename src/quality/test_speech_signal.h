// Test-only signals: a deterministic speech-like clip (voiced syllables with gliding pitch and
// formant-shaped harmonics, fricative bursts, pauses) so the measures can be tested without the
// shared speech clips, and white noise at a chosen SNR.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

namespace auralink::quality::testing {

inline std::vector<float> SyntheticSpeech(double seconds, int rate_hz, uint32_t seed = 1) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> gaussian(0.0, 1.0);
  const size_t length = static_cast<size_t>(seconds * rate_hz);
  std::vector<float> signal(length, 0.0f);
  size_t position = static_cast<size_t>(0.1 * rate_hz);
  while (position < length) {
    const size_t syllable = static_cast<size_t>((0.15 + 0.2 * uniform(random)) * rate_hz);
    const double f0_start = 90.0 + 140.0 * uniform(random);
    const double f0_end = f0_start * (0.8 + 0.4 * uniform(random));
    const double formants[3] = {300.0 + 600.0 * uniform(random), 900.0 + 1500.0 * uniform(random),
                                2400.0 + 800.0 * uniform(random)};
    const double amplitude = 0.15 + 0.25 * uniform(random);
    const bool fricative = uniform(random) < 0.4;
    double phase = 0.0;
    for (size_t i = 0; i < syllable && position + i < length; ++i) {
      const double t = static_cast<double>(i) / static_cast<double>(syllable);
      const double envelope = std::sin(std::numbers::pi * t);
      const double f0 = f0_start + (f0_end - f0_start) * t;
      phase += 2.0 * std::numbers::pi * f0 / rate_hz;
      double voiced = 0.0;
      for (int h = 1; f0 * h < 0.45 * rate_hz && h <= 60; ++h) {
        double gain = 0.0;
        for (double formant : formants) {
          const double distance = (f0 * h - formant) / (0.1 * formant + 60.0);
          gain += 1.0 / (1.0 + distance * distance);
        }
        voiced += gain * std::sin(h * phase) / std::sqrt(static_cast<double>(h));
      }
      double sample = 0.25 * voiced;
      if (fricative && t > 0.7) sample += 0.3 * gaussian(random) * (t - 0.7) / 0.3;
      signal[position + i] = static_cast<float>(amplitude * envelope * sample);
    }
    position += syllable + static_cast<size_t>((0.04 + 0.2 * uniform(random)) * rate_hz);
  }
  float peak = 0.0f;
  for (float sample : signal) peak = std::max(peak, std::abs(sample));
  for (float& sample : signal) sample *= 0.7f / peak;
  return signal;
}

// signal plus white Gaussian noise whose power is snr_db under the signal's mean power.
inline std::vector<float> WithWhiteNoise(const std::vector<float>& signal, double snr_db,
                                         uint32_t seed = 7) {
  double power = 0.0;
  for (float sample : signal) power += static_cast<double>(sample) * sample;
  power /= static_cast<double>(signal.size());
  std::mt19937 random(seed);
  std::normal_distribution<double> gaussian(0.0, std::sqrt(power / std::pow(10.0, snr_db / 10.0)));
  std::vector<float> noisy(signal.size());
  for (size_t i = 0; i < signal.size(); ++i) {
    noisy[i] = signal[i] + static_cast<float>(gaussian(random));
  }
  return noisy;
}

}  // namespace auralink::quality::testing
