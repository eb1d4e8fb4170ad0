#include "rtc/rtp/rtp_packet.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::rtc {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes ToBytes(std::span<const uint8_t> span) { return Bytes(span.begin(), span.end()); }

// RFC 3550 §5.1 fixed header: V=2 P X CC | M PT | sequence | timestamp | SSRC.
Bytes FixedHeader(uint8_t first_byte, uint8_t second_byte) {
  return {first_byte, second_byte, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04};
}

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

TEST(RtpPacketTest, ParsesFixedHeaderAndPayload) {
  // V=2 -> 0x80; M=1, PT=111 -> 0x80 | 0x6F.
  Bytes bytes = Concat({FixedHeader(0x80, 0xEF), {0xAA, 0xBB}});
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(bytes, &packet), RtpParseError::kOk);
  EXPECT_TRUE(packet.marker());
  EXPECT_EQ(packet.payload_type(), 111);
  EXPECT_EQ(packet.sequence_number(), 0x1234);
  EXPECT_EQ(packet.timestamp(), 0xDEADBEEFu);
  EXPECT_EQ(packet.ssrc(), 0x01020304u);
  EXPECT_EQ(packet.csrc_count(), 0u);
  EXPECT_EQ(packet.header_size(), 12u);
  EXPECT_EQ(packet.extension_form(), RtpExtensionForm::kNone);
  ASSERT_EQ(packet.payload().size(), 2u);
  EXPECT_EQ(packet.payload().data(), bytes.data() + 12);  // a view, not a copy
  EXPECT_TRUE(RtpPacket::LooksLikeRtp(bytes));
}

TEST(RtpPacketTest, ParsesCsrcs) {
  Bytes bytes = Concat({FixedHeader(0x82, 0x60), {0, 0, 0, 7, 0, 0, 0, 9}, {0x01}});
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(bytes, &packet), RtpParseError::kOk);
  ASSERT_EQ(packet.csrc_count(), 2u);
  EXPECT_EQ(packet.csrc(0), 7u);
  EXPECT_EQ(packet.csrc(1), 9u);
  EXPECT_EQ(packet.header_size(), 20u);
  EXPECT_EQ(ToBytes(packet.payload()), Bytes{0x01});
}

TEST(RtpPacketTest, ParsesOneByteExtensions) {
  // RFC 8285 §4.2: 0xBEDE, length 2 words; id 1 L=0 (1 byte), a padding byte, id 3 L=2 (3 bytes),
  // a final padding byte: 2 + 1 + 4 + 1 = 8 bytes.
  Bytes bytes = Concat({FixedHeader(0x90, 0x60),
                        {0xBE, 0xDE, 0x00, 0x02, 0x10, 0x55, 0x00, 0x32, 0x01, 0x02, 0x03, 0x00},
                        {0x99}});
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(bytes, &packet), RtpParseError::kOk);
  EXPECT_EQ(packet.extension_form(), RtpExtensionForm::kOneByte);
  EXPECT_EQ(packet.extension_profile(), 0xBEDE);
  EXPECT_EQ(packet.header_size(), 24u);
  ASSERT_EQ(packet.extension_count(), 2u);
  ASSERT_TRUE(packet.FindExtension(1));
  EXPECT_EQ(ToBytes(*packet.FindExtension(1)), Bytes{0x55});
  EXPECT_EQ(ToBytes(*packet.FindExtension(3)), (Bytes{0x01, 0x02, 0x03}));
  EXPECT_FALSE(packet.FindExtension(2));
  EXPECT_EQ(ToBytes(packet.payload()), Bytes{0x99});
}

TEST(RtpPacketTest, OneByteIdFifteenStopsTheBlock) {
  // §4.2: elements after id 15 are not considered, whatever they look like.
  Bytes bytes = Concat({FixedHeader(0x90, 0x60), {0xBE, 0xDE, 0x00, 0x01, 0x10, 0x55, 0xF0, 0x2F}});
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(bytes, &packet), RtpParseError::kOk);
  EXPECT_EQ(packet.extension_count(), 1u);
}

