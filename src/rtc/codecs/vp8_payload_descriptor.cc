#include "rtc/codecs/vp8_payload_descriptor.h"

namespace auralink::rtc {
namespace {

// Offsets of the fields Rewrite() touches, found by the same walk Parse() does.
struct Vp8FieldOffsets {
  std::optional<size_t> picture_id;
  bool picture_id_15_bit = false;
  std::optional<size_t> tl0_pic_idx;
  size_t descriptor_size = 0;
};

StatusOr<Vp8FieldOffsets> FindFields(std::span<const uint8_t> payload) {
  Vp8FieldOffsets offsets;
  if (payload.empty()) return Status::Error("VP8 payload is empty");
  size_t pos = 1;
  if ((payload[0] & 0x80) != 0) {  // X: extension octet (RFC 7741 s4.2)
    if (payload.size() < 2) return Status::Error("VP8 descriptor truncated in extension octet");
    const uint8_t extension = payload[1];
    pos = 2;
    if ((extension & 0x80) != 0) {  // I
      if (pos >= payload.size()) return Status::Error("VP8 descriptor truncated in PictureID");
      offsets.picture_id = pos;
      offsets.picture_id_15_bit = (payload[pos] & 0x80) != 0;  // M
      pos += offsets.picture_id_15_bit ? 2 : 1;
      if (pos > payload.size()) return Status::Error("VP8 descriptor truncated in PictureID");
    }
    if ((extension & 0x40) != 0) {  // L
      if (pos >= payload.size()) return Status::Error("VP8 descriptor truncated in TL0PICIDX");
      offsets.tl0_pic_idx = pos++;
    }
    if ((extension & 0x30) != 0) {  // T or K share one octet
      if (pos >= payload.size()) return Status::Error("VP8 descriptor truncated in TID/KEYIDX");
      ++pos;
    }
  }
  offsets.descriptor_size = pos;
  return offsets;
}

}  // namespace

StatusOr<Vp8PayloadDescriptor> Vp8PayloadDescriptor::Parse(std::span<const uint8_t> payload) {
  auto offsets = FindFields(payload);
  if (!offsets.ok()) return offsets.status();
  Vp8PayloadDescriptor d;
  const uint8_t first = payload[0];
  d.non_reference = (first & 0x20) != 0;
  d.start_of_partition = (first & 0x10) != 0;
  d.partition_index = first & 0x07;
  if (offsets->picture_id) {
    const size_t at = *offsets->picture_id;
    d.picture_id_15_bit = offsets->picture_id_15_bit;
    d.picture_id = d.picture_id_15_bit
                       ? static_cast<uint16_t>(((payload[at] & 0x7F) << 8) | payload[at + 1])
                       : static_cast<uint16_t>(payload[at] & 0x7F);
  }
  if (offsets->tl0_pic_idx) d.tl0_pic_idx = payload[*offsets->tl0_pic_idx];
  if ((first & 0x80) != 0) {
    const uint8_t extension = payload[1];
    const uint8_t tid_octet = payload[offsets->descriptor_size - 1];
    if ((extension & 0x20) != 0) {  // T
      d.temporal_id = static_cast<uint8_t>(tid_octet >> 6);
      d.layer_sync = (tid_octet & 0x20) != 0;
    }
    if ((extension & 0x10) != 0) d.key_index = tid_octet & 0x1F;  // K
  }
  d.descriptor_size = offsets->descriptor_size;
  d.start_of_frame = d.start_of_partition && d.partition_index == 0;

  // The payload header follows only at the start of a frame (RFC 7741 s4.3): P is bit 0 of the
  // first octet and is 0 for key frames, whose 10-byte header carries the start code 9d 01 2a
  // and 14-bit width and height, little endian (RFC 6386 s9.1).
  const std::span<const uint8_t> vp8 = payload.subspan(d.descriptor_size);
  if (d.start_of_frame) {
    if (vp8.empty()) return Status::Error("VP8 frame start without a payload header");
    if ((vp8[0] & 0x01) == 0) {
      d.key_frame = true;
      if (vp8.size() >= 10) {
        if (vp8[3] != 0x9D || vp8[4] != 0x01 || vp8[5] != 0x2A) {
          return Status::Error("VP8 key frame without the 9d 01 2a start code");
        }
        d.width = (vp8[6] | (vp8[7] << 8)) & 0x3FFF;
        d.height = (vp8[8] | (vp8[9] << 8)) & 0x3FFF;
      }
    }
  }
  return d;
}

Status Vp8PayloadDescriptor::Rewrite(std::span<uint8_t> payload, std::optional<uint16_t> picture_id,
                                     std::optional<uint8_t> tl0_pic_idx) {
  auto offsets = FindFields(payload);
  if (!offsets.ok()) return offsets.status();
  if (picture_id && offsets->picture_id) {
    const size_t at = *offsets->picture_id;
    if (offsets->picture_id_15_bit) {
      payload[at] = static_cast<uint8_t>(0x80 | ((*picture_id >> 8) & 0x7F));
      payload[at + 1] = static_cast<uint8_t>(*picture_id & 0xFF);
    } else {
      payload[at] = static_cast<uint8_t>(*picture_id & 0x7F);
    }
  }
  if (tl0_pic_idx && offsets->tl0_pic_idx) payload[*offsets->tl0_pic_idx] = *tl0_pic_idx;
  return Status::Ok();
}

}  // namespace auralink::rtc
