// Send-side history for transport-wide congestion control (draft-holmer-rmcat-transport-wide-
// cc-extensions-01): every packet sent with a transport-wide sequence number is remembered with
// its size and send time, so the per-packet reports of a TWCC feedback message become
// (send time, arrival time, size) results for the delay and loss estimators.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

namespace auralink::sfu {

struct SentPacket {
  uint16_t transport_sequence_number = 0;
  size_t size_bytes = 0;  // RTP packet size including headers, as it counts against the link
  int64_t send_time_us = 0;
};

// One packet's entry of a transport feedback message, as the RTCP parser decodes it. Arrival
// times are on the receiver's clock: only their differences mean anything.
struct TransportFeedbackEntry {
  uint16_t transport_sequence_number = 0;
  bool received = false;
  int64_t arrival_time_us = 0;
};

struct PacketResult {
  int64_t transport_sequence_number = 0;  // unwrapped
  size_t size_bytes = 0;
  int64_t send_time_us = 0;
  bool received = false;
  int64_t arrival_time_us = 0;  // valid when received
};

struct TransportPacketsFeedback {
  int64_t feedback_time_us = 0;
  std::vector<PacketResult> packets;  // in transport sequence order, known packets only
  // Send-to-feedback time of the newest packet reported received: an upper bound on the RTT
  // (it includes the receiver's feedback interval).
  std::optional<int64_t> round_trip_time_us;
  size_t received_count() const;
  size_t lost_count() const;
};

class TransportFeedbackAdapter {
 public:
  void OnPacketSent(const SentPacket& packet);
  // Matches the entries to sent packets; entries for unknown or forgotten packets are skipped.
  // A packet reported received twice counts once; one first reported lost may later arrive.
  TransportPacketsFeedback OnTransportFeedback(std::span<const TransportFeedbackEntry> entries,
                                               int64_t feedback_time_us);
  size_t history_size() const { return history_.size(); }

 private:
  struct Entry {
    bool sent = false;
    bool acknowledged = false;
    size_t size_bytes = 0;
    int64_t send_time_us = 0;
  };
  // Packets older than this are forgotten (libwebrtc keeps 60 s; feedback comes every ~100 ms).
  static constexpr int64_t kHistoryUs = 10'000'000;
  static constexpr size_t kMaxHistory = 1 << 15;  // half the sequence space, to unwrap safely

  std::deque<Entry> history_;  // history_[i] holds sequence first_sequence_ + i
  int64_t first_sequence_ = 0;
  std::optional<int64_t> last_sent_sequence_;
};

}  // namespace auralink::sfu
