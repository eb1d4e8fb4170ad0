#include "nn/kernels/vector_math.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace auralink::nn {

float LaneSumPortable(const float* x, int64_t n) {
  float acc[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    for (int j = 0; j < 16; ++j) acc[j] += x[i + j];
  }
  if (i < n) {
    for (int j = 0; j < 16; ++j) acc[j] += i + j < n ? x[i + j] : 0.0f;
  }
  for (int width = 8; width >= 1; width /= 2) {
    for (int j = 0; j < width; ++j) acc[j] += acc[j + width];
  }
  return acc[0];
}

#if defined(__x86_64__)

namespace {

__attribute__((target("avx2,fma"))) float FoldEightLanes(__m256 v) {
  __m128 four = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  __m128 two = _mm_add_ps(four, _mm_movehl_ps(four, four));
  __m128 one = _mm_add_ss(two, _mm_shuffle_ps(two, two, 1));
  return _mm_cvtss_f32(one);
}

__attribute__((target("avx2,fma"))) float LaneSumAvx2(const float* x, int64_t n) {
  __m256 low = _mm256_setzero_ps();
  __m256 high = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    low = _mm256_add_ps(low, _mm256_loadu_ps(x + i));
    high = _mm256_add_ps(high, _mm256_loadu_ps(x + i + 8));
  }
  if (i < n) {
    alignas(32) float tail[16] = {};
    for (int64_t j = 0; i + j < n; ++j) tail[j] = x[i + j];
    low = _mm256_add_ps(low, _mm256_load_ps(tail));
    high = _mm256_add_ps(high, _mm256_load_ps(tail + 8));
  }
  return FoldEightLanes(_mm256_add_ps(low, high));
}

__attribute__((target("avx512f,avx512dq,avx2,fma"))) float LaneSumAvx512(const float* x,
                                                                         int64_t n) {
  __m512 acc = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) acc = _mm512_add_ps(acc, _mm512_loadu_ps(x + i));
  if (i < n) {
    const __mmask16 mask = static_cast<__mmask16>((1u << (n - i)) - 1);
    acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(mask, x + i));
  }
  const __m256 eight = _mm256_add_ps(_mm512_castps512_ps256(acc), _mm512_extractf32x8_ps(acc, 1));
  return FoldEightLanes(eight);
}

}  // namespace

LaneSum LaneSumFunction(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::kAvx512:
      return LaneSumAvx512;
    case CpuIsa::kAvx2:
      return LaneSumAvx2;
    default:
      return LaneSumPortable;
  }
}

#else

LaneSum LaneSumFunction(CpuIsa) { return LaneSumPortable; }

#endif

}  // namespace auralink::nn
