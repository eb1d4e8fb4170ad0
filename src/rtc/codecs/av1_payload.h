// AV1 RTP payloads (RTP Payload Format for AV1, s4.4 aggregation header, s4.5 payload
// structure): the aggregation header and the OBU elements behind it, each OBU header read for
// its type and layer ids. An SFU learns key frames here and layers from the Dependency
// Descriptor (dependency_descriptor.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/status.h"

namespace auralink::rtc {

// obu_type (AV1 bitstream specification s6.2.2).
enum class Av1ObuType : uint8_t {
  kSequenceHeader = 1,
  kTemporalDelimiter = 2,
  kFrameHeader = 3,
  kTileGroup = 4,
  kMetadata = 5,
  kFrame = 6,
  kRedundantFrameHeader = 7,
  kTileList = 8,
  kPadding = 15,
};

struct Av1Payload {
  bool first_element_continues = false;   // Z: the first element ends an OBU of the last packet
  bool last_element_continues = false;    // Y: the last element continues in the next packet
  bool new_coded_video_sequence = false;  // N: first packet of a coded video sequence
  int obu_element_count = 0;
  // Bit n set when an element starting an OBU has obu_type n.
  uint16_t obu_type_mask = 0;
  // From the first OBU extension header in the packet (AV1 s5.3.3), absent without one.
  std::optional<uint8_t> temporal_id;
  std::optional<uint8_t> spatial_id;
  // N=1 and a sequence header OBU: a decoder can start here.
  bool key_frame = false;

  bool HasObu(Av1ObuType type) const {
    return (obu_type_mask & (1u << static_cast<uint8_t>(type))) != 0;
  }

  static StatusOr<Av1Payload> Parse(std::span<const uint8_t> payload);
};

// Reads an unsigned LEB128 value (AV1 s4.10.5: at most 8 bytes, value below 2^32) at the start
// of `data`; returns the number of bytes it used, or 0 when malformed or truncated.
size_t ReadLeb128(std::span<const uint8_t> data, uint32_t* value);

}  // namespace auralink::rtc
