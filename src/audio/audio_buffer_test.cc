#include "audio/audio_buffer.h"

#include <gtest/gtest.h>

namespace auralink::audio {
namespace {

TEST(AudioBufferTest, FramesCountsInterleavedFrames) {
  AudioBuffer buffer{48000, 2, std::vector<float>(10, 0.0f)};
  EXPECT_EQ(buffer.frames(), 5u);
  EXPECT_EQ(AudioBuffer{}.frames(), 0u);
}

TEST(AudioBufferTest, DownmixAveragesStereo) {
  const std::vector<float> stereo = {1.0f, 0.0f, 0.5f, -0.5f, -1.0f, -0.5f};
  std::vector<float> mono;
  DownmixToMono(stereo, 2, &mono);
  ASSERT_EQ(mono.size(), 3u);
  EXPECT_FLOAT_EQ(mono[0], 0.5f);
  EXPECT_FLOAT_EQ(mono[1], 0.0f);
  EXPECT_FLOAT_EQ(mono[2], -0.75f);
}

TEST(AudioBufferTest, DownmixAveragesAnyChannelCount) {
  const std::vector<float> three = {0.3f, 0.6f, 0.9f};
  std::vector<float> mono;
  DownmixToMono(three, 3, &mono);
  ASSERT_EQ(mono.size(), 1u);
  EXPECT_NEAR(mono[0], 0.6f, 1e-6f);
}

TEST(AudioBufferTest, DownmixOfMonoCopies) {
  const std::vector<float> samples = {0.1f, -0.2f};
  std::vector<float> mono = {9.0f};
  DownmixToMono(samples, 1, &mono);
  EXPECT_EQ(mono, samples);
}

}  // namespace
}  // namespace auralink::audio
