#include "rtc/codecs/av1_payload.h"

namespace auralink::rtc {

size_t ReadLeb128(std::span<const uint8_t> data, uint32_t* value) {
  uint64_t result = 0;
  for (size_t i = 0; i < 8 && i < data.size(); ++i) {
    result |= static_cast<uint64_t>(data[i] & 0x7F) << (7 * i);
    if ((data[i] & 0x80) == 0) {
      if (result > 0xFFFFFFFFu) return 0;
      *value = static_cast<uint32_t>(result);
      return i + 1;
    }
  }
  return 0;
}

StatusOr<Av1Payload> Av1Payload::Parse(std::span<const uint8_t> payload) {
  if (payload.empty()) return Status::Error("AV1 payload is empty");
  Av1Payload p;
  const uint8_t header = payload[0];
  p.first_element_continues = (header & 0x80) != 0;
  p.last_element_continues = (header & 0x40) != 0;
  const int declared_count = (header >> 4) & 0x03;  // W: 0 means every element has a length
  p.new_coded_video_sequence = (header & 0x08) != 0;
  if (p.new_coded_video_sequence && p.first_element_continues) {
    return Status::Error("AV1 aggregation header sets N on a continuation (Z=1)");
  }

  size_t pos = 1;
  while (pos < payload.size()) {
    const bool last_declared = declared_count != 0 && p.obu_element_count + 1 == declared_count;
    size_t size = payload.size() - pos;
    if (!last_declared) {
      uint32_t length = 0;
      const size_t used = ReadLeb128(payload.subspan(pos), &length);
      if (used == 0) return Status::Error("AV1 OBU element length is malformed or truncated");
      pos += used;
      if (length > payload.size() - pos) return Status::Error("AV1 OBU element overruns packet");
      size = length;
    }
    if (size == 0) return Status::Error("AV1 OBU element is empty");
    const bool continuation = p.obu_element_count == 0 && p.first_element_continues;
    if (!continuation) {
      const uint8_t obu_header = payload[pos];
      if ((obu_header & 0x80) != 0) return Status::Error("AV1 OBU header has forbidden bit set");
      p.obu_type_mask |= static_cast<uint16_t>(1u << ((obu_header >> 3) & 0x0F));
      if ((obu_header & 0x04) != 0) {  // obu_extension_flag
        if (size < 2) return Status::Error("AV1 OBU extension header truncated");
        if (!p.temporal_id) {
          p.temporal_id = static_cast<uint8_t>(payload[pos + 1] >> 5);
          p.spatial_id = static_cast<uint8_t>((payload[pos + 1] >> 3) & 0x03);
        }
      }
    }
    ++p.obu_element_count;
    pos += size;
    if (last_declared) break;
  }
  if (p.obu_element_count == 0) return Status::Error("AV1 payload carries no OBU element");
  if (declared_count != 0 && p.obu_element_count != declared_count) {
    return Status::Error("AV1 payload has fewer OBU elements than W declares");
  }
  p.key_frame = p.new_coded_video_sequence && p.HasObu(Av1ObuType::kSequenceHeader);
  return p;
}

}  // namespace auralink::rtc
