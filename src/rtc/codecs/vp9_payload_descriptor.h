// The VP9 RTP payload descriptor (RFC 9628 s4.2), flexible and non-flexible modes, with the
// scalability structure (s4.2.1). Enough for an SFU to pick spatial and temporal layers, to find
// key frames and to know where a layer switch is safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/status.h"

namespace auralink::rtc {

// SS (RFC 9628 s4.2.1): the resolution of each spatial layer and the picture group (GOF).
struct Vp9ScalabilityStructure {
  struct Resolution {
    uint16_t width = 0;
    uint16_t height = 0;
  };
  struct PictureGroupEntry {
    uint8_t temporal_id = 0;
    bool switching_up_point = false;       // U
    std::vector<uint8_t> reference_diffs;  // P_DIFF, R of them (0..3)
  };
  int spatial_layer_count = 1;                   // N_S + 1
  std::vector<Resolution> resolutions;           // Y: one per spatial layer, empty when Y=0
  std::vector<PictureGroupEntry> picture_group;  // G: N_G entries, empty when G=0
};

struct Vp9PayloadDescriptor {
  bool inter_picture_predicted = false;          // P
  bool flexible_mode = false;                    // F
  bool start_of_frame = false;                   // B: first packet of a layer frame
  bool end_of_frame = false;                     // E
  bool not_reference_for_upper_spatial = false;  // Z
  std::optional<uint16_t> picture_id;            // I: 7 or 15 bits
  bool picture_id_15_bit = false;                // M
  // L: layer indices. Without them the stream has a single layer (ids 0).
  bool has_layer_indices = false;
  uint8_t temporal_id = 0;              // TID
  bool switching_up_point = false;      // U
  uint8_t spatial_id = 0;               // SID
  bool inter_layer_dependency = false;  // D
  std::optional<uint8_t> tl0_pic_idx;   // non-flexible mode with L only
  // Flexible mode with P: the P_DIFF reference indices (1..3 of them).
  std::array<uint8_t, 3> reference_diffs{};
  int reference_count = 0;
  std::optional<Vp9ScalabilityStructure> scalability_structure;  // V
  size_t descriptor_size = 0;

  // Start of a frame with P=0 at spatial layer 0 (RFC 9628 s4.2: an intra-only picture that
  // does not depend on earlier pictures).
  bool key_frame = false;

  static StatusOr<Vp9PayloadDescriptor> Parse(std::span<const uint8_t> payload);
};

}  // namespace auralink::rtc
