#include "aic/video/video_codec.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "aic/video/temporal_layer_pattern.h"
#include "aic/video/test_video_clip.h"
#include "video/frame_scaler.h"
#include "video/ivf.h"
#include "video/y4m.h"

namespace auralink::video {
namespace {

using testing::LoadTestClip;
using testing::PsnrY;

constexpr int kWidth = 256;
constexpr int kHeight = 256;
constexpr int kFps = 25;

VideoEncoderConfig BaseConfig(VideoCodecType codec, int kbps = 400) {
  VideoEncoderConfig config;
  config.codec = codec;
  config.width = kWidth;
  config.height = kHeight;
  config.fps_numerator = kFps;
  config.fps_denominator = 1;
  config.target_kbps = kbps;
  return config;
}

std::unique_ptr<VideoEncoder> MakeEncoder(const VideoEncoderConfig& config) {
  auto encoder = CreateVideoEncoder(config);
  EXPECT_TRUE(encoder.ok()) << encoder.status().message();
  return encoder.ok() ? std::move(*encoder) : nullptr;
}

std::unique_ptr<VideoDecoder> MakeDecoder(VideoCodecType codec) {
  auto decoder = CreateVideoDecoder(codec);
  EXPECT_TRUE(decoder.ok()) << decoder.status().message();
  return decoder.ok() ? std::move(*decoder) : nullptr;
}

// Encodes `frames`, forcing key frames at the given input indices.
std::vector<EncodedFrame> EncodeAll(VideoEncoder& encoder, const std::vector<VideoFrame>& frames,
                                    const std::set<int64_t>& keyframes_at = {}) {
  std::vector<EncodedFrame> out;
  for (const VideoFrame& frame : frames) {
    const Status status = encoder.Encode(frame, keyframes_at.count(frame.pts) > 0, &out);
    EXPECT_TRUE(status.ok()) << status.message();
  }
  return out;
}

size_t TotalBytes(const std::vector<EncodedFrame>& frames) {
  size_t bytes = 0;
  for (const EncodedFrame& frame : frames) bytes += frame.data.size();
  return bytes;
}

class VideoCodecTest : public ::testing::TestWithParam<VideoCodecType> {};

TEST(VideoCodecNameTest, NamesAndParsesEveryCodec) {
  for (VideoCodecType codec :
       {VideoCodecType::kVp8, VideoCodecType::kVp9, VideoCodecType::kAv1, VideoCodecType::kH264}) {
    EXPECT_EQ(ParseVideoCodecName(VideoCodecName(codec)), codec);
  }
  EXPECT_STREQ(VideoCodecName(VideoCodecType::kH264), "h264");
  EXPECT_FALSE(ParseVideoCodecName("hevc").has_value());
  EXPECT_FALSE(ParseVideoCodecName("VP8").has_value());
}

TEST(VideoEncoderConfigTest, RefusesOutOfRangeSettings) {
  const VideoEncoderConfig good = BaseConfig(VideoCodecType::kVp8);
  EXPECT_TRUE(ValidateVideoEncoderConfig(good).ok());
  auto refused = [&](auto change) {
    VideoEncoderConfig config = good;
    change(config);
    return !ValidateVideoEncoderConfig(config).ok() && !CreateVideoEncoder(config).ok();
  };
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.width = 0; }));
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.height = 20000; }));
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.fps_numerator = 0; }));
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.fps_denominator = -1; }));
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.target_kbps = 0; }));
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.min_quantizer = 40, c.max_quantizer = 30; }));
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.max_quantizer = 64; }));
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.quality = -1; }));
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.temporal_layers = 4; }));
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.keyframe_interval = 0; }));
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.threads = 0; }));
  // Limits of one codec are checked by its encoder.
  auto refused_by_codec = [&](auto change) {
    VideoEncoderConfig config = good;
    change(config);
    return !CreateVideoEncoder(config).ok();
  };
  EXPECT_TRUE(refused_by_codec(
      [](VideoEncoderConfig& c) { c.codec = VideoCodecType::kVp9, c.speed = 12; }));
  EXPECT_TRUE(refused_by_codec(
      [](VideoEncoderConfig& c) { c.codec = VideoCodecType::kAv1, c.speed = 11; }));
  EXPECT_TRUE(refused_by_codec(
      [](VideoEncoderConfig& c) { c.codec = VideoCodecType::kH264, c.width = 255; }));
  EXPECT_TRUE(refused_by_codec(
      [](VideoEncoderConfig& c) { c.codec = VideoCodecType::kH264, c.speed = 3; }));
  // Quality mode may run without a bitrate.
  VideoEncoderConfig quality = good;
  quality.rate_control = RateControlMode::kConstantQuality;
  quality.target_kbps = 0;
  EXPECT_TRUE(ValidateVideoEncoderConfig(quality).ok());
}

