#include "rtc/srtp/srtp_replay_window.h"

#include <gtest/gtest.h>

namespace auralink::rtc {
namespace {

using Verdict = SrtpReplayWindow::Verdict;

TEST(SrtpReplayWindowTest, AcceptsEachIndexOnce) {
  SrtpReplayWindow window(64);
  EXPECT_TRUE(window.empty());
  EXPECT_EQ(window.Check(1000), Verdict::kNew);
  window.Accept(1000);
  EXPECT_EQ(window.Check(1000), Verdict::kReplayed);
  EXPECT_EQ(window.Check(1001), Verdict::kNew);
  EXPECT_EQ(window.Check(999), Verdict::kNew);  // late but inside the window
  window.Accept(999);
  EXPECT_EQ(window.Check(999), Verdict::kReplayed);
  EXPECT_EQ(window.newest(), 1000u);
}

TEST(SrtpReplayWindowTest, ForgetsWhatFallsOutOfTheWindow) {
  SrtpReplayWindow window(64);
  window.Accept(100);
  window.Accept(163);
  EXPECT_EQ(window.Check(100), Verdict::kReplayed);
  EXPECT_EQ(window.Check(99), Verdict::kTooOld);
  window.Accept(164);
  EXPECT_EQ(window.Check(100), Verdict::kTooOld);
  // Indices skipped by a jump are not remembered as seen.
  window.Accept(170);
  for (uint64_t index = 165; index < 170; ++index) EXPECT_EQ(window.Check(index), Verdict::kNew);
  window.Accept(100000);
  EXPECT_EQ(window.Check(170), Verdict::kTooOld);
  EXPECT_EQ(window.Check(99990), Verdict::kNew);
}

TEST(SrtpReplayWindowTest, SizesRoundUpToAPowerOfTwo) {
  SrtpReplayWindow window(100);  // 128
  window.Accept(1000);
  window.Accept(1000 - 127);
  EXPECT_EQ(window.Check(1000 - 127), Verdict::kReplayed);
  EXPECT_EQ(window.Check(1000 - 126), Verdict::kNew);
  EXPECT_EQ(window.Check(1000 - 128), Verdict::kTooOld);
}

TEST(SrtpReplayWindowTest, LargeWindowsRememberFarBack) {
  SrtpReplayWindow window(1000);  // rounded up to 1024
  for (uint64_t index = 0; index < 3000; index += 2) window.Accept(index);
  EXPECT_EQ(window.Check(2998 - 1022), Verdict::kReplayed);
  EXPECT_EQ(window.Check(2998 - 1023), Verdict::kNew);
  EXPECT_EQ(window.Check(2998 - 1024), Verdict::kTooOld);
}

}  // namespace
}  // namespace auralink::rtc
