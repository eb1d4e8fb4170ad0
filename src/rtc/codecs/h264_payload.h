// H.264 RTP payloads (RFC 6184) in packetization modes 0 and 1: single NAL unit packets (s5.6),
// STAP-A aggregates (s5.7.1) and FU-A fragments (s5.8). What an SFU needs: whether the packet
// opens a frame and whether it carries what a decoder needs to start (IDR, or SPS with PPS).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/status.h"

namespace auralink::rtc {

enum class H264Packetization : uint8_t { kSingleNalUnit, kStapA, kFuA };

struct H264Payload {
  H264Packetization packetization = H264Packetization::kSingleNalUnit;
  // Bit n set when the packet carries (part of) a NAL unit of nal_unit_type n (H.264 Table 7-1).
  uint32_t nal_type_mask = 0;
  int nal_unit_count = 0;  // NAL units (whole or fragment) in the packet
  bool has_idr = false;    // type 5
  bool has_sps = false;    // type 7
  bool has_pps = false;    // type 8
  // The packet opens an access unit: its first NAL unit is an SPS, PPS, SEI or access unit
  // delimiter, or the first slice of a picture (first_mb_in_slice == 0, H.264 s7.3.3), whole or
  // as the first FU-A fragment. The end of a frame is the RTP marker bit (RFC 6184 s5.1).
  bool start_of_frame = false;
  // FU-A: the S and E bits of the FU header; whole NAL units both start and end.
  bool starts_nal_unit = true;
  bool ends_nal_unit = true;
  // Contains an IDR slice, or both SPS and PPS.
  bool key_frame = false;

  // A subscriber can start decoding at this packet.
  bool StartsKeyFrame() const { return key_frame && start_of_frame; }

  static StatusOr<H264Payload> Parse(std::span<const uint8_t> payload);
};

}  // namespace auralink::rtc
