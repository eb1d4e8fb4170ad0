// Generic NACK, PLI, FIR and REMB against bytes laid out by hand from RFC 4585 §6, RFC 5104 §4.3.1
// and draft-alvestrand-rmcat-remb-03 §2.2.
#include <gtest/gtest.h>

#include <vector>

#include "rtc/rtcp/full_intra_request.h"
#include "rtc/rtcp/generic_nack.h"
#include "rtc/rtcp/picture_loss_indication.h"
#include "rtc/rtcp/remb.h"

namespace auralink::rtc {
namespace {

using Bytes = std::vector<uint8_t>;

RtcpPacketView ViewOf(const Bytes& bytes) {
  RtcpPacketView view;
  size_t consumed = 0;
  EXPECT_EQ(ParseRtcpPacket(bytes, &view, &consumed), RtcpParseError::kOk);
  return view;
}

TEST(FeedbackTest, GenericNackPacksPidAndBlp) {
  GenericNack nack;
  nack.header = {0x01020304, 0x05060708};
  const std::vector<uint16_t> lost = {100, 101, 103, 116, 117, 200};
  nack.SetSequenceNumbers(lost);
  // PID 100 covers 101 (bit 0), 103 (bit 2) and 116 (bit 15): BLP 0x8005. 117 is 17 past 100, so
  // it starts a new item, as does 200.
  ASSERT_EQ(nack.items.size(), 3u);
  EXPECT_EQ(nack.items[0], (GenericNack::Item{100, 0x8005}));
  EXPECT_EQ(nack.items[1], (GenericNack::Item{117, 0}));
  EXPECT_EQ(nack.items[2], (GenericNack::Item{200, 0}));

  // FMT 1, PT 205, 24 bytes -> length 5.
  const Bytes expected = {0x81, 205,  0x00, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                          0x00, 0x64, 0x80, 0x05, 0x00, 0x75, 0x00, 0x00, 0x00, 0xC8, 0x00, 0x00};
  Bytes out(nack.Size());
  ASSERT_EQ(nack.Write(out), expected.size());
  EXPECT_EQ(out, expected);

  GenericNack parsed;
  ASSERT_EQ(GenericNack::Parse(ViewOf(expected), &parsed), RtcpParseError::kOk);
  EXPECT_EQ(parsed.header.sender_ssrc, 0x01020304u);
  EXPECT_EQ(parsed.header.media_ssrc, 0x05060708u);
  std::vector<uint16_t> unpacked;
  parsed.GetSequenceNumbers(&unpacked);
  EXPECT_EQ(unpacked, lost);
}

TEST(FeedbackTest, GenericNackAcrossTheWrap) {
  GenericNack nack;
  const std::vector<uint16_t> lost = {65535, 0, 2};
  nack.SetSequenceNumbers(lost);
  // 0 is 1 past 65535 (bit 0), 2 is 3 past (bit 2).
  ASSERT_EQ(nack.items.size(), 1u);
  EXPECT_EQ(nack.items[0], (GenericNack::Item{65535, 0x0005}));
  std::vector<uint16_t> unpacked;
  nack.GetSequenceNumbers(&unpacked);
  EXPECT_EQ(unpacked, lost);
}

TEST(FeedbackTest, GenericNackRejectsEmptyOrRaggedFci) {
  const Bytes empty = {0x81, 205, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
  GenericNack nack;
  EXPECT_EQ(GenericNack::Parse(ViewOf(empty), &nack), RtcpParseError::kMalformed);
  const Bytes pli = {0x81, 206, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
  EXPECT_EQ(GenericNack::Parse(ViewOf(pli), &nack), RtcpParseError::kWrongType);
  const Bytes other_format = {0x83, 205, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0};
  EXPECT_EQ(GenericNack::Parse(ViewOf(other_format), &nack), RtcpParseError::kUnsupported);
}

TEST(FeedbackTest, PictureLossIndication) {
  PictureLossIndication pli;
  pli.header = {0x11111111, 0x22222222};
  const Bytes expected = {0x81, 206, 0x00, 0x02, 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22};
  Bytes out(pli.Size());
  ASSERT_EQ(pli.Write(out), 12u);
  EXPECT_EQ(out, expected);
  PictureLossIndication parsed;
  ASSERT_EQ(PictureLossIndication::Parse(ViewOf(expected), &parsed), RtcpParseError::kOk);
  EXPECT_EQ(parsed.header.media_ssrc, 0x22222222u);
}

TEST(FeedbackTest, FullIntraRequest) {
  FullIntraRequest fir;
  fir.sender_ssrc = 0x11111111;
  fir.entries = {{0x0A0B0C0D, 7}};
  // FMT 4, PT 206, 20 bytes -> length 4; media SSRC 0; FCI: SSRC, seq 7, 3 reserved bytes.
  const Bytes expected = {0x84, 206, 0x00, 0x04, 0x11, 0x11, 0x11, 0x11, 0, 0,
                          0,    0,   0x0A, 0x0B, 0x0C, 0x0D, 0x07, 0,    0, 0};
  Bytes out(fir.Size());
  ASSERT_EQ(fir.Write(out), expected.size());
  EXPECT_EQ(out, expected);
  FullIntraRequest parsed;
  ASSERT_EQ(FullIntraRequest::Parse(ViewOf(expected), &parsed), RtcpParseError::kOk);
  EXPECT_EQ(parsed.sender_ssrc, 0x11111111u);
  EXPECT_EQ(parsed.entries, fir.entries);
}

TEST(FeedbackTest, RembExponentAndMantissa) {
  Remb remb;
  remb.sender_ssrc = 0x11111111;
  remb.bitrate_bps = 1'000'000;
  remb.ssrcs = {0x22222222};
  // 1e6 >> 2 = 250000 < 2^18, so exponent 2, mantissa 250000 = 0x3D090; 6+18 bits:
  // (2 << 18) | 0x3D090 = 0x0BD090. FMT 15, PT 206, 24 bytes -> length 5.
  const Bytes expected = {0x8F, 206, 0x00, 0x05, 0x11, 0x11, 0x11, 0x11, 0,    0,    0,    0,
                          'R',  'E', 'M',  'B',  0x01, 0x0B, 0xD0, 0x90, 0x22, 0x22, 0x22, 0x22};
  Bytes out(remb.Size());
  ASSERT_EQ(remb.Write(out), expected.size());
  EXPECT_EQ(out, expected);
  Remb parsed;
  ASSERT_EQ(Remb::Parse(ViewOf(expected), &parsed), RtcpParseError::kOk);
  EXPECT_EQ(parsed.bitrate_bps, 1'000'000u);
  EXPECT_EQ(parsed.ssrcs, remb.ssrcs);
  EXPECT_EQ(parsed.sender_ssrc, 0x11111111u);

  // Precision: 1,000,003 also needs exponent 2 and loses its low two bits.
  remb.bitrate_bps = 1'000'003;
  ASSERT_EQ(remb.Write(out), expected.size());
  ASSERT_EQ(Remb::Parse(ViewOf(out), &parsed), RtcpParseError::kOk);
  EXPECT_EQ(parsed.bitrate_bps, 1'000'000u);
}

TEST(FeedbackTest, RembRejectsOtherApplicationMessagesAndOverflow) {
  Bytes not_remb = {0x8F, 206, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 0, 'G', 'O', 'O', 'G', 0, 0, 0, 0};
  Remb remb;
  EXPECT_EQ(Remb::Parse(ViewOf(not_remb), &remb), RtcpParseError::kUnsupported);
  // Exponent 63 with a full mantissa does not fit 64 bits.
  Bytes overflow = {0x8F, 206, 0x00, 0x04, 0,   0,   0, 1,    0,    0,
                    0,    0,   'R',  'E',  'M', 'B', 0, 0xFF, 0xFF, 0xFF};
  EXPECT_EQ(Remb::Parse(ViewOf(overflow), &remb), RtcpParseError::kMalformed);
  // Two SSRCs announced, none present.
  Bytes short_list = {0x8F, 206, 0x00, 0x04, 0,   0,   0, 1, 0, 0,
                      0,    0,   'R',  'E',  'M', 'B', 2, 0, 0, 1};
  EXPECT_EQ(Remb::Parse(ViewOf(short_list), &remb), RtcpParseError::kTruncated);
}

}  // namespace
}  // namespace auralink::rtc
