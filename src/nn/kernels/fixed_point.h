// Integer requantisation as TFLite's builtin kernels do it (gemmlowp fixed point; see TFLite's
// quantization_util.cc and kernels/internal/common.h, "double rounding" variant, which is the
// default build): a real multiplier becomes a Q31 significand and a power-of-two exponent, and an
// int32 accumulator is scaled by a rounding doubling high multiply followed by a rounding right
// shift. Kernels must reproduce this bit for bit to match TFLite's int8 results.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace auralink::nn {

struct QuantizedMultiplier {
  int32_t multiplier = 0;  // Q31 significand in [2^30, 2^31), or 0
  int shift = 0;           // > 0 shifts left, < 0 right; kept within [-31, 30]
};

// TFLite's QuantizeMultiplier: frexp, round the significand to Q31 (half away from zero), fold
// a carry into the exponent, flush multipliers below 2^-31 to zero. Exponents above 30 (absurd
// scales only) are clamped so that later shifts stay defined.
inline QuantizedMultiplier QuantizeMultiplier(double real_multiplier) {
  QuantizedMultiplier result;
  if (real_multiplier == 0.0 || !std::isfinite(real_multiplier)) return result;
  int shift = 0;
  const double significand = std::frexp(real_multiplier, &shift);
  int64_t fixed = static_cast<int64_t>(std::round(significand * (int64_t{1} << 31)));
  if (fixed == (int64_t{1} << 31)) {
    fixed /= 2;
    ++shift;
  }
  if (shift < -31) {
    shift = 0;
    fixed = 0;
  }
  if (shift > 30) {
    shift = 30;
    fixed = std::numeric_limits<int32_t>::max();
  }
  result.multiplier = static_cast<int32_t>(fixed);
  result.shift = shift;
  return result;
}

// gemmlowp::SaturatingRoundingDoublingHighMul: round(a * b / 2^31), ties away from zero.
inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) {
    return std::numeric_limits<int32_t>::max();
  }
  const int64_t product = int64_t{a} * int64_t{b};
  const int64_t nudge = product >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((product + nudge) / (int64_t{1} << 31));
}

// gemmlowp::RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero.
inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// TFLite's MultiplyByQuantizedMultiplier. The left shift wraps like TFLite's (which disables the
// overflow sanitizer there) instead of overflowing.
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift);
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(shifted, multiplier), right_shift);
}

inline int32_t MultiplyByQuantizedMultiplier(int32_t x, QuantizedMultiplier m) {
  return MultiplyByQuantizedMultiplier(x, m.multiplier, m.shift);
}

}  // namespace auralink::nn
