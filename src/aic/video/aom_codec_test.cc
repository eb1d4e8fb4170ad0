#include "aic/video/aom_codec.h"

#include <gtest/gtest.h>

#include "aic/video/dav1d_decoder.h"
#include "aic/video/test_video_clip.h"

namespace auralink::video {
namespace {

VideoEncoderConfig SmallConfig() {
  VideoEncoderConfig config;
  config.codec = VideoCodecType::kAv1;
  config.width = 160;
  config.height = 128;
  config.fps_numerator = 25;
  config.target_kbps = 300;
  return config;
}

TEST(AomCodecTest, SaysThatLibaomHasNoRegionOfInterestMap) {
  auto encoder = AomEncoder::Create(SmallConfig());
  ASSERT_TRUE(encoder.ok()) << encoder.status().message();
  RegionOfInterestMap map;
  map.block_columns = 10;
  map.block_rows = 8;
  map.quantizer_delta.assign(80, -5);
  const Status status = (*encoder)->SetRegionOfInterest(map);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("libaom"), std::string::npos) << status.message();
  EXPECT_TRUE((*encoder)->SetRegionOfInterest(RegionOfInterestMap{}).ok());
}

TEST(AomCodecTest, EncodesOddSizesThatDav1dDecodes) {
  VideoEncoderConfig config = SmallConfig();
  config.width = 35;
  config.height = 21;
  auto encoder = AomEncoder::Create(config);
  auto decoder = Dav1dDecoder::Create();
  ASSERT_TRUE(encoder.ok() && decoder.ok());
  const auto frames = testing::LoadTestClip(35, 21, 3);
  for (const VideoFrame& frame : frames) {
    std::vector<EncodedFrame> encoded;
    ASSERT_TRUE((*encoder)->Encode(frame, false, &encoded).ok());
    ASSERT_EQ(encoded.size(), 1u);
    std::vector<VideoFrame> decoded;
    const Status status = (*decoder)->Decode(encoded[0].data, &decoded);
    ASSERT_TRUE(status.ok()) << status.message();
    ASSERT_EQ(decoded.size(), 1u);
    EXPECT_EQ(decoded[0].width, 35);
    EXPECT_EQ(decoded[0].height, 21);
    EXPECT_GT(testing::PsnrY(frame, decoded[0]), 25.0);
  }
}

TEST(AomCodecTest, RefusesOtherCodecs) {
  VideoEncoderConfig config = SmallConfig();
  config.codec = VideoCodecType::kVp9;
  EXPECT_FALSE(AomEncoder::Create(config).ok());
}

}  // namespace
}  // namespace auralink::video
