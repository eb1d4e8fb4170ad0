#include "rtc/codecs/dependency_descriptor.h"

#include <algorithm>
#include <string>

#include "rtc/codecs/bit_reader.h"

namespace auralink::rtc {
namespace {

Status Truncated(const char* where) {
  return Status::Error(std::string("dependency descriptor truncated in ") + where);
}

// template_layers() (A.8.2.1): templates come ordered by spatial, then temporal id.
Status ReadTemplateLayers(BitReader* reader, FrameDependencyStructure* s) {
  uint32_t spatial_id = 0;
  uint32_t temporal_id = 0;
  uint32_t next_layer_idc = 0;
  do {
    if (static_cast<int>(s->templates.size()) == kMaxTemplates) {
      return Status::Error("dependency descriptor has more than 64 templates");
    }
    FrameDependencyTemplate t;
    t.spatial_id = static_cast<uint8_t>(spatial_id);
    t.temporal_id = static_cast<uint8_t>(temporal_id);
    s->templates.push_back(t);
    if (!reader->ReadBits(2, &next_layer_idc)) return Truncated("template layers");
    if (next_layer_idc == 1) {
      ++temporal_id;
    } else if (next_layer_idc == 2) {
      temporal_id = 0;
      ++spatial_id;
    }
    if (temporal_id > 7 || spatial_id > 3) {
      return Status::Error("dependency descriptor template layer id out of range");
    }
  } while (next_layer_idc != 3);
  return Status::Ok();
}

Status ReadTemplateStructure(BitReader* reader, FrameDependencyStructure* s) {
  uint32_t value = 0;
  if (!reader->ReadBits(6, &value)) return Truncated("template_id_offset");
  s->template_id_offset = static_cast<int>(value);
  if (!reader->ReadBits(5, &value)) return Truncated("dt_cnt_minus_one");
  s->decode_target_count = static_cast<int>(value) + 1;
  const auto targets = static_cast<size_t>(s->decode_target_count);
  AURALINK_RETURN_IF_ERROR(ReadTemplateLayers(reader, s));

  for (auto& t : s->templates) {  // template_dtis()
    for (size_t dt = 0; dt < targets; ++dt) {
      if (!reader->ReadBits(2, &value)) return Truncated("template DTIs");
      t.decode_target_indications[dt] = static_cast<DecodeTargetIndication>(value);
    }
  }
  for (auto& t : s->templates) {  // template_fdiffs()
    bool follows = false;
    if (!reader->ReadFlag(&follows)) return Truncated("template fdiffs");
    while (follows) {
      if (t.frame_diff_count == kMaxFrameDiffs) {
        return Status::Error("dependency descriptor template has too many frame diffs");
      }
      if (!reader->ReadBits(4, &value)) return Truncated("template fdiffs");
      t.frame_diffs[static_cast<size_t>(t.frame_diff_count++)] = static_cast<uint16_t>(value + 1);
      if (!reader->ReadFlag(&follows)) return Truncated("template fdiffs");
    }
  }
  // template_chains()
  if (!reader->ReadNonSymmetric(static_cast<uint32_t>(s->decode_target_count) + 1, &value)) {
    return Truncated("chain_cnt");
  }
  s->chain_count = static_cast<int>(value);
  if (s->chain_count > 0) {
    for (size_t dt = 0; dt < targets; ++dt) {
      if (!reader->ReadNonSymmetric(static_cast<uint32_t>(s->chain_count), &value)) {
        return Truncated("decode_target_protected_by");
      }
      s->decode_target_protected_by[dt] = static_cast<uint8_t>(value);
    }
    for (auto& t : s->templates) {
      for (size_t chain = 0; chain < static_cast<size_t>(s->chain_count); ++chain) {
        if (!reader->ReadBits(4, &value)) return Truncated("template chain fdiffs");
        t.chain_diffs[chain] = static_cast<uint8_t>(value);
      }
    }
  }
  // decode_target_layers(): derived, not sent.
  for (size_t dt = 0; dt < targets; ++dt) {
    uint8_t spatial = 0;
    uint8_t temporal = 0;
    for (const auto& t : s->templates) {
      if (t.decode_target_indications[dt] == DecodeTargetIndication::kNotPresent) continue;
      spatial = std::max(spatial, t.spatial_id);
      temporal = std::max(temporal, t.temporal_id);
    }
    s->decode_target_spatial_id[dt] = spatial;
    s->decode_target_temporal_id[dt] = temporal;
  }
  bool resolutions_present = false;
  if (!reader->ReadFlag(&resolutions_present)) return Truncated("resolutions_present_flag");
  if (resolutions_present) {
    const int max_spatial_id = s->templates.back().spatial_id;
    for (int spatial = 0; spatial <= max_spatial_id; ++spatial) {
      uint32_t width_minus_1 = 0;
      uint32_t height_minus_1 = 0;
      if (!reader->ReadBits(16, &width_minus_1) || !reader->ReadBits(16, &height_minus_1)) {
        return Truncated("render resolutions");
      }
      s->resolutions.push_back(
          {static_cast<int>(width_minus_1) + 1, static_cast<int>(height_minus_1) + 1});
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<DependencyDescriptor> DependencyDescriptor::Parse(
    std::span<const uint8_t> data, const FrameDependencyStructure* latest_structure) {
  if (data.size() < 3) return Status::Error("dependency descriptor shorter than 3 bytes");
  BitReader reader(data);
  DependencyDescriptor d;
  uint32_t value = 0;
  // mandatory_descriptor_fields() (A.8.1); the size check above covers these 24 bits.
  (void)reader.ReadBits(1, &value);
  d.start_of_frame = value != 0;
  (void)reader.ReadBits(1, &value);
  d.end_of_frame = value != 0;
  (void)reader.ReadBits(6, &value);
  d.template_id = static_cast<uint8_t>(value);
  (void)reader.ReadBits(16, &value);
  d.frame_number = static_cast<uint16_t>(value);

  bool custom_dtis = false;
  bool custom_fdiffs = false;
  bool custom_chains = false;
  const FrameDependencyStructure* structure = latest_structure;
  if (data.size() > 3) {  // extended_descriptor_fields()
    bool structure_present = false;
    bool active_targets_present = false;
    if (!reader.ReadFlag(&structure_present) || !reader.ReadFlag(&active_targets_present) ||
        !reader.ReadFlag(&custom_dtis) || !reader.ReadFlag(&custom_fdiffs) ||
        !reader.ReadFlag(&custom_chains)) {
      return Truncated("extended fields");
    }
    if (structure_present) {
      auto attached = std::make_shared<FrameDependencyStructure>();
      AURALINK_RETURN_IF_ERROR(ReadTemplateStructure(&reader, attached.get()));
      d.attached_structure = attached;
      structure = attached.get();
      d.active_decode_targets = structure->decode_target_count == 32
                                    ? 0xFFFFFFFFu
                                    : (uint32_t{1} << structure->decode_target_count) - 1;
    }
    if (active_targets_present) {
      if (structure == nullptr) {
        return Status::Error("dependency descriptor needs a template structure not yet received");
      }
      if (!reader.ReadBits(structure->decode_target_count, &value)) {
        return Truncated("active_decode_targets_bitmask");
      }
      d.active_decode_targets = value;
    }
  }
  if (structure == nullptr) {
    return Status::Error("dependency descriptor needs a template structure not yet received");
  }

  // frame_dependency_definition() (A.8.1)
  const int template_index = (d.template_id + 64 - structure->template_id_offset) % 64;
  if (template_index >= static_cast<int>(structure->templates.size())) {
    return Status::Error("dependency descriptor template id " + std::to_string(d.template_id) +
                         " is not in the structure");
  }
  const FrameDependencyTemplate& t = structure->templates[static_cast<size_t>(template_index)];
  d.spatial_id = t.spatial_id;
  d.temporal_id = t.temporal_id;
  d.decode_target_count = structure->decode_target_count;
  d.chain_count = structure->chain_count;
  d.decode_target_indications = t.decode_target_indications;
  d.frame_diffs = t.frame_diffs;
  d.frame_diff_count = t.frame_diff_count;
  d.chain_diffs = t.chain_diffs;
  if (custom_dtis) {
    for (size_t dt = 0; dt < static_cast<size_t>(d.decode_target_count); ++dt) {
      if (!reader.ReadBits(2, &value)) return Truncated("frame DTIs");
      d.decode_target_indications[dt] = static_cast<DecodeTargetIndication>(value);
    }
  }
  if (custom_fdiffs) {
    d.frame_diff_count = 0;
    uint32_t next_size = 0;
    if (!reader.ReadBits(2, &next_size)) return Truncated("frame fdiffs");
    while (next_size != 0) {
      if (d.frame_diff_count == kMaxFrameDiffs) {
        return Status::Error("dependency descriptor frame has too many frame diffs");
      }
      if (!reader.ReadBits(4 * static_cast<int>(next_size), &value)) {
        return Truncated("frame fdiffs");
      }
      d.frame_diffs[static_cast<size_t>(d.frame_diff_count++)] = static_cast<uint16_t>(value + 1);
      if (!reader.ReadBits(2, &next_size)) return Truncated("frame fdiffs");
    }
  }
  if (custom_chains) {
    for (size_t chain = 0; chain < static_cast<size_t>(d.chain_count); ++chain) {
      if (!reader.ReadBits(8, &value)) return Truncated("frame chain fdiffs");
      d.chain_diffs[chain] = static_cast<uint8_t>(value);
    }
  }
  if (!structure->resolutions.empty() && d.spatial_id < structure->resolutions.size()) {
    d.resolution = structure->resolutions[d.spatial_id];
  }
  return d;
}

}  // namespace auralink::rtc
