// Reception statistics of one incoming RTP stream, as RFC 3550 defines them for receiver report
// blocks: sequence validation and the extended highest sequence number (§A.1), cumulative and
// fraction lost (§A.3), interarrival jitter (§A.8), and LSR/DLSR from the last sender report
// (§6.4.1).
#pragma once

#include <cstdint>

#include "rtc/rtcp/report_block.h"

namespace auralink::rtc {

class RtpReceiveStatistics {
 public:
  // `clock_rate_hz` is the RTP timestamp rate of the stream's payload format (48000 for Opus, 90000
  // for video).
  RtpReceiveStatistics(uint32_t ssrc, uint32_t clock_rate_hz);

  // Feeds one received packet. Retransmissions count as received but are left out of the jitter
  // (their transit time says nothing about the network's jitter).
  void OnPacket(uint16_t sequence_number, uint32_t rtp_timestamp, int64_t arrival_time_us,
                bool is_retransmission = false);
  // Records a sender report for this SSRC: `ntp_timestamp` is the SR's 64-bit NTP time.
  void OnSenderReport(uint64_t ntp_timestamp, int64_t now_us);

  // A report block for an RR or SR, and the start of a new fraction-lost interval (§A.3).
  ReportBlock MakeReportBlock(int64_t now_us);

  bool has_packets() const { return validated_; }
  uint32_t ssrc() const { return ssrc_; }
  uint32_t extended_highest_sequence_number() const { return cycles_ + max_seq_; }
  uint32_t packets_received() const { return received_; }
  // Expected minus received, clamped to the 24-bit signed field of the report block.
  int32_t cumulative_lost() const;
  // In timestamp units (§A.8 "J" scaled back from the 1/16 fixed point).
  uint32_t jitter() const { return jitter_q4_ >> 4; }

 private:
  void InitSequence(uint16_t sequence_number);
  bool UpdateSequence(uint16_t sequence_number);

  uint32_t ssrc_;
  uint32_t clock_rate_hz_;

  // §A.1 state.
  bool seen_ = false;
  bool validated_ = false;
  uint16_t max_seq_ = 0;
  uint32_t cycles_ = 0;
  uint32_t base_seq_ = 0;
  uint32_t bad_seq_ = 0;
  int probation_ = 0;
  uint32_t received_ = 0;
  uint32_t expected_prior_ = 0;
  uint32_t received_prior_ = 0;

  // §A.8 state.
  bool has_transit_ = false;
  uint32_t last_transit_ = 0;
  uint32_t jitter_q4_ = 0;

  // Last SR: the middle 32 bits of its NTP time and when it arrived.
  uint32_t last_sr_compact_ntp_ = 0;
  int64_t last_sr_arrival_us_ = -1;
};

}  // namespace auralink::rtc
