#include "quality/segmental_snr.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "quality/test_speech_signal.h"

namespace auralink::quality {
namespace {

double Snr(const std::vector<float>& reference, const std::vector<float>& degraded) {
  StatusOr<double> snr = SegmentalSnr(reference, degraded, 16000);
  EXPECT_TRUE(snr.ok()) << snr.status().message();
  return snr.ok() ? *snr : 0.0;
}

std::vector<float> Scaled(const std::vector<float>& signal, float gain) {
  std::vector<float> scaled = signal;
  for (float& sample : scaled) sample *= gain;
  return scaled;
}

TEST(SegmentalSnrTest, KnownErrorRatios) {
  const std::vector<float> speech = testing::SyntheticSpeech(2.0, 16000);
  // Error = 0.1 x reference in every frame: 20 dB.
  EXPECT_NEAR(Snr(speech, Scaled(speech, 0.9f)), 20.0, 1e-3);
  // Error = reference: 0 dB. Error = 2 x reference: -6.02 dB.
  EXPECT_NEAR(Snr(speech, std::vector<float>(speech.size(), 0.0f)), 0.0, 1e-9);
  EXPECT_NEAR(Snr(speech, Scaled(speech, -1.0f)), -20.0 * std::log10(2.0), 1e-3);
}

TEST(SegmentalSnrTest, ClampsAtThirtyFiveAndMinusTen) {
  const std::vector<float> speech = testing::SyntheticSpeech(2.0, 16000);
  EXPECT_DOUBLE_EQ(Snr(speech, speech), 35.0);
  EXPECT_DOUBLE_EQ(Snr(speech, Scaled(speech, -9.0f)), -10.0);  // error 10x: -20 dB
}

TEST(SegmentalSnrTest, RejectsSilenceAndShortInput) {
  EXPECT_FALSE(
      SegmentalSnr(std::vector<float>(16000, 0.0f), std::vector<float>(16000, 0.1f), 16000).ok());
  EXPECT_FALSE(
      SegmentalSnr(std::vector<float>(100, 0.1f), std::vector<float>(100, 0.1f), 16000).ok());
}

}  // namespace
}  // namespace auralink::quality
