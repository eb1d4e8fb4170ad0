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
  AudioBuffer buffer{16000, 1, {0.1f, -0.2f}};
  AudioBuffer mono = DownmixToMono(buffer);
  EXPECT_EQ(mono.sample_rate_hz, 16000);
  EXPECT_EQ(mono.channels, 1);
  EXPECT_EQ(mono.samples, buffer.samples);
}

TEST(AudioBufferTest, DownmixBufferKeepsRate) {
  AudioBuffer buffer{44100, 2, {0.2f, 0.4f, -0.2f, -0.4f}};
  AudioBuffer mono = DownmixToMono(buffer);
  EXPECT_EQ(mono.sample_rate_hz, 44100);
  EXPECT_EQ(mono.channels, 1);
  ASSERT_EQ(mono.samples.size(), 2u);
  EXPECT_FLOAT_EQ(mono.samples[0], 0.3f);
  EXPECT_FLOAT_EQ(mono.samples[1], -0.3f);
}

}  // namespace
}  // namespace auralink::audio
