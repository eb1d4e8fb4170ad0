#include "nn/kernels/gemm_f32.h"

#include <algorithm>

#include "nn/kernels/simd_target.h"

namespace auralink::nn {

PackedMatrixF32 PackMatrixF32(int k, int n, const std::function<float(int, int)>& value,
                              const float* bias) {
  PackedMatrixF32 packed;
  packed.k = k;
  packed.n = n;
  packed.panels = (n + kPanelWidth - 1) / kPanelWidth;
  packed.data = AlignedBuffer<float>(static_cast<size_t>(packed.panels) * k * kPanelWidth);
  packed.bias = AlignedBuffer<float>(static_cast<size_t>(packed.panels) * kPanelWidth);
  for (int p = 0; p < packed.panels; ++p) {
    float* panel = packed.data.data() + static_cast<size_t>(p) * k * kPanelWidth;
    for (int kk = 0; kk < k; ++kk) {
      for (int j = 0; j < kPanelWidth; ++j) {
        const int column = p * kPanelWidth + j;
        panel[kk * kPanelWidth + j] = column < n ? value(kk, column) : 0.0f;
      }
    }
  }
  for (int column = 0; column < n; ++column) packed.bias[column] = bias ? bias[column] : 0.0f;
  return packed;
}

namespace {

template <int MR>
void PortableRows(const GemmF32Rows& rows, const PackedMatrixF32& b, float low, float high) {
  for (int p = 0; p < b.panels; ++p) {
    const float* bias = b.bias.data() + p * kPanelWidth;
    float acc[MR][kPanelWidth];
    for (int i = 0; i < MR; ++i) {
      for (int j = 0; j < kPanelWidth; ++j) acc[i][j] = bias[j];
    }
    const float* w = b.data.data() + static_cast<size_t>(p) * b.k * kPanelWidth;
    for (int k = 0; k < b.k; ++k) {
      const float* wk = w + k * kPanelWidth;
      for (int i = 0; i < MR; ++i) {
        const float a = rows.a[i][k];
        for (int j = 0; j < kPanelWidth; ++j) {
          const float product = a * wk[j];
          acc[i][j] = acc[i][j] + product;
        }
      }
    }
    const int columns = std::min(kPanelWidth, b.n - p * kPanelWidth);
    for (int i = 0; i < MR; ++i) {
      float* c = rows.c + i * rows.ldc + p * kPanelWidth;
      for (int j = 0; j < columns; ++j) c[j] = std::min(std::max(acc[i][j], low), high);
    }
  }
}

}  // namespace

void GemmF32Portable(const GemmF32Rows& rows, const PackedMatrixF32& b, float low, float high) {
  switch (rows.rows) {
    case 1:
      return PortableRows<1>(rows, b, low, high);
    case 2:
      return PortableRows<2>(rows, b, low, high);
    case 3:
      return PortableRows<3>(rows, b, low, high);
    default:
      return PortableRows<4>(rows, b, low, high);
  }
}

#if AURALINK_NN_X86
namespace {

// AVX2: a panel of 16 columns is two 8-float registers.
template <int MR, int NP>
AURALINK_TARGET_AVX2 void Avx2Tile(const GemmF32Rows& rows, const PackedMatrixF32& b, int p0,
                                   float low, float high) {
  constexpr int V = 2 * NP;
  __m256 acc[MR][V];
  const float* bias = b.bias.data() + p0 * kPanelWidth;
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) acc[i][v] = _mm256_load_ps(bias + 8 * v);
  }
  const int64_t panel_stride = static_cast<int64_t>(b.k) * kPanelWidth;
  const float* w = b.data.data() + p0 * panel_stride;
  for (int k = 0; k < b.k; ++k) {
    __m256 wv[V];
#pragma GCC unroll 8
    for (int q = 0; q < NP; ++q) {
      wv[2 * q] = _mm256_load_ps(w + q * panel_stride + k * kPanelWidth);
      wv[2 * q + 1] = _mm256_load_ps(w + q * panel_stride + k * kPanelWidth + 8);
    }
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const __m256 a = _mm256_broadcast_ss(rows.a[i] + k);
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) acc[i][v] = _mm256_add_ps(acc[i][v], _mm256_mul_ps(a, wv[v]));
    }
  }
  const __m256 lo = _mm256_set1_ps(low);
  const __m256 hi = _mm256_set1_ps(high);
  const int valid = std::min(NP * kPanelWidth, b.n - p0 * kPanelWidth);
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    float* c = rows.c + i * rows.ldc + p0 * kPanelWidth;
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) {
      const __m256 r = _mm256_min_ps(_mm256_max_ps(acc[i][v], lo), hi);
      const int columns = valid - 8 * v;
      if (columns >= 8) {
        _mm256_storeu_ps(c + 8 * v, r);
      } else if (columns > 0) {
        alignas(32) float tmp[8];
        _mm256_store_ps(tmp, r);
        for (int j = 0; j < columns; ++j) c[8 * v + j] = tmp[j];
      }
    }
  }
}

