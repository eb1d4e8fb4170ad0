#include "rtc/codecs/bit_reader.h"

namespace auralink::rtc {

bool BitReader::ReadBits(int count, uint32_t* value) {
  if (count < 0 || count > 32 || static_cast<size_t>(count) > remaining_bits()) return false;
  uint32_t result = 0;
  for (int i = 0; i < count; ++i) {
    const uint8_t byte = data_[position_ / 8];
    const int bit = (byte >> (7 - position_ % 8)) & 1;
    result = (result << 1) | static_cast<uint32_t>(bit);
    ++position_;
  }
  *value = result;
  return true;
}

bool BitReader::ReadFlag(bool* flag) {
  uint32_t bit = 0;
  if (!ReadBits(1, &bit)) return false;
  *flag = bit != 0;
  return true;
}

bool BitReader::ReadNonSymmetric(uint32_t n, uint32_t* value) {
  if (n == 0) return false;
  int width = 0;
  for (uint32_t x = n; x != 0; x >>= 1) ++width;
  if (width > 31) return false;
  const uint32_t m = (uint32_t{1} << width) - n;
  uint32_t v = 0;
  if (!ReadBits(width - 1, &v)) return false;
  if (v < m) {
    *value = v;
    return true;
  }
  uint32_t extra = 0;
  if (!ReadBits(1, &extra)) return false;
  *value = (v << 1) - m + extra;
  return true;
}

}  // namespace auralink::rtc