TEST_P(VideoCodecTest, RoundTripsAClipWithSaneQuality) {
  const VideoCodecType codec = GetParam();
  const auto frames = LoadTestClip(kWidth, kHeight, 30);
  auto encoder = MakeEncoder(BaseConfig(codec, 500));
  auto decoder = MakeDecoder(codec);
  ASSERT_TRUE(encoder && decoder);
  EXPECT_EQ(encoder->codec(), codec);
  EXPECT_EQ(decoder->codec(), codec);
  const auto encoded = EncodeAll(*encoder, frames);
  ASSERT_GE(encoded.size(), 25u) << "too many frames dropped";
  EXPECT_TRUE(encoded.front().keyframe);
  EXPECT_EQ(encoded.front().pts, 0);
  double psnr_sum = 0;
  for (const EncodedFrame& frame : encoded) {
    EXPECT_GE(frame.quantizer, 0);
    std::vector<VideoFrame> decoded;
    const Status status = decoder->Decode(frame.data, &decoded);
    ASSERT_TRUE(status.ok()) << "pts " << frame.pts << ": " << status.message();
    ASSERT_EQ(decoded.size(), 1u);
    ASSERT_EQ(decoded[0].width, kWidth);
    ASSERT_EQ(decoded[0].height, kHeight);
    psnr_sum += PsnrY(frames[static_cast<size_t>(frame.pts)], decoded[0]);
  }
  // 500 kbps for 256x256 at 25 fps is ~0.3 bits per pixel: every codec here is well above 30 dB.
  EXPECT_GT(psnr_sum / static_cast<double>(encoded.size()), 30.0);
}

TEST_P(VideoCodecTest, HoldsTheTargetBitrateInCbr) {
  const VideoCodecType codec = GetParam();
  const auto frames = LoadTestClip(kWidth, kHeight, 75);
  for (int kbps : {150, 400}) {
    auto encoder = MakeEncoder(BaseConfig(codec, kbps));
    ASSERT_TRUE(encoder);
    const auto encoded = EncodeAll(*encoder, frames);
    const double seconds = static_cast<double>(frames.size()) / kFps;
    const double actual_kbps = 8.0 * static_cast<double>(TotalBytes(encoded)) / seconds / 1000.0;
    EXPECT_NEAR(actual_kbps, kbps, 0.3 * kbps) << VideoCodecName(codec) << " at " << kbps;
  }
}

TEST_P(VideoCodecTest, HonoursAForcedKeyFrame) {
  const VideoCodecType codec = GetParam();
  const auto frames = LoadTestClip(kWidth, kHeight, 16);
  auto encoder = MakeEncoder(BaseConfig(codec, 600));
  ASSERT_TRUE(encoder);
  const auto encoded = EncodeAll(*encoder, frames, {8});
  std::vector<int64_t> keyframes;
  for (const EncodedFrame& frame : encoded) {
    if (frame.keyframe) keyframes.push_back(frame.pts);
  }
  EXPECT_EQ(keyframes, (std::vector<int64_t>{0, 8}));
  // A decoder that joins at the forced key frame decodes everything after it.
  auto decoder = MakeDecoder(codec);
  ASSERT_TRUE(decoder);
  for (const EncodedFrame& frame : encoded) {
    if (frame.pts < 8) continue;
    std::vector<VideoFrame> decoded;
    const Status status = decoder->Decode(frame.data, &decoded);
    ASSERT_TRUE(status.ok()) << "pts " << frame.pts << ": " << status.message();
    ASSERT_EQ(decoded.size(), 1u);
    EXPECT_GT(PsnrY(frames[static_cast<size_t>(frame.pts)], decoded[0]), 28.0);
  }
}