TEST(RtpPacketTest, OneByteIdZeroIsPaddingWhateverItsLength) {
  Bytes bytes = Concat({FixedHeader(0x90, 0x60), {0xBE, 0xDE, 0x00, 0x01, 0x05, 0x10, 0x55, 0x00}});
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(bytes, &packet), RtpParseError::kOk);
  ASSERT_EQ(packet.extension_count(), 1u);
  EXPECT_EQ(ToBytes(*packet.FindExtension(1)), Bytes{0x55});
}

TEST(RtpPacketTest, ParsesTwoByteExtensionsIncludingEmptyValue) {
  // RFC 8285 §4.3: 0x1000, 2 words; id 20 length 0, id 1 length 3, one padding byte.
  Bytes bytes = Concat({FixedHeader(0x90, 0x60),
                        {0x10, 0x00, 0x00, 0x02, 0x14, 0x00, 0x01, 0x03, 0xA, 0xB, 0xC, 0x00}});
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(bytes, &packet), RtpParseError::kOk);
  EXPECT_EQ(packet.extension_form(), RtpExtensionForm::kTwoByte);
  ASSERT_TRUE(packet.FindExtension(20));
  EXPECT_TRUE(packet.FindExtension(20)->empty());
  EXPECT_EQ(ToBytes(*packet.FindExtension(1)), (Bytes{0xA, 0xB, 0xC}));
  EXPECT_TRUE(packet.payload().empty());
}

TEST(RtpPacketTest, OtherExtensionProfilesAreOpaque) {
  Bytes bytes = Concat({FixedHeader(0x90, 0x60), {0x12, 0x34, 0x00, 0x01, 1, 2, 3, 4}, {0x77}});
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(bytes, &packet), RtpParseError::kOk);
  EXPECT_EQ(packet.extension_form(), RtpExtensionForm::kOther);
  EXPECT_EQ(packet.extension_count(), 0u);
  EXPECT_EQ(ToBytes(packet.payload()), Bytes{0x77});
}

TEST(RtpPacketTest, Padding) {
  // P set; 3 payload bytes then 4 padding bytes whose last one is the count.
  Bytes bytes = Concat({FixedHeader(0xA0, 0x60), {1, 2, 3, 0, 0, 0, 4}});
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(bytes, &packet), RtpParseError::kOk);
  EXPECT_EQ(packet.padding_size(), 4u);
  EXPECT_EQ(ToBytes(packet.payload()), (Bytes{1, 2, 3}));

  Bytes padding_only = Concat({FixedHeader(0xA0, 0x60), {0, 0, 3}});
  ASSERT_EQ(RtpPacket::Parse(padding_only, &packet), RtpParseError::kOk);
  EXPECT_TRUE(packet.payload().empty());
}

