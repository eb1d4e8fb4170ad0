// Receiver-side loss detection for a stream arriving from a publisher: tracks sequence numbers
// (wrap-around, reordering, restarts), and says which missing packets to request with a generic
// NACK (RFC 4585 §6.2.1) now. A request is repeated once per round-trip time until the packet
// arrives, a retry limit is reached, or it is too old to matter. When more packets are missing than
// are worth asking for, it asks for a key frame instead (RFC 4585 §6.3.1 PLI).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace auralink::rtc {

struct NackGeneratorConfig {
  size_t max_list_size = 1000;     // missing packets tracked at once
  int64_t max_packet_age = 10000;  // in sequence numbers behind the newest packet
  int64_t max_age_ms = 1000;       // since the gap was seen
  int max_retries = 10;
  int64_t min_resend_interval_ms = 10;  // floor for the RTT-based resend interval
  int64_t initial_rtt_ms = 100;
  // A forward jump beyond this restarts tracking (RFC 3550 §A.1 MAX_DROPOUT): the sender restarted
  // or the gap is too wide for retransmission to help.
  int64_t reset_jump = 3000;
};

class NackGenerator {
 public:
  explicit NackGenerator(const NackGeneratorConfig& config = {});

  // Feeds one received packet (an original or one recovered through RTX). Returns the sequence
  // numbers to NACK right away: packets found missing by this arrival. The span is valid until the
  // next call.
  std::span<const uint16_t> OnPacket(uint16_t sequence_number, int64_t now_ms,
                                     bool is_key_frame = false);
  // Returns the sequence numbers whose previous request is one resend interval old.
  std::span<const uint16_t> Tick(int64_t now_ms);

  void SetRtt(int64_t rtt_ms) { rtt_ms_ = rtt_ms; }
  // True once after the list overflowed or tracking restarted: the caller sends a PLI.
  bool TakeKeyFrameRequest();

  size_t missing_count() const { return entries_.size(); }
  uint64_t key_frame_requests() const { return key_frame_requests_; }
  uint64_t recovered_packets() const { return recovered_packets_; }
  uint64_t abandoned_packets() const { return abandoned_packets_; }

 private:
  struct Entry {
    int64_t sequence_number;  // unwrapped
    int64_t created_ms;
    int64_t sent_ms;
    int retries;
  };

  void AddMissing(int64_t first, int64_t end, int64_t now_ms);
  void RequestKeyFrame();
  std::span<const uint16_t> Collect(int64_t now_ms, bool first_requests_only);

  NackGeneratorConfig config_;
  bool started_ = false;
  int64_t newest_ = 0;
  int64_t last_key_frame_ = -1;
  bool has_key_frame_ = false;
  int64_t rtt_ms_;
  bool key_frame_pending_ = false;
  uint64_t key_frame_requests_ = 0;
  uint64_t recovered_packets_ = 0;
  uint64_t abandoned_packets_ = 0;
  std::vector<Entry> entries_;  // sorted by sequence number, reserved once
  std::vector<uint16_t> batch_;
};

}  // namespace auralink::rtc
