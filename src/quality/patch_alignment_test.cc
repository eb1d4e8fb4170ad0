#include "quality/patch_alignment.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace auralink::quality {
namespace {

constexpr size_t kBands = 8;
constexpr size_t kPatch = 20;

Spectrogram RandomSpectrogram(size_t frames, uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> level(0.0, 40.0);
  Spectrogram s;
  s.num_frames = frames;
  s.num_bands = kBands;
  s.values.resize(frames * kBands);
  for (double& value : s.values) value = level(random);
  return s;
}

Spectrogram ShiftedLater(const Spectrogram& s, size_t frames) {
  Spectrogram shifted = s;
  std::fill(shifted.values.begin(), shifted.values.end(), 0.0);
  for (size_t f = frames; f < s.num_frames; ++f) {
    for (size_t b = 0; b < kBands; ++b) shifted.level(f, b) = s.level(f - frames, b);
  }
  return shifted;
}

TEST(PatchAlignmentTest, FindsTheShiftedPatches) {
  const Spectrogram reference = RandomSpectrogram(200, 1);
  const Spectrogram degraded = ShiftedLater(reference, 7);
  const std::vector<size_t> starts = {9, 29, 49, 69, 89, 109, 129, 149};
  const std::vector<PatchMatch> matches = AlignPatches(reference, degraded, starts, kPatch, 20);
  ASSERT_EQ(matches.size(), starts.size());
  for (size_t i = 0; i < matches.size(); ++i) {
    EXPECT_EQ(matches[i].reference_frame, starts[i]);
    ASSERT_TRUE(matches[i].degraded_frame.has_value()) << "patch " << i;
    EXPECT_EQ(*matches[i].degraded_frame, starts[i] + 7);
    EXPECT_NEAR(matches[i].similarity, 1.0, 1e-12);
  }
}

TEST(PatchAlignmentTest, MatchesKeepTheirOrderInTime) {
  // The degraded signal plays the second half before the first: at most one half can be matched
  // in order, and each match must start after the previous one.
  const Spectrogram reference = RandomSpectrogram(200, 2);
  Spectrogram degraded = reference;
  for (size_t f = 0; f < 100; ++f) {
    for (size_t b = 0; b < kBands; ++b) {
      degraded.level(f, b) = reference.level(f + 100, b);
      degraded.level(f + 100, b) = reference.level(f, b);
    }
  }
  const std::vector<size_t> starts = {9, 29, 49, 109, 129, 149};
  const std::vector<PatchMatch> matches = AlignPatches(reference, degraded, starts, kPatch, 150);
  std::optional<size_t> previous;
  for (const PatchMatch& match : matches) {
    if (!match.degraded_frame) continue;
    if (previous) {
      EXPECT_GT(*match.degraded_frame, *previous);
    }
    previous = match.degraded_frame;
  }
}

TEST(PatchAlignmentTest, NoCandidateLeavesThePatchUnmatched) {
  const Spectrogram reference = RandomSpectrogram(200, 3);
  const Spectrogram degraded = RandomSpectrogram(40, 3);
  // Candidates for the patch at 149 start at 139 or later; the degraded spectrogram ends at 40.
  const std::vector<size_t> starts = {9, 149};
  const std::vector<PatchMatch> matches = AlignPatches(reference, degraded, starts, kPatch, 10);
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_TRUE(matches[0].degraded_frame.has_value());
  EXPECT_FALSE(matches[1].degraded_frame.has_value());
  EXPECT_EQ(matches[1].similarity, 0.0);
}

TEST(PatchAlignmentTest, ExtractPatchPadsPastTheEnd) {
  const Spectrogram s = RandomSpectrogram(10, 4);
  const std::vector<double> patch = ExtractPatch(s, 5, 10);
  ASSERT_EQ(patch.size(), 10 * kBands);
  EXPECT_EQ(patch[0], s.level(5, 0));
  EXPECT_EQ(patch[4 * kBands + 3], s.level(9, 3));
  EXPECT_EQ(patch[5 * kBands], 0.0);
}

}  // namespace
}  // namespace auralink::quality
