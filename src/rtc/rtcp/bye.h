// RFC 3550 §6.6 goodbye (PT 203): the SSRCs that leave and an optional reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rtc/rtcp/rtcp_packet.h"

namespace auralink::rtc {

class Bye {
 public:
  static constexpr size_t kMaxSsrcs = 31;

  std::vector<uint32_t> ssrcs;
  std::string reason;  // at most 255 bytes

  static RtcpParseError Parse(const RtcpPacketView& packet, Bye* bye);

  size_t Size() const;
  size_t Write(std::span<uint8_t> out) const;
};

}  // namespace auralink::rtc
