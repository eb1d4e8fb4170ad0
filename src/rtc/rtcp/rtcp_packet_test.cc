#include "rtc/rtcp/rtcp_packet.h"

#include <gtest/gtest.h>

#include <vector>

#include "rtc/rtcp/picture_loss_indication.h"
#include "rtc/rtcp/receiver_report.h"

namespace auralink::rtc {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// An empty RR (RC=0, length 1), a PLI (FMT 1, PT 206, length 2), an APP packet (PT 204, length 2)
// and an XR (PT 207, length 1).
const Bytes kEmptyRr = {0x80, 201, 0x00, 0x01, 0, 0, 0, 1};
const Bytes kPli = {0x81, 206, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
const Bytes kApp = {0x80, 204, 0x00, 0x02, 0, 0, 0, 1, 'n', 'a', 'm', 'e'};
const Bytes kXr = {0x80, 207, 0x00, 0x01, 0, 0, 0, 1};

TEST(RtcpPacketTest, LooksLikeRtcp) {
  EXPECT_TRUE(LooksLikeRtcp(kEmptyRr));
  EXPECT_FALSE(LooksLikeRtcp(Bytes{0x80, 96, 0, 1}));   // RTP PT 96
  EXPECT_FALSE(LooksLikeRtcp(Bytes{0x40, 201, 0, 1}));  // version 1
  EXPECT_FALSE(LooksLikeRtcp(Bytes{0x80, 201}));
}

TEST(RtcpPacketTest, IteratorYieldsKnownTypesAndSkipsOthers) {
  const Bytes compound = Concat({kEmptyRr, kApp, kPli, kXr});
  RtcpPacketIterator it(compound);
  RtcpPacketView packet;
  ASSERT_TRUE(it.Next(&packet));
  EXPECT_EQ(packet.packet_type, 201);
  EXPECT_EQ(packet.count_or_format, 0);
  EXPECT_EQ(packet.body.size(), 4u);
  ASSERT_TRUE(it.Next(&packet));
  EXPECT_EQ(packet.packet_type, 206);
  EXPECT_EQ(packet.count_or_format, 1);
  PictureLossIndication pli;
  ASSERT_EQ(PictureLossIndication::Parse(packet, &pli), RtcpParseError::kOk);
  EXPECT_EQ(pli.header.sender_ssrc, 1u);
  EXPECT_EQ(pli.header.media_ssrc, 2u);
  EXPECT_FALSE(it.Next(&packet));
  EXPECT_EQ(it.error(), RtcpParseError::kOk);
  EXPECT_EQ(it.skipped_count(), 2u);
}

TEST(RtcpPacketTest, IteratorStopsOnMalformedPacketWithReason) {
  // Second packet claims 3 words after its header but only 1 follows.
  const Bytes compound = Concat({kEmptyRr, {0x80, 201, 0x00, 0x03, 0, 0, 0, 1}});
  RtcpPacketIterator it(compound);
  RtcpPacketView packet;
  ASSERT_TRUE(it.Next(&packet));
  EXPECT_FALSE(it.Next(&packet));
  EXPECT_EQ(it.error(), RtcpParseError::kBadLength);

  const Bytes trailing = Concat({kEmptyRr, {0x80, 201}});
  RtcpPacketIterator short_it(trailing);
  ASSERT_TRUE(short_it.Next(&packet));
  EXPECT_FALSE(short_it.Next(&packet));
  EXPECT_EQ(short_it.error(), RtcpParseError::kTooShort);

  const Bytes version1 = {0x40, 201, 0x00, 0x01, 0, 0, 0, 1};
  RtcpPacketIterator version_it(version1);
  EXPECT_FALSE(version_it.Next(&packet));
  EXPECT_EQ(version_it.error(), RtcpParseError::kBadVersion);
}

TEST(RtcpPacketTest, PaddingIsRemovedFromTheBody) {
  // P set; SSRC then 4 padding bytes ending in the count 4.
  const Bytes padded = {0xA0, 201, 0x00, 0x02, 0, 0, 0, 9, 0, 0, 0, 4};
  RtcpPacketView packet;
  size_t consumed = 0;
  ASSERT_EQ(ParseRtcpPacket(padded, &packet, &consumed), RtcpParseError::kOk);
  EXPECT_EQ(consumed, 12u);
  EXPECT_EQ(packet.body.size(), 4u);
  ReceiverReport report;
  ASSERT_EQ(ReceiverReport::Parse(packet, &report), RtcpParseError::kOk);
  EXPECT_EQ(report.sender_ssrc, 9u);

  const Bytes zero_count = {0xA0, 201, 0x00, 0x02, 0, 0, 0, 9, 0, 0, 0, 0};
  EXPECT_EQ(ParseRtcpPacket(zero_count, &packet, &consumed), RtcpParseError::kBadPadding);
  const Bytes too_much = {0xA0, 201, 0x00, 0x02, 0, 0, 0, 9, 0, 0, 0, 9};
  EXPECT_EQ(ParseRtcpPacket(too_much, &packet, &consumed), RtcpParseError::kBadPadding);
}

TEST(RtcpPacketTest, CompoundValidationAndReducedSize) {
  EXPECT_EQ(ValidateRtcpCompound(Concat({kEmptyRr, kPli}), false), RtcpParseError::kOk);
  // RFC 5506: a lone PLI is valid only where reduced-size RTCP was negotiated.
  EXPECT_EQ(ValidateRtcpCompound(kPli, false), RtcpParseError::kNotCompound);
  EXPECT_EQ(ValidateRtcpCompound(kPli, true), RtcpParseError::kOk);
  EXPECT_EQ(ValidateRtcpCompound(Bytes{}, true), RtcpParseError::kTooShort);
  const Bytes padded_first = {0xA0, 201, 0x00, 0x02, 0, 0, 0, 9, 0, 0, 0, 4};
  EXPECT_EQ(ValidateRtcpCompound(Concat({padded_first, kPli}), false), RtcpParseError::kBadPadding);
  for (int i = 0; i < static_cast<int>(RtcpParseError::kCount); ++i) {
    EXPECT_FALSE(RtcpParseErrorName(static_cast<RtcpParseError>(i)).empty());
  }
}

TEST(RtcpPacketTest, CompoundWriterAppendsUntilFull) {
  Bytes buffer(20);
  RtcpCompoundWriter writer(buffer);
  ReceiverReport rr;
  rr.sender_ssrc = 1;
  PictureLossIndication pli;
  pli.header = {1, 2};
  EXPECT_TRUE(writer.Add(rr));
  EXPECT_TRUE(writer.Add(pli));
  EXPECT_FALSE(writer.Add(pli));  // 8 + 12 = 20 bytes used, no room for another 12
  EXPECT_EQ(writer.size(), 20u);
  EXPECT_EQ(Bytes(writer.bytes().begin(), writer.bytes().end()), Concat({kEmptyRr, kPli}));
}

}  // namespace
}  // namespace auralink::rtc
