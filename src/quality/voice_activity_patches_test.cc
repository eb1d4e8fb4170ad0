#include "quality/voice_activity_patches.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::quality {
namespace {

constexpr size_t kHop = 320;
constexpr size_t kPatch = 20;

TEST(VoiceActivityPatchesTest, KeepsOnlyPatchesWithActivity) {
  // 200 frames of near-silence with one loud burst inside the patch starting at frame 69.
  std::vector<float> signal(200 * kHop, 0.001f);
  for (size_t i = 75 * kHop; i < 80 * kHop; ++i) signal[i] = (i % 2 == 0) ? 0.5f : -0.5f;
  const std::vector<size_t> starts = SelectVoicedPatches(signal, 196, kPatch, kHop);
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0], 69u);
}

TEST(VoiceActivityPatchesTest, HangoverKeepsTheNextPatchWhenActivityEndsAtItsEdge) {
  // Loud up to the last chunk of the patch at 9..28: the two hangover chunks reach into 29..48.
  std::vector<float> signal(100 * kHop, 0.0f);
  for (size_t i = 27 * kHop; i < 29 * kHop; ++i) signal[i] = (i % 2 == 0) ? 0.5f : -0.5f;
  const std::vector<size_t> starts = SelectVoicedPatches(signal, 96, kPatch, kHop);
  EXPECT_EQ(starts, (std::vector<size_t>{9, 29}));
}

TEST(VoiceActivityPatchesTest, SteadySignalIsActiveEverywhere) {
  std::vector<float> signal(100 * kHop);
  for (size_t i = 0; i < signal.size(); ++i) signal[i] = (i % 2 == 0) ? 0.3f : -0.3f;
  EXPECT_EQ(SelectVoicedPatches(signal, 96, kPatch, kHop), (std::vector<size_t>{9, 29, 49, 69}));
}

TEST(VoiceActivityPatchesTest, SilenceAndShortClips) {
  EXPECT_TRUE(SelectVoicedPatches(std::vector<float>(100 * kHop, 0.0f), 96, kPatch, kHop).empty());
  EXPECT_TRUE(SelectVoicedPatches({}, 0, kPatch, kHop).empty());
  std::vector<float> short_clip(25 * kHop, 0.3f);
  EXPECT_EQ(SelectVoicedPatches(short_clip, 22, kPatch, kHop), (std::vector<size_t>{0}));
}

}  // namespace
}  // namespace auralink::quality
