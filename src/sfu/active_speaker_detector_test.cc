#include "sfu/active_speaker_detector.h"

#include <gtest/gtest.h>

namespace auralink::sfu {
namespace {

// 50 packets per second (20 ms audio frames) for `ms` milliseconds at the given levels.
void Feed(ActiveSpeakerDetector* detector, const std::string& who, int level, int64_t from_ms,
          int64_t ms) {
  for (int64_t t = from_ms; t < from_ms + ms; t += 20) detector->OnAudioLevel(who, level, t);
}

TEST(ActiveSpeakerDetectorTest, LoudParticipantBecomesSpeakerAndSilenceEndsIt) {
  ActiveSpeakerDetector detector;
  std::vector<SpeakerLevel> changed;
  Feed(&detector, "PA_alice", 20, 0, 500);
  Feed(&detector, "PA_bob", 127, 0, 500);
  ASSERT_TRUE(detector.Tick(500, &changed));
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].participant, "PA_alice");
  EXPECT_TRUE(changed[0].active);
  EXPECT_GT(changed[0].level, 0.0);
  EXPECT_LE(changed[0].level, 1.0);

  // Silence: the smoothed loudness decays, and alice is eventually announced as stopped.
  bool stopped = false;
  for (int64_t t = 500; t < 10000 && !stopped; t += 500) {
    Feed(&detector, "PA_alice", 127, t, 500);
    if (detector.Tick(t + 500, &changed)) {
      for (const SpeakerLevel& s : changed) stopped |= s.participant == "PA_alice" && !s.active;
    }
  }
  EXPECT_TRUE(stopped);
  EXPECT_TRUE(detector.speakers().empty());
}

TEST(ActiveSpeakerDetectorTest, LouderSpeakerComesFirst) {
  ActiveSpeakerDetector detector;
  std::vector<SpeakerLevel> changed;
  Feed(&detector, "PA_quiet", 30, 0, 500);
  Feed(&detector, "PA_loud", 6, 0, 500);
  ASSERT_TRUE(detector.Tick(500, &changed));
  ASSERT_EQ(detector.speakers().size(), 2u);
  EXPECT_EQ(detector.speakers()[0].participant, "PA_loud");
  EXPECT_GT(detector.speakers()[0].level, detector.speakers()[1].level);
}

TEST(ActiveSpeakerDetectorTest, ShortBurstBelowActiveFractionIsNotSpeech) {
  ActiveSpeakerDetector detector;
  std::vector<SpeakerLevel> changed;
  Feed(&detector, "PA_cough", 127, 0, 500);
  detector.OnAudioLevel("PA_cough", 0, 100);  // one loud packet among 26
  EXPECT_FALSE(detector.Tick(500, &changed));
  EXPECT_TRUE(detector.speakers().empty());
}

TEST(ActiveSpeakerDetectorTest, NoReEvaluationBeforeTheInterval) {
  ActiveSpeakerDetector detector;
  std::vector<SpeakerLevel> changed;
  Feed(&detector, "PA_alice", 10, 0, 200);
  EXPECT_FALSE(detector.Tick(200, &changed));
  Feed(&detector, "PA_alice", 10, 200, 300);
  EXPECT_TRUE(detector.Tick(500, &changed));
}

TEST(ActiveSpeakerDetectorTest, RemovedSpeakerIsAnnouncedSilent) {
  ActiveSpeakerDetector detector;
  std::vector<SpeakerLevel> changed;
  Feed(&detector, "PA_alice", 10, 0, 500);
  ASSERT_TRUE(detector.Tick(500, &changed));
  detector.RemoveParticipant("PA_alice");
  ASSERT_TRUE(detector.Tick(520, &changed));
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_FALSE(changed[0].active);
}

TEST(ActiveSpeakerDetectorTest, OutOfRangeLevelsAreClamped) {
  ActiveSpeakerDetector detector;
  std::vector<SpeakerLevel> changed;
  for (int64_t t = 0; t < 500; t += 20) detector.OnAudioLevel("PA_x", -50, t);
  ASSERT_TRUE(detector.Tick(500, &changed));
  EXPECT_LE(detector.speakers()[0].level, 1.0);
}

}  // namespace
}  // namespace auralink::sfu
