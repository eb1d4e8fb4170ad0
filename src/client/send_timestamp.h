// A send time the emulated publishers write into the last bytes of every RTP payload, so that a
// subscriber in the same process (CLOCK_MONOTONIC is shared) can measure the one-way delay through
// the server without clock synchronisation. The marker keeps stray payloads from being read as
// times.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace auralink::client {

inline constexpr size_t kSendTimestampSize = 12;  // 4-byte marker + 8-byte microseconds

// Writes the trailer into the last kSendTimestampSize bytes of `payload`; false when too short.
bool WriteSendTimestamp(std::span<uint8_t> payload, int64_t send_time_us);
// The send time from a payload's trailer; nullopt when the payload carries none.
std::optional<int64_t> ReadSendTimestamp(std::span<const uint8_t> payload);

}  // namespace auralink::client
