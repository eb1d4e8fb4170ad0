#include "sfu/bwe/transport_feedback_adapter.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::sfu {
namespace {

TEST(TransportFeedbackAdapterTest, MatchesFeedbackToSentPacketsAcrossTheWrap) {
  TransportFeedbackAdapter adapter;
  // Sequence numbers 65534, 65535, 0, 1 sent 10 ms apart.
  for (int i = 0; i < 4; ++i) {
    adapter.OnPacketSent({static_cast<uint16_t>(65534 + i), 1000u + i, 1'000'000 + i * 10'000});
  }
  const std::vector<TransportFeedbackEntry> entries = {
      {65534, true, 5'000'000}, {65535, false, 0}, {0, true, 5'021'000}, {1, true, 5'030'000}};
  const TransportPacketsFeedback feedback = adapter.OnTransportFeedback(entries, 1'100'000);
  ASSERT_EQ(feedback.packets.size(), 4u);
  EXPECT_EQ(feedback.received_count(), 3u);
  EXPECT_EQ(feedback.lost_count(), 1u);
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(feedback.packets[i].transport_sequence_number,
              feedback.packets[i - 1].transport_sequence_number + 1);
  }
  EXPECT_EQ(feedback.packets[2].size_bytes, 1002u);
  EXPECT_EQ(feedback.packets[2].send_time_us, 1'020'000);
  EXPECT_EQ(feedback.packets[2].arrival_time_us, 5'021'000);
  ASSERT_TRUE(feedback.round_trip_time_us.has_value());
  EXPECT_EQ(*feedback.round_trip_time_us, 1'100'000 - 1'030'000);
}

TEST(TransportFeedbackAdapterTest, CountsEachReceptionOnceAndSkipsUnknownPackets) {
  TransportFeedbackAdapter adapter;
  EXPECT_TRUE(adapter.OnTransportFeedback(std::vector<TransportFeedbackEntry>{{1, true, 5}}, 0)
                  .packets.empty());  // nothing sent yet
  adapter.OnPacketSent({100, 500, 0});
  adapter.OnPacketSent({101, 500, 1000});
  // Reported lost, then received in a later feedback; then received again (a duplicate).
  auto first = adapter.OnTransportFeedback(
      std::vector<TransportFeedbackEntry>{{100, true, 10}, {101, false, 0}, {900, true, 1}}, 1);
  EXPECT_EQ(first.packets.size(), 2u);
  auto second = adapter.OnTransportFeedback(
      std::vector<TransportFeedbackEntry>{{100, true, 10}, {101, true, 20}}, 2);
  ASSERT_EQ(second.packets.size(), 1u);
  EXPECT_TRUE(second.packets[0].received);
  EXPECT_TRUE(adapter.OnTransportFeedback(std::vector<TransportFeedbackEntry>{{101, true, 20}}, 3)
                  .packets.empty());
}

TEST(TransportFeedbackAdapterTest, ForgetsOldPackets) {
  TransportFeedbackAdapter adapter;
  adapter.OnPacketSent({0, 100, 0});
  for (int i = 1; i <= 100; ++i) adapter.OnPacketSent({static_cast<uint16_t>(i), 100, i * 200'000});
  EXPECT_LT(adapter.history_size(), 60u);  // about 10 s of a 5 packets/s stream
  EXPECT_TRUE(adapter.OnTransportFeedback(std::vector<TransportFeedbackEntry>{{0, true, 1}}, 0)
                  .packets.empty());
}

}  // namespace
}  // namespace auralink::sfu
