#include "rtc/rtcp/sender_report.h"

#include "rtc/rtp/big_endian.h"

namespace auralink::rtc {

RtcpParseError SenderReport::Parse(const RtcpPacketView& packet, SenderReport* report) {
  if (packet.packet_type != static_cast<uint8_t>(RtcpPacketType::kSenderReport)) {
    return RtcpParseError::kWrongType;
  }
  const size_t count = packet.count_or_format;
  if (packet.body.size() < 24 + count * ReportBlock::kSize) return RtcpParseError::kTruncated;
  const uint8_t* b = packet.body.data();
  report->sender_ssrc = LoadBigEndian32(b);
  report->ntp_timestamp = LoadBigEndian64(b + 4);
  report->rtp_timestamp = LoadBigEndian32(b + 12);
  report->packet_count = LoadBigEndian32(b + 16);
  report->octet_count = LoadBigEndian32(b + 20);
  report->report_block_count_ = count;
  for (size_t i = 0; i < count; ++i) {
    report->report_blocks_[i] =
        ReportBlock::Parse(packet.body.subspan(24 + i * ReportBlock::kSize));
  }
  return RtcpParseError::kOk;
}

bool SenderReport::AddReportBlock(const ReportBlock& block) {
  if (report_block_count_ == kMaxReportBlocks) return false;
  report_blocks_[report_block_count_++] = block;
  return true;
}

size_t SenderReport::Write(std::span<uint8_t> out) const {
  const size_t size = Size();
  if (out.size() < size) return 0;
  uint8_t* p = out.data();
  WriteRtcpHeader(p, static_cast<uint8_t>(report_block_count_), RtcpPacketType::kSenderReport,
                  size);
  StoreBigEndian32(p + 4, sender_ssrc);
  StoreBigEndian64(p + 8, ntp_timestamp);
  StoreBigEndian32(p + 16, rtp_timestamp);
  StoreBigEndian32(p + 20, packet_count);
  StoreBigEndian32(p + 24, octet_count);
  for (size_t i = 0; i < report_block_count_; ++i) {
    report_blocks_[i].Write(p + 28 + i * ReportBlock::kSize);
  }
  return size;
}

}  // namespace auralink::rtc
