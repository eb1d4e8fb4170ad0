// RFC 4571 framing of STUN/DTLS/RTP over a TCP stream, as ICE-TCP uses it (RFC 6544 §3): each
// packet is preceded by its length as a 16-bit big-endian number.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/status.h"

namespace auralink::rtc {

inline constexpr size_t kIceTcpMaxFrameSize = 65535;

// Reassembles frames from arbitrary chunks of a stream. Feed() bytes as they arrive, then take
// every whole frame with NextFrame(). A frame longer than the limit is a protocol error: the
// decoder stays failed and the connection should be closed.
class IceTcpFrameDecoder {
 public:
  explicit IceTcpFrameDecoder(size_t max_frame_size = kIceTcpMaxFrameSize);

  Status Feed(std::span<const uint8_t> bytes);
  // The next whole frame; the view stays valid until the next Feed() or NextFrame(). Empty
  // frames (length 0, which RFC 4571 allows) are skipped.
  std::optional<std::span<const uint8_t>> NextFrame();

  bool failed() const { return failed_; }
  size_t buffered_bytes() const { return buffer_.size() - read_offset_; }

 private:
  size_t max_frame_size_;
  std::vector<uint8_t> buffer_;
  size_t read_offset_ = 0;
  size_t scan_offset_ = 0;  // next length prefix not yet checked against the limit
  bool failed_ = false;
};

// Appends the 2-byte length and the payload to `out`; payloads over 65535 bytes are an error.
Status AppendIceTcpFrame(std::span<const uint8_t> payload, std::vector<uint8_t>* out);

}  // namespace auralink::rtc
