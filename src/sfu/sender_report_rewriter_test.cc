#include "sfu/sender_report_rewriter.h"

#include <gtest/gtest.h>

#include "rtc/codecs/simulcast_stream_rewriter.h"

namespace auralink::sfu {
namespace {

constexpr uint32_t kFrameTicks = 3000;  // 30 fps at 90 kHz

// A down track's view of two simulcast layers: the stream rewriter decides the timestamps a
// subscriber sees; the mapping is taken from each forwarded packet as DownTrack does.
class DownTrackTimestamps {
 public:
  DownTrackTimestamps() : rewriter_(rtc::SimulcastStreamRewriter::Create({}).value()) {}

  // One single-packet frame of `layer`; returns the timestamp written, if forwarded.
  std::optional<uint32_t> Forward(int layer, uint16_t sequence_number, uint32_t timestamp,
                                  bool key_frame, int64_t now_ms) {
    rtc::SimulcastSourcePacket packet;
    packet.layer = layer;
    packet.sequence_number = sequence_number;
    packet.timestamp = timestamp;
    packet.marker = true;
    packet.start_of_frame = true;
    packet.key_frame = key_frame;
    packet.arrival_time_ms = now_ms;
    auto out = rewriter_->Rewrite(packet);
    if (!out) return std::nullopt;
    mapping_ = {layer, timestamp, out->timestamp};
    return out->timestamp;
  }

  std::unique_ptr<rtc::SimulcastStreamRewriter> rewriter_;
  DownTrackTimestampMapping mapping_;
};

PublisherSenderReport ReportAt(uint32_t rtp_timestamp, uint64_t ntp) {
  PublisherSenderReport report;
  report.ntp_timestamp = ntp;
  report.rtp_timestamp = rtp_timestamp;
  report.sequence = 1;
  return report;
}

TEST(SenderReportRewriterTest, FollowsTheDownTrackTimestampsAcrossALayerSwitch) {
  DownTrackTimestamps down;
  // The layers' timestamps have unrelated origins, as a browser's simulcast encodings do; layer 1
  // sits near the 32-bit wrap.
  const uint32_t base0 = 1'000'000;
  const uint32_t base1 = 0xFFFF'0000u;
  ASSERT_TRUE(down.rewriter_->SetTargetLayer(0).ok());
  int64_t now_ms = 0;
  for (uint16_t i = 0; i < 10; ++i, now_ms += 33)
    ASSERT_TRUE(down.Forward(0, 100 + i, base0 + i * kFrameTicks, i == 0, now_ms));
  EXPECT_EQ(down.mapping_.layer, 0);

  const uint64_t ntp = (uint64_t{3'900'000'000} << 32) | 0x8000'0000u;
  // The publisher's report for layer 0 names a moment between frames 10 and 11.
  const uint32_t reported0 = base0 + 10 * kFrameTicks + 1500;
  auto report0 = RewriteSenderReport(ReportAt(reported0, ntp), 0, down.mapping_, 0xABCD, 10, 9000);
  ASSERT_TRUE(report0.has_value());
  EXPECT_EQ(report0->sender_ssrc, 0xABCDu);
  EXPECT_EQ(report0->ntp_timestamp, ntp);
  EXPECT_EQ(report0->packet_count, 10u);
  EXPECT_EQ(report0->octet_count, 9000u);
  // What the subscriber will see for a frame captured at the reported moment.
  const std::optional<uint32_t> seen0 = down.Forward(0, 110, reported0, false, now_ms);
  ASSERT_TRUE(seen0);
  EXPECT_EQ(report0->rtp_timestamp, *seen0);

  // Switch to layer 1 at its key frame; the rewriter re-bases the timestamps.
  ASSERT_TRUE(down.rewriter_->SetTargetLayer(1).ok());
  now_ms += 33;
  for (uint16_t i = 0; i < 5; ++i, now_ms += 33)
    down.Forward(1, 5000 + i, base1 + (11 + i) * kFrameTicks, i == 0, now_ms);
  ASSERT_EQ(down.mapping_.layer, 1);

  // A report about the layer no longer forwarded says nothing about this stream.
  EXPECT_FALSE(
      RewriteSenderReport(ReportAt(reported0, ntp), 0, down.mapping_, 0xABCD, 15, 1).has_value());

  // Layer 1's report (past the wrap) lands where the subscriber's timestamps for it will be.
  const uint32_t reported1 = base1 + 16 * kFrameTicks + 750;
  auto report1 = RewriteSenderReport(ReportAt(reported1, ntp + 1), 1, down.mapping_, 0xABCD, 15, 1);
  ASSERT_TRUE(report1.has_value());
  EXPECT_EQ(report1->ntp_timestamp, ntp + 1);
  const std::optional<uint32_t> seen1 = down.Forward(1, 5005, reported1, false, now_ms);
  ASSERT_TRUE(seen1);
  EXPECT_EQ(report1->rtp_timestamp, *seen1);
  // The offset really changed at the switch: layer 0's mapping would put it elsewhere.
  EXPECT_NE(report1->rtp_timestamp - reported1, report0->rtp_timestamp - reported0);
}

TEST(SenderReportRewriterTest, NothingBeforeTheFirstForwardedPacket) {
  EXPECT_FALSE(
      RewriteSenderReport(ReportAt(1234, 1), 0, DownTrackTimestampMapping{}, 1, 0, 0).has_value());
  DownTrackTimestampMapping mapping{0, 10, 20};
  EXPECT_FALSE(RewriteSenderReport(ReportAt(1234, 1), 0, mapping, 0, 0, 0).has_value());
}

}  // namespace
}  // namespace auralink::sfu