TEST(RtpPacketTest, RejectsBadInputWithReason) {
  RtpPacket packet;
  Bytes short_bytes(11, 0x80);
  EXPECT_EQ(RtpPacket::Parse(short_bytes, &packet), RtpParseError::kTooShort);
  EXPECT_TRUE(packet.empty());

  Bytes version1 = FixedHeader(0x40, 0x60);
  EXPECT_EQ(RtpPacket::Parse(version1, &packet), RtpParseError::kBadVersion);

  Bytes csrc_overrun = Concat({FixedHeader(0x83, 0x60), {0, 0, 0, 1}});
  EXPECT_EQ(RtpPacket::Parse(csrc_overrun, &packet), RtpParseError::kCsrcOverrun);

  Bytes no_block_header = Concat({FixedHeader(0x90, 0x60), {0xBE, 0xDE}});
  EXPECT_EQ(RtpPacket::Parse(no_block_header, &packet), RtpParseError::kExtensionOverrun);

  Bytes block_too_long = Concat({FixedHeader(0x90, 0x60), {0xBE, 0xDE, 0x00, 0x02, 0, 0, 0, 0}});
  EXPECT_EQ(RtpPacket::Parse(block_too_long, &packet), RtpParseError::kExtensionOverrun);

  // id 1 with L=4 (5 bytes) inside a 4-byte block.
  Bytes element_overrun =
      Concat({FixedHeader(0x90, 0x60), {0xBE, 0xDE, 0x00, 0x01, 0x14, 1, 2, 3}});
  EXPECT_EQ(RtpPacket::Parse(element_overrun, &packet), RtpParseError::kBadExtensionElement);

  // Two-byte element header cut at the end of the block.
  Bytes two_byte_cut = Concat({FixedHeader(0x90, 0x60), {0x10, 0x00, 0x00, 0x01, 0, 0, 0, 5}});
  EXPECT_EQ(RtpPacket::Parse(two_byte_cut, &packet), RtpParseError::kBadExtensionElement);

  Bytes zero_padding = Concat({FixedHeader(0xA0, 0x60), {1, 2, 0}});
  EXPECT_EQ(RtpPacket::Parse(zero_padding, &packet), RtpParseError::kBadPadding);
  Bytes padding_too_long = Concat({FixedHeader(0xA0, 0x60), {1, 2, 4}});
  EXPECT_EQ(RtpPacket::Parse(padding_too_long, &packet), RtpParseError::kBadPadding);
  Bytes padding_without_bytes = FixedHeader(0xA0, 0x60);
  EXPECT_EQ(RtpPacket::Parse(padding_without_bytes, &packet), RtpParseError::kBadPadding);

  // 33 one-byte elements of 1 byte each: 66 bytes, padded to 68 = 17 words.
  Bytes many = Concat({FixedHeader(0x90, 0x60), {0xBE, 0xDE, 0x00, 17}});
  for (int i = 0; i < 33; ++i) many.insert(many.end(), {0x10, 0x00});
  many.insert(many.end(), {0, 0});
  EXPECT_EQ(RtpPacket::Parse(many, &packet), RtpParseError::kTooManyExtensions);

  Bytes huge(70000, 0);
  huge[0] = 0x80;
  EXPECT_EQ(RtpPacket::Parse(huge, &packet), RtpParseError::kTooLarge);
  for (int i = 0; i < static_cast<int>(RtpParseError::kCount); ++i) {
    EXPECT_FALSE(RtpParseErrorName(static_cast<RtpParseError>(i)).empty());
  }
}

TEST(RtpPacketTest, LooksLikeRtpRejectsRtcpTypes) {
  Bytes rtcp = FixedHeader(0x80, 200);  // RTCP SR: second byte 200
  EXPECT_FALSE(RtpPacket::LooksLikeRtp(rtcp));
  Bytes rtp_marker_pt_95 = FixedHeader(0x80, 0xDF);  // M=1, PT=95 looks like RTCP 223
  EXPECT_FALSE(RtpPacket::LooksLikeRtp(rtp_marker_pt_95));
  Bytes rtp = FixedHeader(0x80, 0xE0);  // M=1, PT=96
  EXPECT_TRUE(RtpPacket::LooksLikeRtp(rtp));
}

TEST(RtpPacketTest, SettersWriteTheWireBytes) {
  Bytes bytes = Concat({FixedHeader(0x80, 0x6F), {0xAA}});
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(bytes, &packet), RtpParseError::kOk);
  packet.SetMarker(true);
  packet.SetPayloadType(96);
  packet.SetSequenceNumber(0xFFFE);
  packet.SetTimestamp(0x00000102);
  packet.SetSsrc(0xCAFEBABE);
  const Bytes expected = {0x80, 0xE0, 0xFF, 0xFE, 0x00, 0x00, 0x01,
                          0x02, 0xCA, 0xFE, 0xBA, 0xBE, 0xAA};
  EXPECT_EQ(bytes, expected);
  packet.SetMarker(false);
  EXPECT_EQ(bytes[1], 0x60);
}

