#include "nn/kernels/vector_math.h"

#include "nn/kernels/simd_target.h"

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

namespace {

template <FloatBinaryOp kOp>
inline float Apply(float x, float y) {
  if constexpr (kOp == FloatBinaryOp::kAdd) return x + y;
  if constexpr (kOp == FloatBinaryOp::kSub) return x - y;
  if constexpr (kOp == FloatBinaryOp::kMul) return x * y;
  if constexpr (kOp == FloatBinaryOp::kMaximum) return x > y ? x : y;
  const float d = x - y;
  return d * d;
}

template <FloatBinaryOp kOp>
void BinaryLoopPortable(const float* __restrict a, int64_t a_step, const float* __restrict b,
                        int64_t b_step, float* __restrict out, int64_t n) {
  if (a_step == 1 && b_step == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = Apply<kOp>(a[i], b[i]);
  } else if (a_step == 0 && b_step == 1) {
    const float x = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = Apply<kOp>(x, b[i]);
  } else if (a_step == 1 && b_step == 0) {
    const float y = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = Apply<kOp>(a[i], y);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = Apply<kOp>(a[i * a_step], b[i * b_step]);
  }
}

template <FloatBinaryOp kOp>
void BinaryRowsPortable(const float* a, int64_t a_step, int64_t a_row, const float* b,
                        int64_t b_step, int64_t b_row, float* out, int64_t n, int64_t rows) {
  for (int64_t r = 0; r < rows; ++r) {
    BinaryLoopPortable<kOp>(a + r * a_row, a_step, b + r * b_row, b_step, out + r * n, n);
  }
}

void BinaryPortable(FloatBinaryOp op, const float* a, int64_t a_step, int64_t a_row, const float* b,
                    int64_t b_step, int64_t b_row, float* out, int64_t n, int64_t rows) {
  switch (op) {
    case FloatBinaryOp::kAdd:
      return BinaryRowsPortable<FloatBinaryOp::kAdd>(a, a_step, a_row, b, b_step, b_row, out, n,
                                                     rows);
    case FloatBinaryOp::kSub:
      return BinaryRowsPortable<FloatBinaryOp::kSub>(a, a_step, a_row, b, b_step, b_row, out, n,
                                                     rows);
    case FloatBinaryOp::kMul:
      return BinaryRowsPortable<FloatBinaryOp::kMul>(a, a_step, a_row, b, b_step, b_row, out, n,
                                                     rows);
    case FloatBinaryOp::kMaximum:
      return BinaryRowsPortable<FloatBinaryOp::kMaximum>(a, a_step, a_row, b, b_step, b_row, out, n,
                                                         rows);
    case FloatBinaryOp::kSquaredDifference:
      return BinaryRowsPortable<FloatBinaryOp::kSquaredDifference>(a, a_step, a_row, b, b_step,
                                                                   b_row, out, n, rows);
  }
}

void LaneSumRowsPortable(const float* x, int64_t rows, int64_t n, float* out) {
  for (int64_t r = 0; r < rows; ++r) out[r] = LaneSumPortable(x + r * n, n);
}

void MultiplyAddPortable(const float* __restrict a, const float* __restrict b,
                         float* __restrict acc, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float product = a[i] * b[i];
    acc[i] = acc[i] + product;
  }
}

void AccumulatePortable(const float* __restrict a, float* __restrict acc, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] = acc[i] + a[i];
}

void LeakyReluPortable(const float* __restrict in, float* __restrict out, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; ++i) {
    const float x = in[i];
    out[i] = x > 0.0f ? x : x * alpha;
  }
}

void QuantizePortable(const float* __restrict in, int8_t* __restrict out, int64_t n,
                      float inverse_scale, int32_t zero_point) {
  const float low = static_cast<float>(-128 - zero_point);
  const float high = static_cast<float>(127 - zero_point);
  for (int64_t i = 0; i < n; ++i) {
    float scaled = in[i] * inverse_scale;
    // NaN compares false both ways and ends at `low`.
    scaled = scaled >= low ? scaled : low;
    scaled = scaled <= high ? scaled : high;
    out[i] = static_cast<int8_t>(static_cast<int32_t>(std::rint(scaled)) + zero_point);
  }
}

void DequantizePortable(const int8_t* __restrict in, float* __restrict out, int64_t n, float scale,
                        int32_t zero_point) {
  for (int64_t i = 0; i < n; ++i) out[i] = scale * static_cast<float>(int32_t{in[i]} - zero_point);
}

constexpr ElementwiseFunctions kPortableElementwise = {BinaryPortable,     MultiplyAddPortable,
                                                       AccumulatePortable, LeakyReluPortable,
                                                       QuantizePortable,   DequantizePortable};

}  // namespace

