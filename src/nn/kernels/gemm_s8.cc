#include "nn/kernels/gemm_s8.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "nn/kernels/simd_target.h"

namespace auralink::nn {

S8Layout S8LayoutFor(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::kAvx512:
      return CpuSupportsAvx512Vnni() ? S8Layout::kQuadsVnni : S8Layout::kPairsInt16;
    case CpuIsa::kAvx2:
      return S8Layout::kPairsInt16;
    default:
      return S8Layout::kPortable;
  }
}

bool PackMatrixS8(S8Layout layout, int k, int n, const std::function<int8_t(int, int)>& value,
                  const int32_t* bias, int32_t input_offset, PackedMatrixS8* packed) {
  const int group = layout == S8Layout::kQuadsVnni ? 4 : layout == S8Layout::kPairsInt16 ? 2 : 1;
  packed->layout = layout;
  packed->k = k;
  packed->k_padded = (k + group - 1) / group * group;
  packed->n = n;
  packed->panels = (n + kPanelWidth - 1) / kPanelWidth;
  const size_t elements = static_cast<size_t>(packed->panels) * packed->k_padded * kPanelWidth;
  if (layout == S8Layout::kPairsInt16) {
    packed->data16 = AlignedBuffer<int16_t>(elements);
  } else {
    packed->data8 = AlignedBuffer<int8_t>(elements);
  }
  packed->bias = AlignedBuffer<int32_t>(static_cast<size_t>(packed->panels) * kPanelWidth);
  std::vector<int64_t> column_sums(n, 0);
  for (int p = 0; p < packed->panels; ++p) {
    const size_t panel = static_cast<size_t>(p) * packed->k_padded * kPanelWidth;
    for (int kk = 0; kk < packed->k_padded; ++kk) {
      for (int j = 0; j < kPanelWidth; ++j) {
        const int column = p * kPanelWidth + j;
        const int8_t w = (column < n && kk < k) ? value(kk, column) : 0;
        if (column < n) column_sums[column] += w;
        // Position of B[kk][column] inside the panel for each layout.
        const size_t group_index = static_cast<size_t>(kk / group);
        const size_t within = static_cast<size_t>(kk % group);
        const size_t at = panel + (group_index * kPanelWidth + j) * group + within;
        if (layout == S8Layout::kPairsInt16) {
          packed->data16[at] = w;
        } else {
          packed->data8[at] = w;
        }
      }
    }
  }
  // Every layout's sums must stay inside int32 (so that a model valid on one path is valid on
  // all): |bias'| plus the largest possible |sum of products| (activations within [-128, 255]).
  const int64_t largest_sum = int64_t{255} * 128 * k;
  for (int column = 0; column < n; ++column) {
    const int64_t base = bias ? int64_t{bias[column]} : 0;
    const int64_t plain = base + int64_t{input_offset} * column_sums[column];
    const int64_t shifted = base + (int64_t{input_offset} - 128) * column_sums[column];
    for (int64_t folded : {plain, shifted}) {
      if (folded + largest_sum > std::numeric_limits<int32_t>::max() ||
          folded - largest_sum < std::numeric_limits<int32_t>::min()) {
        return false;
      }
    }
    packed->bias[column] = static_cast<int32_t>(layout == S8Layout::kQuadsVnni ? shifted : plain);
  }
  return true;
}

void PackActivations(S8Layout layout, const int8_t* source, int count, void* row, int at) {
  switch (layout) {
    case S8Layout::kPortable:
      std::memcpy(static_cast<int8_t*>(row) + at, source, static_cast<size_t>(count));
      return;
    case S8Layout::kPairsInt16: {
      int16_t* out = static_cast<int16_t*>(row) + at;
      for (int i = 0; i < count; ++i) out[i] = source[i];
      return;
    }
    case S8Layout::kQuadsVnni: {
      uint8_t* out = static_cast<uint8_t*>(row) + at;
      for (int i = 0; i < count; ++i) out[i] = static_cast<uint8_t>(source[i]) ^ 0x80;
      return;
    }
  }
}