TEST(RtpPacketTest, SetExtensionValueOverwritesInPlaceWhenLengthMatches) {
  // id 2 (transport-wide sequence, 2 bytes: L=1), id 3 (abs-send-time, 3 bytes: L=2), 1 pad byte.
  Bytes bytes = Concat({FixedHeader(0x90, 0x60),
                        {0xBE, 0xDE, 0x00, 0x02, 0x21, 0x00, 0x01, 0x32, 0x0A, 0x0B, 0x0C, 0x00}});
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(bytes, &packet), RtpParseError::kOk);
  const uint8_t sequence[] = {0x12, 0x34};
  EXPECT_TRUE(packet.SetExtensionValue(2, sequence));
  const uint8_t too_long[] = {1, 2, 3};
  EXPECT_FALSE(packet.SetExtensionValue(2, too_long));
  EXPECT_FALSE(packet.SetExtensionValue(9, sequence));
  EXPECT_EQ(bytes[17], 0x12);
  EXPECT_EQ(bytes[18], 0x34);
  EXPECT_EQ(bytes[20], 0x0A);  // the neighbour is untouched
}

TEST(RtpPacketTest, RewriteExtensionIdsRenumbersAndRemovesUnnegotiated) {
  Bytes bytes = Concat({FixedHeader(0x90, 0x60),
                        {0xBE, 0xDE, 0x00, 0x02, 0x21, 0x00, 0x01, 0x32, 0x0A, 0x0B, 0x0C, 0x00},
                        {0x99}});
  RtpExtensionIdMap publisher;
  publisher.Register(2, RtpExtensionType::kTransportSequenceNumber);
  publisher.Register(3, RtpExtensionType::kAbsSendTime);
  RtpExtensionIdMap subscriber;
  subscriber.Register(5, RtpExtensionType::kTransportSequenceNumber);
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(bytes, &packet), RtpParseError::kOk);
  EXPECT_EQ(packet.RewriteExtensionIds(publisher, subscriber), 1u);
  // Id 5 with L=1 -> 0x51; the abs-send-time element becomes four padding bytes.
  const Bytes block = {0xBE, 0xDE, 0x00, 0x02, 0x51, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(Bytes(bytes.begin() + 12, bytes.begin() + 24), block);
  EXPECT_EQ(ToBytes(*packet.FindExtension(5)), (Bytes{0x00, 0x01}));
  EXPECT_FALSE(packet.FindExtension(2));

  RtpPacket reparsed;
  ASSERT_EQ(RtpPacket::Parse(bytes, &reparsed), RtpParseError::kOk);
  ASSERT_EQ(reparsed.extension_count(), 1u);
  EXPECT_EQ(reparsed.extension(0).id, 5);
  EXPECT_EQ(ToBytes(reparsed.payload()), Bytes{0x99});
}

TEST(RtpPacketTest, RewriteIntoTwoByteIdsOnlyWhereTheFormAllows) {
  RtpExtensionIdMap from;
  from.Register(1, RtpExtensionType::kMid);
  RtpExtensionIdMap to;
  to.Register(200, RtpExtensionType::kMid);

  Bytes one_byte = Concat({FixedHeader(0x90, 0x60), {0xBE, 0xDE, 0x00, 0x01, 0x10, 'a', 0, 0}});
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(one_byte, &packet), RtpParseError::kOk);
  EXPECT_EQ(packet.RewriteExtensionIds(from, to), 1u);  // 200 does not fit 4 bits
  EXPECT_EQ(packet.extension_count(), 0u);

  Bytes two_byte = Concat({FixedHeader(0x90, 0x60), {0x10, 0x00, 0x00, 0x01, 0x01, 0x01, 'a', 0}});
  ASSERT_EQ(RtpPacket::Parse(two_byte, &packet), RtpParseError::kOk);
  EXPECT_EQ(packet.RewriteExtensionIds(from, to), 0u);
  EXPECT_EQ(two_byte[16], 200);
  EXPECT_EQ(ToBytes(*packet.FindExtension(200)), Bytes{'a'});
}

