// Sender reports towards subscribers (RFC 3550 §6.4.1). A subscriber's down track carries one
// layer of a publisher's track at a time, under its own SSRC and with its own RTP timestamps
// (shifted at every simulcast switch), so the publisher's sender report for that layer is
// rewritten before it is forwarded: the NTP time stays the publisher's (audio and video of one
// publisher share that clock, which is what a browser's lip sync compares), the RTP timestamp is
// moved into the down track's timestamp space, and the counts are what the down track sent.
#pragma once

#include <cstdint>
#include <optional>

#include "rtc/rtcp/sender_report.h"

namespace auralink::sfu {

// The newest sender report a publisher sent for one layer.
struct PublisherSenderReport {
  uint64_t ntp_timestamp = 0;
  uint32_t rtp_timestamp = 0;
  int64_t arrival_ms = 0;
  uint32_t sequence = 0;  // 1 for the first report of the layer, so each is forwarded once
};

// How a down track maps timestamps now: the layer and RTP timestamp of the newest packet it
// forwarded and the timestamp it wrote for it. Within one layer the mapping is a constant offset.
struct DownTrackTimestampMapping {
  int layer = -1;  // -1: nothing forwarded yet
  uint32_t source_timestamp = 0;
  uint32_t timestamp = 0;
};

// The sender report for a down track, from the publisher's report about `report_layer`; nullopt
// when the down track is not forwarding that layer (its timestamps relate to another stream).
std::optional<rtc::SenderReport> RewriteSenderReport(
    const PublisherSenderReport& report, int report_layer, const DownTrackTimestampMapping& mapping,
    uint32_t down_track_ssrc, uint32_t packets_sent, uint32_t payload_octets_sent);

}  // namespace auralink::sfu
