#include "aic/video/policy/face_quality_map.h"

#include <gtest/gtest.h>

#include <cmath>

#include "aic/video/policy/aic_encoder_config.h"
#include "aic/video/test_video_clip.h"

namespace auralink::video {
namespace {

using testing::LoadTestClip;
using testing::RegionPsnrY;

TEST(FaceQualityMapTest, NoFacesOrNoMapSupportGivesAnEmptyMap) {
  const std::vector<FaceRectangle> faces = {{100, 80, 120, 150}};
  EXPECT_EQ(FaceQualityMap(VideoCodecType::kVp8, 512, 512, 512, 512, {}).block_columns, 0);
  EXPECT_EQ(FaceQualityMap(VideoCodecType::kAv1, 512, 512, 512, 512, faces).block_columns, 0);
  EXPECT_EQ(FaceQualityMap(VideoCodecType::kH264, 512, 512, 512, 512, faces).block_columns, 0);
  EXPECT_FALSE(TakesRegionOfInterestMap(VideoCodecType::kAv1));
  EXPECT_TRUE(TakesRegionOfInterestMap(VideoCodecType::kVp9));
}

TEST(FaceQualityMapTest, FaceBlocksGetTheFaceDeltaOnTheEncodedGrid) {
  const std::vector<FaceRectangle> faces = {{192, 128, 128, 160}};
  // Encoded at half size: the face lands at (96, 64) 64x80.
  const RegionOfInterestMap map = FaceQualityMap(VideoCodecType::kVp8, 512, 512, 256, 256, faces);
  ASSERT_EQ(map.block_columns, 16);
  ASSERT_EQ(map.block_rows, 16);
  const FaceQualityDeltas deltas = FaceQualityDeltasFor(VideoCodecType::kVp8);
  EXPECT_LT(deltas.face, 0);
  EXPECT_GT(deltas.background, 0);
  auto at = [&](int column, int row) {
    return map.quantizer_delta[static_cast<size_t>(row * 16 + column)];
  };
  EXPECT_EQ(at(8, 8), deltas.face);  // centre of the face
  EXPECT_EQ(at(0, 0), deltas.background);
  EXPECT_EQ(at(15, 15), deltas.background);
}

// Region-aware coding at the same bitrate: VP8 CBR with and without the face map. The face's PSNR
// must rise against the background's, the total bits staying about the same.
TEST(FaceQualityMapTest, FacesGainQualityOverTheBackgroundAtSimilarBits) {
  constexpr int kSize = 256;
  const std::vector<VideoFrame> frames = LoadTestClip(kSize, kSize, 40);
  auto detector = FaceDetector::Create();
  if (!detector.ok()) GTEST_SKIP() << "no face cascade: " << detector.status().message();
  auto found = (*detector)->Detect(frames[0]);
  ASSERT_TRUE(found.ok());
  if (found->empty()) GTEST_SKIP() << "no face found on the test clip (synthetic frames?)";
  const FaceRectangle face = found->front();

  struct Outcome {
    size_t bytes = 0;
    double face_psnr = 0.0;
    double background_psnr = 0.0;
  };
  auto run = [&](bool with_map) {
    Outcome outcome;
    VideoEncoderConfig config = BaselineEncoderConfig(kSize, kSize, 25.0);
    config.target_kbps = 100;
    SetFrameRate(25.0, &config);
    auto encoder = CreateVideoEncoder(config);
    auto decoder = CreateVideoDecoder(config.codec);
    EXPECT_TRUE(encoder.ok() && decoder.ok());
    if (!encoder.ok() || !decoder.ok()) return outcome;
    if (with_map) {
      const RegionOfInterestMap map =
          FaceQualityMap(config.codec, kSize, kSize, kSize, kSize, *found);
      EXPECT_TRUE((*encoder)->SetRegionOfInterest(map).ok());
    }
    int measured = 0;
    for (const VideoFrame& frame : frames) {
      std::vector<EncodedFrame> encoded;
      EXPECT_TRUE((*encoder)->Encode(frame, false, &encoded).ok());
      for (const EncodedFrame& unit : encoded) {
        outcome.bytes += unit.data.size();
        std::vector<VideoFrame> decoded;
        EXPECT_TRUE((*decoder)->Decode(unit.data, &decoded).ok());
        if (decoded.empty() || frame.pts < 10) continue;  // past the start-up
        outcome.face_psnr +=
            RegionPsnrY(frame, decoded.back(), face.x, face.y, face.width, face.height);
        // The background: the left and right strips beside the face region.
        const int strip = std::max(16, face.x / 2);
        outcome.background_psnr +=
            0.5 * (RegionPsnrY(frame, decoded.back(), 0, 0, strip, kSize) +
                   RegionPsnrY(frame, decoded.back(), kSize - strip, 0, strip, kSize));
        ++measured;
      }
    }
    if (measured > 0) {
      outcome.face_psnr /= measured;
      outcome.background_psnr /= measured;
    }
    return outcome;
  };
  const Outcome plain = run(false);
  const Outcome mapped = run(true);
  const double plain_gap = plain.face_psnr - plain.background_psnr;
  const double mapped_gap = mapped.face_psnr - mapped.background_psnr;
  RecordProperty("face_psnr_db",
                 std::to_string(plain.face_psnr) + " -> " + std::to_string(mapped.face_psnr));
  RecordProperty("background_psnr_db", std::to_string(plain.background_psnr) + " -> " +
                                           std::to_string(mapped.background_psnr));
  RecordProperty("bytes", std::to_string(plain.bytes) + " -> " + std::to_string(mapped.bytes));
  EXPECT_GT(mapped_gap, plain_gap + 1.0)
      << "face " << plain.face_psnr << " -> " << mapped.face_psnr << " dB, background "
      << plain.background_psnr << " -> " << mapped.background_psnr << " dB";
  EXPECT_GT(mapped.face_psnr, plain.face_psnr);
  EXPECT_NEAR(static_cast<double>(mapped.bytes), static_cast<double>(plain.bytes),
              0.15 * plain.bytes);
}

}  // namespace
}  // namespace auralink::video
