#include "aic/video/analysis/region_of_interest.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::video {
namespace {

constexpr RegionOfInterestConfig kNoMargin{.side_margin = 0, .top_margin = 0, .bottom_margin = 0};

std::vector<std::pair<int, int>> MarkedBlocks(const RegionOfInterestWeights& map) {
  std::vector<std::pair<int, int>> marked;
  for (int row = 0; row < map.block_rows; ++row) {
    for (int column = 0; column < map.block_columns; ++column) {
      if (map.weights[row * map.block_columns + column] > 0) marked.emplace_back(column, row);
    }
  }
  return marked;
}

TEST(RegionOfInterestTest, GridCoversTheFrameInSixteenPixelBlocks) {
  const RegionOfInterestWeights hd = WeighFaceBlocks(1280, 720, {});
  EXPECT_EQ(hd.block_columns, 80);
  EXPECT_EQ(hd.block_rows, 45);
  EXPECT_EQ(hd.weights.size(), 80u * 45u);
  EXPECT_TRUE(hd.empty());
  const RegionOfInterestWeights odd = WeighFaceBlocks(100, 50, {});
  EXPECT_EQ(odd.block_columns, 7);
  EXPECT_EQ(odd.block_rows, 4);
  EXPECT_TRUE(WeighFaceBlocks(0, 10, {}).weights.empty());
}

TEST(RegionOfInterestTest, MarksTheBlocksAFaceOverlaps) {
  const std::vector<FaceRectangle> aligned = {{.x = 64, .y = 32, .width = 32, .height = 32}};
  EXPECT_EQ(MarkedBlocks(WeighFaceBlocks(160, 128, aligned, kNoMargin)),
            (std::vector<std::pair<int, int>>{{4, 2}, {5, 2}, {4, 3}, {5, 3}}));
  // One sample into the next block marks it.
  const std::vector<FaceRectangle> straddling = {{.x = 63, .y = 32, .width = 2, .height = 1}};
  EXPECT_EQ(MarkedBlocks(WeighFaceBlocks(160, 128, straddling, kNoMargin)),
            (std::vector<std::pair<int, int>>{{3, 2}, {4, 2}}));
}

TEST(RegionOfInterestTest, MarginWidensTheFaceMoreBelow) {
  // 40x40 face at (80, 40): with 20% sides, 25% top, 35% bottom it spans x 72..128, y 30..94,
  // so columns 4..7 and rows 1..5.
  const std::vector<FaceRectangle> faces = {{.x = 80, .y = 40, .width = 40, .height = 40}};
  const RegionOfInterestWeights map = WeighFaceBlocks(320, 240, faces);
  std::vector<std::pair<int, int>> expected;
  for (int row = 1; row <= 5; ++row) {
    for (int column = 4; column <= 7; ++column) expected.emplace_back(column, row);
  }
  EXPECT_EQ(MarkedBlocks(map), expected);
}

TEST(RegionOfInterestTest, FacesAtTheEdgeAreClippedAndEmptyOnesIgnored) {
  const std::vector<FaceRectangle> faces = {
      {.x = 0, .y = 0, .width = 20, .height = 20},
      {.x = 300, .y = 220, .width = 20, .height = 20},
      {.x = 100, .y = 100, .width = 0, .height = 30},
      {.x = 100, .y = 100, .width = -5, .height = 30},
  };
  const RegionOfInterestWeights map = WeighFaceBlocks(320, 240, faces);
  EXPECT_EQ(map.weights[0], 1.0f);
  EXPECT_EQ(map.weights.back(), 1.0f);
  EXPECT_EQ(map.weights[6 * map.block_columns + 6], 0.0f);
  EXPECT_FALSE(map.empty());
}

TEST(RegionOfInterestTest, QuantizerDeltasInterpolateAndClamp) {
  RegionOfInterestWeights weights;
  weights.block_columns = 4;
  weights.block_rows = 1;
  weights.weights = {0.0f, 1.0f, 0.5f, 2.0f};
  const RegionOfInterestMap map = ToQuantizerDeltaMap(weights, -10, 4);
  EXPECT_EQ(map.block_columns, 4);
  EXPECT_EQ(map.block_rows, 1);
  EXPECT_EQ(map.quantizer_delta, (std::vector<int8_t>{4, -10, -3, -10}));
  const RegionOfInterestMap clamped = ToQuantizerDeltaMap(weights, -500, 500);
  EXPECT_EQ(clamped.quantizer_delta, (std::vector<int8_t>{127, -128, 0, -128}));
}

}  // namespace
}  // namespace auralink::video
