#include "aic/video/svt_av1_encoder.h"

#include <gtest/gtest.h>

#include <set>

#include "aic/video/dav1d_decoder.h"
#include "aic/video/test_video_clip.h"

namespace auralink::video {
namespace {

using testing::LoadTestClip;
using testing::PsnrY;

constexpr int kSize = 256;
constexpr int kFps = 25;

VideoEncoderConfig SvtConfig(int kbps = 500) {
  VideoEncoderConfig config;
  config.codec = VideoCodecType::kAv1;
  config.av1_encoder = Av1Encoder::kSvtAv1;
  config.width = kSize;
  config.height = kSize;
  config.fps_numerator = kFps;
  config.target_kbps = kbps;
  config.speed = 12;  // the fastest real-time preset keeps the tests quick
  return config;
}

// Encodes `frames` (reconfiguring at the frames `changes` names) and flushes the held frame.
std::vector<EncodedFrame> EncodeAll(
    VideoEncoder& encoder, const std::vector<VideoFrame>& frames,
    const std::set<int64_t>& keyframes_at = {},
    const std::vector<std::pair<int64_t, VideoEncoderConfig>>& changes = {}) {
  std::vector<EncodedFrame> out;
  for (const VideoFrame& frame : frames) {
    for (const auto& [at, config] : changes) {
      if (at == frame.pts) {
        const Status status = encoder.Reconfigure(config);
        EXPECT_TRUE(status.ok()) << status.message();
      }
    }
    const Status status = encoder.Encode(frame, keyframes_at.count(frame.pts) > 0, &out);
    EXPECT_TRUE(status.ok()) << status.message();
  }
  const Status status = encoder.Flush(&out);
  EXPECT_TRUE(status.ok()) << status.message();
  return out;
}

// Every frame comes out once, in order, and one dav1d decoder follows the whole stream.
void ExpectDecodableInOrder(const std::vector<EncodedFrame>& encoded,
                            const std::vector<VideoFrame>& frames, double min_psnr) {
  ASSERT_EQ(encoded.size(), frames.size());
  auto decoder = Dav1dDecoder::Create();
  ASSERT_TRUE(decoder.ok());
  for (size_t i = 0; i < encoded.size(); ++i) {
    EXPECT_EQ(encoded[i].pts, static_cast<int64_t>(i));
    std::vector<VideoFrame> decoded;
    const Status status = (*decoder)->Decode(encoded[i].data, &decoded);
    ASSERT_TRUE(status.ok()) << "pts " << encoded[i].pts << ": " << status.message();
    ASSERT_EQ(decoded.size(), 1u);
    EXPECT_GT(PsnrY(frames[i], decoded[0]), min_psnr) << "pts " << encoded[i].pts;
  }
}

std::vector<int64_t> KeyFrames(const std::vector<EncodedFrame>& encoded) {
  std::vector<int64_t> keyframes;
  for (const EncodedFrame& frame : encoded) {
    if (frame.keyframe) keyframes.push_back(frame.pts);
  }
  return keyframes;
}

size_t Bytes(const std::vector<EncodedFrame>& encoded, int64_t from, int64_t to) {
  size_t bytes = 0;
  for (const EncodedFrame& frame : encoded) {
    if (frame.pts >= from && frame.pts < to) bytes += frame.data.size();
  }
  return bytes;
}

TEST(SvtAv1EncoderTest, IsTheAv1EncoderTheConfigAsksFor) {
  auto encoder = CreateVideoEncoder(SvtConfig());
  ASSERT_TRUE(encoder.ok()) << encoder.status().message();
  EXPECT_NE(dynamic_cast<SvtAv1Encoder*>(encoder->get()), nullptr);
  EXPECT_EQ((*encoder)->codec(), VideoCodecType::kAv1);
  EXPECT_EQ(ParseAv1EncoderName("svt"), Av1Encoder::kSvtAv1);
  EXPECT_EQ(ParseAv1EncoderName(Av1EncoderName(Av1Encoder::kLibaom)), Av1Encoder::kLibaom);
  EXPECT_FALSE(ParseAv1EncoderName("rav1e").has_value());
}

TEST(SvtAv1EncoderTest, HoldsOneFrameAndFlushesIt) {
  const auto frames = LoadTestClip(kSize, kSize, 30);
  auto encoder = SvtAv1Encoder::Create(SvtConfig());
  ASSERT_TRUE(encoder.ok()) << encoder.status().message();
  std::vector<EncodedFrame> first;
  ASSERT_TRUE((*encoder)->Encode(frames[0], false, &first).ok());
  EXPECT_TRUE(first.empty()) << "low delay holds the newest frame";
  const auto encoded = EncodeAll(**encoder, {frames.begin() + 1, frames.end()});
  // Each later call puts out the frame before its own; the flush puts out the last.
  ASSERT_EQ(encoded.size(), frames.size());
  EXPECT_EQ(KeyFrames(encoded), (std::vector<int64_t>{0}));
  ExpectDecodableInOrder(encoded, frames, 30.0);
  // Still usable after the flush: the next frame starts a new stream with a key frame.
  std::vector<EncodedFrame> more;
  ASSERT_TRUE((*encoder)->Encode(frames[0], false, &more).ok());
  ASSERT_TRUE((*encoder)->Flush(&more).ok());
  ASSERT_EQ(more.size(), 1u);
  EXPECT_TRUE(more[0].keyframe);
}

TEST(SvtAv1EncoderTest, HoldsTheTargetBitrateInCbr) {
  const auto frames = LoadTestClip(kSize, kSize, 75);
  for (int kbps : {150, 400}) {
    auto encoder = SvtAv1Encoder::Create(SvtConfig(kbps));
    ASSERT_TRUE(encoder.ok());
    const auto encoded = EncodeAll(**encoder, frames);
    const double actual = 8.0 * static_cast<double>(Bytes(encoded, 0, 75)) / 3.0 / 1000.0;
    EXPECT_NEAR(actual, kbps, 0.3 * kbps);
  }
}

TEST(SvtAv1EncoderTest, SendsAKeyFrameOnDemandAndAtTheInterval) {
  const auto frames = LoadTestClip(kSize, kSize, 16);
  auto encoder = SvtAv1Encoder::Create(SvtConfig(600));
  ASSERT_TRUE(encoder.ok());
  const auto encoded = EncodeAll(**encoder, frames, {8});
  EXPECT_EQ(KeyFrames(encoded), (std::vector<int64_t>{0, 8}));
  ExpectDecodableInOrder(encoded, frames, 28.0);
  // A decoder that joins at the key frame decodes everything after it.
  auto decoder = Dav1dDecoder::Create();
  ASSERT_TRUE(decoder.ok());
  for (const EncodedFrame& frame : encoded) {
    if (frame.pts < 8) continue;
    std::vector<VideoFrame> decoded;
    ASSERT_TRUE((*decoder)->Decode(frame.data, &decoded).ok()) << "pts " << frame.pts;
    ASSERT_EQ(decoded.size(), 1u);
  }

  VideoEncoderConfig periodic = SvtConfig(800);
  periodic.keyframe_interval = 6;
  auto scheduled = SvtAv1Encoder::Create(periodic);
  ASSERT_TRUE(scheduled.ok());
  EXPECT_EQ(KeyFrames(EncodeAll(**scheduled, LoadTestClip(kSize, kSize, 14))),
            (std::vector<int64_t>{0, 6, 12}));
}

// Constant quality without a cap takes a QP with each picture: no new encoder, no key frame.
TEST(SvtAv1EncoderTest, ChangesTheQuantizerBetweenFramesInPlace) {
  const auto frames = LoadTestClip(kSize, kSize, 30);
  VideoEncoderConfig config = SvtConfig(0);
  config.rate_control = RateControlMode::kConstantQuality;
  config.quality = 25;
  VideoEncoderConfig coarse = config;
  coarse.quality = 50;
  VideoEncoderConfig bounded = coarse;
  bounded.max_quantizer = 35;
  auto encoder = SvtAv1Encoder::Create(config);
  ASSERT_TRUE(encoder.ok()) << encoder.status().message();
  const auto encoded = EncodeAll(**encoder, frames, {}, {{10, coarse}, {20, bounded}});
  EXPECT_EQ(KeyFrames(encoded), (std::vector<int64_t>{0}));
  ExpectDecodableInOrder(encoded, frames, 25.0);
  // Frames 11-19 at QP 50 cost far less than frames 1-9 at QP 25, and 21-29 (capped at 35)
  // more than 11-19.
  EXPECT_LT(2 * Bytes(encoded, 11, 20), Bytes(encoded, 1, 10));
  EXPECT_GT(Bytes(encoded, 21, 30), Bytes(encoded, 11, 20));
}

// A new bitrate needs a new SVT-AV1 encoder: the held frame still comes out, then a key frame.
TEST(SvtAv1EncoderTest, StartsAgainWithAKeyFrameForANewBitrate) {
  const auto frames = LoadTestClip(kSize, kSize, 20);
  VideoEncoderConfig faster = SvtConfig(300);
  faster.target_kbps = 900;
  auto encoder = SvtAv1Encoder::Create(SvtConfig(300));
  ASSERT_TRUE(encoder.ok());
  const auto encoded = EncodeAll(**encoder, frames, {}, {{10, faster}});
  EXPECT_EQ(KeyFrames(encoded), (std::vector<int64_t>{0, 10}));
  ExpectDecodableInOrder(encoded, frames, 28.0);
  EXPECT_EQ((*encoder)->config().target_kbps, 900);
}

TEST(SvtAv1EncoderTest, RefusesWhatItCannotDo) {
  auto refused = [](void (*change)(VideoEncoderConfig&)) {
    VideoEncoderConfig config = SvtConfig();
    change(config);
    return !SvtAv1Encoder::Create(config).ok();
  };
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.width = 48; }));
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.height = 255; }));
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.speed = 8; }));
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.temporal_layers = 2; }));
  EXPECT_TRUE(refused([](VideoEncoderConfig& c) { c.codec = VideoCodecType::kVp9; }));
  auto encoder = SvtAv1Encoder::Create(SvtConfig());
  ASSERT_TRUE(encoder.ok());
  RegionOfInterestMap map;
  map.block_columns = kSize / 16;
  map.block_rows = kSize / 16;
  map.quantizer_delta.assign(static_cast<size_t>(map.block_columns * map.block_rows), -5);
  EXPECT_FALSE((*encoder)->SetRegionOfInterest(map).ok());
  EXPECT_TRUE((*encoder)->SetRegionOfInterest(RegionOfInterestMap{}).ok());
  std::vector<EncodedFrame> out;
  EXPECT_FALSE((*encoder)->Encode(VideoFrame::Allocate(128, 128), false, &out).ok());
}

}  // namespace
}  // namespace auralink::video
