// The VP8 RTP payload descriptor (RFC 7741 s4.2) and the start of the VP8 payload header
// (RFC 7741 s4.3, RFC 6386 s9.1): what an SFU needs to forward VP8 (key frames, temporal layer,
// picture ids) and to rewrite picture ids when it splices simulcast layers into one stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/status.h"

namespace auralink::rtc {

struct Vp8PayloadDescriptor {
  bool non_reference = false;          // N: the frame can be discarded without affecting others
  bool start_of_partition = false;     // S
  uint8_t partition_index = 0;         // PID (0..7)
  std::optional<uint16_t> picture_id;  // I: 7 or 15 bits
  bool picture_id_15_bit = false;      // M: the width the sender chose, kept on rewrite
  std::optional<uint8_t> tl0_pic_idx;  // L
  std::optional<uint8_t> temporal_id;  // T: TID (0..3)
  bool layer_sync = false;             // Y: depends only on temporal layer 0 (valid with T)
  std::optional<uint8_t> key_index;    // K: KEYIDX (0..31)
  size_t descriptor_size = 0;          // bytes before the VP8 payload

  // S=1 and PID=0: this packet carries the first bytes of a frame.
  bool start_of_frame = false;
  // Start of a frame whose payload header has P=0 (RFC 7741 s4.3).
  bool key_frame = false;
  // From the key frame header (RFC 6386 s9.1), 0 when not a key frame; scaling bits dropped.
  int width = 0;
  int height = 0;

  static StatusOr<Vp8PayloadDescriptor> Parse(std::span<const uint8_t> payload);

  // Rewrites PictureID and TL0PICIDX in place when the packet carries them, keeping the 7- or
  // 15-bit PictureID width the sender chose (a 7-bit field receives the low 7 bits).
  static Status Rewrite(std::span<uint8_t> payload, std::optional<uint16_t> picture_id,
                        std::optional<uint8_t> tl0_pic_idx);
};

}  // namespace auralink::rtc
