#include "sfu/reliable_data_history.h"

#include <gtest/gtest.h>

namespace auralink::sfu {
namespace {

std::vector<uint8_t> Bytes(size_t size, uint8_t fill) { return std::vector<uint8_t>(size, fill); }

std::vector<uint32_t> Sequences(const std::vector<const ReliableDataPacket*>& packets) {
  std::vector<uint32_t> sequences;
  for (const ReliableDataPacket* packet : packets) sequences.push_back(packet->sequence);
  return sequences;
}

TEST(ReliableDataHistoryTest, ReturnsWhatCameAfterTheLastSequenceForThatSubscriber) {
  ReliableDataHistory history;
  history.Add("PA_alice", 1, Bytes(10, 1), {});
  history.Add("PA_alice", 2, Bytes(10, 2), {"bob"});
  history.Add("PA_alice", 3, Bytes(10, 3), {"carol"});
  history.Add("PA_alice", 4, Bytes(10, 4), {});
  history.Add("PA_dave", 1, Bytes(10, 9), {});

  EXPECT_EQ(Sequences(history.After("PA_alice", 1, "bob")), (std::vector<uint32_t>{2, 4}));
  EXPECT_EQ(Sequences(history.After("PA_alice", 1, "carol")), (std::vector<uint32_t>{3, 4}));
  EXPECT_EQ(Sequences(history.After("PA_alice", 0, "erin")), (std::vector<uint32_t>{1, 4}));
  EXPECT_TRUE(history.After("PA_alice", 4, "bob").empty());
  EXPECT_TRUE(history.After("PA_nobody", 0, "bob").empty());
  auto dave = history.After("PA_dave", 0, "bob");
  ASSERT_EQ(dave.size(), 1u);
  EXPECT_EQ(dave[0]->bytes, Bytes(10, 9));

  history.RemovePublisher("PA_alice");
  EXPECT_EQ(history.packet_count("PA_alice"), 0u);
  EXPECT_EQ(history.packet_count("PA_dave"), 1u);
}

TEST(ReliableDataHistoryTest, KeepsTheNewestWithinItsBounds) {
  ReliableDataHistory history(/*max_packets_per_publisher=*/3, /*max_bytes_per_publisher=*/100);
  for (uint32_t sequence = 1; sequence <= 5; ++sequence)
    history.Add("PA_a", sequence, Bytes(10, static_cast<uint8_t>(sequence)), {});
  EXPECT_EQ(Sequences(history.After("PA_a", 0, "x")), (std::vector<uint32_t>{3, 4, 5}));

  // 60 more bytes push out the oldest until 100 bytes fit; a packet over the bound is not kept.
  history.Add("PA_a", 6, Bytes(60, 6), {});
  EXPECT_EQ(Sequences(history.After("PA_a", 0, "x")), (std::vector<uint32_t>{4, 5, 6}));
  history.Add("PA_a", 7, Bytes(75, 7), {});
  EXPECT_EQ(Sequences(history.After("PA_a", 0, "x")), (std::vector<uint32_t>{7}));
  history.Add("PA_a", 8, Bytes(101, 8), {});
  EXPECT_EQ(Sequences(history.After("PA_a", 0, "x")), (std::vector<uint32_t>{7}));

  // Sequences only grow: a stale one is ignored.
  history.Add("PA_a", 7, Bytes(5, 0), {});
  history.Add("PA_a", 2, Bytes(5, 0), {});
  EXPECT_EQ(history.packet_count("PA_a"), 1u);
}

}  // namespace
}  // namespace auralink::sfu
