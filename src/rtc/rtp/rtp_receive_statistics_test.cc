#include "rtc/rtp/rtp_receive_statistics.h"

#include <gtest/gtest.h>

namespace auralink::rtc {
namespace {

constexpr uint32_t kSsrc = 0x1234;
constexpr uint32_t kVideoClock = 90000;

// Packets 1 ms apart in both send and arrival time: 90 timestamp units per ms, no jitter.
void Feed(RtpReceiveStatistics* stats, uint16_t seq, int index, int64_t extra_delay_us = 0,
          bool retransmission = false) {
  stats->OnPacket(seq, static_cast<uint32_t>(index * 90), index * 1000 + extra_delay_us,
                  retransmission);
}

TEST(RtpReceiveStatisticsTest, ProbationThenInOrder) {
  RtpReceiveStatistics stats(kSsrc, kVideoClock);
  Feed(&stats, 100, 0);
  EXPECT_FALSE(stats.has_packets());  // §A.1: a source is valid after two packets in sequence
  for (int i = 1; i < 10; ++i) Feed(&stats, static_cast<uint16_t>(100 + i), i);
  // The sequence restarts at the validating packet, 101: 9 expected, 9 received.
  EXPECT_EQ(stats.packets_received(), 9u);
  EXPECT_EQ(stats.extended_highest_sequence_number(), 109u);
  EXPECT_EQ(stats.cumulative_lost(), 0);
  EXPECT_EQ(stats.jitter(), 0u);
  const ReportBlock block = stats.MakeReportBlock(0);
  EXPECT_EQ(block.source_ssrc, kSsrc);
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.extended_highest_sequence_number, 109u);
  EXPECT_EQ(block.last_sender_report, 0u);
}

TEST(RtpReceiveStatisticsTest, LossFractionPerInterval) {
  RtpReceiveStatistics stats(kSsrc, kVideoClock);
  int index = 0;
  for (uint16_t seq : {100, 101, 102, 104, 105, 108}) Feed(&stats, seq, index++);
  // Base 101, highest 108: 8 expected, 5 received (101, 102, 104, 105, 108).
  EXPECT_EQ(stats.cumulative_lost(), 3);
  ReportBlock block = stats.MakeReportBlock(0);
  EXPECT_EQ(block.fraction_lost, 3 * 256 / 8);
  EXPECT_EQ(block.cumulative_lost, 3);
  for (uint16_t seq : {109, 110}) Feed(&stats, seq, index++);
  block = stats.MakeReportBlock(0);
  EXPECT_EQ(block.fraction_lost, 0);  // the second interval lost nothing
  EXPECT_EQ(block.cumulative_lost, 3);
  EXPECT_EQ(block.extended_highest_sequence_number, 110u);
}

TEST(RtpReceiveStatisticsTest, DuplicatesGiveNegativeLossAndZeroFraction) {
  RtpReceiveStatistics stats(kSsrc, kVideoClock);
  Feed(&stats, 1, 0);
  Feed(&stats, 2, 1);
  Feed(&stats, 3, 2);
  Feed(&stats, 3, 3);
  EXPECT_EQ(stats.cumulative_lost(), -1);  // expected 2 (2-3), received 3
  EXPECT_EQ(stats.MakeReportBlock(0).fraction_lost, 0);
}

TEST(RtpReceiveStatisticsTest, ExtendedSequenceCountsCycles) {
  RtpReceiveStatistics stats(kSsrc, kVideoClock);
  int index = 0;
  for (uint16_t seq : {65534, 65535, 0, 1}) Feed(&stats, seq, index++);
  EXPECT_EQ(stats.extended_highest_sequence_number(), 65536u + 1);
  EXPECT_EQ(stats.packets_received(), 3u);
  EXPECT_EQ(stats.cumulative_lost(), 0);
}

TEST(RtpReceiveStatisticsTest, RestartIsAcceptedAfterTwoPacketsConfirmIt) {
  RtpReceiveStatistics stats(kSsrc, kVideoClock);
  Feed(&stats, 100, 0);
  Feed(&stats, 101, 1);
  Feed(&stats, 102, 2);
  Feed(&stats, 20000, 3);  // a jump beyond MAX_DROPOUT: held back
  EXPECT_EQ(stats.extended_highest_sequence_number(), 102u);
  Feed(&stats, 20001, 4);  // confirms: statistics restart at 20001
  EXPECT_EQ(stats.extended_highest_sequence_number(), 20001u);
  EXPECT_EQ(stats.packets_received(), 1u);
  EXPECT_EQ(stats.cumulative_lost(), 0);
}

TEST(RtpReceiveStatisticsTest, InterarrivalJitter) {
  RtpReceiveStatistics stats(kSsrc, kVideoClock);
  Feed(&stats, 1, 0);
  Feed(&stats, 2, 1);        // first transit sample
  Feed(&stats, 3, 2, 1000);  // 1 ms late: |D| = 90; J = 90/16 = 5.6
  EXPECT_EQ(stats.jitter(), 5u);
  Feed(&stats, 4, 3);  // back on time: |D| = 90; J = 5.625 + (90 - 5.625)/16 = 10.9
  EXPECT_EQ(stats.jitter(), 10u);
  // A retransmission arriving late counts as received but leaves the jitter alone.
  Feed(&stats, 5, 4, 50'000, /*retransmission=*/true);
  EXPECT_EQ(stats.jitter(), 10u);
  EXPECT_EQ(stats.packets_received(), 4u);
}

TEST(RtpReceiveStatisticsTest, LastSenderReportAndDelay) {
  RtpReceiveStatistics stats(kSsrc, kVideoClock);
  // NTP seconds 0x00012345, fraction 0x67890000: the middle 32 bits are 0x23456789.
  stats.OnSenderReport(0x0001234567890000ull, 1'000'000);
  const ReportBlock block = stats.MakeReportBlock(1'500'000);
  EXPECT_EQ(block.last_sender_report, 0x23456789u);
  EXPECT_EQ(block.delay_since_last_sender_report, 32768u);  // 0.5 s in 1/65536 s
}

}  // namespace
}  // namespace auralink::rtc