#if defined(__x86_64__)

namespace {

#define AURALINK_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")))

template <FloatBinaryOp kOp>
AURALINK_AVX512 inline __m512 Apply512(__m512 x, __m512 y) {
  if constexpr (kOp == FloatBinaryOp::kAdd) return _mm512_add_ps(x, y);
  if constexpr (kOp == FloatBinaryOp::kSub) return _mm512_sub_ps(x, y);
  if constexpr (kOp == FloatBinaryOp::kMul) return _mm512_mul_ps(x, y);
  if constexpr (kOp == FloatBinaryOp::kMaximum) {
    // x > y ? x : y, including NaN handling (a NaN in y gives y, in x gives y).
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, y, _CMP_GT_OQ), y, x);
  }
  const __m512 d = _mm512_sub_ps(x, y);
  return _mm512_mul_ps(d, d);
}

template <FloatBinaryOp kOp>
AURALINK_AVX512 void BinaryRowsAvx512(const float* a, int64_t a_step, int64_t a_row, const float* b,
                                      int64_t b_step, int64_t b_row, float* out, int64_t n,
                                      int64_t rows) {
  if ((a_step != 0 && a_step != 1) || (b_step != 0 && b_step != 1)) {
    return BinaryRowsPortable<kOp>(a, a_step, a_row, b, b_step, b_row, out, n, rows);
  }
  for (int64_t r = 0; r < rows; ++r, a += a_row, b += b_row, out += n) {
    const __m512 a0 = _mm512_set1_ps(a[0]);
    const __m512 b0 = _mm512_set1_ps(b[0]);
    for (int64_t i = 0; i < n; i += 16) {
      const __mmask16 mask = n - i >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (n - i)) - 1);
      const __m512 x = a_step ? _mm512_maskz_loadu_ps(mask, a + i) : a0;
      const __m512 y = b_step ? _mm512_maskz_loadu_ps(mask, b + i) : b0;
      _mm512_mask_storeu_ps(out + i, mask, Apply512<kOp>(x, y));
    }
  }
}

AURALINK_AVX512 void BinaryAvx512(FloatBinaryOp op, const float* a, int64_t a_step, int64_t a_row,
                                  const float* b, int64_t b_step, int64_t b_row, float* out,
                                  int64_t n, int64_t rows) {
  switch (op) {
    case FloatBinaryOp::kAdd:
      return BinaryRowsAvx512<FloatBinaryOp::kAdd>(a, a_step, a_row, b, b_step, b_row, out, n,
                                                   rows);
    case FloatBinaryOp::kSub:
      return BinaryRowsAvx512<FloatBinaryOp::kSub>(a, a_step, a_row, b, b_step, b_row, out, n,
                                                   rows);
    case FloatBinaryOp::kMul:
      return BinaryRowsAvx512<FloatBinaryOp::kMul>(a, a_step, a_row, b, b_step, b_row, out, n,
                                                   rows);
    case FloatBinaryOp::kMaximum:
      return BinaryRowsAvx512<FloatBinaryOp::kMaximum>(a, a_step, a_row, b, b_step, b_row, out, n,
                                                       rows);
    case FloatBinaryOp::kSquaredDifference:
      return BinaryRowsAvx512<FloatBinaryOp::kSquaredDifference>(a, a_step, a_row, b, b_step, b_row,
                                                                 out, n, rows);
  }
}

AURALINK_AVX512 void MultiplyAddAvx512(const float* a, const float* b, float* acc, int64_t n) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 mask = n - i >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m512 product =
        _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i));
    _mm512_mask_storeu_ps(acc + i, mask,
                          _mm512_add_ps(_mm512_maskz_loadu_ps(mask, acc + i), product));
  }
}

