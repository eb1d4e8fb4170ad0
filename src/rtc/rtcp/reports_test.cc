// SR, RR, SDES and BYE against bytes laid out by hand from RFC 3550 §6.4-§6.6.
#include <gtest/gtest.h>

#include <vector>

#include "rtc/rtcp/bye.h"
#include "rtc/rtcp/receiver_report.h"
#include "rtc/rtcp/sender_report.h"
#include "rtc/rtcp/source_description.h"

namespace auralink::rtc {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

RtcpPacketView ViewOf(const Bytes& bytes) {
  RtcpPacketView view;
  size_t consumed = 0;
  EXPECT_EQ(ParseRtcpPacket(bytes, &view, &consumed), RtcpParseError::kOk);
  EXPECT_EQ(consumed, bytes.size());
  return view;
}

// SSRC 0x55667788, fraction 0x40, cumulative lost -2 (24-bit 0xFFFFFE), highest 0x00010010,
// jitter 0x20, LSR 0x12345678, DLSR 0x00010000 (one second).
const Bytes kReportBlockBytes = {0x55, 0x66, 0x77, 0x88, 0x40, 0xFF, 0xFF, 0xFE,
                                 0x00, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20,
                                 0x12, 0x34, 0x56, 0x78, 0x00, 0x01, 0x00, 0x00};

ReportBlock ExpectedBlock() {
  ReportBlock block;
  block.source_ssrc = 0x55667788;
  block.fraction_lost = 0x40;
  block.cumulative_lost = -2;
  block.extended_highest_sequence_number = 0x00010010;
  block.jitter = 0x20;
  block.last_sender_report = 0x12345678;
  block.delay_since_last_sender_report = 0x00010000;
  return block;
}

TEST(ReportsTest, SenderReport) {
  // V=2 RC=1 -> 0x81; PT 200; 52 bytes -> length 12.
  const Bytes bytes = Concat({{0x81, 200, 0x00, 12, 0x11, 0x22, 0x33, 0x44},
                              {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08},  // NTP
                              {0x0A, 0x0B, 0x0C, 0x0D},                          // RTP time
                              {0x00, 0x00, 0x00, 0x05},                          // packets
                              {0x00, 0x00, 0x03, 0xE8},                          // octets
                              kReportBlockBytes});
  SenderReport report;
  ASSERT_EQ(SenderReport::Parse(ViewOf(bytes), &report), RtcpParseError::kOk);
  EXPECT_EQ(report.sender_ssrc, 0x11223344u);
  EXPECT_EQ(report.ntp_timestamp, 0x0102030405060708ull);
  EXPECT_EQ(report.rtp_timestamp, 0x0A0B0C0Du);
  EXPECT_EQ(report.packet_count, 5u);
  EXPECT_EQ(report.octet_count, 1000u);
  ASSERT_EQ(report.report_blocks().size(), 1u);
  EXPECT_EQ(report.report_blocks()[0], ExpectedBlock());

  SenderReport built;
  built.sender_ssrc = 0x11223344;
  built.ntp_timestamp = 0x0102030405060708ull;
  built.rtp_timestamp = 0x0A0B0C0D;
  built.packet_count = 5;
  built.octet_count = 1000;
  ASSERT_TRUE(built.AddReportBlock(ExpectedBlock()));
  Bytes out(built.Size());
  ASSERT_EQ(built.Write(out), bytes.size());
  EXPECT_EQ(out, bytes);
  Bytes small(10);
  EXPECT_EQ(built.Write(small), 0u);

  // RC says one block but the body ends after the sender info.
  Bytes truncated = Bytes(bytes.begin(), bytes.begin() + 28);
  truncated[3] = 6;
  EXPECT_EQ(SenderReport::Parse(ViewOf(truncated), &report), RtcpParseError::kTruncated);
}

TEST(ReportsTest, ForEachSenderReportSkipsTheOtherPacketsAndBrokenReports) {
  const Bytes sender_report = Concat({{0x80, 200, 0x00, 6, 0x11, 0x22, 0x33, 0x44},
                                      {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08},
                                      {0x0A, 0x0B, 0x0C, 0x0D},
                                      {0x00, 0x00, 0x00, 0x05},
                                      {0x00, 0x00, 0x03, 0xE8}});
  Bytes second = sender_report;
  second[7] = 0x45;
  // RC=1 with no room for the block: does not parse.
  Bytes broken = sender_report;
  broken[0] = 0x81;
  const Bytes compound =
      Concat({sender_report, {0x80, 201, 0x00, 1, 0x55, 0x66, 0x77, 0x88}, broken, second});
  std::vector<uint32_t> seen;
  ForEachSenderReport(compound, [&](const SenderReport& report) {
    seen.push_back(report.sender_ssrc);
    EXPECT_EQ(report.packet_count, 5u);
  });
  EXPECT_EQ(seen, (std::vector<uint32_t>{0x11223344u, 0x11223345u}));
}

TEST(ReportsTest, ReceiverReport) {
  const Bytes bytes = Concat({{0x81, 201, 0x00, 7, 0x11, 0x22, 0x33, 0x44}, kReportBlockBytes});
  ReceiverReport report;
  ASSERT_EQ(ReceiverReport::Parse(ViewOf(bytes), &report), RtcpParseError::kOk);
  EXPECT_EQ(report.sender_ssrc, 0x11223344u);
  ASSERT_EQ(report.report_blocks().size(), 1u);
  EXPECT_EQ(report.report_blocks()[0], ExpectedBlock());

  ReceiverReport built;
  built.sender_ssrc = 0x11223344;
  built.AddReportBlock(ExpectedBlock());
  Bytes out(built.Size());
  ASSERT_EQ(built.Write(out), bytes.size());
  EXPECT_EQ(out, bytes);

  // An empty RR (RC=0) is 8 bytes, length 1.
  ReceiverReport empty;
  empty.sender_ssrc = 1;
  Bytes empty_out(8);
  ASSERT_EQ(empty.Write(empty_out), 8u);
  EXPECT_EQ(empty_out, (Bytes{0x80, 201, 0, 1, 0, 0, 0, 1}));

  SenderReport wrong;
  EXPECT_EQ(SenderReport::Parse(ViewOf(bytes), &wrong), RtcpParseError::kWrongType);
}

TEST(ReportsTest, RoundTripTimeFromReportBlock) {
  ReportBlock block;
  block.last_sender_report = 0x00010000;                           // 1 s
  block.delay_since_last_sender_report = 0x00008000;               // 0.5 s
  EXPECT_EQ(RoundTripTimeMs(block, 0x00018000 + 0x00000CCD), 50);  // A = 1.5 s + ~50 ms
  block.last_sender_report = 0;
  EXPECT_EQ(RoundTripTimeMs(block, 0x00020000), -1);
  EXPECT_EQ(CompactNtp(0x0001234567890000ull), 0x23456789u);
}

TEST(ReportsTest, SourceDescriptionCname) {
  // SC=1; SSRC; CNAME item (type 1, length 3, "abc"), end byte, two bytes to the 32-bit boundary.
  const Bytes bytes = {0x81, 202,  0x00, 0x03, 0x11, 0x22, 0x33, 0x44,
                       0x01, 0x03, 'a',  'b',  'c',  0x00, 0x00, 0x00};
  SourceDescription description;
  ASSERT_EQ(SourceDescription::Parse(ViewOf(bytes), &description), RtcpParseError::kOk);
  ASSERT_EQ(description.chunks.size(), 1u);
  EXPECT_EQ(description.chunks[0].ssrc, 0x11223344u);
  EXPECT_EQ(description.chunks[0].cname, "abc");

  Bytes out(description.Size());
  ASSERT_EQ(description.Write(out), bytes.size());
  EXPECT_EQ(out, bytes);
}

TEST(ReportsTest, SourceDescriptionSkipsOtherItemsAndReadsEveryChunk) {
  // Chunk 1: NOTE (type 7, "n") then CNAME "x", end: 2+1 + 2+1 + 1 = 7 -> padded to 8.
  // Chunk 2: SSRC only with an end byte and 3 padding bytes.
  const Bytes bytes = {0x82, 202, 0x00, 0x05, 0, 0, 0, 1, 0x07, 0x01, 'n',  0x01,
                       0x01, 'x', 0x00, 0x00, 0, 0, 0, 2, 0x00, 0x00, 0x00, 0x00};
  SourceDescription description;
  ASSERT_EQ(SourceDescription::Parse(ViewOf(bytes), &description), RtcpParseError::kOk);
  ASSERT_EQ(description.chunks.size(), 2u);
  EXPECT_EQ(description.chunks[0].cname, "x");
  EXPECT_EQ(description.chunks[1].ssrc, 2u);
  EXPECT_TRUE(description.chunks[1].cname.empty());

  // An item whose length runs past the packet.
  const Bytes bad = {0x81, 202, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x09, 'a', 'b'};
  EXPECT_EQ(SourceDescription::Parse(ViewOf(bad), &description), RtcpParseError::kTruncated);
}

TEST(ReportsTest, ByeWithReason) {
  // SC=1; SSRC; reason length 3 "bye" fills exactly one word.
  const Bytes bytes = {0x81, 203, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x03, 'b', 'y', 'e'};
  Bye bye;
  ASSERT_EQ(Bye::Parse(ViewOf(bytes), &bye), RtcpParseError::kOk);
  EXPECT_EQ(bye.ssrcs, (std::vector<uint32_t>{0x11223344}));
  EXPECT_EQ(bye.reason, "bye");
  Bytes out(bye.Size());
  ASSERT_EQ(bye.Write(out), bytes.size());
  EXPECT_EQ(out, bytes);

  Bye plain;
  plain.ssrcs = {1, 2};
  Bytes plain_out(plain.Size());
  ASSERT_EQ(plain.Write(plain_out), 12u);
  EXPECT_EQ(plain_out, (Bytes{0x82, 203, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2}));
}

}  // namespace
}  // namespace auralink::rtc
