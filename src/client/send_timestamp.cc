#include "client/send_timestamp.h"

#include "rtc/rtp/big_endian.h"

namespace auralink::client {
namespace {

constexpr uint32_t kMarker = 0x414C5453;  // "ALTS"

}  // namespace

bool WriteSendTimestamp(std::span<uint8_t> payload, int64_t send_time_us) {
  if (payload.size() < kSendTimestampSize) return false;
  uint8_t* trailer = payload.data() + payload.size() - kSendTimestampSize;
  rtc::StoreBigEndian32(trailer, kMarker);
  rtc::StoreBigEndian64(trailer + 4, static_cast<uint64_t>(send_time_us));
  return true;
}

std::optional<int64_t> ReadSendTimestamp(std::span<const uint8_t> payload) {
  if (payload.size() < kSendTimestampSize) return std::nullopt;
  const uint8_t* trailer = payload.data() + payload.size() - kSendTimestampSize;
  if (rtc::LoadBigEndian32(trailer) != kMarker) return std::nullopt;
  return static_cast<int64_t>(rtc::LoadBigEndian64(trailer + 4));
}

}  // namespace auralink::client
