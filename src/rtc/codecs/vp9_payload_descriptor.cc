#include "rtc/codecs/vp9_payload_descriptor.h"

namespace auralink::rtc {
namespace {

// Sequential reads over the descriptor; each returns false at the end of the payload.
class OctetCursor {
 public:
  explicit OctetCursor(std::span<const uint8_t> data) : data_(data) {}
  bool Read(uint8_t* value) {
    if (pos_ >= data_.size()) return false;
    *value = data_[pos_++];
    return true;
  }
  bool ReadU16(uint16_t* value) {
    if (data_.size() - pos_ < 2) return false;
    *value = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  size_t position() const { return pos_; }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

StatusOr<Vp9ScalabilityStructure> ParseScalabilityStructure(OctetCursor* cursor) {
  Vp9ScalabilityStructure ss;
  uint8_t header = 0;
  if (!cursor->Read(&header)) return Status::Error("VP9 SS truncated in N_S/Y/G octet");
  ss.spatial_layer_count = (header >> 5) + 1;
  const bool has_resolutions = (header & 0x10) != 0;
  const bool has_picture_group = (header & 0x08) != 0;
  if (has_resolutions) {
    ss.resolutions.resize(static_cast<size_t>(ss.spatial_layer_count));
    for (auto& resolution : ss.resolutions) {
      if (!cursor->ReadU16(&resolution.width) || !cursor->ReadU16(&resolution.height)) {
        return Status::Error("VP9 SS truncated in layer resolutions");
      }
    }
  }
  if (has_picture_group) {
    uint8_t group_size = 0;
    if (!cursor->Read(&group_size)) return Status::Error("VP9 SS truncated in N_G");
    ss.picture_group.resize(group_size);
    for (auto& entry : ss.picture_group) {
      uint8_t octet = 0;
      if (!cursor->Read(&octet)) return Status::Error("VP9 SS truncated in picture group");
      entry.temporal_id = octet >> 5;
      entry.switching_up_point = (octet & 0x10) != 0;
      const int reference_count = (octet >> 2) & 0x03;
      for (int r = 0; r < reference_count; ++r) {
        uint8_t diff = 0;
        if (!cursor->Read(&diff)) return Status::Error("VP9 SS truncated in picture group P_DIFF");
        entry.reference_diffs.push_back(diff);
      }
    }
  }
  return ss;
}

}  // namespace

StatusOr<Vp9PayloadDescriptor> Vp9PayloadDescriptor::Parse(std::span<const uint8_t> payload) {
  OctetCursor cursor(payload);
  uint8_t first = 0;
  if (!cursor.Read(&first)) return Status::Error("VP9 payload is empty");
  Vp9PayloadDescriptor d;
  const bool has_picture_id = (first & 0x80) != 0;
  d.inter_picture_predicted = (first & 0x40) != 0;
  d.has_layer_indices = (first & 0x20) != 0;
  d.flexible_mode = (first & 0x10) != 0;
  d.start_of_frame = (first & 0x08) != 0;
  d.end_of_frame = (first & 0x04) != 0;
  const bool has_scalability_structure = (first & 0x02) != 0;
  d.not_reference_for_upper_spatial = (first & 0x01) != 0;

  if (has_picture_id) {
    uint8_t octet = 0;
    if (!cursor.Read(&octet)) return Status::Error("VP9 descriptor truncated in picture ID");
    d.picture_id_15_bit = (octet & 0x80) != 0;
    uint16_t id = octet & 0x7F;
    if (d.picture_id_15_bit) {
      uint8_t low = 0;
      if (!cursor.Read(&low)) return Status::Error("VP9 descriptor truncated in picture ID");
      id = static_cast<uint16_t>((id << 8) | low);
    }
    d.picture_id = id;
  }
  if (d.has_layer_indices) {
    uint8_t octet = 0;
    if (!cursor.Read(&octet)) return Status::Error("VP9 descriptor truncated in layer indices");
    d.temporal_id = octet >> 5;
    d.switching_up_point = (octet & 0x10) != 0;
    d.spatial_id = (octet >> 1) & 0x07;
    d.inter_layer_dependency = (octet & 0x01) != 0;
    if (!d.flexible_mode) {
      uint8_t tl0 = 0;
      if (!cursor.Read(&tl0)) return Status::Error("VP9 descriptor truncated in TL0PICIDX");
      d.tl0_pic_idx = tl0;
    }
  }
  if (d.flexible_mode && d.inter_picture_predicted) {
    // P_DIFF octets, N=1 announcing another, at most 3 (RFC 9628 s4.2).
    bool more = true;
    while (more) {
      if (d.reference_count == 3) return Status::Error("VP9 descriptor has more than 3 P_DIFF");
      uint8_t octet = 0;
      if (!cursor.Read(&octet)) return Status::Error("VP9 descriptor truncated in P_DIFF");
      d.reference_diffs[static_cast<size_t>(d.reference_count++)] = octet >> 1;
      more = (octet & 0x01) != 0;
    }
  }
  if (has_scalability_structure) {
    auto ss = ParseScalabilityStructure(&cursor);
    if (!ss.ok()) return ss.status();
    d.scalability_structure = std::move(ss).value();
  }
  d.descriptor_size = cursor.position();
  d.key_frame = d.start_of_frame && !d.inter_picture_predicted && d.spatial_id == 0;
  return d;
}

}  // namespace auralink::rtc
