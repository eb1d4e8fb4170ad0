// Bounds-checked MSB-first bit reads over a byte span, for bit-packed RTP structures such as the
// AV1 Dependency Descriptor. Every read reports failure instead of reading past the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace auralink::rtc {

class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> data) : data_(data) {}

  // Reads `count` (0..32) bits MSB first; false (and *value untouched) past the end.
  bool ReadBits(int count, uint32_t* value);
  bool ReadFlag(bool* flag);
  // ns(n) of the AV1 specification (s4.10.7): a value in [0, n) coded in floor(log2(n)) or one
  // more bit. n must be at least 1.
  bool ReadNonSymmetric(uint32_t n, uint32_t* value);

  size_t remaining_bits() const { return data_.size() * 8 - position_; }

 private:
  std::span<const uint8_t> data_;
  size_t position_ = 0;  // in bits
};

}  // namespace auralink::rtc