TEST_P(VideoCodecTest, SchedulesKeyFramesAtTheConfiguredInterval) {
  const VideoCodecType codec = GetParam();
  VideoEncoderConfig config = BaseConfig(codec, 800);
  config.keyframe_interval = 6;
  auto encoder = MakeEncoder(config);
  ASSERT_TRUE(encoder);
  const auto encoded = EncodeAll(*encoder, LoadTestClip(kWidth, kHeight, 14));
  std::vector<int64_t> keyframes;
  for (const EncodedFrame& frame : encoded) {
    if (frame.keyframe) keyframes.push_back(frame.pts);
  }
  EXPECT_EQ(keyframes, (std::vector<int64_t>{0, 6, 12}));
}

TEST_P(VideoCodecTest, ChangesResolutionMidStream) {
  const VideoCodecType codec = GetParam();
  const auto large = LoadTestClip(kWidth, kHeight, 30);
  VideoEncoderConfig config = BaseConfig(codec, 500);
  auto encoder = MakeEncoder(config);
  auto decoder = MakeDecoder(codec);
  ASSERT_TRUE(encoder && decoder);
  // Down to 192x144, then up past the first size (320x240, which libvpx VP9 can only reach by
  // re-creating the encoder).
  const std::pair<int, int> sizes[] = {{kWidth, kHeight}, {192, 144}, {320, 240}};
  int64_t pts = 0;
  for (const auto& [width, height] : sizes) {
    if (width != config.width) {
      config.width = width;
      config.height = height;
      const Status status = encoder->Reconfigure(config);
      ASSERT_TRUE(status.ok()) << status.message();
      EXPECT_EQ(encoder->config().width, width);
    }
    bool first = true;
    for (int i = 0; i < 10; ++i) {
      auto frame = ScaleFrame(large[static_cast<size_t>(pts)], width, height);
      ASSERT_TRUE(frame.ok());
      frame->pts = pts++;
      std::vector<EncodedFrame> encoded;
      const Status encode = encoder->Encode(*frame, false, &encoded);
      ASSERT_TRUE(encode.ok()) << encode.message();
      for (const EncodedFrame& packet : encoded) {
        if (first) {
          EXPECT_TRUE(packet.keyframe) << width << "x" << height;
        }
        first = false;
        std::vector<VideoFrame> decoded;
        const Status status = decoder->Decode(packet.data, &decoded);
        ASSERT_TRUE(status.ok()) << width << "x" << height << ": " << status.message();
        ASSERT_EQ(decoded.size(), 1u);
        EXPECT_EQ(decoded[0].width, width);
        EXPECT_EQ(decoded[0].height, height);
        EXPECT_GT(PsnrY(*frame, decoded[0]), 28.0);
      }
    }
  }
  // A frame of the old size is refused.
  std::vector<EncodedFrame> out;
  EXPECT_FALSE(encoder->Encode(large[0], false, &out).ok());
}

