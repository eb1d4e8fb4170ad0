// The Dependency Descriptor RTP header extension (RTP Payload Format for AV1, Appendix A; also
// used with VP8/VP9/H.264 by Chromium). A packet's descriptor names a frame template; the
// template dependency structure, sent on key frames, tells what each template means: spatial and
// temporal id, decode target indications, frame and chain references. Every read is checked.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/status.h"

namespace auralink::rtc {

// Decode target indication (Appendix A.8.3).
enum class DecodeTargetIndication : uint8_t {
  kNotPresent = 0,  // the frame is not in this decode target
  kDiscardable = 1,
  kSwitch = 2,  // a receiver may start decoding the target here
  kRequired = 3,
};

inline constexpr int kMaxDecodeTargets = 32;
inline constexpr int kMaxTemplates = 64;
inline constexpr int kMaxFrameDiffs = 16;  // more than any encoder writes; a packet with more fails

struct FrameDependencyTemplate {
  uint8_t spatial_id = 0;
  uint8_t temporal_id = 0;
  std::array<DecodeTargetIndication, kMaxDecodeTargets> decode_target_indications{};
  std::array<uint16_t, kMaxFrameDiffs> frame_diffs{};
  int frame_diff_count = 0;
  std::array<uint8_t, kMaxDecodeTargets> chain_diffs{};
};

// template_dependency_structure() (Appendix A.8.2).
struct FrameDependencyStructure {
  struct Resolution {
    int width = 0;
    int height = 0;
  };
  int template_id_offset = 0;
  int decode_target_count = 0;
  int chain_count = 0;
  std::array<uint8_t, kMaxDecodeTargets> decode_target_protected_by{};
  // Highest spatial and temporal id of the templates each decode target includes.
  std::array<uint8_t, kMaxDecodeTargets> decode_target_spatial_id{};
  std::array<uint8_t, kMaxDecodeTargets> decode_target_temporal_id{};
  std::vector<FrameDependencyTemplate> templates;
  std::vector<Resolution> resolutions;  // per spatial id, empty when not sent
};

struct DependencyDescriptor {
  // mandatory_descriptor_fields()
  bool start_of_frame = false;
  bool end_of_frame = false;
  uint8_t template_id = 0;
  uint16_t frame_number = 0;

  // The structure this packet carries, to be kept by the caller and passed to later Parse calls.
  std::shared_ptr<const FrameDependencyStructure> attached_structure;
  // A.8.1: set when the packet carries the bitmask or a structure (then every target is active).
  std::optional<uint32_t> active_decode_targets;

  // frame_dependency_definition(): the template's values, overridden by custom fields.
  uint8_t spatial_id = 0;
  uint8_t temporal_id = 0;
  int decode_target_count = 0;
  std::array<DecodeTargetIndication, kMaxDecodeTargets> decode_target_indications{};
  std::array<uint16_t, kMaxFrameDiffs> frame_diffs{};
  int frame_diff_count = 0;
  int chain_count = 0;
  std::array<uint8_t, kMaxDecodeTargets> chain_diffs{};
  std::optional<FrameDependencyStructure::Resolution> resolution;

  // First packet of a frame that references no earlier frame: a decoder can start here.
  bool StartsKeyFrame() const { return start_of_frame && frame_diff_count == 0; }
  // The frame is a switch point for `decode_target` (A.8.3): decoding the target may begin here.
  bool IsSwitchPoint(int decode_target) const {
    return decode_target >= 0 && decode_target < decode_target_count &&
           decode_target_indications[static_cast<size_t>(decode_target)] ==
               DecodeTargetIndication::kSwitch;
  }

  // `latest_structure` is the last structure received on this stream (null before the first);
  // descriptors without their own structure need it to resolve their template.
  static StatusOr<DependencyDescriptor> Parse(std::span<const uint8_t> data,
                                              const FrameDependencyStructure* latest_structure);
};

}  // namespace auralink::rtc
