#include "aic/video/region_of_interest_segments.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace auralink::video {
namespace {

RegionOfInterestMap MapOf(int columns, int rows, std::vector<int8_t> deltas) {
  RegionOfInterestMap map;
  map.block_columns = columns;
  map.block_rows = rows;
  map.quantizer_delta = std::move(deltas);
  return map;
}

TEST(RegionOfInterestSegmentsTest, KeepsFewDistinctDeltasExactly) {
  // 64x32 frame: 4x2 blocks of 16.
  const auto map = MapOf(4, 2, {0, -10, -10, 0, 0, -20, 0, 0});
  auto segments = QuantizeRegionOfInterest(map, 64, 32, 16, 4, 63);
  ASSERT_TRUE(segments.ok()) << segments.status().message();
  ASSERT_EQ(segments->segment_of_block.size(), 8u);
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(segments->segment_delta[segments->segment_of_block[i]], map.quantizer_delta[i]) << i;
  }
  EXPECT_EQ(std::set<int>(segments->segment_delta.begin(), segments->segment_delta.end()),
            (std::set<int>{-20, -10, 0}));
}

TEST(RegionOfInterestSegmentsTest, GroupsManyDeltasIntoTheAllowedSegments) {
  // 61 distinct deltas from -30 to 30, one per block, into 4 segments.
  std::vector<int8_t> deltas;
  for (int value = -30; value <= 30; ++value) deltas.push_back(static_cast<int8_t>(value));
  const auto map = MapOf(61, 1, deltas);
  auto segments = QuantizeRegionOfInterest(map, 61 * 16, 16, 16, 4, 63);
  ASSERT_TRUE(segments.ok());
  ASSERT_EQ(segments->segment_delta.size(), 4u);
  double squared_error = 0;
  for (size_t i = 0; i < deltas.size(); ++i) {
    const int coded = segments->segment_delta[segments->segment_of_block[i]];
    squared_error += (coded - deltas[i]) * (coded - deltas[i]);
    // Groups are contiguous ranges, so order is kept.
    if (i > 0) {
      EXPECT_GE(coded, segments->segment_delta[segments->segment_of_block[i - 1]]);
    }
  }
  // Four equal groups of ~15 uniform values have a mean squared error of (15^2 - 1) / 12.
  EXPECT_LE(squared_error / deltas.size(), (15.25 * 15.25 - 1) / 12.0 + 0.5);
}

TEST(RegionOfInterestSegmentsTest, ClampsToTheCodecRange) {
  const auto map = MapOf(2, 1, {-100, 100});
  auto segments = QuantizeRegionOfInterest(map, 32, 16, 16, 8, 63);
  ASSERT_TRUE(segments.ok());
  EXPECT_EQ(segments->segment_delta[segments->segment_of_block[0]], -63);
  EXPECT_EQ(segments->segment_delta[segments->segment_of_block[1]], 63);
}

TEST(RegionOfInterestSegmentsTest, ExpandsToEightPixelBlocks) {
  // A 24x24 frame: 2x2 blocks of 16 and 3x3 blocks of 8, the last row and column partial.
  const auto map = MapOf(2, 2, {-5, 0, 0, -9});
  auto segments = QuantizeRegionOfInterest(map, 24, 24, 8, 8, 63);
  ASSERT_TRUE(segments.ok());
  ASSERT_EQ(segments->segment_of_block.size(), 9u);
  const int expected[9] = {-5, -5, 0, -5, -5, 0, 0, 0, -9};
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(segments->segment_delta[segments->segment_of_block[i]], expected[i]) << i;
  }
}

TEST(RegionOfInterestSegmentsTest, RefusesAMapOfTheWrongShape) {
  EXPECT_FALSE(
      QuantizeRegionOfInterest(MapOf(3, 2, std::vector<int8_t>(6)), 64, 32, 16, 4, 63).ok());
  EXPECT_FALSE(
      QuantizeRegionOfInterest(MapOf(4, 2, std::vector<int8_t>(7)), 64, 32, 16, 4, 63).ok());
  auto error = QuantizeRegionOfInterest(MapOf(0, 0, {}), 64, 32, 16, 4, 63);
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.status().message().find("needs 4x2"), std::string::npos)
      << error.status().message();
}

}  // namespace
}  // namespace auralink::video
