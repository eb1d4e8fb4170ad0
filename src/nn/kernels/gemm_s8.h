// Int8 matrix products for the quantized convolutions: int32 C[m][n] = bias'[n] +
// sum_k A[m][k] * B[k][n], exact integer arithmetic, so every ISA path gives TFLite's accumulators
// bit for bit. The input zero point is folded into bias' at pack time
// (sum (a + offset) * b = sum a * b + offset * sum b). Each ISA wants its own layout:
//   portable: B as int8 [panel][k][16], A as int8;
//   AVX2:     B as int16 column pairs [panel][k/2][16][2] for vpmaddwd, A as int16;
//   AVX-512 VNNI: B as int8 quads [panel][k/4][16][4] for vpdpbusd, which multiplies unsigned by
//             signed bytes, so A is fed as a + 128 (uint8) and bias' absorbs -128 * sum b.
#pragma once

#include <cstdint>
#include <functional>

#include "nn/cpu_isa.h"
#include "nn/kernels/aligned_buffer.h"
#include "nn/kernels/gemm_f32.h"

namespace auralink::nn {

enum class S8Layout { kPortable, kPairsInt16, kQuadsVnni };

S8Layout S8LayoutFor(CpuIsa isa);

struct PackedMatrixS8 {
  S8Layout layout = S8Layout::kPortable;
  int k = 0;
  int k_padded = 0;  // multiple of the layout's group (1, 2 or 4)
  int n = 0;
  int panels = 0;
  AlignedBuffer<int8_t> data8;
  AlignedBuffer<int16_t> data16;
  AlignedBuffer<int32_t> bias;  // panels * 16 (bias')
};

// Packs B[k][n] = value(k, n), folding `bias` (nullptr: zero) and `input_offset`. Fails (returns
// false) when bias' does not fit in int32.
bool PackMatrixS8(S8Layout layout, int k, int n, const std::function<int8_t(int, int)>& value,
                  const int32_t* bias, int32_t input_offset, PackedMatrixS8* packed);

// Bytes per activation element in a packed A row, and the value an int8 activation becomes.
inline size_t S8ActivationBytes(S8Layout layout) { return layout == S8Layout::kPairsInt16 ? 2 : 1; }

// Writes `count` int8 activations into a packed A row at element offset `at`.
void PackActivations(S8Layout layout, const int8_t* source, int count, void* row, int at);

struct GemmS8Rows {
  const void* a = nullptr;  // rows of k_padded packed activations, row r at a + r * lda_bytes
  int64_t lda_bytes = 0;
  int rows = 0;          // at most kGemmF32MaxRows
  int32_t* c = nullptr;  // row r at c + r * ldc
  int64_t ldc = 0;
};

using GemmS8Function = void (*)(const GemmS8Rows& rows, const PackedMatrixS8& b);
GemmS8Function GemmS8For(S8Layout layout);

}  // namespace auralink::nn
