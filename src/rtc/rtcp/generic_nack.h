// RFC 4585 §6.2.1 generic NACK (RTPFB FMT 1): lost sequence numbers packed as a packet ID (PID)
// and a bitmask of the 16 following packets (BLP).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rtc/rtcp/rtcp_packet.h"

namespace auralink::rtc {

class GenericNack {
 public:
  struct Item {
    uint16_t packet_id = 0;
    uint16_t lost_bitmask = 0;  // bit i set: packet_id + i + 1 is lost too
    bool operator==(const Item&) const = default;
  };

  RtcpFeedbackHeader header;
  std::vector<Item> items;

  static RtcpParseError Parse(const RtcpPacketView& packet, GenericNack* nack);

  // Packs sequence numbers given in sending order (wrap-around allowed) into as few items as a
  // greedy pass gives: each item starts at the first number its predecessor cannot cover.
  void SetSequenceNumbers(std::span<const uint16_t> sequence_numbers);
  // Unpacks into `out` (cleared first), in item order.
  void GetSequenceNumbers(std::vector<uint16_t>* out) const;

  size_t Size() const { return kRtcpFeedbackHeaderSize + 4 * items.size(); }
  // 0 when `out` is too small or the packet would exceed the 16-bit length field.
  size_t Write(std::span<uint8_t> out) const;
};

}  // namespace auralink::rtc
