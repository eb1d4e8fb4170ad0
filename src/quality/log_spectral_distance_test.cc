#include "quality/log_spectral_distance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "quality/test_speech_signal.h"

namespace auralink::quality {
namespace {

std::vector<float> WhiteNoise(size_t length, uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<float> gaussian(0.0f, 0.1f);
  std::vector<float> noise(length);
  for (float& sample : noise) sample = gaussian(random);
  return noise;
}

TEST(LogSpectralDistanceTest, IdenticalSignalsAreZeroApart) {
  const std::vector<float> speech = testing::SyntheticSpeech(2.0, 16000);
  StatusOr<double> lsd = LogSpectralDistance(speech, speech, 16000);
  ASSERT_TRUE(lsd.ok());
  EXPECT_DOUBLE_EQ(*lsd, 0.0);
}

TEST(LogSpectralDistanceTest, HalvingTheAmplitudeCostsSixDecibels) {
  // Every bin's power drops by 4: 10 log10(4) = 6.02 dB, where the bins sit far above the floor
  // (white noise fills every bin).
  const std::vector<float> noise = WhiteNoise(32000, 1);
  std::vector<float> half = noise;
  for (float& sample : half) sample *= 0.5f;
  StatusOr<double> lsd = LogSpectralDistance(noise, half, 16000);
  ASSERT_TRUE(lsd.ok());
  EXPECT_NEAR(*lsd, 10.0 * std::log10(4.0), 0.05);
}

TEST(LogSpectralDistanceTest, GrowsWithDistortion) {
  const std::vector<float> speech = testing::SyntheticSpeech(3.0, 16000);
  StatusOr<double> mild = LogSpectralDistance(speech, testing::WithWhiteNoise(speech, 30.0), 16000);
  StatusOr<double> strong =
      LogSpectralDistance(speech, testing::WithWhiteNoise(speech, 0.0), 16000);
  ASSERT_TRUE(mild.ok() && strong.ok());
  EXPECT_GT(*mild, 0.0);
  EXPECT_GT(*strong, *mild);
}

TEST(LogSpectralDistanceTest, RejectsSilenceAndShortInput) {
  EXPECT_FALSE(
      LogSpectralDistance(std::vector<float>(16000, 0.0f), WhiteNoise(16000, 2), 16000).ok());
  EXPECT_FALSE(LogSpectralDistance(WhiteNoise(100, 3), WhiteNoise(100, 4), 16000).ok());
  EXPECT_FALSE(LogSpectralDistance(WhiteNoise(1000, 3), WhiteNoise(1000, 4), 0).ok());
}

}  // namespace
}  // namespace auralink::quality
