#include "rtc/rtp/rtp_packet_cache.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::rtc {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes PacketBytes(uint16_t sequence_number, size_t payload_size = 4) {
  Bytes bytes(12 + payload_size, 0);
  bytes[0] = 0x80;
  bytes[1] = 96;
  bytes[2] = static_cast<uint8_t>(sequence_number >> 8);
  bytes[3] = static_cast<uint8_t>(sequence_number);
  for (size_t i = 0; i < payload_size; ++i)
    bytes[12 + i] = static_cast<uint8_t>(sequence_number + i);
  return bytes;
}

std::unique_ptr<RtpPacketCache> MakeCache(size_t slots, size_t slot_size = 1500,
                                          int64_t max_age_ms = 1000) {
  auto cache = RtpPacketCache::Create({slots, slot_size, max_age_ms});
  EXPECT_TRUE(cache.ok()) << cache.status().message();
  return std::move(cache).value();
}

TEST(RtpPacketCacheTest, CreateValidatesConfig) {
  EXPECT_FALSE(RtpPacketCache::Create({1000, 1500, 1000}).ok());  // not a power of two
  EXPECT_FALSE(RtpPacketCache::Create({0, 1500, 1000}).ok());
  EXPECT_FALSE(RtpPacketCache::Create({65536, 1500, 1000}).ok());
  EXPECT_FALSE(RtpPacketCache::Create({16, 8, 1000}).ok());
  EXPECT_FALSE(RtpPacketCache::Create({16, 1500, 0}).ok());
  EXPECT_TRUE(RtpPacketCache::Create({}).ok());
}

TEST(RtpPacketCacheTest, StoresAndFindsCopies) {
  auto cache = MakeCache(16);
  Bytes bytes = PacketBytes(100);
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(bytes, &packet), RtpParseError::kOk);
  ASSERT_TRUE(cache->Insert(packet, 0));
  bytes[12] = 0xFF;  // the cache holds its own copy
  auto found = cache->Find(100, 10);
  ASSERT_EQ(found.size(), 16u);
  EXPECT_EQ(found[12], 100);
  EXPECT_TRUE(cache->Find(101, 10).empty());
  EXPECT_TRUE(cache->Find(99, 10).empty());
}

TEST(RtpPacketCacheTest, WrapAroundAndSlotReuse) {
  auto cache = MakeCache(4);
  for (uint16_t seq : {65534, 65535, 0, 1}) ASSERT_TRUE(cache->Insert(PacketBytes(seq), seq, 0));
  for (uint16_t seq : {65534, 65535, 0, 1}) EXPECT_FALSE(cache->Find(seq, 0).empty()) << seq;
  // 65533 shares slot 1 with sequence number 1 and is older than the 4-packet window.
  EXPECT_TRUE(cache->Find(65533, 0).empty());
  ASSERT_TRUE(cache->Insert(PacketBytes(2), 2, 0));  // replaces 65534 (slot 2)
  EXPECT_TRUE(cache->Find(65534, 0).empty());
  EXPECT_EQ(cache->Find(2, 0)[3], 2);
  // A late copy of 65534 does not push out the newer packet in its slot.
  EXPECT_FALSE(cache->Insert(PacketBytes(65534), 65534, 0));
  EXPECT_EQ(cache->Find(2, 0)[3], 2);
}

TEST(RtpPacketCacheTest, AgeLimitAndSizeLimit) {
  auto cache = MakeCache(8, 64, 500);
  ASSERT_TRUE(cache->Insert(PacketBytes(7), 7, 1000));
  EXPECT_FALSE(cache->Find(7, 1500).empty());
  EXPECT_TRUE(cache->Find(7, 1501).empty());
  EXPECT_FALSE(cache->Insert(PacketBytes(8, 100), 8, 1000));
  cache->Clear();
  EXPECT_TRUE(cache->Find(7, 1000).empty());
}

}  // namespace
}  // namespace auralink::rtc