TEST_P(VideoCodecTest, FollowsBitrateChangesBothWays) {
  const VideoCodecType codec = GetParam();
  const auto frames = LoadTestClip(kWidth, kHeight, 150);
  VideoEncoderConfig config = BaseConfig(codec, 150);
  auto encoder = MakeEncoder(config);
  ASSERT_TRUE(encoder);
  // 150 kbps, 600 from frame 50, 150 again from frame 100; the first 15 frames of each part let
  // the rate controller settle and are not counted.
  size_t bytes[3] = {0, 0, 0};
  for (const VideoFrame& frame : frames) {
    if (frame.pts == 50 || frame.pts == 100) {
      config.target_kbps = frame.pts == 50 ? 600 : 150;
      const Status status = encoder->Reconfigure(config);
      ASSERT_TRUE(status.ok()) << status.message();
    }
    std::vector<EncodedFrame> encoded;
    ASSERT_TRUE(encoder->Encode(frame, false, &encoded).ok());
    if (frame.pts % 50 >= 15) bytes[frame.pts / 50] += TotalBytes(encoded);
  }
  // Four times the target: at least twice the bytes over the same number of frames.
  EXPECT_GT(bytes[1], 2 * bytes[0]) << bytes[0] << " then " << bytes[1];
  EXPECT_GT(bytes[1], 2 * bytes[2]) << bytes[1] << " then " << bytes[2];
}

TEST_P(VideoCodecTest, SpendsMoreBitsPerFrameAtALowerFrameRate) {
  const VideoCodecType codec = GetParam();
  const auto frames = LoadTestClip(kWidth, kHeight, 100);
  VideoEncoderConfig config = BaseConfig(codec, 300);
  auto encoder = MakeEncoder(config);
  ASSERT_TRUE(encoder);
  // 25 fps, then 10 fps from frame 50 at the same bitrate: 2.5 times the bits per frame.
  size_t bytes[2] = {0, 0};
  for (const VideoFrame& frame : frames) {
    if (frame.pts == 50) {
      config.fps_numerator = 10;
      const Status status = encoder->Reconfigure(config);
      ASSERT_TRUE(status.ok()) << status.message();
    }
    std::vector<EncodedFrame> encoded;
    ASSERT_TRUE(encoder->Encode(frame, false, &encoded).ok());
    if (frame.pts % 50 >= 15) bytes[frame.pts / 50] += TotalBytes(encoded);
  }
  EXPECT_GT(bytes[1], 3 * bytes[0] / 2) << bytes[0] << " then " << bytes[1];
}

TEST_P(VideoCodecTest, CodesFinerAtAHigherQualitySetting) {
  const VideoCodecType codec = GetParam();
  const auto frames = LoadTestClip(kWidth, kHeight, 10);
  std::map<int, size_t> bytes;
  for (int quality : {20, 45}) {
    VideoEncoderConfig config = BaseConfig(codec, 0);
    config.rate_control = RateControlMode::kConstantQuality;
    config.quality = quality;
    auto encoder = MakeEncoder(config);
    ASSERT_TRUE(encoder);
    bytes[quality] = TotalBytes(EncodeAll(*encoder, frames));
  }
  EXPECT_GT(bytes[20], bytes[45] * 3 / 2);
}