namespace {

template <int MR>
void PortableRows(const GemmS8Rows& rows, const PackedMatrixS8& b) {
  const int8_t* a = static_cast<const int8_t*>(rows.a);
  for (int p = 0; p < b.panels; ++p) {
    int32_t acc[MR][kPanelWidth] = {};
    const int8_t* w = b.data8.data() + static_cast<size_t>(p) * b.k_padded * kPanelWidth;
    for (int k = 0; k < b.k_padded; ++k) {
      const int8_t* wk = w + k * kPanelWidth;
      for (int i = 0; i < MR; ++i) {
        const int32_t x = a[i * rows.lda_bytes + k];
        for (int j = 0; j < kPanelWidth; ++j) acc[i][j] += x * int32_t{wk[j]};
      }
    }
    const int columns = std::min(kPanelWidth, b.n - p * kPanelWidth);
    const int32_t* bias = b.bias.data() + p * kPanelWidth;
    for (int i = 0; i < MR; ++i) {
      int32_t* c = rows.c + i * rows.ldc + p * kPanelWidth;
      for (int j = 0; j < columns; ++j) c[j] = acc[i][j] + bias[j];
    }
  }
}

void GemmS8Portable(const GemmS8Rows& rows, const PackedMatrixS8& b) {
  switch (rows.rows) {
    case 1:
      return PortableRows<1>(rows, b);
    case 2:
      return PortableRows<2>(rows, b);
    case 3:
      return PortableRows<3>(rows, b);
    default:
      return PortableRows<4>(rows, b);
  }
}

#if AURALINK_NN_X86

template <int MR, int NP>
AURALINK_TARGET_AVX2 void PairsTile(const GemmS8Rows& rows, const PackedMatrixS8& b, int p0) {
  constexpr int V = 2 * NP;
  __m256i acc[MR][V];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) acc[i][v] = _mm256_setzero_si256();
  }
  const int64_t panel_stride = static_cast<int64_t>(b.k_padded) * kPanelWidth;
  const int16_t* w = b.data16.data() + p0 * panel_stride;
  const uint8_t* a = static_cast<const uint8_t*>(rows.a);
  for (int kp = 0; kp < b.k_padded / 2; ++kp) {
    __m256i wv[V];
#pragma GCC unroll 8
    for (int q = 0; q < NP; ++q) {
      const int16_t* at = w + q * panel_stride + kp * 2 * kPanelWidth;
      wv[2 * q] = _mm256_load_si256(reinterpret_cast<const __m256i*>(at));
      wv[2 * q + 1] = _mm256_load_si256(reinterpret_cast<const __m256i*>(at + 16));
    }
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      int32_t pair;
      std::memcpy(&pair, a + i * rows.lda_bytes + kp * 4, sizeof(pair));
      const __m256i x = _mm256_set1_epi32(pair);
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) {
        acc[i][v] = _mm256_add_epi32(acc[i][v], _mm256_madd_epi16(x, wv[v]));
      }
    }
  }
  const int valid = std::min(NP * kPanelWidth, b.n - p0 * kPanelWidth);
  const int32_t* bias = b.bias.data() + p0 * kPanelWidth;
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    int32_t* c = rows.c + i * rows.ldc + p0 * kPanelWidth;
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) {
      const __m256i r = _mm256_add_epi32(
          acc[i][v], _mm256_load_si256(reinterpret_cast<const __m256i*>(bias + 8 * v)));
      const int columns = valid - 8 * v;
      if (columns >= 8) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(c + 8 * v), r);
      } else if (columns > 0) {
        alignas(32) int32_t tmp[8];
        _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), r);
        for (int j = 0; j < columns; ++j) c[8 * v + j] = tmp[j];
      }
    }
  }
}

template <int MR>
AURALINK_TARGET_AVX2 void PairsRows(const GemmS8Rows& rows, const PackedMatrixS8& b) {
  constexpr int kTarget = MR >= 3 ? 1 : 2;
  int p = 0;
  for (; p + kTarget <= b.panels; p += kTarget) PairsTile<MR, kTarget>(rows, b, p);
  for (; p < b.panels; ++p) PairsTile<MR, 1>(rows, b, p);
}