AURALINK_AVX512 void AccumulateAvx512(const float* a, float* acc, int64_t n) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 mask = n - i >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(
        acc + i, mask,
        _mm512_add_ps(_mm512_maskz_loadu_ps(mask, acc + i), _mm512_maskz_loadu_ps(mask, a + i)));
  }
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma"))) void LeakyReluAvx512(
    const float* in, float* out, int64_t n, float alpha) {
  const __m512 a = _mm512_set1_ps(alpha);
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 mask = n - i >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m512 x = _mm512_maskz_loadu_ps(mask, in + i);
    const __mmask16 positive = _mm512_cmp_ps_mask(x, zero, _CMP_GT_OQ);
    const __m512 y = _mm512_mask_blend_ps(positive, _mm512_mul_ps(x, a), x);
    _mm512_mask_storeu_ps(out + i, mask, y);
  }
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma"))) void QuantizeAvx512(
    const float* in, int8_t* out, int64_t n, float inverse_scale, int32_t zero_point) {
  const __m512 scale = _mm512_set1_ps(inverse_scale);
  const __m512 low = _mm512_set1_ps(static_cast<float>(-128 - zero_point));
  const __m512 high = _mm512_set1_ps(static_cast<float>(127 - zero_point));
  const __m512i zp = _mm512_set1_epi32(zero_point);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 mask = n - i >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (n - i)) - 1);
    __m512 x = _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, in + i), scale);
    x = _mm512_max_ps(x, low);  // a NaN in the first operand yields `low`
    x = _mm512_min_ps(x, high);
    const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(x), zp);
    _mm512_mask_cvtsepi32_storeu_epi8(out + i, mask, q);
  }
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma"))) void DequantizeAvx512(
    const int8_t* in, float* out, int64_t n, float scale, int32_t zero_point) {
  const __m512 s = _mm512_set1_ps(scale);
  const __m512i zp = _mm512_set1_epi32(zero_point);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 mask = n - i >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m128i bytes = _mm_maskz_loadu_epi8(mask, in + i);
    const __m512i q = _mm512_sub_epi32(_mm512_cvtepi8_epi32(bytes), zp);
    _mm512_mask_storeu_ps(out + i, mask, _mm512_mul_ps(s, _mm512_cvtepi32_ps(q)));
  }
}

#define AURALINK_AVX2 __attribute__((target("avx2,fma")))

template <FloatBinaryOp kOp>
AURALINK_AVX2 inline __m256 Apply256(__m256 x, __m256 y) {
  if constexpr (kOp == FloatBinaryOp::kAdd) return _mm256_add_ps(x, y);
  if constexpr (kOp == FloatBinaryOp::kSub) return _mm256_sub_ps(x, y);
  if constexpr (kOp == FloatBinaryOp::kMul) return _mm256_mul_ps(x, y);
  if constexpr (kOp == FloatBinaryOp::kMaximum) {
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, y, _CMP_GT_OQ));
  }
  const __m256 d = _mm256_sub_ps(x, y);
  return _mm256_mul_ps(d, d);
}

template <FloatBinaryOp kOp>
AURALINK_AVX2 void BinaryRowsAvx2(const float* a, int64_t a_step, int64_t a_row, const float* b,
                                  int64_t b_step, int64_t b_row, float* out, int64_t n,
                                  int64_t rows) {
  if ((a_step != 0 && a_step != 1) || (b_step != 0 && b_step != 1)) {
    return BinaryRowsPortable<kOp>(a, a_step, a_row, b, b_step, b_row, out, n, rows);
  }
  for (int64_t r = 0; r < rows; ++r, a += a_row, b += b_row, out += n) {
    const __m256 a0 = _mm256_set1_ps(a[0]);
    const __m256 b0 = _mm256_set1_ps(b[0]);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const __m256 x = a_step ? _mm256_loadu_ps(a + i) : a0;
      const __m256 y = b_step ? _mm256_loadu_ps(b + i) : b0;
      _mm256_storeu_ps(out + i, Apply256<kOp>(x, y));
    }
    BinaryLoopPortable<kOp>(a + i * a_step, a_step, b + i * b_step, b_step, out + i, n - i);
  }
}

AURALINK_AVX2 void BinaryAvx2(FloatBinaryOp op, const float* a, int64_t a_step, int64_t a_row,
                              const float* b, int64_t b_step, int64_t b_row, float* out, int64_t n,
                              int64_t rows) {
  switch (op) {
    case FloatBinaryOp::kAdd:
      return BinaryRowsAvx2<FloatBinaryOp::kAdd>(a, a_step, a_row, b, b_step, b_row, out, n, rows);
    case FloatBinaryOp::kSub:
      return BinaryRowsAvx2<FloatBinaryOp::kSub>(a, a_step, a_row, b, b_step, b_row, out, n, rows);
    case FloatBinaryOp::kMul:
      return BinaryRowsAvx2<FloatBinaryOp::kMul>(a, a_step, a_row, b, b_step, b_row, out, n, rows);
    case FloatBinaryOp::kMaximum:
      return BinaryRowsAvx2<FloatBinaryOp::kMaximum>(a, a_step, a_row, b, b_step, b_row, out, n,
                                                     rows);
    case FloatBinaryOp::kSquaredDifference:
      return BinaryRowsAvx2<FloatBinaryOp::kSquaredDifference>(a, a_step, a_row, b, b_step, b_row,
                                                               out, n, rows);
  }
}

