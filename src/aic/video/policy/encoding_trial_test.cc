#include "aic/video/policy/encoding_trial.h"

#include <gtest/gtest.h>

#include <vector>

#include "aic/video/policy/aic_encoder_config.h"
#include "aic/video/test_video_clip.h"

namespace auralink::video {
namespace {

std::vector<VideoFrame> Clip(int frames) {
  std::vector<VideoFrame> clip;
  for (int i = 0; i < frames; ++i) clip.push_back(testing::SyntheticFrame(128, 96, i));
  return clip;
}

TEST(EncodingTrialTest, SettleFramesLeaveTheStartOutOfTheQualityMeans) {
  const std::vector<VideoFrame> clip = Clip(12);
  const VideoEncoderConfig config =
      QualityEncoderConfig({VideoCodecType::kVp8, -6}, 128, 96, 25.0, 40);
  EncodingTrialOptions options;
  auto all = RunEncodingTrial(clip, 25.0, config, options);
  ASSERT_TRUE(all.ok()) << all.status().message();
  options.settle_frames = 4;
  auto settled = RunEncodingTrial(clip, 25.0, config, options);
  ASSERT_TRUE(settled.ok()) << settled.status().message();
  EXPECT_EQ(all->measured_frames, 12);
  EXPECT_EQ(settled->measured_frames, 8);
  EXPECT_EQ(settled->fresh_frames, 8);
  // The same encode: the bits and the later frames' quality do not depend on what is measured.
  EXPECT_EQ(settled->total_bytes, all->total_bytes);
  ASSERT_EQ(settled->frame_ssim_y.size(), 8u);
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_DOUBLE_EQ(settled->frame_ssim_y[i], all->frame_ssim_y[i + 4]);
  }
  // Never everything: at least the last frame is measured.
  options.settle_frames = 100;
  auto most = RunEncodingTrial(clip, 25.0, config, options);
  ASSERT_TRUE(most.ok());
  EXPECT_EQ(most->measured_frames, 1);
}

}  // namespace
}  // namespace auralink::video
