#include "client/rtp_pacer.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::client {
namespace {

EmulatedPacket PacketOf(size_t size, uint8_t tag) {
  EmulatedPacket packet;
  packet.size = size;
  packet.buffer[0] = tag;
  packet.transport_cc_offset = 3;
  return packet;
}

TEST(RtpPacerTest, SpreadsABurstAtThePacingRate) {
  // 800 kbps = 100 bytes per millisecond: 5 ms earns 500 bytes, two 300-byte packets (the second
  // takes the budget below zero).
  RtpPacer pacer({.rate_bps = 800'000, .interval_us = 5000});
  for (uint8_t i = 0; i < 10; ++i) pacer.Enqueue(PacketOf(300, i));
  std::vector<std::pair<int64_t, uint8_t>> sent;
  int64_t now = 1'000'000;
  for (int step = 0; step < 20 && pacer.queued_packets() > 0; ++step, now += 5000) {
    pacer.Process(now, [&](EmulatedPacket& packet) {
      EXPECT_EQ(packet.size, 300u);
      EXPECT_EQ(packet.transport_cc_offset, 3u);
      sent.emplace_back(now, packet.buffer[0]);
    });
  }
  ASSERT_EQ(sent.size(), 10u);
  for (size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(sent[i].second, i);  // in order
  // 3000 bytes at 100 bytes/ms take about 30 ms, never all in one call.
  const int64_t span_us = sent.back().first - sent.front().first;
  EXPECT_GE(span_us, 20000);
  EXPECT_LE(span_us, 35000);
  EXPECT_EQ(pacer.packets_sent(), 10u);
}

TEST(RtpPacerTest, AnIdlePacerDoesNotSaveUpABurst) {
  RtpPacer pacer({.rate_bps = 800'000, .interval_us = 5000});
  pacer.Process(0, [](EmulatedPacket&) {});
  for (uint8_t i = 0; i < 10; ++i) pacer.Enqueue(PacketOf(300, i));
  size_t sent = 0;
  // A second of silence earns at most two intervals: 1000 bytes, four packets.
  pacer.Process(1'000'000, [&](EmulatedPacket&) { ++sent; });
  EXPECT_EQ(sent, 4u);
}

TEST(RtpPacerTest, RateZeroSendsAtOnceAndBuffersAreReused) {
  RtpPacer pacer({});
  for (int round = 0; round < 3; ++round) {
    for (uint8_t i = 0; i < 5; ++i) pacer.Enqueue(PacketOf(1200, i));
    size_t sent = 0;
    pacer.Process(round * 1000, [&](EmulatedPacket& packet) {
      EXPECT_EQ(packet.buffer[0], sent);
      ++sent;
    });
    EXPECT_EQ(sent, 5u);
    EXPECT_EQ(pacer.queued_packets(), 0u);
  }
}

TEST(RtpPacerTest, AnOverlongQueueIsSentRatherThanGrown) {
  RtpPacer pacer({.rate_bps = 8'000, .interval_us = 5000, .max_queue_packets = 4});
  for (uint8_t i = 0; i < 10; ++i) pacer.Enqueue(PacketOf(1000, i));
  size_t sent = 0;
  pacer.Process(0, [&](EmulatedPacket&) { ++sent; });
  EXPECT_GE(sent, 6u);
  EXPECT_LE(pacer.queued_packets(), 4u);
}

}  // namespace
}  // namespace auralink::client
