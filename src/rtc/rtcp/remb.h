// Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb-03 §2.2): an application-layer
// feedback message (PSFB FMT 15) tagged "REMB", carrying a bitrate as an 18-bit mantissa and a
// 6-bit exponent, and the SSRCs it applies to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rtc/rtcp/rtcp_packet.h"

namespace auralink::rtc {

class Remb {
 public:
  static constexpr size_t kMaxSsrcs = 255;

  uint32_t sender_ssrc = 0;
  uint64_t bitrate_bps = 0;
  std::vector<uint32_t> ssrcs;

  // kUnsupported for an application-layer message that is not REMB.
  static RtcpParseError Parse(const RtcpPacketView& packet, Remb* remb);

  size_t Size() const { return kRtcpFeedbackHeaderSize + 8 + 4 * ssrcs.size(); }
  // Rounds the bitrate down to what 18 bits of mantissa can say.
  size_t Write(std::span<uint8_t> out) const;
};

}  // namespace auralink::rtc
