// RFC 4585 §6.3.1 picture loss indication (PSFB FMT 1): the feedback header and no FCI. The SFU
// sends it to a publisher when a subscriber or its own NACK state needs a key frame.
#pragma once

#include <cstddef>
#include <span>

#include "rtc/rtcp/rtcp_packet.h"

namespace auralink::rtc {

class PictureLossIndication {
 public:
  RtcpFeedbackHeader header;

  static RtcpParseError Parse(const RtcpPacketView& packet, PictureLossIndication* pli);

  size_t Size() const { return kRtcpFeedbackHeaderSize; }
  size_t Write(std::span<uint8_t> out) const;
};

}  // namespace auralink::rtc
