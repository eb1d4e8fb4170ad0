#include "audio/resampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

namespace auralink::audio {
namespace {

std::vector<float> Sine(double hz, int rate, size_t n, double amplitude) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>(
        amplitude * std::sin(2.0 * std::numbers::pi * hz * static_cast<double>(i) / rate));
  }
  return x;
}

// Least-squares fit of a sinusoid at `hz` to x[begin, end): returns its amplitude and the ratio of
// the residual's energy to the fitted sinusoid's, which is small only when x holds that frequency.
struct SineFit {
  double amplitude;
  double residual_ratio;
};

SineFit FitSine(const std::vector<float>& x, double hz, int rate, size_t begin, size_t end) {
  double ss = 0, cc = 0, sc = 0, xs = 0, xc = 0;
  for (size_t i = begin; i < end; ++i) {
    const double phase = 2.0 * std::numbers::pi * hz * static_cast<double>(i) / rate;
    const double s = std::sin(phase), c = std::cos(phase);
    ss += s * s;
    cc += c * c;
    sc += s * c;
    xs += x[i] * s;
    xc += x[i] * c;
  }
  const double det = ss * cc - sc * sc;
  const double a = (xs * cc - xc * sc) / det;
  const double b = (xc * ss - xs * sc) / det;
  double residual = 0, fitted = 0;
  for (size_t i = begin; i < end; ++i) {
    const double phase = 2.0 * std::numbers::pi * hz * static_cast<double>(i) / rate;
    const double y = a * std::sin(phase) + b * std::cos(phase);
    residual += (x[i] - y) * (x[i] - y);
    fitted += y * y;
  }
  return {std::hypot(a, b), residual / fitted};
}

std::vector<float> RunStreaming(StreamingResampler* resampler, const std::vector<float>& input) {
  const size_t in_frame = static_cast<size_t>(resampler->input_frame_size());
  std::vector<float> output, frame;
  for (size_t begin = 0; begin + in_frame <= input.size(); begin += in_frame) {
    resampler->ProcessFrame(std::span<const float>(input).subspan(begin, in_frame), &frame);
    EXPECT_EQ(frame.size(), static_cast<size_t>(resampler->output_frame_size()));
    output.insert(output.end(), frame.begin(), frame.end());
  }
  return output;
}

double Db(double ratio) { return 20.0 * std::log10(ratio); }

TEST(StreamingResamplerTest, RejectsRatesWithoutWholeFrames) {
  EXPECT_FALSE(StreamingResampler::Create(0, 16000).ok());
  EXPECT_FALSE(StreamingResampler::Create(16000, -8000).ok());
  auto odd = StreamingResampler::Create(11025, 16000);
  ASSERT_FALSE(odd.ok());
  EXPECT_NE(odd.status().message().find("11025"), std::string::npos);
}

TEST(StreamingResamplerTest, EqualRatesPassThrough) {
  auto resampler = StreamingResampler::Create(16000, 16000);
  ASSERT_TRUE(resampler.ok());
  EXPECT_EQ((*resampler)->delay_output_samples(), 0);
  const std::vector<float> input = Sine(440, 16000, 320, 0.5);
  std::vector<float> out;
  (*resampler)->ProcessFrame(input, &out);
  EXPECT_EQ(out, input);
}

class ResamplerPairTest : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(ResamplerPairTest, EveryFrameHasExactLength) {
  const auto [in_rate, out_rate] = GetParam();
  auto resampler = StreamingResampler::Create(in_rate, out_rate);
  ASSERT_TRUE(resampler.ok()) << resampler.status().message();
  const std::vector<float> input = Sine(300, in_rate, static_cast<size_t>(in_rate) * 3, 0.5);
  const std::vector<float> output = RunStreaming(resampler->get(), input);
  EXPECT_EQ(output.size(), static_cast<size_t>(out_rate) * 3);
}

TEST_P(ResamplerPairTest, DelayIsConstantAndReported) {
  const auto [in_rate, out_rate] = GetParam();
  auto resampler = StreamingResampler::Create(in_rate, out_rate);
  ASSERT_TRUE(resampler.ok());
  // Impulses at input instants that fall on output samples, in different frames and frame phases.
  const int step = in_rate / std::gcd(in_rate, out_rate);
  std::vector<size_t> positions = {
      static_cast<size_t>(step) * 7, static_cast<size_t>(in_rate) + static_cast<size_t>(step) * 3,
      static_cast<size_t>(in_rate) * 2 + static_cast<size_t>(step) * 11};
  std::vector<float> input(static_cast<size_t>(in_rate) * 3, 0.0f);
  for (size_t p : positions) input[p] = 1.0f;
  const std::vector<float> output = RunStreaming(resampler->get(), input);
  const int delay = (*resampler)->delay_output_samples();
  for (size_t p : positions) {
    const size_t expected = p * static_cast<size_t>(out_rate) / static_cast<size_t>(in_rate) +
                            static_cast<size_t>(delay);
    ASSERT_LT(expected + 50, output.size());
    auto window_begin = output.begin() + static_cast<std::ptrdiff_t>(expected) - 50;
    auto peak = std::max_element(window_begin, window_begin + 101,
                                 [](float a, float b) { return std::fabs(a) < std::fabs(b); });
    EXPECT_EQ(peak - output.begin(), static_cast<std::ptrdiff_t>(expected)) << "impulse at " << p;
  }
}

