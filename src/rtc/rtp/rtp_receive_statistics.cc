#include "rtc/rtp/rtp_receive_statistics.h"

#include <algorithm>
#include <cstdlib>

namespace auralink::rtc {
namespace {

// RFC 3550 §A.1 constants.
constexpr uint32_t kRtpSequenceModulus = 1u << 16;
constexpr uint32_t kMaxDropout = 3000;
constexpr uint32_t kMaxMisorder = 100;
constexpr int kMinSequential = 2;

}  // namespace

RtpReceiveStatistics::RtpReceiveStatistics(uint32_t ssrc, uint32_t clock_rate_hz)
    : ssrc_(ssrc), clock_rate_hz_(clock_rate_hz) {}

void RtpReceiveStatistics::InitSequence(uint16_t sequence_number) {
  base_seq_ = sequence_number;
  max_seq_ = sequence_number;
  bad_seq_ = kRtpSequenceModulus + 1;  // so seq == bad_seq is false
  cycles_ = 0;
  received_ = 0;
  received_prior_ = 0;
  expected_prior_ = 0;
}

bool RtpReceiveStatistics::UpdateSequence(uint16_t seq) {
  const uint16_t udelta = static_cast<uint16_t>(seq - max_seq_);
  if (probation_ > 0) {
    // A new source is valid after kMinSequential packets in sequence.
    if (seq == static_cast<uint16_t>(max_seq_ + 1)) {
      --probation_;
      max_seq_ = seq;
      if (probation_ == 0) {
        InitSequence(seq);
        validated_ = true;
        ++received_;
        return true;
      }
    } else {
      probation_ = kMinSequential - 1;
      max_seq_ = seq;
    }
    return false;
  }
  if (udelta < kMaxDropout) {
    if (seq < max_seq_) cycles_ += kRtpSequenceModulus;  // in order, with wrap
    max_seq_ = seq;
  } else if (udelta <= kRtpSequenceModulus - kMaxMisorder) {
    // A very large jump: accept it only when the next packet confirms the new numbering (the
    // sender restarted without changing SSRC).
    if (seq == bad_seq_) {
      InitSequence(seq);
    } else {
      bad_seq_ = (uint32_t{seq} + 1) & (kRtpSequenceModulus - 1);
      return false;
    }
  }
  // Otherwise a duplicate or reordered packet, counted but not moving max_seq.
  ++received_;
  return true;
}

void RtpReceiveStatistics::OnPacket(uint16_t sequence_number, uint32_t rtp_timestamp,
                                    int64_t arrival_time_us, bool is_retransmission) {
  if (!seen_) {
    seen_ = true;
    InitSequence(sequence_number);
    max_seq_ = static_cast<uint16_t>(sequence_number - 1);
    probation_ = kMinSequential;
  }
  const uint16_t previous_max = max_seq_;
  if (!UpdateSequence(sequence_number) || is_retransmission) return;
  // §A.8: jitter from the transit-time difference of packets taken in arrival order. Arrival is
  // converted to timestamp units; both clocks wrap modulo 2^32 so differences use unsigned math.
  const bool advanced = sequence_number == max_seq_ && sequence_number != previous_max;
  if (!advanced) return;
  const uint64_t arrival_us = static_cast<uint64_t>(arrival_time_us);
  const uint32_t arrival =
      static_cast<uint32_t>((arrival_us / 1'000'000) * clock_rate_hz_ +
                            (arrival_us % 1'000'000) * clock_rate_hz_ / 1'000'000);
  const uint32_t transit = arrival - rtp_timestamp;
  if (has_transit_) {
    const int32_t d = static_cast<int32_t>(transit - last_transit_);
    const uint32_t magnitude = static_cast<uint32_t>(d < 0 ? -static_cast<int64_t>(d) : d);
    // J += (|D| - J) / 16, kept as J * 16 (§A.8 integer form).
    jitter_q4_ += magnitude - ((jitter_q4_ + 8) >> 4);
  }
  last_transit_ = transit;
  has_transit_ = true;
}

void RtpReceiveStatistics::OnSenderReport(uint64_t ntp_timestamp, int64_t now_us) {
  last_sr_compact_ntp_ = static_cast<uint32_t>(ntp_timestamp >> 16);
  last_sr_arrival_us_ = now_us;
}

int32_t RtpReceiveStatistics::cumulative_lost() const {
  if (!validated_) return 0;
  const int64_t expected = int64_t{extended_highest_sequence_number()} - base_seq_ + 1;
  const int64_t lost = expected - received_;
  return static_cast<int32_t>(std::clamp<int64_t>(lost, -0x800000, 0x7FFFFF));
}

ReportBlock RtpReceiveStatistics::MakeReportBlock(int64_t now_us) {
  ReportBlock block;
  block.source_ssrc = ssrc_;
  if (validated_) {
    const uint32_t extended_max = extended_highest_sequence_number();
    const uint32_t expected = extended_max - base_seq_ + 1;
    // §A.3: fraction lost over the interval since the previous report, 0 when packets arrived
    // twice (duplicates make lost_interval negative).
    const int64_t expected_interval = int64_t{expected} - expected_prior_;
    const int64_t received_interval = int64_t{received_} - received_prior_;
    const int64_t lost_interval = expected_interval - received_interval;
    expected_prior_ = expected;
    received_prior_ = received_;
    block.fraction_lost = (expected_interval == 0 || lost_interval <= 0)
                              ? 0
                              : static_cast<uint8_t>(std::min<int64_t>(
                                    (lost_interval << 8) / expected_interval, 255));
    block.cumulative_lost = cumulative_lost();
    block.extended_highest_sequence_number = extended_max;
    block.jitter = jitter();
  }
  if (last_sr_arrival_us_ >= 0) {
    block.last_sender_report = last_sr_compact_ntp_;
    // DLSR in units of 1/65536 s.
    const int64_t delay_us = std::max<int64_t>(now_us - last_sr_arrival_us_, 0);
    block.delay_since_last_sender_report =
        static_cast<uint32_t>(std::min<int64_t>((delay_us * 65536) / 1'000'000, 0xFFFFFFFF));
  }
  return block;
}

}  // namespace auralink::rtc
