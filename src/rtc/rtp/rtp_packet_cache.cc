#include "rtc/rtp/rtp_packet_cache.h"

#include <cstring>
#include <string>

namespace auralink::rtc {

StatusOr<std::unique_ptr<RtpPacketCache>> RtpPacketCache::Create(
    const RtpPacketCacheConfig& config) {
  const size_t n = config.slot_count;
  if (n == 0 || n > 32768 || (n & (n - 1)) != 0) {
    return Status::Error("RTP packet cache slot count " + std::to_string(n) +
                         " is not a power of two in [1, 32768]");
  }
  if (config.slot_size < RtpPacket::kFixedHeaderSize || config.slot_size > 0xFFFF) {
    return Status::Error("RTP packet cache slot size " + std::to_string(config.slot_size) +
                         " is outside [12, 65535]");
  }
  if (config.max_age_ms <= 0) return Status::Error("RTP packet cache max age must be positive");
  return std::unique_ptr<RtpPacketCache>(new RtpPacketCache(config));
}

RtpPacketCache::RtpPacketCache(const RtpPacketCacheConfig& config)
    : config_(config),
      mask_(config.slot_count - 1),
      storage_(config.slot_count * config.slot_size),
      slots_(config.slot_count) {}

bool RtpPacketCache::Insert(const RtpPacket& packet, int64_t now_ms) {
  return Insert(packet.data(), packet.sequence_number(), now_ms);
}

bool RtpPacketCache::Insert(std::span<const uint8_t> packet, uint16_t sequence_number,
                            int64_t now_ms) {
  if (packet.size() > config_.slot_size) return false;
  const int64_t unwrapped = unwrapper_.Unwrap(sequence_number);
  Slot& slot = slots_[sequence_number & mask_];
  if (slot.unwrapped_sequence_number > unwrapped) return false;  // a late, older copy
  if (unwrapped > highest_) highest_ = unwrapped;
  slot.unwrapped_sequence_number = unwrapped;
  slot.stored_ms = now_ms;
  slot.size = static_cast<uint16_t>(packet.size());
  std::memcpy(&storage_[(sequence_number & mask_) * config_.slot_size], packet.data(),
              packet.size());
  return true;
}

RtpPacketCache::Slot* RtpPacketCache::FindSlot(uint16_t sequence_number, int64_t now_ms) {
  if (highest_ == kEmpty) return nullptr;
  const int64_t unwrapped = unwrapper_.PeekUnwrap(sequence_number);
  if (unwrapped > highest_ || highest_ - unwrapped >= static_cast<int64_t>(slots_.size())) {
    return nullptr;
  }
  Slot& slot = slots_[sequence_number & mask_];
  if (slot.unwrapped_sequence_number != unwrapped) return nullptr;
  if (now_ms - slot.stored_ms > config_.max_age_ms) return nullptr;
  return &slot;
}

std::span<uint8_t> RtpPacketCache::Find(uint16_t sequence_number, int64_t now_ms) {
  Slot* slot = FindSlot(sequence_number, now_ms);
  if (slot == nullptr) return {};
  return std::span<uint8_t>(&storage_[(sequence_number & mask_) * config_.slot_size], slot->size);
}

void RtpPacketCache::Clear() {
  for (Slot& slot : slots_) slot = Slot{};
  unwrapper_.Reset();
  highest_ = kEmpty;
}

}  // namespace auralink::rtc
