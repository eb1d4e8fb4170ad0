#include "rtc/rtcp/receiver_report.h"

#include "rtc/rtp/big_endian.h"

namespace auralink::rtc {

RtcpParseError ReceiverReport::Parse(const RtcpPacketView& packet, ReceiverReport* report) {
  if (packet.packet_type != static_cast<uint8_t>(RtcpPacketType::kReceiverReport)) {
    return RtcpParseError::kWrongType;
  }
  const size_t count = packet.count_or_format;
  if (packet.body.size() < 4 + count * ReportBlock::kSize) return RtcpParseError::kTruncated;
  report->sender_ssrc = LoadBigEndian32(packet.body.data());
  report->report_block_count_ = count;
  for (size_t i = 0; i < count; ++i) {
    report->report_blocks_[i] = ReportBlock::Parse(packet.body.subspan(4 + i * ReportBlock::kSize));
  }
  return RtcpParseError::kOk;
}

bool ReceiverReport::AddReportBlock(const ReportBlock& block) {
  if (report_block_count_ == kMaxReportBlocks) return false;
  report_blocks_[report_block_count_++] = block;
  return true;
}

size_t ReceiverReport::Write(std::span<uint8_t> out) const {
  const size_t size = Size();
  if (out.size() < size) return 0;
  WriteRtcpHeader(out.data(), static_cast<uint8_t>(report_block_count_),
                  RtcpPacketType::kReceiverReport, size);
  StoreBigEndian32(&out[4], sender_ssrc);
  for (size_t i = 0; i < report_block_count_; ++i) {
    report_blocks_[i].Write(&out[8 + i * ReportBlock::kSize]);
  }
  return size;
}

}  // namespace auralink::rtc
