#include "aic/video/openh264_codec.h"

#include <gtest/gtest.h>

#include "aic/video/test_video_clip.h"
#include "common/shared_test_data.h"
#include "video/annexb.h"

namespace auralink::video {
namespace {

std::vector<int> NalTypes(const std::vector<uint8_t>& access_unit) {
  std::vector<int> types;
  for (auto nal : SplitAnnexBNalUnits(access_unit)) types.push_back(nal[0] & 0x1f);
  return types;
}

VideoEncoderConfig SmallConfig() {
  VideoEncoderConfig config;
  config.codec = VideoCodecType::kH264;
  config.width = 160;
  config.height = 128;
  config.fps_numerator = 25;
  config.target_kbps = 300;
  return config;
}

TEST(OpenH264CodecTest, EmitsAnnexBAccessUnitsWithParameterSetsOnEachIdr) {
  VideoEncoderConfig config = SmallConfig();
  config.target_kbps = 1500;  // no frame skipped
  auto encoder = OpenH264Encoder::Create(config);
  ASSERT_TRUE(encoder.ok()) << encoder.status().message();
  const auto frames = testing::LoadTestClip(160, 128, 6);
  std::vector<EncodedFrame> encoded;
  for (const VideoFrame& frame : frames) {
    ASSERT_TRUE((*encoder)->Encode(frame, frame.pts == 4, &encoded).ok());
  }
  ASSERT_EQ(encoded.size(), 6u);
  std::vector<uint8_t> stream;
  for (const EncodedFrame& frame : encoded) {
    const auto types = NalTypes(frame.data);
    ASSERT_FALSE(types.empty());
    if (frame.keyframe) {
      EXPECT_EQ(types, (std::vector<int>{7, 8, 5})) << "pts " << frame.pts;
    } else {
      EXPECT_EQ(types, (std::vector<int>{1})) << "pts " << frame.pts;
    }
    stream.insert(stream.end(), frame.data.begin(), frame.data.end());
  }
  // The concatenation splits back into the same access units.
  auto reader = AnnexBReader::CreateFromMemory(stream);
  ASSERT_TRUE(reader.ok());
  std::vector<uint8_t> unit;
  for (const EncodedFrame& frame : encoded) {
    auto more = (*reader)->ReadAccessUnit(&unit);
    ASSERT_TRUE(more.ok() && *more);
    EXPECT_EQ(unit, frame.data);
  }
}

TEST(OpenH264CodecTest, OffersNoRegionOfInterest) {
  auto encoder = OpenH264Encoder::Create(SmallConfig());
  ASSERT_TRUE(encoder.ok());
  RegionOfInterestMap map;
  map.block_columns = 10;
  map.block_rows = 8;
  map.quantizer_delta.assign(80, -5);
  EXPECT_FALSE((*encoder)->SetRegionOfInterest(map).ok());
  EXPECT_TRUE((*encoder)->SetRegionOfInterest(RegionOfInterestMap{}).ok());
}

TEST(OpenH264CodecTest, RefusesOddSizes) {
  VideoEncoderConfig config = SmallConfig();
  config.width = 161;
  auto encoder = OpenH264Encoder::Create(config);
  ASSERT_FALSE(encoder.ok());
  EXPECT_NE(encoder.status().message().find("must be even"), std::string::npos);
}

// Picture counts and sizes as listed in shared/media/SOURCES.md.
TEST(OpenH264CodecTest, DecodesTheSharedStreams) {
  struct Stream {
    const char* name;
    int width, height, pictures;
  };
  const Stream streams[] = {
      {"media/video/src_openh264_Zhling_1280x720.264", 1280, 720, 19},
      {"media/video/src_openh264_Adobe_PDF_sample_a_1024x768_50Frms.264", 1024, 768, 50},
  };
  int found = 0;
  for (const Stream& stream : streams) {
    const std::string path = SharedTestFile(stream.name);
    if (path.empty()) continue;
    ++found;
    auto reader = AnnexBReader::Create(path);
    auto decoder = OpenH264Decoder::Create();
    ASSERT_TRUE(reader.ok() && decoder.ok());
    std::vector<uint8_t> unit;
    std::vector<VideoFrame> pictures;
    while (true) {
      auto more = (*reader)->ReadAccessUnit(&unit);
      ASSERT_TRUE(more.ok()) << more.status().message();
      if (!*more) break;
      const Status status = (*decoder)->Decode(unit, &pictures);
      ASSERT_TRUE(status.ok()) << stream.name << ": " << status.message();
    }
    ASSERT_EQ(static_cast<int>(pictures.size()), stream.pictures) << stream.name;
    EXPECT_EQ(pictures.back().width, stream.width);
    EXPECT_EQ(pictures.back().height, stream.height);
  }
  if (found == 0) GTEST_SKIP() << "shared .264 streams not found (set AURALINK_SHARED)";
}

}  // namespace
}  // namespace auralink::video
