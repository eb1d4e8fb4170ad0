#include "nn/kernels/requantize.h"

#include <algorithm>

#include "nn/kernels/simd_target.h"

namespace auralink::nn {

void RequantizeRowPortable(const int32_t* acc, int count, const ChannelRequantization& q,
                           int8_t* out) {
  for (int c = 0; c < count; ++c) {
    const int32_t scaled =
        q.semantics == Int8Semantics::kXnnpack
            ? XnnpackRescale(acc[c], q.scales[c])
            : MultiplyByQuantizedMultiplier(acc[c], q.multipliers[c], q.shifts[c]);
    const int64_t shifted = int64_t{scaled} + q.output_zero_point;
    out[c] = static_cast<int8_t>(std::clamp<int64_t>(shifted, q.low, q.high));
  }
}

#if AURALINK_NN_X86
namespace {

// Eight lanes of MultiplyByQuantizedMultiplier.
AURALINK_TARGET_AVX2 __m256i MultiplyAvx2(__m256i x, __m256i multiplier, __m256i shift) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i left = _mm256_max_epi32(shift, zero);
  const __m256i right = _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero);
  x = _mm256_sllv_epi32(x, left);
  const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
  __m256i even = _mm256_mul_epi32(x, multiplier);
  __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(multiplier, 32));
  even = _mm256_srli_epi64(_mm256_add_epi64(even, nudge), 31);
  odd = _mm256_slli_epi64(_mm256_srli_epi64(_mm256_add_epi64(odd, nudge), 31), 32);
  const __m256i high = _mm256_blend_epi32(even, odd, 0xAA);
  // Rounding divide by 2^right, ties away from zero.
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
  const __m256i remainder = _mm256_and_si256(high, mask);
  const __m256i negative = _mm256_cmpgt_epi32(zero, high);  // -1 where high < 0
  const __m256i threshold = _mm256_sub_epi32(_mm256_srai_epi32(mask, 1), negative);
  const __m256i round_up = _mm256_cmpgt_epi32(remainder, threshold);  // -1 where rounding up
  return _mm256_sub_epi32(_mm256_srav_epi32(high, right), round_up);
}

// Eight lanes of XnnpackRescale (the default MXCSR rounding is half to even).
AURALINK_TARGET_AVX2 __m256i RescaleAvx2(__m256i x, __m256 scale) {
  const __m256 limit = _mm256_set1_ps(4194304.0f);
  __m256 scaled = _mm256_mul_ps(_mm256_cvtepi32_ps(x), scale);
  scaled = _mm256_min_ps(_mm256_max_ps(scaled, _mm256_sub_ps(_mm256_setzero_ps(), limit)), limit);
  return _mm256_cvtps_epi32(scaled);
}

AURALINK_TARGET_AVX2 void RequantizeRowAvx2(const int32_t* acc, int count,
                                            const ChannelRequantization& q, int8_t* out) {
  // Clamped before the zero point is added so that results near the int32 limits saturate as
  // in the portable 64-bit sum instead of wrapping.
  const __m256i zero_point = _mm256_set1_epi32(q.output_zero_point);
  const __m256i low = _mm256_set1_epi32(q.low - q.output_zero_point);
  const __m256i high = _mm256_set1_epi32(q.high - q.output_zero_point);
  const bool xnnpack = q.semantics == Int8Semantics::kXnnpack;
  int c = 0;
  for (; c + 8 <= count; c += 8) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + c));
    __m256i r;
    if (xnnpack) {
      r = RescaleAvx2(x, _mm256_load_ps(q.scales.data() + c));
    } else {
      const __m256i m =
          _mm256_load_si256(reinterpret_cast<const __m256i*>(q.multipliers.data() + c));
      const __m256i s = _mm256_load_si256(reinterpret_cast<const __m256i*>(q.shifts.data() + c));
      r = MultiplyAvx2(x, m, s);
    }
    r = _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(r, low), high), zero_point);
    // Values are in [-128, 127]: pack 32 -> 16 -> 8 bits and keep the eight bytes in order.
    const __m128i words =
        _mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
    const __m128i bytes = _mm_packs_epi16(words, words);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + c), bytes);
  }
  for (; c < count; ++c) {
    const int32_t scaled =
        xnnpack ? XnnpackRescale(acc[c], q.scales[c])
                : MultiplyByQuantizedMultiplier(acc[c], q.multipliers[c], q.shifts[c]);
    out[c] = static_cast<int8_t>(
        std::clamp<int64_t>(int64_t{scaled} + q.output_zero_point, q.low, q.high));
  }
}

