// RFC 3550 §6.4.1 reception report block, carried in SR and RR packets (24 bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace auralink::rtc {

struct ReportBlock {
  static constexpr size_t kSize = 24;

  uint32_t source_ssrc = 0;
  uint8_t fraction_lost = 0;    // of 256, over the interval since the previous report
  int32_t cumulative_lost = 0;  // 24-bit signed on the wire
  uint32_t extended_highest_sequence_number = 0;
  uint32_t jitter = 0;                          // in timestamp units
  uint32_t last_sender_report = 0;              // LSR: middle 32 bits of the last SR's NTP time
  uint32_t delay_since_last_sender_report = 0;  // DLSR, 1/65536 s

  // `bytes` holds at least kSize bytes.
  static ReportBlock Parse(std::span<const uint8_t> bytes);
  void Write(uint8_t* out) const;

  bool operator==(const ReportBlock&) const = default;
};

// The middle 32 bits of a 64-bit NTP timestamp (RFC 3550 §4), the unit of LSR and DLSR arithmetic.
inline uint32_t CompactNtp(uint64_t ntp_timestamp) {
  return static_cast<uint32_t>(ntp_timestamp >> 16);
}

// Round-trip time seen by the sender of an SR from a report block about its stream (RFC 3550
// §6.4.1, "A - LSR - DLSR"), in milliseconds; -1 when the block has no LSR yet.
// `now_compact_ntp` is the sender's clock when the block arrived.
int64_t RoundTripTimeMs(const ReportBlock& block, uint32_t now_compact_ntp);

}  // namespace auralink::rtc
