#include "client/load_generator.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace auralink::client {
namespace {

std::vector<int> MeasuredIn(int room, int subscribers, int measured) {
  std::vector<int> indices;
  for (int index = 0; index < subscribers; ++index) {
    if (IsMeasuredSubscriber(index, room, subscribers, measured)) indices.push_back(index);
  }
  return indices;
}

TEST(LoadGeneratorTest, OneRoomSpreadsItsWitnessesFromTheHeadOfTheFanOut) {
  EXPECT_EQ(MeasuredIn(0, 1000, 4), (std::vector<int>{0, 250, 500, 750}));
  EXPECT_EQ(MeasuredIn(0, 25, 4), (std::vector<int>{0, 6, 12, 18}));
}

TEST(LoadGeneratorTest, EveryRoomHasItsCountAndTheRoomsCoverEveryPosition) {
  const int subscribers = 25;
  for (int measured : {1, 3, 4, 25}) {
    std::set<int> positions;
    for (int room = 0; room < 60; ++room) {
      const std::vector<int> indices = MeasuredIn(room, subscribers, measured);
      EXPECT_EQ(indices.size(), static_cast<size_t>(measured)) << "room " << room;
      positions.insert(indices.begin(), indices.end());
    }
    EXPECT_EQ(positions.size(), static_cast<size_t>(subscribers)) << measured << " per room";
  }
  // One per room: room r's witness sits at position r mod N.
  EXPECT_EQ(MeasuredIn(27, subscribers, 1), (std::vector<int>{2}));
}

TEST(LoadGeneratorTest, MoreWitnessesThanSubscribersMeansAllAndNoneMeansNone) {
  EXPECT_EQ(MeasuredIn(3, 3, 10), (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(MeasuredIn(0, 10, 0).empty());
  EXPECT_FALSE(IsMeasuredSubscriber(-1, 0, 10, 4));
  EXPECT_FALSE(IsMeasuredSubscriber(10, 0, 10, 10));
}

}  // namespace
}  // namespace auralink::client
