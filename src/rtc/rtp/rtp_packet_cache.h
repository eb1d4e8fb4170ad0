// Recent packets of one RTP stream, kept for NACK retransmission (RFC 4585 §6.2.1, RFC 4588): the
// SFU keeps each published layer's packets once, for all its subscribers (sfu::PublishedTrack). Slots are preallocated once, indexed by sequence number modulo the slot count, so
// storing and looking up a packet never allocates.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/status.h"
#include "rtc/rtp/rtp_packet.h"
#include "rtc/rtp/sequence_number.h"

namespace auralink::rtc {

struct RtpPacketCacheConfig {
  size_t slot_count = 1024;   // a power of two up to 32768 so slots line up across the 2^16 wrap
  size_t slot_size = 1500;    // bytes; larger packets are not stored
  int64_t max_age_ms = 1000;  // older packets are not worth resending (the receiver has moved on)
};

class RtpPacketCache {
 public:
  static StatusOr<std::unique_ptr<RtpPacketCache>> Create(const RtpPacketCacheConfig& config);

  // Copies the packet into the slot of its sequence number. False when it is larger than a slot or
  // older than what the cache already holds for that slot's window.
  bool Insert(const RtpPacket& packet, int64_t now_ms);
  bool Insert(std::span<const uint8_t> packet, uint16_t sequence_number, int64_t now_ms);

  // The stored bytes of `sequence_number` (valid until the slot is overwritten), or empty when it
  // was never stored, has been replaced by a newer packet, or is older than max_age_ms.
  std::span<uint8_t> Find(uint16_t sequence_number, int64_t now_ms);

  void Clear();
  const RtpPacketCacheConfig& config() const { return config_; }

 private:
  static constexpr int64_t kEmpty = INT64_MIN;
  struct Slot {
    int64_t unwrapped_sequence_number = kEmpty;
    int64_t stored_ms = 0;
    uint16_t size = 0;
  };

  explicit RtpPacketCache(const RtpPacketCacheConfig& config);
  Slot* FindSlot(uint16_t sequence_number, int64_t now_ms);

  RtpPacketCacheConfig config_;
  size_t mask_;
  std::vector<uint8_t> storage_;
  std::vector<Slot> slots_;
  SequenceNumberUnwrapper unwrapper_;
  int64_t highest_ = kEmpty;
};

}  // namespace auralink::rtc
