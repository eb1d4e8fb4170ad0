// 16-bit RTP sequence number arithmetic (RFC 3550 §A.1): comparisons modulo 2^16 and unwrapping
// into a monotonic 64-bit counter, shared by the packet cache, NACK generation and receive
// statistics.
#pragma once

#include <cstdint>
#include <optional>

namespace auralink::rtc {

// True when `a` follows `b` in sequence order, taking the nearer of the two directions around the
// 2^16 circle. The exact half-way point counts as newer when `a` is numerically larger.
inline bool IsNewerSequenceNumber(uint16_t a, uint16_t b) {
  const uint16_t forward = static_cast<uint16_t>(a - b);
  if (forward == 0x8000) return a > b;
  return forward != 0 && forward < 0x8000;
}

// Signed distance from `b` to `a` in [-32768, 32767].
inline int32_t SequenceNumberDelta(uint16_t a, uint16_t b) {
  return static_cast<int16_t>(static_cast<uint16_t>(a - b));
}

// Maps 16-bit sequence numbers onto int64 so that each one lands nearest to the previous value;
// reordered packets from before a wrap unwrap to the previous cycle.
class SequenceNumberUnwrapper {
 public:
  int64_t Unwrap(uint16_t sequence_number) {
    if (!last_) {
      last_ = sequence_number;
      return *last_;
    }
    const int64_t value =
        *last_ + SequenceNumberDelta(sequence_number, static_cast<uint16_t>(*last_));
    last_ = value;
    return value;
  }
  // Unwraps without moving the reference point.
  int64_t PeekUnwrap(uint16_t sequence_number) const {
    if (!last_) return sequence_number;
    return *last_ + SequenceNumberDelta(sequence_number, static_cast<uint16_t>(*last_));
  }
  void Reset() { last_.reset(); }

 private:
  std::optional<int64_t> last_;
};

}  // namespace auralink::rtc
