// Per-channel requantisation of int32 sums to int8, in either rounding convention
// (nn/int8_semantics.h):
//   kTfliteReference: MultiplyByQuantizedMultiplier (nn/kernels/fixed_point.h), as TFLite's
//     integer kernels do. The SIMD versions use that SaturatingRoundingDoublingHighMul equals
//     (a*b + 2^30) >> 31 (floor) whenever the multiplier is non-negative, which ours are.
//   kXnnpack: float(sum) * scale rounded half to even, as XNNPACK's "fp32" requantisation does,
//     with scale = input scale * filter scale / output scale computed in float.
// Both then add the output zero point and clamp to the activation range.
#pragma once

#include <cstdint>

#include "nn/cpu_isa.h"
#include "nn/int8_semantics.h"
#include "nn/kernels/aligned_buffer.h"
#include "nn/kernels/fixed_point.h"

namespace auralink::nn {

// Per-channel parameters, padded to a multiple of 16 channels.
struct ChannelRequantization {
  Int8Semantics semantics = Int8Semantics::kXnnpack;
  AlignedBuffer<float> scales;
  AlignedBuffer<int32_t> multipliers;
  AlignedBuffer<int32_t> shifts;
  int32_t output_zero_point = 0;
  int32_t low = -128;
  int32_t high = 127;
};

// out[c] = clamp(rescale(acc[c]) + zero point) for c < count.
using RequantizeRowFunction = void (*)(const int32_t* acc, int count,
                                       const ChannelRequantization& q, int8_t* out);
RequantizeRowFunction RequantizeRowFor(CpuIsa isa);

void RequantizeRowPortable(const int32_t* acc, int count, const ChannelRequantization& q,
                           int8_t* out);

// One value, XNNPACK's way: float(acc) * scale, rounded half to even. Values beyond +-2^22 (where
// XNNPACK's magic-number rounding stops being exact) only occur for absurd scales and saturate.
inline int32_t XnnpackRescale(int32_t acc, float scale) {
  float scaled = static_cast<float>(acc) * scale;
  scaled = scaled > 4194304.0f ? 4194304.0f : (scaled < -4194304.0f ? -4194304.0f : scaled);
  return static_cast<int32_t>(__builtin_rintf(scaled));
}

}  // namespace auralink::nn