// Constant quality never drops a frame, screen content included (text scrolling over a page:
// the shared PDF clip, or a synthetic page when it is absent), with or without a bitrate cap and
// with the quality changing between frames as the AIC's dithering does.
TEST_P(VideoCodecTest, CodesEveryScreenFrameAtConstantQuality) {
  const VideoCodecType codec = GetParam();
  constexpr int kScreenWidth = 512, kScreenHeight = 384;
  std::vector<VideoFrame> frames;
  const std::string path =
      SharedTestFile("media/video/screen_pdf_reader_scroll_1024x768_25fps_f24-48_decoded.y4m");
  if (!path.empty()) {
    auto reader = Y4mReader::Create(path);
    ASSERT_TRUE(reader.ok());
    VideoFrame frame;
    while (*(*reader)->ReadFrame(&frame)) {
      auto scaled = ScaleFrame(frame, kScreenWidth, kScreenHeight);
      ASSERT_TRUE(scaled.ok());
      scaled->pts = static_cast<int64_t>(frames.size());
      frames.push_back(std::move(*scaled));
    }
  } else {
    for (int i = 0; i < 25; ++i) {
      VideoFrame frame = VideoFrame::Allocate(kScreenWidth, kScreenHeight);
      std::fill(frame.data.begin(), frame.data.end(), 128);
      const int scroll = (i / 4) * 37;  // jumps every fourth frame, as a scrolled page
      for (int y = 0; y < kScreenHeight; ++y) {
        for (int x = 0; x < kScreenWidth; ++x) {
          const int row = y + scroll;
          const bool ink = (row / 12) % 2 == 0 && (x / 3 + row / 2) % 5 < 2 && x % 97 > 8;
          frame.y()[static_cast<size_t>(y) * kScreenWidth + x] = ink ? 20 : 235;
        }
      }
      frame.pts = i;
      frames.push_back(std::move(frame));
    }
  }
  for (int cap_kbps : {0, 300}) {
    VideoEncoderConfig config = BaseConfig(codec, cap_kbps);
    config.width = kScreenWidth;
    config.height = kScreenHeight;
    config.rate_control = RateControlMode::kConstantQuality;
    config.quality = 36;
    config.min_quantizer = 0;
    config.max_quantizer = 63;
    config.error_resilient = false;
    config.content = VideoContentType::kScreen;
    auto encoder = MakeEncoder(config);
    ASSERT_TRUE(encoder);
    std::vector<EncodedFrame> encoded;
    for (const VideoFrame& frame : frames) {
      VideoEncoderConfig next = config;
      next.quality = config.quality + static_cast<int>(frame.pts % 2);
      const Status changed = encoder->Reconfigure(next);
      ASSERT_TRUE(changed.ok()) << changed.message();
      const Status status = encoder->Encode(frame, false, &encoded);
      ASSERT_TRUE(status.ok()) << status.message();
    }
    ASSERT_EQ(encoded.size(), frames.size()) << VideoCodecName(codec) << " cap " << cap_kbps;
    for (size_t i = 0; i < encoded.size(); ++i) EXPECT_EQ(encoded[i].pts, frames[i].pts);
  }
}

TEST_P(VideoCodecTest, CyclesTemporalLayersAndDecodesTheBaseLayerAlone) {
  const VideoCodecType codec = GetParam();
  const auto frames = LoadTestClip(kWidth, kHeight, 24);
  for (int layers : {2, 3}) {
    VideoEncoderConfig config = BaseConfig(codec, 800);
    config.temporal_layers = layers;
    auto encoder = MakeEncoder(config);
    ASSERT_TRUE(encoder);
    const auto encoded = EncodeAll(*encoder, frames);
    ASSERT_EQ(encoded.size(), frames.size()) << "no frame should be dropped at this rate";
    std::vector<int> expected, actual;
    for (const EncodedFrame& frame : encoded) {
      expected.push_back(TemporalLayerAt(layers, frame.pts));
      actual.push_back(frame.temporal_layer);
    }
    EXPECT_EQ(actual, expected) << layers << " layers";
    // Every layer below the top can be decoded with the layers above it dropped.
    for (int top = 0; top < layers - 1; ++top) {
      auto decoder = MakeDecoder(codec);
      ASSERT_TRUE(decoder);
      for (const EncodedFrame& frame : encoded) {
        if (frame.temporal_layer > top) continue;
        std::vector<VideoFrame> decoded;
        const Status status = decoder->Decode(frame.data, &decoded);
        ASSERT_TRUE(status.ok()) << layers << " layers, up to " << top << ", pts " << frame.pts
                                 << ": " << status.message();
        ASSERT_EQ(decoded.size(), 1u);
        EXPECT_GT(PsnrY(frames[static_cast<size_t>(frame.pts)], decoded[0]), 28.0);
      }
    }
  }
}

