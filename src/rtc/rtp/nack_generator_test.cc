#include "rtc/rtp/nack_generator.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::rtc {
namespace {

using Sequence = std::vector<uint16_t>;

Sequence ToVector(std::span<const uint16_t> span) { return Sequence(span.begin(), span.end()); }

TEST(NackGeneratorTest, InOrderPacketsNeedNoNack) {
  NackGenerator nack;
  for (uint16_t seq = 100; seq < 200; ++seq) EXPECT_TRUE(nack.OnPacket(seq, seq).empty());
  EXPECT_TRUE(nack.Tick(1000).empty());
  EXPECT_EQ(nack.missing_count(), 0u);
}

TEST(NackGeneratorTest, GapIsRequestedAtOnceThenOncePerRtt) {
  NackGenerator nack;  // initial RTT 100 ms
  nack.OnPacket(10, 0);
  EXPECT_EQ(ToVector(nack.OnPacket(13, 5)), (Sequence{11, 12}));
  EXPECT_TRUE(nack.Tick(50).empty());
  EXPECT_EQ(ToVector(nack.Tick(105)), (Sequence{11, 12}));
  EXPECT_TRUE(nack.OnPacket(11, 110).empty());  // recovered
  EXPECT_EQ(nack.recovered_packets(), 1u);
  EXPECT_EQ(ToVector(nack.Tick(205)), Sequence{12});
}

TEST(NackGeneratorTest, WrapAround) {
  NackGenerator nack;
  nack.OnPacket(65534, 0);
  EXPECT_EQ(ToVector(nack.OnPacket(1, 0)), (Sequence{65535, 0}));
  nack.OnPacket(65535, 1);
  nack.OnPacket(0, 1);
  EXPECT_EQ(nack.missing_count(), 0u);
}

TEST(NackGeneratorTest, ReorderedPacketCancelsItsRequest) {
  NackGenerator nack;
  nack.OnPacket(10, 0);
  EXPECT_EQ(ToVector(nack.OnPacket(12, 0)), Sequence{11});
  EXPECT_TRUE(nack.OnPacket(11, 1).empty());
  EXPECT_TRUE(nack.Tick(500).empty());
  // A duplicate of an old packet changes nothing.
  EXPECT_TRUE(nack.OnPacket(11, 2).empty());
  EXPECT_EQ(nack.recovered_packets(), 1u);
}

TEST(NackGeneratorTest, RttSetsTheResendInterval) {
  NackGenerator nack;
  nack.SetRtt(300);
  nack.OnPacket(0, 0);
  nack.OnPacket(2, 0);
  EXPECT_TRUE(nack.Tick(100).empty());
  EXPECT_EQ(ToVector(nack.Tick(300)), Sequence{1});
}

TEST(NackGeneratorTest, GivesUpAfterRetryLimit) {
  NackGeneratorConfig config;
  config.max_retries = 2;
  NackGenerator nack(config);
  nack.OnPacket(0, 0);
  EXPECT_EQ(ToVector(nack.OnPacket(2, 0)), Sequence{1});  // try 1
  EXPECT_EQ(ToVector(nack.Tick(100)), Sequence{1});       // try 2
  EXPECT_TRUE(nack.Tick(200).empty());
  EXPECT_EQ(nack.missing_count(), 0u);
  EXPECT_EQ(nack.abandoned_packets(), 1u);
}

TEST(NackGeneratorTest, DropsEntriesThatGetTooOld) {
  NackGeneratorConfig config;
  config.max_age_ms = 250;
  config.max_retries = 100;
  NackGenerator nack(config);
  nack.OnPacket(0, 0);
  nack.OnPacket(2, 0);
  EXPECT_EQ(ToVector(nack.Tick(200)), Sequence{1});
  EXPECT_TRUE(nack.Tick(300).empty());
  EXPECT_EQ(nack.missing_count(), 0u);

  // And entries too far behind the newest sequence number.
  NackGeneratorConfig by_sequence;
  by_sequence.max_packet_age = 100;
  NackGenerator window(by_sequence);
  window.OnPacket(0, 0);
  window.OnPacket(2, 0);
  for (uint16_t seq = 3; seq <= 101; ++seq) window.OnPacket(seq, 1);
  EXPECT_EQ(window.missing_count(), 1u);
  window.OnPacket(102, 1);
  EXPECT_EQ(window.missing_count(), 0u);
}

TEST(NackGeneratorTest, OverflowRequestsAKeyFrame) {
  NackGeneratorConfig config;
  config.max_list_size = 10;
  NackGenerator nack(config);
  nack.OnPacket(0, 0);
  EXPECT_TRUE(nack.OnPacket(21, 0).empty());  // 20 missing > 10
  EXPECT_EQ(nack.missing_count(), 0u);
  EXPECT_TRUE(nack.TakeKeyFrameRequest());
  EXPECT_FALSE(nack.TakeKeyFrameRequest());
  EXPECT_EQ(nack.key_frame_requests(), 1u);
}

TEST(NackGeneratorTest, OverflowFirstForgetsPacketsBeforeTheLastKeyFrame) {
  NackGeneratorConfig config;
  config.max_list_size = 10;
  NackGenerator nack(config);
  nack.OnPacket(0, 0);
  EXPECT_EQ(nack.OnPacket(5, 0).size(), 4u);  // 1-4 missing
  nack.OnPacket(6, 0, /*is_key_frame=*/true);
  // 7-14 missing: 4 + 8 > 10, but 1-4 precede the key frame and are no longer needed.
  EXPECT_EQ(ToVector(nack.OnPacket(15, 0)), (Sequence{7, 8, 9, 10, 11, 12, 13, 14}));
  EXPECT_EQ(nack.missing_count(), 8u);
  EXPECT_FALSE(nack.TakeKeyFrameRequest());
}

TEST(NackGeneratorTest, LargeJumpRestartsTracking) {
  NackGenerator nack;
  nack.OnPacket(0, 0);
  nack.OnPacket(2, 0);
  EXPECT_TRUE(nack.OnPacket(10000, 0).empty());
  EXPECT_EQ(nack.missing_count(), 0u);
  EXPECT_TRUE(nack.TakeKeyFrameRequest());
  EXPECT_EQ(ToVector(nack.OnPacket(10002, 1)), Sequence{10001});
}

}  // namespace
}  // namespace auralink::rtc
