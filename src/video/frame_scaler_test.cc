#include "video/frame_scaler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>

namespace auralink::video {
namespace {

VideoFrame Uniform(int width, int height, uint8_t y, uint8_t u, uint8_t v) {
  VideoFrame frame = VideoFrame::Allocate(width, height);
  std::fill(frame.y().begin(), frame.y().end(), y);
  std::fill(frame.u().begin(), frame.u().end(), u);
  std::fill(frame.v().begin(), frame.v().end(), v);
  return frame;
}

bool Within(std::span<const uint8_t> plane, int value, int tolerance) {
  return std::all_of(plane.begin(), plane.end(),
                     [&](uint8_t sample) { return std::abs(sample - value) <= tolerance; });
}

double Mean(std::span<const uint8_t> plane) {
  return std::accumulate(plane.begin(), plane.end(), 0.0) / static_cast<double>(plane.size());
}

TEST(FrameScalerTest, KeepsAUniformFrameUniformAtAnySize) {
  const VideoFrame source = Uniform(64, 48, 90, 60, 200);
  for (auto [width, height] : {std::pair{32, 24}, {17, 9}, {128, 96}, {1, 1}, {64, 48}}) {
    for (ScaleFilter filter : {ScaleFilter::kBox, ScaleFilter::kBilinear}) {
      auto scaled = ScaleFrame(source, width, height, filter);
      ASSERT_TRUE(scaled.ok()) << scaled.status().message();
      EXPECT_EQ(scaled->width, width);
      EXPECT_EQ(scaled->height, height);
      ASSERT_EQ(scaled->data.size(), VideoFrame::BufferSize(width, height));
      // libyuv's box filter divides by a truncated fixed-point area when it shrinks by more than
      // two or by a fraction, which can darken by up to 2 levels; halving, identity, upscaling
      // and bilinear are exact.
      EXPECT_TRUE(Within(scaled->y(), 90, 2)) << width << "x" << height;
      EXPECT_TRUE(Within(scaled->u(), 60, 2)) << width << "x" << height;
      EXPECT_TRUE(Within(scaled->v(), 200, 2)) << width << "x" << height;
      if (filter == ScaleFilter::kBilinear || width >= 32) {
        EXPECT_TRUE(Within(scaled->y(), 90, 0)) << width << "x" << height;
      }
    }
  }
}

TEST(FrameScalerTest, BoxHalvingAveragesEachTwoByTwoBlock) {
  // Luma in 2x2 blocks of one value each, so the box filter's average is that value.
  VideoFrame source = Uniform(8, 8, 0, 128, 128);
  for (int row = 0; row < 8; ++row) {
    for (int column = 0; column < 8; ++column) {
      source.y()[row * 8 + column] = static_cast<uint8_t>(10 * ((row / 2) * 4 + column / 2));
    }
  }
  source.pts = 42;
  auto scaled = ScaleFrame(source, 4, 4, ScaleFilter::kBox);
  ASSERT_TRUE(scaled.ok());
  EXPECT_EQ(scaled->pts, 42);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(scaled->y()[i], 10 * i) << i;
}

TEST(FrameScalerTest, PreservesTheMeanOfAGradient) {
  VideoFrame source = Uniform(97, 61, 0, 100, 150);
  for (int row = 0; row < 61; ++row) {
    for (int column = 0; column < 97; ++column) {
      source.y()[row * 97 + column] = static_cast<uint8_t>(column * 2 + row);
    }
  }
  auto scaled = ScaleFrame(source, 40, 30);
  ASSERT_TRUE(scaled.ok());
  EXPECT_NEAR(Mean(scaled->y()), Mean(source.y()), 2.5);
  // The gradient still runs left to right.
  EXPECT_LT(scaled->y()[15 * 40 + 2], scaled->y()[15 * 40 + 37]);
}

TEST(FrameScalerTest, ScalesIntoACallerFrame) {
  const VideoFrame source = Uniform(32, 32, 50, 60, 70);
  VideoFrame destination;
  destination.width = 16;
  destination.height = 8;
  ASSERT_TRUE(ScaleFrameInto(source, &destination).ok());
  EXPECT_EQ(destination.data.size(), VideoFrame::BufferSize(16, 8));
  EXPECT_EQ(destination.y()[0], 50);
}

TEST(FrameScalerTest, RefusesBadSizes) {
  const VideoFrame source = Uniform(16, 16, 1, 2, 3);
  EXPECT_FALSE(ScaleFrame(source, 0, 16).ok());
  EXPECT_FALSE(ScaleFrame(source, 16, 20000).ok());
  VideoFrame broken = source;
  broken.data.resize(10);
  auto result = ScaleFrame(broken, 8, 8);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("needs 384"), std::string::npos)
      << result.status().message();
  VideoFrame empty;
  EXPECT_FALSE(ScaleFrame(empty, 8, 8).ok());
}

TEST(FrameScalerTest, CropsTheRequestedRectangle) {
  VideoFrame source = VideoFrame::Allocate(10, 6);
  for (size_t i = 0; i < source.data.size(); ++i) source.data[i] = static_cast<uint8_t>(i);
  auto cropped = CropFrame(source, 2, 2, 5, 3);
  ASSERT_TRUE(cropped.ok()) << cropped.status().message();
  ASSERT_EQ(cropped->width, 5);
  ASSERT_EQ(cropped->height, 3);
  for (int row = 0; row < 3; ++row) {
    for (int column = 0; column < 5; ++column) {
      EXPECT_EQ(cropped->y()[row * 5 + column], source.y()[(row + 2) * 10 + column + 2]);
    }
  }
  // Chroma: 3x2 of the source's 5x3 planes, from (1, 1).
  for (int row = 0; row < 2; ++row) {
    for (int column = 0; column < 3; ++column) {
      EXPECT_EQ(cropped->u()[row * 3 + column], source.u()[(row + 1) * 5 + column + 1]);
      EXPECT_EQ(cropped->v()[row * 3 + column], source.v()[(row + 1) * 5 + column + 1]);
    }
  }
}

TEST(FrameScalerTest, RefusesCropsOutsideTheFrameOrOnOddOffsets) {
  const VideoFrame source = Uniform(16, 16, 1, 2, 3);
  EXPECT_FALSE(CropFrame(source, 1, 0, 4, 4).ok());
  EXPECT_FALSE(CropFrame(source, 0, 0, 17, 4).ok());
  EXPECT_FALSE(CropFrame(source, 14, 0, 4, 4).ok());
  EXPECT_FALSE(CropFrame(source, -2, 0, 4, 4).ok());
  EXPECT_FALSE(CropFrame(source, 0, 0, 0, 4).ok());
  EXPECT_TRUE(CropFrame(source, 0, 0, 16, 16).ok());
}

}  // namespace
}  // namespace auralink::video