TEST_P(VideoCodecTest, KeepsTheLayerPatternThroughABitrateChange) {
  const VideoCodecType codec = GetParam();
  const auto frames = LoadTestClip(kWidth, kHeight, 24);
  VideoEncoderConfig config = BaseConfig(codec, 700);
  config.temporal_layers = 3;
  auto encoder = MakeEncoder(config);
  auto decoder = MakeDecoder(codec);
  ASSERT_TRUE(encoder && decoder);
  for (const VideoFrame& frame : frames) {
    if (frame.pts == 10) {
      config.target_kbps = 900;
      ASSERT_TRUE(encoder->Reconfigure(config).ok());
    }
    std::vector<EncodedFrame> encoded;
    ASSERT_TRUE(encoder->Encode(frame, false, &encoded).ok());
    ASSERT_EQ(encoded.size(), 1u) << "pts " << frame.pts;
    EXPECT_EQ(encoded[0].temporal_layer, TemporalLayerAt(3, frame.pts)) << "pts " << frame.pts;
    std::vector<VideoFrame> decoded;
    ASSERT_TRUE(decoder->Decode(encoded[0].data, &decoded).ok());
  }
}

TEST_P(VideoCodecTest, RefusesGarbageAndRecoversAtTheNextKeyFrame) {
  const VideoCodecType codec = GetParam();
  const auto frames = LoadTestClip(kWidth, kHeight, 20);
  auto encoder = MakeEncoder(BaseConfig(codec, 600));
  ASSERT_TRUE(encoder);
  const auto encoded = EncodeAll(*encoder, frames, {12});
  ASSERT_EQ(encoded.size(), frames.size());
  auto decoder = MakeDecoder(codec);
  ASSERT_TRUE(decoder);
  std::vector<VideoFrame> decoded;
  EXPECT_FALSE(decoder->Decode({}, &decoded).ok());
  const std::vector<uint8_t> garbage(300, 0xA7);
  EXPECT_FALSE(decoder->Decode(garbage, &decoded).ok());
  EXPECT_TRUE(decoded.empty());
  for (const EncodedFrame& frame : encoded) {
    decoded.clear();
    if (frame.pts == 5) {
      // Cut short: the rest of the picture is missing.
      const std::vector<uint8_t> truncated(frame.data.begin(),
                                           frame.data.begin() + frame.data.size() / 3);
      EXPECT_FALSE(decoder->Decode(truncated, &decoded).ok());
      continue;
    }
    const Status status = decoder->Decode(frame.data, &decoded);
    if (frame.pts > 5 && frame.pts < 12) {
      EXPECT_FALSE(status.ok()) << "pts " << frame.pts << " decoded without its reference";
      continue;
    }
    ASSERT_TRUE(status.ok()) << "pts " << frame.pts << ": " << status.message();
    ASSERT_EQ(decoded.size(), 1u);
    EXPECT_GT(PsnrY(frames[static_cast<size_t>(frame.pts)], decoded[0]), 28.0)
        << "pts " << frame.pts;
  }
}

TEST_P(VideoCodecTest, SurvivesRandomlyDamagedFrames) {
  const VideoCodecType codec = GetParam();
  const auto frames = LoadTestClip(128, 96, 6);
  VideoEncoderConfig config = BaseConfig(codec, 300);
  config.width = 128;
  config.height = 96;
  auto encoder = MakeEncoder(config);
  ASSERT_TRUE(encoder);
  const auto encoded = EncodeAll(*encoder, frames);
  auto decoder = MakeDecoder(codec);
  ASSERT_TRUE(decoder);
  std::mt19937 random(7);
  for (int round = 0; round < 60; ++round) {
    for (const EncodedFrame& frame : encoded) {
      std::vector<uint8_t> damaged = frame.data;
      const int flips = 1 + static_cast<int>(random() % 8);
      for (int i = 0; i < flips; ++i) {
        damaged[random() % damaged.size()] ^= static_cast<uint8_t>(1u << (random() % 8));
      }
      if (random() % 4 == 0) damaged.resize(random() % damaged.size() + 1);
      std::vector<VideoFrame> decoded;
      (void)decoder->Decode(damaged, &decoded);  // an error or a picture; never a crash
      for (const VideoFrame& picture : decoded) {
        EXPECT_EQ(picture.data.size(), VideoFrame::BufferSize(picture.width, picture.height));
      }
    }
  }
  // Still usable: a clean stream from its key frame decodes.
  auto fresh = EncodeAll(*MakeEncoder(config), frames);
  for (const EncodedFrame& frame : fresh) {
    std::vector<VideoFrame> decoded;
    const Status status = decoder->Decode(frame.data, &decoded);
    ASSERT_TRUE(status.ok()) << "pts " << frame.pts << ": " << status.message();
  }
}

