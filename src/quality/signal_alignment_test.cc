#include "quality/signal_alignment.h"

#include <gtest/gtest.h>

#include <vector>

#include "quality/test_speech_signal.h"

namespace auralink::quality {
namespace {

std::vector<float> Delayed(const std::vector<float>& signal, int delay) {
  return RemoveDelay(signal, -delay, signal.size() + (delay > 0 ? delay : 0));
}

TEST(SignalAlignmentTest, RecoversPositiveAndNegativeDelays) {
  const std::vector<float> speech = testing::SyntheticSpeech(2.0, 16000);
  for (int delay : {0, 1, 123, 592, 4000, -57, -1600}) {
    EXPECT_EQ(EstimateDelay(speech, Delayed(speech, delay), 8000), delay) << delay;
  }
}

TEST(SignalAlignmentTest, RecoversDelayThroughNoise) {
  const std::vector<float> speech = testing::SyntheticSpeech(2.0, 16000);
  EXPECT_EQ(EstimateDelay(speech, testing::WithWhiteNoise(Delayed(speech, 321), 5.0), 8000), 321);
}

TEST(SignalAlignmentTest, RespectsTheSearchLimit) {
  const std::vector<float> speech = testing::SyntheticSpeech(2.0, 16000);
  const int delay = EstimateDelay(speech, Delayed(speech, 3000), 1000);
  EXPECT_LE(std::abs(delay), 1000);
}

TEST(SignalAlignmentTest, SilenceAndEmptyInputGiveZero) {
  const std::vector<float> speech = testing::SyntheticSpeech(1.0, 16000);
  EXPECT_EQ(EstimateDelay(speech, std::vector<float>(speech.size(), 0.0f), 4000), 0);
  EXPECT_EQ(EstimateDelay({}, speech, 4000), 0);
  EXPECT_EQ(EstimateDelay(speech, {}, 4000), 0);
}

TEST(SignalAlignmentTest, RemoveDelayShiftsAndPads) {
  const std::vector<float> signal = {1, 2, 3, 4, 5};
  EXPECT_EQ(RemoveDelay(signal, 2, 5), (std::vector<float>{3, 4, 5, 0, 0}));
  EXPECT_EQ(RemoveDelay(signal, -2, 5), (std::vector<float>{0, 0, 1, 2, 3}));
  EXPECT_EQ(RemoveDelay(signal, 0, 3), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(RemoveDelay(signal, 9, 2), (std::vector<float>{0, 0}));
}

}  // namespace
}  // namespace auralink::quality