AURALINK_TARGET_AVX2 void GemmS8Pairs(const GemmS8Rows& rows, const PackedMatrixS8& b) {
  switch (rows.rows) {
    case 1:
      return PairsRows<1>(rows, b);
    case 2:
      return PairsRows<2>(rows, b);
    case 3:
      return PairsRows<3>(rows, b);
    default:
      return PairsRows<4>(rows, b);
  }
}

template <int MR, int NP>
AURALINK_TARGET_AVX512_VNNI void VnniTile(const GemmS8Rows& rows, const PackedMatrixS8& b, int p0) {
  __m512i acc[MR][NP];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 8
    for (int q = 0; q < NP; ++q) acc[i][q] = _mm512_setzero_si512();
  }
  const int64_t panel_stride = static_cast<int64_t>(b.k_padded) * kPanelWidth;
  const int8_t* w = b.data8.data() + p0 * panel_stride;
  const uint8_t* a = static_cast<const uint8_t*>(rows.a);
  for (int kq = 0; kq < b.k_padded / 4; ++kq) {
    __m512i wv[NP];
#pragma GCC unroll 8
    for (int q = 0; q < NP; ++q) {
      wv[q] = _mm512_load_si512(w + q * panel_stride + kq * 4 * kPanelWidth);
    }
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      int32_t quad;
      std::memcpy(&quad, a + i * rows.lda_bytes + kq * 4, sizeof(quad));
      const __m512i x = _mm512_set1_epi32(quad);
#pragma GCC unroll 8
      for (int q = 0; q < NP; ++q) acc[i][q] = _mm512_dpbusd_epi32(acc[i][q], x, wv[q]);
    }
  }
  const int valid = std::min(NP * kPanelWidth, b.n - p0 * kPanelWidth);
  const int32_t* bias = b.bias.data() + p0 * kPanelWidth;
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    int32_t* c = rows.c + i * rows.ldc + p0 * kPanelWidth;
#pragma GCC unroll 8
    for (int q = 0; q < NP; ++q) {
      const __m512i r = _mm512_add_epi32(acc[i][q], _mm512_load_si512(bias + kPanelWidth * q));
      const int columns = valid - kPanelWidth * q;
      if (columns >= kPanelWidth) {
        _mm512_storeu_si512(c + kPanelWidth * q, r);
      } else if (columns > 0) {
        _mm512_mask_storeu_epi32(c + kPanelWidth * q, static_cast<__mmask16>((1u << columns) - 1),
                                 r);
      }
    }
  }
}

template <int MR>
AURALINK_TARGET_AVX512_VNNI void VnniRows(const GemmS8Rows& rows, const PackedMatrixS8& b) {
  constexpr int kTarget = MR >= 3 ? 2 : 4;
  int p = 0;
  for (; p + kTarget <= b.panels; p += kTarget) VnniTile<MR, kTarget>(rows, b, p);
  for (; p + 2 <= b.panels; p += 2) VnniTile<MR, 2>(rows, b, p);
  for (; p < b.panels; ++p) VnniTile<MR, 1>(rows, b, p);
}

AURALINK_TARGET_AVX512_VNNI void GemmS8Vnni(const GemmS8Rows& rows, const PackedMatrixS8& b) {
  switch (rows.rows) {
    case 1:
      return VnniRows<1>(rows, b);
    case 2:
      return VnniRows<2>(rows, b);
    case 3:
      return VnniRows<3>(rows, b);
    default:
      return VnniRows<4>(rows, b);
  }
}

#endif

}  // namespace

GemmS8Function GemmS8For(S8Layout layout) {
#if AURALINK_NN_X86
  switch (layout) {
    case S8Layout::kQuadsVnni:
      return GemmS8Vnni;
    case S8Layout::kPairsInt16:
      return GemmS8Pairs;
    default:
      return GemmS8Portable;
  }
#else
  return GemmS8Portable;
#endif
}

}  // namespace auralink::nn
