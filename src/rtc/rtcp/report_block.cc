#include "rtc/rtcp/report_block.h"

#include "rtc/rtp/big_endian.h"

namespace auralink::rtc {

ReportBlock ReportBlock::Parse(std::span<const uint8_t> bytes) {
  ReportBlock block;
  block.source_ssrc = LoadBigEndian32(&bytes[0]);
  block.fraction_lost = bytes[4];
  uint32_t lost = LoadBigEndian24(&bytes[5]);
  if (lost & 0x800000) lost |= 0xFF000000;  // sign-extend the 24-bit field
  block.cumulative_lost = static_cast<int32_t>(lost);
  block.extended_highest_sequence_number = LoadBigEndian32(&bytes[8]);
  block.jitter = LoadBigEndian32(&bytes[12]);
  block.last_sender_report = LoadBigEndian32(&bytes[16]);
  block.delay_since_last_sender_report = LoadBigEndian32(&bytes[20]);
  return block;
}

void ReportBlock::Write(uint8_t* out) const {
  StoreBigEndian32(&out[0], source_ssrc);
  out[4] = fraction_lost;
  StoreBigEndian24(&out[5], static_cast<uint32_t>(cumulative_lost) & 0xFFFFFF);
  StoreBigEndian32(&out[8], extended_highest_sequence_number);
  StoreBigEndian32(&out[12], jitter);
  StoreBigEndian32(&out[16], last_sender_report);
  StoreBigEndian32(&out[20], delay_since_last_sender_report);
}

int64_t RoundTripTimeMs(const ReportBlock& block, uint32_t now_compact_ntp) {
  if (block.last_sender_report == 0) return -1;
  const uint32_t rtt =
      now_compact_ntp - block.last_sender_report - block.delay_since_last_sender_report;
  // A negative result (clock skew, or a stale block) wraps to a huge value; report it as zero.
  if (rtt > 0x80000000u) return 0;
  return (int64_t{rtt} * 1000) >> 16;
}

}  // namespace auralink::rtc
