// Transport-wide congestion control feedback (RTPFB FMT 15,
// draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): for a range of transport-wide sequence
// numbers, which packets arrived and when. Parsed from subscribers' feedback for the send-side
// bandwidth estimate, and built from arrival records for the feedback the SFU sends to publishers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "rtc/rtcp/rtcp_packet.h"

namespace auralink::rtc {

class TwccFeedback {
 public:
  static constexpr int64_t kDeltaTickUs = 250;             // receive delta unit (§3.1.5)
  static constexpr int64_t kReferenceTimeTickUs = 64'000;  // reference time unit (§3.1)
  static constexpr size_t kHeaderSize = kRtcpFeedbackHeaderSize + 8;

  struct ReceivedPacket {
    uint16_t sequence_number = 0;
    int32_t delta_ticks = 0;      // from the previous received packet (or the reference time)
    int64_t arrival_time_us = 0;  // reference time plus the deltas up to this packet
    bool operator==(const ReceivedPacket&) const = default;
  };

  RtcpFeedbackHeader header;
  uint16_t base_sequence_number = 0;
  uint16_t packet_status_count = 0;  // packets base..base+count-1 are reported
  int32_t reference_time = 0;        // 24-bit signed, in 64 ms units
  uint8_t feedback_count = 0;        // feedback packet sequence number (§3.1)
  // In sequence order; every packet in the reported range that is absent here was lost.
  std::vector<ReceivedPacket> received;

  int64_t reference_time_us() const { return int64_t{reference_time} * kReferenceTimeTickUs; }

  // Reuses `feedback`'s vector, so a long-lived object parses without allocating after warm-up.
  static RtcpParseError Parse(const RtcpPacketView& packet, TwccFeedback* feedback);

  // Size and Write derive the chunks from `received`, whose sequence numbers must increase within
  // the reported range and whose deltas must fit 16 bits; otherwise Size() and Write() return 0.
  size_t Size() const;
  size_t Write(std::span<uint8_t> out) const;
};

struct TwccArrival {
  int64_t sequence_number = 0;  // unwrapped transport-wide sequence number
  int64_t arrival_time_us = 0;
};

// Turns arrival records into feedback packets no larger than `max_packet_size`, starting a new one
// when the next packet would not fit, when a receive delta exceeds the 16-bit range, or when the
// status count would overflow. Feedback counts continue from packet to packet.
class TwccFeedbackBuilder {
 public:
  static constexpr size_t kMinPacketSize = 64;
  // Gaps longer than this many packets are not reported as lost; reporting restarts after them.
  static constexpr int64_t kMaxReportedGap = 0x7FFF;

  TwccFeedbackBuilder(uint32_t sender_ssrc, uint32_t media_ssrc, size_t max_packet_size = 1200);

  // `arrivals` sorted by sequence number; records before `begin_sequence_number` or repeating one
  // are skipped. Packets from `begin_sequence_number` up to the first arrival are reported lost.
  void Build(int64_t begin_sequence_number, std::span<const TwccArrival> arrivals,
             std::vector<TwccFeedback>* out);

  uint8_t next_feedback_count() const { return next_feedback_count_; }

 private:
  RtcpFeedbackHeader header_;
  size_t max_packet_size_;
  uint8_t next_feedback_count_ = 0;
};

// What a receiver of transport-wide sequence numbers keeps between two feedbacks: each packet's
// number (unwrapped) and arrival time, turned into feedback packets when the receiver's schedule
// says (libwebrtc's receivers: about every 100 ms). The SFU keeps one per publisher connection,
// the native client one for its subscriber connection.
class TwccFeedbackRecorder {
 public:
  // Arrivals kept between two feedbacks; more are dropped (and reported lost).
  static constexpr size_t kMaxArrivals = 4096;

  // One packet; the first packet's `media_ssrc` names the feedback's media source.
  void OnPacket(uint16_t sequence_number, int64_t arrival_us, uint32_t media_ssrc);
  // Feedback packets (in `out`, replaced) for what arrived since the last call, from
  // `sender_ssrc`; none when nothing arrived. Packets between the last feedback's end and the first
  // arrival are reported lost.
  void TakeFeedback(uint32_t sender_ssrc, std::vector<TwccFeedback>* out);
  bool empty() const { return arrivals_.empty(); }

 private:
  std::vector<TwccArrival> arrivals_;
  int64_t last_unwrapped_ = -1;
  int64_t next_begin_ = -1;
  uint32_t media_ssrc_ = 0;
  std::unique_ptr<TwccFeedbackBuilder> builder_;
};

}  // namespace auralink::rtc