AURALINK_AVX2 void MultiplyAddAvx2(const float* a, const float* b, float* acc, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 product = _mm256_mul_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    _mm256_storeu_ps(acc + i, _mm256_add_ps(_mm256_loadu_ps(acc + i), product));
  }
  MultiplyAddPortable(a + i, b + i, acc + i, n - i);
}

AURALINK_AVX2 void AccumulateAvx2(const float* a, float* acc, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(acc + i, _mm256_add_ps(_mm256_loadu_ps(acc + i), _mm256_loadu_ps(a + i)));
  }
  AccumulatePortable(a + i, acc + i, n - i);
}

__attribute__((target("avx2,fma"))) void LeakyReluAvx2(const float* in, float* out, int64_t n,
                                                       float alpha) {
  const __m256 a = _mm256_set1_ps(alpha);
  const __m256 zero = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 x = _mm256_loadu_ps(in + i);
    const __m256 positive = _mm256_cmp_ps(x, zero, _CMP_GT_OQ);
    _mm256_storeu_ps(out + i, _mm256_blendv_ps(_mm256_mul_ps(x, a), x, positive));
  }
  LeakyReluPortable(in + i, out + i, n - i, alpha);
}

__attribute__((target("avx2,fma"))) void QuantizeAvx2(const float* in, int8_t* out, int64_t n,
                                                      float inverse_scale, int32_t zero_point) {
  const __m256 scale = _mm256_set1_ps(inverse_scale);
  const __m256 low = _mm256_set1_ps(static_cast<float>(-128 - zero_point));
  const __m256 high = _mm256_set1_ps(static_cast<float>(127 - zero_point));
  const __m256i zp = _mm256_set1_epi32(zero_point);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 x = _mm256_mul_ps(_mm256_loadu_ps(in + i), scale);
    x = _mm256_min_ps(_mm256_max_ps(x, low), high);
    const __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(x), zp);
    const __m128i words =
        _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + i), _mm_packs_epi16(words, words));
  }
  QuantizePortable(in + i, out + i, n - i, inverse_scale, zero_point);
}

__attribute__((target("avx2,fma"))) void DequantizeAvx2(const int8_t* in, float* out, int64_t n,
                                                        float scale, int32_t zero_point) {
  const __m256 s = _mm256_set1_ps(scale);
  const __m256i zp = _mm256_set1_epi32(zero_point);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(in + i));
    const __m256i q = _mm256_sub_epi32(_mm256_cvtepi8_epi32(bytes), zp);
    _mm256_storeu_ps(out + i, _mm256_mul_ps(s, _mm256_cvtepi32_ps(q)));
  }
  DequantizePortable(in + i, out + i, n - i, scale, zero_point);
}

constexpr ElementwiseFunctions kAvx2Elementwise = {BinaryAvx2,    MultiplyAddAvx2, AccumulateAvx2,
                                                   LeakyReluAvx2, QuantizeAvx2,    DequantizeAvx2};
constexpr ElementwiseFunctions kAvx512Elementwise = {BinaryAvx512,     MultiplyAddAvx512,
                                                     AccumulateAvx512, LeakyReluAvx512,
                                                     QuantizeAvx512,   DequantizeAvx512};

}  // namespace

const ElementwiseFunctions& ElementwiseFunctionsFor(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::kAvx512:
      return kAvx512Elementwise;
    case CpuIsa::kAvx2:
      return kAvx2Elementwise;
    default:
      return kPortableElementwise;
  }
}

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

__attribute__((target("avx2,fma"))) void LaneSumRowsAvx2(const float* x, int64_t rows, int64_t n,
                                                         float* out) {
  for (int64_t r = 0; r < rows; ++r) out[r] = LaneSumAvx2(x + r * n, n);
}

__attribute__((target("avx512f,avx512dq,avx2,fma"))) void LaneSumRowsAvx512(const float* x,
                                                                            int64_t rows, int64_t n,
                                                                            float* out) {
  for (int64_t r = 0; r < rows; ++r) out[r] = LaneSumAvx512(x + r * n, n);
}

}  // namespace

LaneSumRows LaneSumRowsFunction(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::kAvx512:
      return LaneSumRowsAvx512;
    case CpuIsa::kAvx2:
      return LaneSumRowsAvx2;
    default:
      return LaneSumRowsPortable;
  }
}

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
LaneSumRows LaneSumRowsFunction(CpuIsa) { return LaneSumRowsPortable; }
const ElementwiseFunctions& ElementwiseFunctionsFor(CpuIsa) { return kPortableElementwise; }

#endif

}  // namespace auralink::nn
