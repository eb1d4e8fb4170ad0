// RFC 5104 §4.3.1 full intra request (PSFB FMT 4). The media source SSRC in the feedback header is
// unused (0); each FCI entry names the SSRC to refresh and a command sequence number that the
// sender increments for each new request (§4.3.1.2) so repeats are recognised.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rtc/rtcp/rtcp_packet.h"

namespace auralink::rtc {

class FullIntraRequest {
 public:
  struct Entry {
    uint32_t ssrc = 0;
    uint8_t sequence_number = 0;
    bool operator==(const Entry&) const = default;
  };

  uint32_t sender_ssrc = 0;
  std::vector<Entry> entries;

  static RtcpParseError Parse(const RtcpPacketView& packet, FullIntraRequest* fir);

  size_t Size() const { return kRtcpFeedbackHeaderSize + 8 * entries.size(); }
  size_t Write(std::span<uint8_t> out) const;
};

}  // namespace auralink::rtc