TEST_P(ResamplerPairTest, ResetRestartsAtTheSameDelay) {
  const auto [in_rate, out_rate] = GetParam();
  auto resampler = StreamingResampler::Create(in_rate, out_rate);
  ASSERT_TRUE(resampler.ok());
  const std::vector<float> input = Sine(700, in_rate, static_cast<size_t>(in_rate), 0.5);
  const std::vector<float> first = RunStreaming(resampler->get(), input);
  (*resampler)->Reset();
  const std::vector<float> second = RunStreaming(resampler->get(), input);
  EXPECT_EQ(first, second);
}

INSTANTIATE_TEST_SUITE_P(Pairs, ResamplerPairTest,
                         ::testing::Values(std::pair{48000, 16000}, std::pair{16000, 48000},
                                           std::pair{44100, 16000}, std::pair{8000, 16000},
                                           std::pair{44100, 48000}, std::pair{48000, 44100},
                                           std::pair{32000, 48000}, std::pair{48000, 32000}),
                         [](const auto& info) {
                           return std::to_string(info.param.first) + "to" +
                                  std::to_string(info.param.second);
                         });

// A passband sine keeps its frequency and amplitude (within 0.1 dB) through each conversion.
void ExpectSineSurvives(const std::vector<float>& output, double hz, int rate, double amplitude,
                        size_t skip) {
  const SineFit fit = FitSine(output, hz, rate, skip, output.size() - skip);
  EXPECT_NEAR(Db(fit.amplitude / amplitude), 0.0, 0.1) << hz << " Hz at " << rate;
  EXPECT_LT(fit.residual_ratio, 1e-4) << hz << " Hz at " << rate;
}

TEST(StreamingResamplerTest, SineSurvives48kTo16kAndBack) {
  auto down = StreamingResampler::Create(48000, 16000);
  auto up = StreamingResampler::Create(16000, 48000);
  ASSERT_TRUE(down.ok() && up.ok());
  for (double hz : {250.0, 1000.0, 3500.0, 6800.0}) {
    (*down)->Reset();
    (*up)->Reset();
    const std::vector<float> input = Sine(hz, 48000, 48000 * 2, 0.5);
    const std::vector<float> mid = RunStreaming(down->get(), input);
    ExpectSineSurvives(mid, hz, 16000, 0.5, 2000);
    const std::vector<float> back = RunStreaming(up->get(), mid);
    ExpectSineSurvives(back, hz, 48000, 0.5, 6000);
  }
}

TEST(StreamingResamplerTest, SineSurvives44kTo16k) {
  auto resampler = StreamingResampler::Create(44100, 16000);
  ASSERT_TRUE(resampler.ok());
  for (double hz : {300.0, 2000.0, 7000.0}) {
    (*resampler)->Reset();
    const std::vector<float> output = RunStreaming(resampler->get(), Sine(hz, 44100, 88200, 0.5));
    ExpectSineSurvives(output, hz, 16000, 0.5, 2000);
  }
}

TEST(StreamingResamplerTest, SineSurvives8kTo16k) {
  auto resampler = StreamingResampler::Create(8000, 16000);
  ASSERT_TRUE(resampler.ok());
  for (double hz : {200.0, 1000.0, 3400.0}) {
    (*resampler)->Reset();
    const std::vector<float> output = RunStreaming(resampler->get(), Sine(hz, 8000, 16000, 0.5));
    ExpectSineSurvives(output, hz, 16000, 0.5, 2000);
  }
}

TEST(StreamingResamplerTest, DownsamplingRemovesContentAboveTheNewNyquist) {
  auto resampler = StreamingResampler::Create(48000, 16000);
  ASSERT_TRUE(resampler.ok());
  const std::vector<float> output = RunStreaming(resampler->get(), Sine(12000, 48000, 48000, 0.5));
  double energy = 0;
  for (size_t i = 2000; i < output.size(); ++i) energy += output[i] * output[i];
  const double rms = std::sqrt(energy / static_cast<double>(output.size() - 2000));
  EXPECT_LT(Db(rms / (0.5 / std::sqrt(2.0))), -90.0);
}

TEST(ResampleWholeTest, LengthIsRoundedRatio) {
  const std::vector<float> input(12345, 0.1f);
  EXPECT_EQ(ResampleWhole(input, 44100, 16000).size(), 4479u);  // 4478.9
  EXPECT_EQ(ResampleWhole(input, 16000, 48000).size(), 37035u);
  EXPECT_EQ(ResampleWhole(input, 48000, 8000).size(), 2058u);  // 2057.5 rounds up
  EXPECT_EQ(ResampleWhole(input, 16000, 16000).size(), 12345u);
  EXPECT_TRUE(ResampleWhole(input, 0, 16000).empty());
  EXPECT_TRUE(ResampleWhole({}, 16000, 48000).empty());
}

TEST(ResampleWholeTest, HasNoDelay) {
  std::vector<float> input(44100, 0.0f);
  input[441 * 30] = 1.0f;  // 0.3 s
  const std::vector<float> output = ResampleWhole(input, 44100, 16000);
  auto peak = std::max_element(output.begin(), output.end(),
                               [](float a, float b) { return std::fabs(a) < std::fabs(b); });
  EXPECT_EQ(peak - output.begin(), 4800);
}

TEST(ResampleWholeTest, KeepsASineThroughTheWholeSignal) {
  const std::vector<float> input = Sine(1000, 48000, 48000, 0.25);
  const std::vector<float> output = ResampleWhole(input, 48000, 16000);
  ExpectSineSurvives(output, 1000, 16000, 0.25, 200);
}

}  // namespace
}  // namespace auralink::audio