TEST(RtpPacketBuilderTest, WritesOneByteExtensionsAndPayload) {
  Bytes buffer(100);
  const uint8_t sequence[] = {0x00, 0x07};
  const uint8_t send_time[] = {0x01, 0x02, 0x03};
  const uint8_t payload[] = {0xAA, 0xBB};
  auto size = RtpPacketBuilder(buffer)
                  .SetMarker(true)
                  .SetPayloadType(96)
                  .SetSequenceNumber(0x1234)
                  .SetTimestamp(0xDEADBEEF)
                  .SetSsrc(0x01020304)
                  .AddExtension(1, sequence)
                  .AddExtension(3, send_time)
                  .SetPayload(payload)
                  .Finish();
  ASSERT_TRUE(size);
  // 0x11 = id 1, L=1; 0x32 = id 3, L=2; 7 bytes of elements padded to 8 (2 words).
  const Bytes expected =
      Concat({FixedHeader(0x90, 0xE0),
              {0xBE, 0xDE, 0x00, 0x02, 0x11, 0x00, 0x07, 0x32, 0x01, 0x02, 0x03, 0x00},
              {0xAA, 0xBB}});
  EXPECT_EQ(Bytes(buffer.begin(), buffer.begin() + *size), expected);
}

TEST(RtpPacketBuilderTest, SwitchesToTwoByteFormWhenAnIdNeedsIt) {
  Bytes buffer(100);
  const uint8_t sequence[] = {0x00, 0x07};
  const uint8_t level[] = {0x85};
  auto size = RtpPacketBuilder(buffer)
                  .SetPayloadType(111)
                  .SetSequenceNumber(0x1234)
                  .SetTimestamp(0xDEADBEEF)
                  .SetSsrc(0x01020304)
                  .AddCsrc(9)
                  .AddExtension(1, sequence)
                  .AddExtension(20, level)
                  .SetPadding(4)
                  .Finish();
  ASSERT_TRUE(size);
  // CC=1, X, P -> 0x80 | 0x20 | 0x10 | 1. Two-byte elements: 01 02 00 07, 14 01 85, one pad byte.
  const Bytes expected =
      Concat({FixedHeader(0xB1, 0x6F),
              {0, 0, 0, 9},
              {0x10, 0x00, 0x00, 0x02, 0x01, 0x02, 0x00, 0x07, 0x14, 0x01, 0x85, 0x00},
              {0, 0, 0, 4}});
  EXPECT_EQ(Bytes(buffer.begin(), buffer.begin() + *size), expected);
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(std::span(buffer).first(*size), &packet), RtpParseError::kOk);
  EXPECT_EQ(packet.padding_size(), 4u);
  EXPECT_EQ(ToBytes(*packet.FindExtension(20)), Bytes{0x85});
}

TEST(RtpPacketBuilderTest, FailsInsteadOfOverflowing) {
  Bytes small(14);
  const uint8_t payload[] = {1, 2, 3};
  EXPECT_FALSE(RtpPacketBuilder(small).SetPayload(payload).Finish());
  Bytes buffer(64);
  const uint8_t value[] = {1};
  EXPECT_FALSE(RtpPacketBuilder(buffer).SetPayload(payload).AddExtension(1, value).Finish());
  EXPECT_FALSE(RtpPacketBuilder(buffer).AddExtension(1, value).AddCsrc(1).Finish());
  EXPECT_FALSE(RtpPacketBuilder(buffer).AddExtension(0, value).Finish());
  Bytes tiny(4);
  EXPECT_FALSE(RtpPacketBuilder(tiny).SetSsrc(1).Finish());
}

}  // namespace
}  // namespace auralink::rtc
