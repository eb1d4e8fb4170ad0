// RFC 7983 §7 demultiplexing of one port shared by STUN, DTLS and SRTP/SRTCP, by the first byte;
// RFC 5761 §4 tells RTCP from RTP by the second (RTCP packet types 192-223).
#pragma once

#include <cstddef>
#include <cstdint>

namespace auralink::rtc {

inline bool IsStunFirstByte(uint8_t first) { return first <= 3; }
inline bool IsDtlsFirstByte(uint8_t first) { return first >= 20 && first <= 63; }
inline bool IsRtpOrRtcpFirstByte(uint8_t first) { return first >= 128 && first <= 191; }
inline bool IsRtcpPacket(const uint8_t* data, size_t size) {
  return size >= 2 && data[1] >= 192 && data[1] <= 223;
}

}  // namespace auralink::rtc
