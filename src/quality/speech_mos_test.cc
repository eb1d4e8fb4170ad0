#include "quality/speech_mos.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "quality/test_speech_signal.h"

namespace auralink::quality {
namespace {

TEST(MapNsimToMosTest, SpansTheScaleMonotonically) {
  // ViSQOL v3 scales its fit so that a perfect NSIM lands on the top of the scale.
  EXPECT_NEAR(MapNsimToMos(1.0), 5.0, 0.01);
  EXPECT_EQ(MapNsimToMos(0.1), 1.0);
  EXPECT_EQ(MapNsimToMos(-0.5), 1.0);
  double previous = 0.0;
  for (double nsim = 0.2; nsim <= 1.0; nsim += 0.05) {
    const double mos = MapNsimToMos(nsim);
    EXPECT_GE(mos, previous);
    EXPECT_GE(mos, 1.0);
    EXPECT_LE(mos, 5.0);
    previous = mos;
  }
  EXPECT_EQ(MapNsimToMos(std::numeric_limits<double>::quiet_NaN()), 1.0);
}

TEST(EstimateSpeechMosTest, IdenticalSpeechHasUnitNsim) {
  const std::vector<float> speech = testing::SyntheticSpeech(3.0, 16000);
  StatusOr<SpeechMosEstimate> estimate = EstimateSpeechMos(speech, speech);
  ASSERT_TRUE(estimate.ok()) << estimate.status().message();
  EXPECT_NEAR(estimate->nsim, 1.0, 1e-9);
  EXPECT_GT(estimate->patches_compared, 0u);
  EXPECT_EQ(estimate->patches_unmatched, 0u);
}

TEST(EstimateSpeechMosTest, DroppedSpeechLowersTheScore) {
  // Zero 100 ms out of every 500 ms, as a burst of lost packets without concealment would.
  const std::vector<float> speech = testing::SyntheticSpeech(4.0, 16000);
  std::vector<float> dropped = speech;
  for (size_t start = 4000; start + 1600 <= dropped.size(); start += 8000) {
    std::fill(dropped.begin() + static_cast<std::ptrdiff_t>(start),
              dropped.begin() + static_cast<std::ptrdiff_t>(start + 1600), 0.0f);
  }
  StatusOr<SpeechMosEstimate> estimate = EstimateSpeechMos(speech, dropped);
  ASSERT_TRUE(estimate.ok());
  EXPECT_LT(estimate->mos, 4.5);
}

TEST(EstimateSpeechMosTest, RejectsSilenceAndShortInput) {
  const std::vector<float> silence(16000, 0.0f);
  EXPECT_FALSE(EstimateSpeechMos(silence, silence).ok());
  const std::vector<float> tiny(2000, 0.1f);
  EXPECT_FALSE(EstimateSpeechMos(tiny, tiny).ok());
}

}  // namespace
}  // namespace auralink::quality
