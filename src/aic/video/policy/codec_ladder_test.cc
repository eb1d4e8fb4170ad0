#include "aic/video/policy/codec_ladder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace auralink::video {
namespace {

// What each of the default rungs needs on some content: every rung a bit cheaper than the last.
const std::vector<double> kRequired = {400, 340, 290, 220, 150, 90, 70};

TEST(CodecLadderTest, DefaultRungsFollowTheDocumentedOrder) {
  const std::vector<LadderRung> rungs = DefaultLadderRungs();
  ASSERT_EQ(rungs.size(), 7u);
  EXPECT_EQ(rungs[0].lever, LadderLever::kTarget);
  EXPECT_EQ(rungs[1].lever, LadderLever::kQuantizer);
  EXPECT_EQ(rungs[3].lever, LadderLever::kResolution);
  EXPECT_EQ(rungs[5].lever, LadderLever::kFrameRate);
  EXPECT_EQ(rungs[6].lever, LadderLever::kCodec);
  for (size_t i = 1; i < rungs.size(); ++i) {
    EXPECT_GE(rungs[i].quality_drop, rungs[i - 1].quality_drop);
    EXPECT_LE(rungs[i].max_resolution_scale, rungs[i - 1].max_resolution_scale);
    EXPECT_LE(rungs[i].max_frame_rate_factor, rungs[i - 1].max_frame_rate_factor);
  }
}

TEST(CodecLadderTest, StepsDownAtOnceToTheFirstRungThatFits) {
  CodecLadder ladder(static_cast<int>(kRequired.size()));
  EXPECT_EQ(ladder.Update(0, 1000, kRequired), 0);
  EXPECT_EQ(ladder.Update(100, 0, kRequired), 0);  // no cap
  // 250 kbps: rung 3 (220) is the first within 95 %.
  EXPECT_EQ(ladder.Update(200, 250, kRequired), 3);
  EXPECT_EQ(ladder.switches(), 1);
  // Below everything: the last rung.
  EXPECT_EQ(ladder.Update(300, 10, kRequired), 6);
}

TEST(CodecLadderTest, WhenNothingFitsTakesTheCheapestRungAndWithoutACapReturnsToTheTop) {
  // Deeper rungs that cost more (downscaling that loses more than it saves on this content).
  const std::vector<double> required = {400, 300, 200, 260, 280, 250, 240};
  CodecLadder ladder(static_cast<int>(required.size()));
  EXPECT_EQ(ladder.Update(0, 100, required), 2);
  EXPECT_EQ(ladder.Update(100, 0, required), 0);
}

TEST(CodecLadderTest, ClimbsOneRungAtATimeAfterTheHold) {
  CodecLadderConfig config;
  CodecLadder ladder(static_cast<int>(kRequired.size()), config);
  ladder.Update(0, 100, kRequired);
  ASSERT_EQ(ladder.rung(), 5);
  // The cap comes back: nothing happens before the hold time.
  int64_t now = 100;
  for (; now < 100 + config.up_hold_ms - 100; now += 100) {
    EXPECT_EQ(ladder.Update(now, 2000, kRequired), 5) << now;
  }
  // Then one rung per hold.
  int rung = 5;
  for (; now < 100000 && rung > 0; now += 100) {
    const int next = ladder.Update(now, 2000, kRequired);
    EXPECT_GE(next, rung - 1);
    rung = next;
  }
  EXPECT_EQ(rung, 0);
  EXPECT_EQ(ladder.switches(), 6);
}

TEST(CodecLadderTest, ANoisyCapAroundOneRungMakesFewSwitches) {
  CodecLadder ladder(static_cast<int>(kRequired.size()));
  std::mt19937 random(3);
  std::normal_distribution<double> noise(0.0, 0.08);
  // A cap that wanders +-8 % (one sigma) around 300 kbps every 100 ms for two minutes, with the
  // content's needs wobbling too.
  for (int64_t now = 0; now < 120000; now += 100) {
    std::vector<double> required = kRequired;
    const double wobble = 1.0 + 0.5 * noise(random);
    for (double& value : required) value *= wobble;
    ladder.Update(now, 300.0 * (1.0 + noise(random)), required);
  }
  EXPECT_LE(ladder.switches(), 6);
}

TEST(CodecLadderTest, StepDownAndBackUpTrace) {
  CodecLadder ladder(static_cast<int>(kRequired.size()));
  int64_t now = 0;
  for (; now < 10000; now += 100) ladder.Update(now, 1000, kRequired);
  EXPECT_EQ(ladder.rung(), 0);
  for (; now < 20000; now += 100) ladder.Update(now, 160, kRequired);
  EXPECT_EQ(ladder.rung(), 4);
  for (; now < 60000; now += 100) ladder.Update(now, 1000, kRequired);
  EXPECT_EQ(ladder.rung(), 0);
  EXPECT_EQ(ladder.switches(), 5);
}

}  // namespace
}  // namespace auralink::video
