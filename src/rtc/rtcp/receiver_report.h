// RFC 3550 §6.4.2 receiver report (PT 201): the reporter's SSRC and up to 31 report blocks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "rtc/rtcp/report_block.h"
#include "rtc/rtcp/rtcp_packet.h"

namespace auralink::rtc {

class ReceiverReport {
 public:
  static constexpr size_t kMaxReportBlocks = 31;

  uint32_t sender_ssrc = 0;

  static RtcpParseError Parse(const RtcpPacketView& packet, ReceiverReport* report);

  bool AddReportBlock(const ReportBlock& block);
  std::span<const ReportBlock> report_blocks() const {
    return std::span<const ReportBlock>(report_blocks_).first(report_block_count_);
  }

  size_t Size() const { return 8 + ReportBlock::kSize * report_block_count_; }
  size_t Write(std::span<uint8_t> out) const;

 private:
  std::array<ReportBlock, kMaxReportBlocks> report_blocks_{};
  size_t report_block_count_ = 0;
};

}  // namespace auralink::rtc
