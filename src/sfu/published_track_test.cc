#include "sfu/published_track.h"

#include <gtest/gtest.h>

#include "rtc/rtp/rtp_packet.h"

namespace auralink::sfu {
namespace {

constexpr uint32_t kSsrc = 0x1234'5678;
constexpr uint8_t kOpus = 111;

std::unique_ptr<PublishedTrack> AudioTrack() {
  PublishedMedia media;
  media.mid = "0";
  media.kind = MediaKind::kAudio;
  media.sending = true;
  NegotiatedCodec opus;
  opus.payload_type = kOpus;
  opus.name = "opus";
  opus.clock_rate = 48000;
  opus.channels = 2;
  media.codecs.push_back(opus);
  media.ssrcs.push_back(kSsrc);
  TrackDescription description;
  description.sid = "TR_audio";
  description.kind = TrackKind::kAudio;
  return std::make_unique<PublishedTrack>(description, media);
}

// Feeds one 20 ms Opus packet arriving at `arrival_us`.
void Feed(PublishedTrack& track, uint16_t sequence_number, int64_t arrival_us,
          bool recovered = false) {
  std::array<uint8_t, 64> buffer{};
  rtc::RtpPacketBuilder builder(buffer);
  const std::array<uint8_t, 20> payload{};
  builder.SetPayloadType(kOpus)
      .SetSequenceNumber(sequence_number)
      .SetTimestamp(960u * sequence_number)
      .SetSsrc(kSsrc)
      .SetPayload(payload);
  const std::optional<size_t> length = builder.Finish();
  ASSERT_TRUE(length.has_value());
  rtc::RtpPacket packet;
  ASSERT_EQ(rtc::RtpPacket::Parse({buffer.data(), *length}, &packet), rtc::RtpParseError::kOk);
  (void)track.OnRtp(packet, 0, recovered, arrival_us / 1000, arrival_us);
}

TEST(PublishedTrackTest, ReceiverReportBlockFromWhatArrivedAndTheLastSenderReport) {
  auto track = AudioTrack();
  // Packets 100..119 every 20 ms (constant transit: no jitter), 110 and 111 lost.
  int64_t now_us = 5'000'000;
  for (uint16_t sequence = 100; sequence < 120; ++sequence, now_us += 20'000) {
    if (sequence == 110 || sequence == 111) continue;
    Feed(*track, sequence, now_us);
  }
  // 110 repaired over RTX and a delivered packet resent as an RTX probe: neither counts, the
  // report is about what arrived on the media SSRC.
  Feed(*track, 110, now_us, /*recovered=*/true);
  Feed(*track, 105, now_us, /*recovered=*/true);
  rtc::SenderReport sender_report;
  sender_report.sender_ssrc = kSsrc;
  sender_report.ntp_timestamp = (uint64_t{3'900'000'123} << 32) | 0x4000'0000u;
  sender_report.rtp_timestamp = 960u * 119;
  const int64_t report_arrival_us = now_us;
  track->OnSenderReport(0, sender_report, report_arrival_us / 1000, report_arrival_us);

  rtc::ReceiverReport report;
  ASSERT_TRUE(track->AddReportBlocks(&report, report_arrival_us + 500'000));
  ASSERT_EQ(report.report_blocks().size(), 1u);
  const rtc::ReportBlock& block = report.report_blocks()[0];
  EXPECT_EQ(block.source_ssrc, kSsrc);
  EXPECT_EQ(block.extended_highest_sequence_number, 119u);
  // RFC 3550 §A.1: the source is validated on its second packet (101), which becomes the base,
  // so 19 were expected and 17 arrived.
  EXPECT_EQ(block.cumulative_lost, 2);
  EXPECT_EQ(block.fraction_lost, (2 * 256) / 19);
  EXPECT_EQ(block.jitter, 0u);
  // §6.4.1: LSR is the middle 32 bits of the SR's NTP time, DLSR the 0.5 s since, in 1/65536 s.
  EXPECT_EQ(block.last_sender_report, rtc::CompactNtp(sender_report.ntp_timestamp));
  EXPECT_EQ(block.delay_since_last_sender_report, 65536u / 2);

  // The next interval lost nothing.
  for (uint16_t sequence = 120; sequence < 130; ++sequence, now_us += 20'000)
    Feed(*track, sequence, now_us);
  rtc::ReceiverReport next;
  ASSERT_TRUE(track->AddReportBlocks(&next, now_us));
  ASSERT_EQ(next.report_blocks().size(), 1u);
  EXPECT_EQ(next.report_blocks()[0].fraction_lost, 0);
  EXPECT_EQ(next.report_blocks()[0].cumulative_lost, 2);
}

TEST(PublishedTrackTest, KeepsTheNewestSenderReportPerLayerForForwarding) {
  auto track = AudioTrack();
  rtc::SenderReport first;
  first.sender_ssrc = kSsrc;
  first.ntp_timestamp = 1000;
  first.rtp_timestamp = 48000;
  track->OnSenderReport(0, first, 10, 10'000);
  ASSERT_TRUE(track->layers()[0].sender_report.has_value());
  EXPECT_EQ(track->layers()[0].sender_report->sequence, 1u);
  rtc::SenderReport second = first;
  second.ntp_timestamp = 2000;
  second.rtp_timestamp = 96000;
  track->OnSenderReport(0, second, 1010, 1'010'000);
  const PublisherSenderReport& kept = *track->layers()[0].sender_report;
  EXPECT_EQ(kept.sequence, 2u);
  EXPECT_EQ(kept.ntp_timestamp, 2000u);
  EXPECT_EQ(kept.rtp_timestamp, 96000u);
  EXPECT_EQ(kept.arrival_ms, 1010);
  // Nothing arrived yet: no report block, and an unknown layer is ignored.
  rtc::ReceiverReport report;
  EXPECT_TRUE(track->AddReportBlocks(&report, 2'000'000));
  EXPECT_TRUE(report.report_blocks().empty());
  track->OnSenderReport(5, second, 0, 0);
}

}  // namespace
}  // namespace auralink::sfu