template <int MR>
AURALINK_TARGET_AVX2 void Avx2Rows(const GemmF32Rows& rows, const PackedMatrixF32& b, float low,
                                   float high) {
  constexpr int kTarget = MR >= 3 ? 1 : 2;
  int p = 0;
  for (; p + kTarget <= b.panels; p += kTarget) Avx2Tile<MR, kTarget>(rows, b, p, low, high);
  for (; p < b.panels; ++p) Avx2Tile<MR, 1>(rows, b, p, low, high);
}

AURALINK_TARGET_AVX2 void GemmF32Avx2(const GemmF32Rows& rows, const PackedMatrixF32& b, float low,
                                      float high) {
  switch (rows.rows) {
    case 1:
      return Avx2Rows<1>(rows, b, low, high);
    case 2:
      return Avx2Rows<2>(rows, b, low, high);
    case 3:
      return Avx2Rows<3>(rows, b, low, high);
    default:
      return Avx2Rows<4>(rows, b, low, high);
  }
}

template <int MR, int NP>
AURALINK_TARGET_AVX512 void Avx512Tile(const GemmF32Rows& rows, const PackedMatrixF32& b, int p0,
                                       float low, float high) {
  __m512 acc[MR][NP];
  const float* bias = b.bias.data() + p0 * kPanelWidth;
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 8
    for (int q = 0; q < NP; ++q) acc[i][q] = _mm512_load_ps(bias + kPanelWidth * q);
  }
  const int64_t panel_stride = static_cast<int64_t>(b.k) * kPanelWidth;
  const float* w = b.data.data() + p0 * panel_stride;
  for (int k = 0; k < b.k; ++k) {
    __m512 wv[NP];
#pragma GCC unroll 8
    for (int q = 0; q < NP; ++q) wv[q] = _mm512_load_ps(w + q * panel_stride + k * kPanelWidth);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const __m512 a = _mm512_set1_ps(rows.a[i][k]);
#pragma GCC unroll 8
      for (int q = 0; q < NP; ++q) acc[i][q] = _mm512_add_ps(acc[i][q], _mm512_mul_ps(a, wv[q]));
    }
  }
  const __m512 lo = _mm512_set1_ps(low);
  const __m512 hi = _mm512_set1_ps(high);
  const int valid = std::min(NP * kPanelWidth, b.n - p0 * kPanelWidth);
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    float* c = rows.c + i * rows.ldc + p0 * kPanelWidth;
#pragma GCC unroll 8
    for (int q = 0; q < NP; ++q) {
      const __m512 r = _mm512_min_ps(_mm512_max_ps(acc[i][q], lo), hi);
      const int columns = valid - kPanelWidth * q;
      if (columns >= kPanelWidth) {
        _mm512_storeu_ps(c + kPanelWidth * q, r);
      } else if (columns > 0) {
        _mm512_mask_storeu_ps(c + kPanelWidth * q, static_cast<__mmask16>((1u << columns) - 1), r);
      }
    }
  }
}

template <int MR>
AURALINK_TARGET_AVX512 void Avx512Rows(const GemmF32Rows& rows, const PackedMatrixF32& b, float low,
                                       float high) {
  constexpr int kTarget = MR >= 3 ? 2 : 4;
  int p = 0;
  for (; p + kTarget <= b.panels; p += kTarget) Avx512Tile<MR, kTarget>(rows, b, p, low, high);
  for (; p + 2 <= b.panels; p += 2) Avx512Tile<MR, 2>(rows, b, p, low, high);
  for (; p < b.panels; ++p) Avx512Tile<MR, 1>(rows, b, p, low, high);
}

AURALINK_TARGET_AVX512 void GemmF32Avx512(const GemmF32Rows& rows, const PackedMatrixF32& b,
                                          float low, float high) {
  switch (rows.rows) {
    case 1:
      return Avx512Rows<1>(rows, b, low, high);
    case 2:
      return Avx512Rows<2>(rows, b, low, high);
    case 3:
      return Avx512Rows<3>(rows, b, low, high);
    default:
      return Avx512Rows<4>(rows, b, low, high);
  }
}

}  // namespace

GemmF32Function GemmF32For(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::kAvx512:
      return GemmF32Avx512;
    case CpuIsa::kAvx2:
      return GemmF32Avx2;
    default:
      return GemmF32Portable;
  }
}
#else
GemmF32Function GemmF32For(CpuIsa) { return GemmF32Portable; }
#endif

}  // namespace auralink::nn