TEST_P(VideoCodecTest, RefusesFramesOfTheWrongSizeAndCodecSwitches) {
  const VideoCodecType codec = GetParam();
  VideoEncoderConfig config = BaseConfig(codec);
  auto encoder = MakeEncoder(config);
  ASSERT_TRUE(encoder);
  std::vector<EncodedFrame> out;
  EXPECT_FALSE(encoder->Encode(VideoFrame::Allocate(128, 128), false, &out).ok());
  VideoFrame broken = VideoFrame::Allocate(kWidth, kHeight);
  broken.data.resize(100);
  EXPECT_FALSE(encoder->Encode(broken, false, &out).ok());
  EXPECT_TRUE(out.empty());
  VideoEncoderConfig other = config;
  other.codec = codec == VideoCodecType::kVp8 ? VideoCodecType::kVp9 : VideoCodecType::kVp8;
  EXPECT_FALSE(encoder->Reconfigure(other).ok());
  VideoEncoderConfig invalid = config;
  invalid.temporal_layers = 0;
  EXPECT_FALSE(encoder->Reconfigure(invalid).ok());
}

TEST(VideoCodecContainerTest, IvfCarriesVp8Vp9AndAv1StreamsThatDecodeBack) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("auralink_codec_ivf_" + std::to_string(::getpid()) + ".ivf"))
                               .string();
  const auto frames = LoadTestClip(128, 96, 8);
  const std::pair<VideoCodecType, IvfCodec> codecs[] = {{VideoCodecType::kVp8, IvfCodec::kVp8},
                                                        {VideoCodecType::kVp9, IvfCodec::kVp9},
                                                        {VideoCodecType::kAv1, IvfCodec::kAv1}};
  for (const auto& [codec, fourcc] : codecs) {
    VideoEncoderConfig config = BaseConfig(codec, 300);
    config.width = 128;
    config.height = 96;
    auto encoder = MakeEncoder(config);
    ASSERT_TRUE(encoder);
    const auto encoded = EncodeAll(*encoder, frames);
    IvfHeader header;
    header.codec = fourcc;
    header.width = 128;
    header.height = 96;
    header.timebase_numerator = 1;
    header.timebase_denominator = kFps;
    auto writer = IvfWriter::Create(path, header);
    ASSERT_TRUE(writer.ok());
    for (const EncodedFrame& frame : encoded) {
      ASSERT_TRUE((*writer)->WriteFrame(frame.data, frame.pts).ok());
    }
    ASSERT_TRUE((*writer)->Close().ok());

    auto reader = IvfReader::Create(path);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ((*reader)->header().codec, fourcc);
    EXPECT_EQ((*reader)->header().frame_count, encoded.size());
    auto decoder = MakeDecoder(codec);
    ASSERT_TRUE(decoder);
    IvfFrame frame;
    size_t count = 0;
    while (true) {
      auto more = (*reader)->ReadFrame(&frame);
      ASSERT_TRUE(more.ok());
      if (!*more) break;
      std::vector<VideoFrame> decoded;
      ASSERT_TRUE(decoder->Decode(frame.data, &decoded).ok()) << VideoCodecName(codec);
      ASSERT_EQ(decoded.size(), 1u);
      EXPECT_GT(PsnrY(frames[static_cast<size_t>(frame.pts)], decoded[0]), 28.0);
      ++count;
    }
    EXPECT_EQ(count, encoded.size());
  }
  std::filesystem::remove(path);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, VideoCodecTest,
                         ::testing::Values(VideoCodecType::kVp8, VideoCodecType::kVp9,
                                           VideoCodecType::kAv1, VideoCodecType::kH264),
                         [](const ::testing::TestParamInfo<VideoCodecType>& info) {
                           return std::string(VideoCodecName(info.param));
                         });

}  // namespace
}  // namespace auralink::video