AURALINK_TARGET_AVX512 __m512i MultiplyAvx512(__m512i x, __m512i multiplier, __m512i shift) {
  const __m512i zero = _mm512_setzero_si512();
  const __m512i left = _mm512_max_epi32(shift, zero);
  const __m512i right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero);
  x = _mm512_sllv_epi32(x, left);
  const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
  __m512i even = _mm512_mul_epi32(x, multiplier);
  __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(multiplier, 32));
  even = _mm512_srli_epi64(_mm512_add_epi64(even, nudge), 31);
  odd = _mm512_slli_epi64(_mm512_srli_epi64(_mm512_add_epi64(odd, nudge), 31), 32);
  const __m512i high = _mm512_mask_blend_epi32(0xAAAA, even, odd);
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, right), one);
  const __m512i remainder = _mm512_and_si512(high, mask);
  const __mmask16 negative = _mm512_cmplt_epi32_mask(high, zero);
  const __m512i half = _mm512_srai_epi32(mask, 1);
  const __m512i threshold = _mm512_mask_add_epi32(half, negative, half, one);
  const __mmask16 round_up = _mm512_cmpgt_epi32_mask(remainder, threshold);
  const __m512i shifted = _mm512_srav_epi32(high, right);
  return _mm512_mask_add_epi32(shifted, round_up, shifted, one);
}

AURALINK_TARGET_AVX512 __m512i RescaleAvx512(__m512i x, __m512 scale) {
  const __m512 limit = _mm512_set1_ps(4194304.0f);
  __m512 scaled = _mm512_mul_ps(_mm512_cvtepi32_ps(x), scale);
  scaled = _mm512_min_ps(_mm512_max_ps(scaled, _mm512_sub_ps(_mm512_setzero_ps(), limit)), limit);
  return _mm512_cvtps_epi32(scaled);
}

AURALINK_TARGET_AVX512 void RequantizeRowAvx512(const int32_t* acc, int count,
                                                const ChannelRequantization& q, int8_t* out) {
  const __m512i zero_point = _mm512_set1_epi32(q.output_zero_point);
  const __m512i low = _mm512_set1_epi32(q.low - q.output_zero_point);
  const __m512i high = _mm512_set1_epi32(q.high - q.output_zero_point);
  const bool xnnpack = q.semantics == Int8Semantics::kXnnpack;
  for (int c = 0; c < count; c += 16) {
    const int lanes = std::min(16, count - c);
    const __mmask16 mask = static_cast<__mmask16>(lanes == 16 ? 0xFFFF : (1u << lanes) - 1);
    const __m512i x = _mm512_maskz_loadu_epi32(mask, acc + c);
    __m512i r;
    if (xnnpack) {
      r = RescaleAvx512(x, _mm512_load_ps(q.scales.data() + c));
    } else {
      r = MultiplyAvx512(x, _mm512_load_si512(q.multipliers.data() + c),
                         _mm512_load_si512(q.shifts.data() + c));
    }
    r = _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(r, low), high), zero_point);
    _mm512_mask_cvtsepi32_storeu_epi8(out + c, mask, r);
  }
}

}  // namespace

RequantizeRowFunction RequantizeRowFor(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::kAvx512:
      return RequantizeRowAvx512;
    case CpuIsa::kAvx2:
      return RequantizeRowAvx2;
    default:
      return RequantizeRowPortable;
  }
}
#else
RequantizeRowFunction RequantizeRowFor(CpuIsa) { return RequantizeRowPortable; }
#endif

}  // namespace auralink::nn
