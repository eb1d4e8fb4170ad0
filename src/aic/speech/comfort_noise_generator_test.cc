#include "aic/speech/comfort_noise_generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "dsp/fft.h"

namespace auralink::speech {
namespace {

std::vector<float> WhiteNoise(size_t samples, double dbfs, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, static_cast<float>(std::pow(10.0, dbfs / 20.0)));
  std::vector<float> x(samples);
  for (float& v : x) v = normal(rng);
  return x;
}

// White noise through a one-pole low-pass: most energy low, a steep tilt to check the envelope.
std::vector<float> TiltedNoise(size_t samples, double dbfs, uint32_t seed) {
  std::vector<float> x = WhiteNoise(samples, dbfs, seed);
  float state = 0.0f;
  for (float& v : x) v = state = 0.9f * state + 0.1f * v;
  return x;
}

double MeanSquare(std::span<const float> x) {
  double sum = 0.0;
  for (float v : x) sum += static_cast<double>(v) * v;
  return sum / static_cast<double>(x.size());
}

double Db(double power_ratio) { return 10.0 * std::log10(power_ratio); }

void LearnAll(ComfortNoiseGenerator* generator, const std::vector<float>& x) {
  const size_t hop = static_cast<size_t>(generator->frame_size());
  for (size_t begin = 0; begin + hop <= x.size(); begin += hop) {
    generator->Learn(std::span<const float>(x).subspan(begin, hop));
  }
}

std::vector<float> GenerateSeconds(ComfortNoiseGenerator* generator, int seconds) {
  std::vector<float> out(static_cast<size_t>(generator->sample_rate_hz()) * seconds);
  const size_t hop = static_cast<size_t>(generator->frame_size());
  for (size_t begin = 0; begin + hop <= out.size(); begin += hop) {
    generator->Generate(std::span<float>(out).subspan(begin, hop));
  }
  return out;
}

// Power in [low_hz, high_hz) from averaged 1024-point periodograms.
double BandPower(const std::vector<float>& x, int rate, double low_hz, double high_hz) {
  constexpr size_t kSize = 1024;
  dsp::Fft fft(kSize);
  const std::vector<float> window = dsp::HannWindow(kSize);
  std::vector<float> block(kSize);
  std::vector<std::complex<float>> spectrum;
  double power = 0.0;
  for (size_t begin = 0; begin + kSize <= x.size(); begin += kSize / 2) {
    for (size_t i = 0; i < kSize; ++i) block[i] = x[begin + i] * window[i];
    fft.ForwardReal(block, &spectrum);
    for (size_t k = 0; k < spectrum.size(); ++k) {
      const double hz = static_cast<double>(k) * rate / kSize;
      if (hz >= low_hz && hz < high_hz) power += std::norm(spectrum[k]);
    }
  }
  return power;
}

TEST(ComfortNoiseGeneratorTest, SilentUntilNoiseWasLearned) {
  ComfortNoiseGenerator generator(16000);
  EXPECT_FALSE(generator.has_noise_estimate());
  EXPECT_EQ(generator.noise_power(), 0.0);
  std::vector<float> frame(320, 1.0f);
  generator.Generate(frame);
  EXPECT_EQ(MeanSquare(frame), 0.0);
}

TEST(ComfortNoiseGeneratorTest, MatchesTheLevelOfWhiteNoiseAtEveryRate) {
  for (int rate : {8000, 16000, 32000, 44100, 48000}) {
    ComfortNoiseGenerator generator(rate);
    EXPECT_EQ(generator.frame_size(), rate / 50);
    const std::vector<float> noise = WhiteNoise(static_cast<size_t>(rate) * 3, -40.0, 1);
    LearnAll(&generator, noise);
    ASSERT_TRUE(generator.has_noise_estimate());
    EXPECT_NEAR(Db(generator.noise_power() / MeanSquare(noise)), 0.0, 0.5) << rate;
    const std::vector<float> generated = GenerateSeconds(&generator, 3);
    // The first frame fades in (no overlap yet); measure after it.
    const std::span<const float> steady =
        std::span<const float>(generated).subspan(static_cast<size_t>(rate / 50));
    EXPECT_NEAR(Db(MeanSquare(steady) / MeanSquare(noise)), 0.0, 1.0) << rate;
  }
}

TEST(ComfortNoiseGeneratorTest, FollowsTheSpectralEnvelope) {
  ComfortNoiseGenerator generator(16000);
  const std::vector<float> noise = TiltedNoise(16000 * 4, -30.0, 2);
  LearnAll(&generator, noise);
  const std::vector<float> generated = GenerateSeconds(&generator, 4);
  const double bands[][2] = {{100, 500}, {500, 1500}, {1500, 3000}, {3000, 5000}, {5000, 7800}};
  const double total_in = BandPower(noise, 16000, 0, 8000);
  const double total_out = BandPower(generated, 16000, 0, 8000);
  for (const auto& band : bands) {
    const double in = BandPower(noise, 16000, band[0], band[1]) / total_in;
    const double out = BandPower(generated, 16000, band[0], band[1]) / total_out;
    EXPECT_NEAR(Db(out / in), 0.0, 1.5) << band[0] << "-" << band[1] << " Hz";
  }
  // The tilt itself is steep: flat noise would fail the check above.
  EXPECT_GT(Db(BandPower(noise, 16000, 100, 500) / BandPower(noise, 16000, 5000, 7800)), 10.0);
}

TEST(ComfortNoiseGeneratorTest, LevelIsSteadyWithinEachFrame) {
  ComfortNoiseGenerator generator(16000);
  LearnAll(&generator, WhiteNoise(16000 * 2, -30.0, 3));
  const std::vector<float> generated = GenerateSeconds(&generator, 20);
  // Power by position within the 20 ms hop, over 1000 frames: a window whose squares do not sum to
  // one would modulate it at the frame rate.
  constexpr size_t kHop = 320, kSlots = 8;
  std::vector<double> slot_power(kSlots, 0.0);
  for (size_t i = kHop; i < generated.size(); ++i) {
    slot_power[(i % kHop) * kSlots / kHop] += static_cast<double>(generated[i]) * generated[i];
  }
  const auto [low, high] = std::minmax_element(slot_power.begin(), slot_power.end());
  EXPECT_LT(Db(*high / *low), 0.5);
}

TEST(ComfortNoiseGeneratorTest, SpeechFramesDoNotRaiseTheNoise) {
  ComfortNoiseGenerator generator(16000);
  const std::vector<float> noise = WhiteNoise(16000 * 6, -50.0, 4);
  std::vector<float> mixed = noise;
  // Loud bursts (-10 dBFS) covering half of the time after the first second.
  const std::vector<float> loud = WhiteNoise(mixed.size(), -10.0, 5);
  for (size_t i = 16000; i < mixed.size(); ++i) {
    if ((i / 4800) % 2 == 0) mixed[i] += loud[i];
  }
  LearnAll(&generator, mixed);
  EXPECT_NEAR(Db(generator.noise_power() / MeanSquare(noise)), 0.0, 1.0);
}

TEST(ComfortNoiseGeneratorTest, FollowsAQuieterRoom) {
  ComfortNoiseGenerator generator(16000);
  LearnAll(&generator, WhiteNoise(16000 * 3, -30.0, 6));
  const std::vector<float> quieter = WhiteNoise(16000 * 3, -50.0, 7);
  LearnAll(&generator, quieter);
  EXPECT_NEAR(Db(generator.noise_power() / MeanSquare(quieter)), 0.0, 1.0);
}

TEST(ComfortNoiseGeneratorTest, FollowsALouderRoomWithinTheFloorWindow) {
  ComfortNoiseGenerator generator(16000);
  LearnAll(&generator, WhiteNoise(16000 * 3, -50.0, 8));
  const std::vector<float> louder = WhiteNoise(16000 * 5, -35.0, 9);
  LearnAll(&generator, louder);
  EXPECT_NEAR(Db(generator.noise_power() / MeanSquare(louder)), 0.0, 1.0);
}

TEST(ComfortNoiseGeneratorTest, AnyChunkingGivesTheSameStream) {
  ComfortNoiseGenerator a(16000), b(16000);
  const std::vector<float> noise = WhiteNoise(16000, -40.0, 10);
  LearnAll(&a, noise);
  LearnAll(&b, noise);
  std::vector<float> whole(960), parts(960);
  a.Generate(whole);
  b.Generate(std::span<float>(parts).subspan(0, 100));
  b.Generate(std::span<float>(parts).subspan(100, 500));
  b.Generate(std::span<float>(parts).subspan(600, 360));
  EXPECT_EQ(whole, parts);
}

TEST(ComfortNoiseGeneratorTest, DigitalSilenceGivesSilence) {
  ComfortNoiseGenerator generator(16000);
  LearnAll(&generator, std::vector<float>(16000, 0.0f));
  EXPECT_TRUE(generator.has_noise_estimate());
  std::vector<float> frame(320, 1.0f);
  generator.Generate(frame);
  EXPECT_EQ(MeanSquare(frame), 0.0);
}

TEST(ComfortNoiseGeneratorTest, SurvivesOddInput) {
  ComfortNoiseGenerator generator(16000);
  std::vector<float> bad(320, std::nanf(""));
  generator.Learn(bad);
  generator.Learn(std::vector<float>(7, 0.1f));
  generator.Learn(std::vector<float>(4000, 0.1f));
  generator.Learn({});
  std::vector<float> frame(320);
  generator.Generate(frame);
  for (float v : frame) ASSERT_TRUE(std::isfinite(v));
  generator.Reset();
  EXPECT_FALSE(generator.has_noise_estimate());
}

}  // namespace
}  // namespace auralink::speech
