#include "rtc/codecs/h264_payload.h"

namespace auralink::rtc {
namespace {

constexpr uint8_t kTypeSlice = 1;
constexpr uint8_t kTypeIdr = 5;
constexpr uint8_t kTypeSei = 6;
constexpr uint8_t kTypeSps = 7;
constexpr uint8_t kTypePps = 8;
constexpr uint8_t kTypeAccessUnitDelimiter = 9;
constexpr uint8_t kTypeStapA = 24;
constexpr uint8_t kTypeFuA = 28;

// Whether a NAL unit of this type, starting with these slice header bytes (the ones after the
// NAL header), opens an access unit. first_mb_in_slice is ue(v): it is 0 exactly when the first
// bit of the slice header is 1.
bool OpensAccessUnit(uint8_t type, std::span<const uint8_t> after_header) {
  switch (type) {
    case kTypeSps:
    case kTypePps:
    case kTypeSei:
    case kTypeAccessUnitDelimiter:
      return true;
    case kTypeSlice:
    case kTypeIdr:
      return !after_header.empty() && (after_header[0] & 0x80) != 0;
    default:
      return false;
  }
}

void Note(uint8_t type, H264Payload* p) {
  p->nal_type_mask |= uint32_t{1} << type;
  ++p->nal_unit_count;
  if (type == kTypeIdr) p->has_idr = true;
  if (type == kTypeSps) p->has_sps = true;
  if (type == kTypePps) p->has_pps = true;
}

}  // namespace

StatusOr<H264Payload> H264Payload::Parse(std::span<const uint8_t> payload) {
  if (payload.empty()) return Status::Error("H.264 payload is empty");
  if ((payload[0] & 0x80) != 0) return Status::Error("H.264 NAL header has forbidden_zero_bit set");
  H264Payload p;
  const uint8_t type = payload[0] & 0x1F;
  if (type >= 1 && type <= 23) {
    p.packetization = H264Packetization::kSingleNalUnit;
    Note(type, &p);
    p.start_of_frame = OpensAccessUnit(type, payload.subspan(1));
  } else if (type == kTypeStapA) {
    p.packetization = H264Packetization::kStapA;
    size_t pos = 1;
    while (pos < payload.size()) {
      if (payload.size() - pos < 2) return Status::Error("H.264 STAP-A truncated in NALU size");
      const size_t size = (static_cast<size_t>(payload[pos]) << 8) | payload[pos + 1];
      pos += 2;
      if (size == 0) return Status::Error("H.264 STAP-A has an empty NAL unit");
      if (size > payload.size() - pos) return Status::Error("H.264 STAP-A NAL unit overruns");
      const std::span<const uint8_t> nal = payload.subspan(pos, size);
      const uint8_t nal_type = nal[0] & 0x1F;
      if (p.nal_unit_count == 0) p.start_of_frame = OpensAccessUnit(nal_type, nal.subspan(1));
      Note(nal_type, &p);
      pos += size;
    }
    if (p.nal_unit_count == 0) return Status::Error("H.264 STAP-A carries no NAL unit");
  } else if (type == kTypeFuA) {
    p.packetization = H264Packetization::kFuA;
    if (payload.size() < 3) return Status::Error("H.264 FU-A shorter than its headers");
    const uint8_t fu_header = payload[1];
    p.starts_nal_unit = (fu_header & 0x80) != 0;
    p.ends_nal_unit = (fu_header & 0x40) != 0;
    if (p.starts_nal_unit && p.ends_nal_unit) {
      return Status::Error("H.264 FU-A has both start and end bits set");
    }
    const uint8_t nal_type = fu_header & 0x1F;
    Note(nal_type, &p);
    p.start_of_frame = p.starts_nal_unit && OpensAccessUnit(nal_type, payload.subspan(2));
  } else {
    return Status::Error("H.264 packetization type " + std::to_string(type) +
                         " is not supported (modes 0 and 1 only)");
  }
  p.key_frame = p.has_idr || (p.has_sps && p.has_pps);
  return p;
}

}  // namespace auralink::rtc
