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
// out[r] = LaneSum(x + r * n, n) for r < rows.
using LaneSumRows = void (*)(const float* x, int64_t rows, int64_t n, float* out);
LaneSumRows LaneSumRowsFunction(CpuIsa isa);

float LaneSumPortable(const float* x, int64_t n);

enum class FloatBinaryOp { kAdd, kSub, kMul, kMaximum, kSquaredDifference };

// Elementwise kernels of the hot operators, identical on every ISA path (each element is one
// correctly rounded operation, so vector width cannot change a result).
struct ElementwiseFunctions {
  // For each of `rows` rows r: out[r * n + i] = a[r * a_row + i * a_step] op
  // b[r * b_row + i * b_step], with element steps 0 (repeat one element) or 1.
  void (*binary_f32)(FloatBinaryOp op, const float* a, int64_t a_step, int64_t a_row,
                     const float* b, int64_t b_step, int64_t b_row, float* out, int64_t n,
                     int64_t rows);
  // acc[i] = acc[i] + a[i] * b[i], rounding after the multiply and after the add.
  void (*multiply_add_f32)(const float* a, const float* b, float* acc, int64_t n);
  // acc[i] = acc[i] + a[i].
  void (*accumulate_f32)(const float* a, float* acc, int64_t n);
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
