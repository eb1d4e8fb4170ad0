#include "sfu/bwe/transport_feedback_adapter.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/media_path_memory.h"

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

TEST(TransportFeedbackAdapterTest, MatchesAcrossManyWrapsOfTheSequenceSpace) {
  TransportFeedbackAdapter adapter;
  // 1000 packets/s for 200 s: the 16-bit sequence number wraps three times and the 10 s window
  // holds ~10000 packets, so the history must grow past its initial capacity.
  const int64_t total = 200'000;
  for (int64_t i = 0; i < total; ++i) {
    adapter.OnPacketSent(
        {static_cast<uint16_t>(i), static_cast<size_t>(100 + i % 7), 1'000'000 + i * 1000});
  }
  EXPECT_GE(adapter.capacity(), 10'000u);
  // The window and the eviction slack, at one packet per millisecond.
  EXPECT_LE(adapter.history_size(), 11'001u);
  std::vector<TransportFeedbackEntry> entries;
  for (int64_t i = total - 20; i < total; ++i)
    entries.push_back({static_cast<uint16_t>(i), true, i * 1000});
  const TransportPacketsFeedback feedback = adapter.OnTransportFeedback(entries, 300'000'000);
  ASSERT_EQ(feedback.packets.size(), 20u);
  for (size_t k = 0; k < 20; ++k) {
    const int64_t i = total - 20 + static_cast<int64_t>(k);
    EXPECT_EQ(feedback.packets[k].size_bytes, static_cast<size_t>(100 + i % 7));
    EXPECT_EQ(feedback.packets[k].send_time_us, 1'000'000 + i * 1000);
    EXPECT_EQ(feedback.packets[k].transport_sequence_number % 65536, i % 65536);
  }
  // A packet 11 s old has left the window; one 9 s old has not.
  const int64_t old_index = total - 11'000;
  const int64_t recent_index = total - 9'000;
  EXPECT_TRUE(
      adapter
          .OnTransportFeedback(
              std::vector<TransportFeedbackEntry>{{static_cast<uint16_t>(old_index), true, 0}},
              300'000'000)
          .packets.empty());
  EXPECT_EQ(
      adapter
          .OnTransportFeedback(
              std::vector<TransportFeedbackEntry>{{static_cast<uint16_t>(recent_index), true, 0}},
              300'000'000)
          .packets.size(),
      1u);
}

TEST(TransportFeedbackAdapterTest, KeepsAtMostHalfTheSequenceSpace) {
  TransportFeedbackAdapter adapter;
  // All sent at once, so only the size bound evicts.
  const size_t total = TransportFeedbackAdapter::kMaxHistory + 1000;
  for (size_t i = 0; i < total; ++i) adapter.OnPacketSent({static_cast<uint16_t>(i), 50, 0});
  EXPECT_EQ(adapter.history_size(), TransportFeedbackAdapter::kMaxHistory);
  EXPECT_EQ(adapter.capacity(), TransportFeedbackAdapter::kMaxHistory);
  // The first 1000 were overwritten; the next one is still there, and so is the newest.
  EXPECT_TRUE(adapter.OnTransportFeedback(std::vector<TransportFeedbackEntry>{{999, true, 1}}, 1)
                  .packets.empty());
  const auto kept = adapter.OnTransportFeedback(
      std::vector<TransportFeedbackEntry>{{1000, true, 1},
                                          {static_cast<uint16_t>(total - 1), true, 2}},
      1);
  EXPECT_EQ(kept.packets.size(), 2u);
}

TEST(TransportFeedbackAdapterTest, GapsAndOutOfOrderSendsAreKeptApart) {
  TransportFeedbackAdapter adapter;
  adapter.OnPacketSent({10, 100, 0});
  adapter.OnPacketSent({12, 120, 2000});   // 11 not sent (yet)
  adapter.OnPacketSent({11, 110, 3000});   // sent late: still placed
  adapter.OnPacketSent({300, 130, 4000});  // a jump past the initial capacity
  const auto feedback = adapter.OnTransportFeedback(
      std::vector<TransportFeedbackEntry>{
          {10, true, 1}, {11, true, 2}, {12, false, 0}, {13, true, 3}, {300, true, 4}},
      10'000);
  ASSERT_EQ(feedback.packets.size(), 4u);
  EXPECT_EQ(feedback.packets[0].size_bytes, 100u);
  EXPECT_EQ(feedback.packets[1].size_bytes, 110u);
  EXPECT_EQ(feedback.packets[1].send_time_us, 3000);
  EXPECT_EQ(feedback.packets[2].size_bytes, 120u);
  EXPECT_FALSE(feedback.packets[2].received);
  EXPECT_EQ(feedback.packets[3].size_bytes, 130u);
  EXPECT_EQ(
      feedback.packets[3].transport_sequence_number - feedback.packets[0].transport_sequence_number,
      290);
}

TEST(TransportFeedbackAdapterTest, LateSendsIntoAnEarlierChunkAndGrowthKeepEveryPacket) {
  constexpr size_t kChunk = TransportFeedbackAdapter::kChunkSlots;
  TransportFeedbackAdapter adapter;
  // 0 .. kChunk - 2, then the first of the next chunk, then the one left out (a slot in the
  // chunk before the newest packet's), then enough to grow the ring twice.
  std::vector<uint16_t> order;
  for (size_t i = 0; i + 1 < kChunk; ++i) order.push_back(static_cast<uint16_t>(i));
  order.push_back(static_cast<uint16_t>(kChunk));
  order.push_back(static_cast<uint16_t>(kChunk - 1));
  const size_t total = TransportFeedbackAdapter::kInitialCapacity * 4;
  for (size_t i = kChunk + 1; i < total; ++i) order.push_back(static_cast<uint16_t>(i));
  for (uint16_t sequence : order)
    adapter.OnPacketSent({sequence, size_t{100} + sequence, 1000 + int64_t{sequence}});
  EXPECT_EQ(adapter.capacity(), total);
  EXPECT_EQ(adapter.history_size(), total);
  std::vector<TransportFeedbackEntry> entries;
  for (size_t i = 0; i < total; ++i)
    entries.push_back({static_cast<uint16_t>(i), true, static_cast<int64_t>(i)});
  const TransportPacketsFeedback feedback = adapter.OnTransportFeedback(entries, 5000);
  ASSERT_EQ(feedback.packets.size(), total);
  for (size_t i = 0; i < total; ++i) {
    EXPECT_EQ(feedback.packets[i].size_bytes, 100 + i) << i;
    EXPECT_EQ(feedback.packets[i].send_time_us, static_cast<int64_t>(1000 + i)) << i;
  }
}

TEST(TransportFeedbackAdapterTest, TheRingLiesInMediaPathMemory) {
  if (!GetMediaPathMemoryStats().pooled) GTEST_SKIP() << "the general heap serves (sanitizer)";
  const size_t before = GetMediaPathMemoryStats().bytes_in_use;
  {
    TransportFeedbackAdapter adapter;
    EXPECT_GE(GetMediaPathMemoryStats().bytes_in_use - before,
              TransportFeedbackAdapter::kInitialCapacity * 16);
    for (uint16_t i = 0; i < 1000; ++i) adapter.OnPacketSent({i, 100, 0});
    EXPECT_GE(GetMediaPathMemoryStats().bytes_in_use - before, size_t{1024} * 16);
  }
  EXPECT_EQ(GetMediaPathMemoryStats().bytes_in_use, before);
}

}  // namespace
}  // namespace auralink::sfu
