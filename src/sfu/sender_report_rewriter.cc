#include "sfu/sender_report_rewriter.h"

namespace auralink::sfu {

std::optional<rtc::SenderReport> RewriteSenderReport(
    const PublisherSenderReport& report, int report_layer, const DownTrackTimestampMapping& mapping,
    uint32_t down_track_ssrc, uint32_t packets_sent, uint32_t payload_octets_sent) {
  if (mapping.layer < 0 || mapping.layer != report_layer || down_track_ssrc == 0)
    return std::nullopt;
  rtc::SenderReport rewritten;
  rewritten.sender_ssrc = down_track_ssrc;
  rewritten.ntp_timestamp = report.ntp_timestamp;
  // Modulo 2^32, as RTP timestamps wrap (RFC 3550 §5.1).
  rewritten.rtp_timestamp = report.rtp_timestamp + (mapping.timestamp - mapping.source_timestamp);
  rewritten.packet_count = packets_sent;
  rewritten.octet_count = payload_octets_sent;
  return rewritten;
}

}  // namespace auralink::sfu
