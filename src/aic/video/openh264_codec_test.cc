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

size_t Bytes(const std::vector<EncodedFrame>& frames, size_t begin, size_t end) {
  size_t bytes = 0;
  for (size_t i = begin; i < end && i < frames.size(); ++i) bytes += frames[i].data.size();
  return bytes;
}

// Quality, quantiser range, bitrate and frame rate change between frames without a new IDR
// picture: every access unit after the first is a single non-IDR slice, and one decoder follows
// the whole stream.
TEST(OpenH264CodecTest, ChangesSettingsMidStreamWithoutAnIdr) {
  struct Step {
    int at_frame;
    void (*change)(VideoEncoderConfig&);
  };
  VideoEncoderConfig quality = SmallConfig();
  quality.rate_control = RateControlMode::kConstantQuality;
  quality.target_kbps = 0;
  quality.quality = 24;
  VideoEncoderConfig bitrate = SmallConfig();
  const std::pair<VideoEncoderConfig, std::vector<Step>> cases[] = {
      {quality,
       {{10, [](VideoEncoderConfig& c) { c.quality = 42; }},
        {20, [](VideoEncoderConfig& c) { c.quality = 30; }},
        {25, [](VideoEncoderConfig& c) { c.max_quantizer = 26; }},
        {30, [](VideoEncoderConfig& c) { c.fps_numerator = 12; }},
        {35, [](VideoEncoderConfig& c) { c.target_kbps = 100; }}}},
      {bitrate,
       {{10, [](VideoEncoderConfig& c) { c.target_kbps = 900; }},
        {20, [](VideoEncoderConfig& c) { c.fps_numerator = 15; }},
        {30, [](VideoEncoderConfig& c) { c.speed = 2; }}}},
  };
  const auto frames = testing::LoadTestClip(160, 128, 40);
  for (const auto& [initial, steps] : cases) {
    VideoEncoderConfig config = initial;
    auto encoder = OpenH264Encoder::Create(config);
    auto decoder = OpenH264Decoder::Create();
    ASSERT_TRUE(encoder.ok() && decoder.ok());
    std::vector<EncodedFrame> encoded;
    for (const VideoFrame& frame : frames) {
      for (const Step& step : steps) {
        if (step.at_frame != frame.pts) continue;
        step.change(config);
        const Status status = (*encoder)->Reconfigure(config);
        ASSERT_TRUE(status.ok()) << status.message();
      }
      ASSERT_TRUE((*encoder)->Encode(frame, false, &encoded).ok());
    }
    ASSERT_FALSE(encoded.empty());
    EXPECT_TRUE(encoded.front().keyframe);
    for (size_t i = 0; i < encoded.size(); ++i) {
      const EncodedFrame& frame = encoded[i];
      if (i > 0) {
        EXPECT_FALSE(frame.keyframe) << "pts " << frame.pts;
        EXPECT_EQ(NalTypes(frame.data), (std::vector<int>{1})) << "pts " << frame.pts;
      }
      std::vector<VideoFrame> decoded;
      const Status status = (*decoder)->Decode(frame.data, &decoded);
      ASSERT_TRUE(status.ok()) << "pts " << frame.pts << ": " << status.message();
      ASSERT_EQ(decoded.size(), 1u) << "pts " << frame.pts;
      EXPECT_GT(testing::PsnrY(frames[static_cast<size_t>(frame.pts)], decoded[0]), 25.0)
          << "pts " << frame.pts;
    }
    if (initial.rate_control == RateControlMode::kConstantQuality) {
      ASSERT_EQ(encoded.size(), frames.size());
      // The quantiser each picture reports follows the settings: 24, 42, 30, then capped at 26.
      EXPECT_EQ(encoded[5].quantizer, 24);
      EXPECT_EQ(encoded[15].quantizer, 42);
      EXPECT_EQ(encoded[22].quantizer, 30);
      EXPECT_EQ(encoded[27].quantizer, 26);
      // QP 42 codes far coarser than QP 24 over frames of the same content.
      EXPECT_LT(2 * Bytes(encoded, 11, 20), Bytes(encoded, 1, 10));
    } else {
      EXPECT_GT(Bytes(encoded, 13, 20), 2 * Bytes(encoded, 3, 10));
    }
  }
}

TEST(OpenH264CodecTest, CapsTheBitrateOfConstantQuality) {
  const auto frames = testing::LoadTestClip(160, 128, 75);
  auto kbps_of = [&](int target_kbps) {
    VideoEncoderConfig config = SmallConfig();
    config.rate_control = RateControlMode::kConstantQuality;
    config.quality = 12;
    config.target_kbps = target_kbps;
    auto encoder = OpenH264Encoder::Create(config);
    EXPECT_TRUE(encoder.ok());
    std::vector<EncodedFrame> encoded;
    for (const VideoFrame& frame : frames) {
      EXPECT_TRUE((*encoder)->Encode(frame, false, &encoded).ok());
    }
    EXPECT_EQ(encoded.size(), frames.size()) << "constant quality drops no frame";
    return 8.0 * static_cast<double>(Bytes(encoded, 0, encoded.size())) / 3.0 / 1000.0;
  };
  const double uncapped = kbps_of(0);
  const double capped = kbps_of(150);
  EXPECT_GT(uncapped, 300.0);
  EXPECT_LT(capped, 1.3 * 150.0) << "uncapped " << uncapped << " kbps";
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
