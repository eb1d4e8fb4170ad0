// Vector helpers with one fixed floating-point association shared by every ISA path.
#pragma once

#include <cmath>
#include <cstdint>

#include "nn/cpu_isa.h"

namespace auralink::nn {

// Sum of x[0..n): 16 lane accumulators take x[16b + j] in order of b (a tail of fewer than 16
// elements is padded with +0.0), then lanes are folded pairwise: j += j+8, j += j+4, j += j+2,
// j += j+1. Portable, AVX2 and AVX-512 versions give bit-identical results.
using LaneSum = float (*)(const float* x, int64_t n);
LaneSum LaneSumFunction(CpuIsa isa);

float LaneSumPortable(const float* x, int64_t n);

// Elementwise kernels of the hot unary operators, identical on every ISA path.
struct ElementwiseFunctions {
  // out = x > 0 ? x : x * alpha.
  void (*leaky_relu_f32)(const float* in, float* out, int64_t n, float alpha);
  // XNNPACK's f32 -> qs8 convert: clamp(rint(x * inverse_scale) + zero_point) to int8, NaN to
  // -128.
  void (*quantize_f32_s8)(const float* in, int8_t* out, int64_t n, float inverse_scale,
                          int32_t zero_point);
  // scale * (q - zero_point).
  void (*dequantize_s8_f32)(const int8_t* in, float* out, int64_t n, float scale,
                            int32_t zero_point);
};
const ElementwiseFunctions& ElementwiseFunctionsFor(CpuIsa isa);

}  // namespace auralink::nn
