// Float matrix products for the convolutions: C[m][n] = clamp(sum_k A[m][k] * B[k][n] + bias[n]),
// with B prepacked into panels of 16 columns ([panel][k][16], zero-padded), so each step of k
// loads whole vectors of weights and broadcasts one activation per row. The sum over k runs in
// increasing k on every path; the bias is added after the sum, as TFLite does.
#pragma once

#include <cstdint>
#include <functional>

#include "nn/cpu_isa.h"
#include "nn/kernels/aligned_buffer.h"

namespace auralink::nn {

inline constexpr int kPanelWidth = 16;

struct PackedMatrixF32 {
  int k = 0;
  int n = 0;
  int panels = 0;
  AlignedBuffer<float> data;  // panels * k * 16
  AlignedBuffer<float> bias;  // panels * 16
};

// Packs B[k][n] = value(k, n) and bias[n] (nullptr: zero).
PackedMatrixF32 PackMatrixF32(int k, int n, const std::function<float(int, int)>& value,
                              const float* bias);

inline constexpr int kGemmF32MaxRows = 4;

struct GemmF32Rows {
  const float* a[kGemmF32MaxRows] = {};  // row r of A (k contiguous floats)
  int rows = 0;
  float* c = nullptr;  // row r at c + r * ldc
  int64_t ldc = 0;
};

// Computes `rows` (at most kGemmF32MaxRows) rows of C for every column.
using GemmF32Function = void (*)(const GemmF32Rows& rows, const PackedMatrixF32& b, float low,
                                 float high);
GemmF32Function GemmF32For(CpuIsa isa);

void GemmF32Portable(const GemmF32Rows& rows, const PackedMatrixF32& b, float low, float high);

}  // namespace auralink::nn
