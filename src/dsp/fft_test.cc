#include "dsp/fft.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

namespace auralink::dsp {
namespace {

TEST(FftTest, MatchesDirectDft) {
  constexpr size_t kSize = 64;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<std::complex<float>> data(kSize);
  for (auto& v : data) v = {dist(rng), dist(rng)};
  std::vector<std::complex<float>> expected(kSize);
  for (size_t k = 0; k < kSize; ++k) {
    std::complex<double> sum = 0.0;
    for (size_t n = 0; n < kSize; ++n) {
      double a = -2.0 * std::numbers::pi * static_cast<double>(k * n) / kSize;
      sum += std::complex<double>(data[n]) * std::complex<double>(std::cos(a), std::sin(a));
    }
    expected[k] = std::complex<float>(sum);
  }
  Fft fft(kSize);
  fft.Forward(data);
  for (size_t k = 0; k < kSize; ++k) {
    EXPECT_NEAR(data[k].real(), expected[k].real(), 1e-4);
    EXPECT_NEAR(data[k].imag(), expected[k].imag(), 1e-4);
  }
}

TEST(FftTest, RealRoundTrip) {
  constexpr size_t kSize = 256;
  std::vector<float> signal(kSize);
  for (size_t i = 0; i < kSize; ++i) signal[i] = std::sin(0.1f * i) + 0.25f * std::cos(1.3f * i);
  Fft fft(kSize);
  std::vector<std::complex<float>> spectrum;
  fft.ForwardReal(signal, &spectrum);
  ASSERT_EQ(spectrum.size(), kSize / 2 + 1);
  std::vector<float> back;
  fft.InverseReal(spectrum, &back);
  for (size_t i = 0; i < kSize; ++i) EXPECT_NEAR(back[i], signal[i], 1e-5);
}

}  // namespace
}  // namespace auralink::dsp
