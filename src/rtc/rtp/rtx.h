// RFC 4588 retransmission payload format: a retransmitted packet travels on its own SSRC, payload
// type and sequence number space, with the original sequence number (OSN) in the first two payload
// bytes (§4). Header extensions are carried over so the sender can rewrite transport-wide sequence
// numbers on the RTX packet; the original padding is dropped (§4: padding belongs to the RTX
// packet).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtc/rtp/rtp_packet.h"

namespace auralink::rtc {

struct RtxParameters {
  uint32_t ssrc = 0;
  uint8_t payload_type = 0;
};

// Writes the RTX form of `original` into `out`; the size written, or nullopt when `out` is too
// small.
std::optional<size_t> WrapRtx(const RtpPacket& original, RtxParameters rtx,
                              uint16_t rtx_sequence_number, std::span<uint8_t> out);

// Restores the original packet from an RTX packet into `out`; nullopt when the RTX payload has no
// OSN (a padding-only RTX packet, RFC 4588 §8.2 probing) or `out` is too small.
std::optional<size_t> UnwrapRtx(const RtpPacket& rtx, uint32_t original_ssrc,
                                uint8_t original_payload_type, std::span<uint8_t> out);

// Restores the original packet inside the RTX packet's own buffer (the header moves 2 bytes towards
// the payload) and re-parses `packet` over it. False, with `packet` untouched, when there is no
// OSN.
bool UnwrapRtxInPlace(RtpPacket* packet, uint32_t original_ssrc, uint8_t original_payload_type);

}  // namespace auralink::rtc
