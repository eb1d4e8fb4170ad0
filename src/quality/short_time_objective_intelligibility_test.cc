#include "quality/short_time_objective_intelligibility.h"

#include <gtest/gtest.h>

#include <vector>

#include "quality/test_speech_signal.h"

namespace auralink::quality {
namespace {

TEST(ShortTimeObjectiveIntelligibilityTest, IdenticalSignalsScoreOne) {
  const std::vector<float> speech = testing::SyntheticSpeech(3.0, 16000);
  StatusOr<double> stoi = ShortTimeObjectiveIntelligibility(speech, speech, 16000);
  ASSERT_TRUE(stoi.ok()) << stoi.status().message();
  EXPECT_NEAR(*stoi, 1.0, 1e-6);
}

TEST(ShortTimeObjectiveIntelligibilityTest, IgnoresOverallGain) {
  // Each segment's degraded envelope is normalised to the clean energy (eq. 3).
  const std::vector<float> speech = testing::SyntheticSpeech(3.0, 16000);
  std::vector<float> quieter = speech;
  for (float& sample : quieter) sample *= 0.1f;
  StatusOr<double> stoi = ShortTimeObjectiveIntelligibility(speech, quieter, 16000);
  ASSERT_TRUE(stoi.ok());
  EXPECT_NEAR(*stoi, 1.0, 1e-6);
}

TEST(ShortTimeObjectiveIntelligibilityTest, FallsAsNoiseRises) {
  const std::vector<float> speech = testing::SyntheticSpeech(4.0, 16000);
  double previous = 1.0 + 1e-9;
  for (double snr_db : {20.0, 10.0, 0.0, -10.0}) {
    StatusOr<double> stoi =
        ShortTimeObjectiveIntelligibility(speech, testing::WithWhiteNoise(speech, snr_db), 16000);
    ASSERT_TRUE(stoi.ok());
    EXPECT_LT(*stoi, previous) << snr_db << " dB";
    previous = *stoi;
  }
}

TEST(ShortTimeObjectiveIntelligibilityTest, WorksAtTenKilohertzAndOtherRates) {
  const std::vector<float> speech10k = testing::SyntheticSpeech(2.0, 10000);
  StatusOr<double> stoi = ShortTimeObjectiveIntelligibility(speech10k, speech10k, 10000);
  ASSERT_TRUE(stoi.ok());
  EXPECT_NEAR(*stoi, 1.0, 1e-6);
  const std::vector<float> speech48k = testing::SyntheticSpeech(2.0, 48000);
  stoi = ShortTimeObjectiveIntelligibility(speech48k, speech48k, 48000);
  ASSERT_TRUE(stoi.ok());
  EXPECT_NEAR(*stoi, 1.0, 1e-6);
}

TEST(ShortTimeObjectiveIntelligibilityTest, RejectsSilenceAndTinyInput) {
  EXPECT_FALSE(ShortTimeObjectiveIntelligibility(std::vector<float>(16000, 0.0f),
                                                 std::vector<float>(16000, 0.0f), 16000)
                   .ok());
  EXPECT_FALSE(ShortTimeObjectiveIntelligibility(std::vector<float>(100, 0.1f),
                                                 std::vector<float>(100, 0.1f), 16000)
                   .ok());
  EXPECT_FALSE(ShortTimeObjectiveIntelligibility({}, {}, 16000).ok());
}

}  // namespace
}  // namespace auralink::quality
