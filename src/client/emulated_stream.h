// What the emulated sources share: how one outgoing RTP stream is labelled (SSRC, payload type,
// the header extension ids our publisher offer negotiated, MID and RID per RFC 8852 / RFC 9143) and
// the packet buffers they hand to the transport, sized so SRTP can protect them in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace auralink::client {

// Extension ids our publisher offer declares (one-byte form, RFC 8285 §4.2).
struct PublisherExtensionIds {
  uint8_t audio_level = 1;   // urn:ietf:params:rtp-hdrext:ssrc-audio-level
  uint8_t transport_cc = 3;  // transport-wide-cc-extensions-01
  uint8_t mid = 4;           // urn:ietf:params:rtp-hdrext:sdes:mid
  uint8_t rid = 10;          // urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
};

struct EmulatedStreamConfig {
  uint32_t ssrc = 0;
  uint8_t payload_type = 0;
  std::string mid;
  std::string rid;  // empty: no simulcast
  PublisherExtensionIds extension_ids;
};

// One plain RTP packet in a buffer with room for the SRTP tag (protected in place).
struct EmulatedPacket {
  static constexpr size_t kCapacity = 1500;
  std::vector<uint8_t> buffer = std::vector<uint8_t>(kCapacity);
  size_t size = 0;
  size_t transport_cc_offset = 0;  // where the 2-byte transport-wide sequence number goes; 0: none
};

}  // namespace auralink::client
