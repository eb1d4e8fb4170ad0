// RFC 3550 §6.4.1 sender report (PT 200): sender info and up to 31 report blocks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "rtc/rtcp/report_block.h"
#include "rtc/rtcp/rtcp_packet.h"

namespace auralink::rtc {

class SenderReport {
 public:
  static constexpr size_t kMaxReportBlocks = 31;

  uint32_t sender_ssrc = 0;
  uint64_t ntp_timestamp = 0;
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;

  // Profile-specific extensions after the report blocks are ignored (§6.4.1).
  static RtcpParseError Parse(const RtcpPacketView& packet, SenderReport* report);

  // False when all 31 slots are taken.
  bool AddReportBlock(const ReportBlock& block);
  std::span<const ReportBlock> report_blocks() const {
    return std::span<const ReportBlock>(report_blocks_).first(report_block_count_);
  }

  size_t Size() const { return 28 + ReportBlock::kSize * report_block_count_; }
  // Bytes written, or 0 when `out` is smaller than Size().
  size_t Write(std::span<uint8_t> out) const;

 private:
  std::array<ReportBlock, kMaxReportBlocks> report_blocks_{};
  size_t report_block_count_ = 0;
};

// Calls `on_report(const SenderReport&)` for each sender report of a compound packet that parses;
// the other packets, and reports that do not parse, are skipped.
template <typename Callback>
void ForEachSenderReport(std::span<const uint8_t> compound, Callback on_report) {
  RtcpPacketIterator packets(compound);
  RtcpPacketView view;
  while (packets.Next(&view)) {
    if (view.packet_type != static_cast<uint8_t>(RtcpPacketType::kSenderReport)) continue;
    SenderReport report;
    if (SenderReport::Parse(view, &report) == RtcpParseError::kOk) on_report(report);
  }
}

}  // namespace auralink::rtc
