// RFC 3550 §6.5 source description (PT 202). AuraLink reads and writes the CNAME item (§6.5.1),
// the one WebRTC uses to tie a participant's streams together; other items are skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rtc/rtcp/rtcp_packet.h"

namespace auralink::rtc {

class SourceDescription {
 public:
  static constexpr size_t kMaxChunks = 31;

  struct Chunk {
    uint32_t ssrc = 0;
    std::string cname;  // empty when the chunk has no CNAME item
    bool operator==(const Chunk&) const = default;
  };
  std::vector<Chunk> chunks;

  static RtcpParseError Parse(const RtcpPacketView& packet, SourceDescription* description);

  // Chunks beyond 31 or CNAMEs beyond 255 bytes make Write fail.
  size_t Size() const;
  size_t Write(std::span<uint8_t> out) const;
};

}  // namespace auralink::rtc
