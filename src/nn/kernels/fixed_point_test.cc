// The TFLite fixed-point helpers against exact rational arithmetic, and the SIMD requantisers
// against the scalar one.

#include "nn/kernels/fixed_point.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "nn/kernels/operator_test_harness.h"
#include "nn/kernels/requantize.h"

namespace auralink::nn {
namespace {

TEST(FixedPointTest, QuantizeMultiplierRepresentsTheRealValue) {
  for (double real : {0.5, 0.25, 1.0, 0.0030123, 3.75, 1e-5, 0.999999999, 123.456}) {
    const QuantizedMultiplier m = QuantizeMultiplier(real);
    EXPECT_GE(m.multiplier, int32_t{1} << 30);
    const double represented = std::ldexp(static_cast<double>(m.multiplier), m.shift - 31);
    EXPECT_NEAR(represented, real, real * 1e-9) << real;
  }
  EXPECT_EQ(QuantizeMultiplier(0.0).multiplier, 0);
  EXPECT_EQ(QuantizeMultiplier(0.5).multiplier, int32_t{1} << 30);
  EXPECT_EQ(QuantizeMultiplier(0.5).shift, 0);
  // A significand that rounds up to 2^31 carries into the exponent.
  const QuantizedMultiplier carry = QuantizeMultiplier(std::nextafter(1.0, 0.0));
  EXPECT_EQ(carry.multiplier, int32_t{1} << 30);
  EXPECT_EQ(carry.shift, 1);
  // Below 2^-31 the multiplier flushes to zero.
  EXPECT_EQ(QuantizeMultiplier(1e-12).multiplier, 0);
}

// round(x * m / 2^31) with ties toward +infinity, then a division by 2^right rounded half away
// from zero: the two roundings TFLite applies, computed exactly.
int32_t ExactMultiply(int32_t x, int32_t multiplier, int shift) {
  const int left = std::max(shift, 0);
  const int right = std::max(-shift, 0);
  const int64_t shifted =
      static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(x) << left));
  const __int128 product = static_cast<__int128>(shifted) * multiplier;
  __int128 high = (product + (__int128{1} << 30));
  high = high >= 0 ? high >> 31 : -((-high + (__int128{1} << 31) - 1) >> 31);
  const int64_t value = static_cast<int64_t>(high);
  if (right == 0) return static_cast<int32_t>(value);
  const int64_t divisor = int64_t{1} << right;
  const int64_t quotient =
      value >= 0 ? (value + divisor / 2) / divisor : -((-value + divisor / 2) / divisor);
  // Half away from zero: (|v| + d/2) / d truncated.
  return static_cast<int32_t>(quotient);
}

TEST(FixedPointTest, MultiplyByQuantizedMultiplierRoundsLikeTflite) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int32_t> values(-(1 << 24), 1 << 24);
  std::uniform_real_distribution<double> reals(1e-4, 2.0);
  for (int i = 0; i < 20000; ++i) {
    const QuantizedMultiplier m = QuantizeMultiplier(reals(rng));
    const int32_t x = values(rng);
    EXPECT_EQ(MultiplyByQuantizedMultiplier(x, m), ExactMultiply(x, m.multiplier, m.shift))
        << x << " * " << m.multiplier << " >> " << -m.shift;
  }
  // Exact halves: the doubling high multiply rounds them up (-1.5 -> -1), the final shift away
  // from zero (-6 * 0.25 = -1.5 -> -2).
  const QuantizedMultiplier half = QuantizeMultiplier(0.5);
  EXPECT_EQ(MultiplyByQuantizedMultiplier(3, half), 2);
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-3, half), -1);
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-6, QuantizeMultiplier(0.25)), -2);
  EXPECT_EQ(MultiplyByQuantizedMultiplier(6, QuantizeMultiplier(0.25)), 2);
}

TEST(FixedPointTest, SimdRequantizersMatchScalar) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> sums(-200000, 200000);
  std::uniform_real_distribution<float> scales(1e-5f, 0.01f);
  for (Int8Semantics semantics : {Int8Semantics::kXnnpack, Int8Semantics::kTfliteReference}) {
    for (int count : {1, 7, 8, 16, 33, 100}) {
      ChannelRequantization q;
      q.semantics = semantics;
      const size_t padded = static_cast<size_t>((count + 15) / 16 * 16);
      q.scales = AlignedBuffer<float>(padded);
      q.multipliers = AlignedBuffer<int32_t>(padded);
      q.shifts = AlignedBuffer<int32_t>(padded);
      for (int c = 0; c < count; ++c) {
        q.scales[c] = scales(rng);
        const QuantizedMultiplier m = QuantizeMultiplier(q.scales[c]);
        q.multipliers[c] = m.multiplier;
        q.shifts[c] = m.shift;
      }
      q.output_zero_point = -13;
      q.low = -100;
      q.high = 120;
      std::vector<int32_t> acc(count);
      for (int32_t& a : acc) a = sums(rng);
      acc[0] = static_cast<int32_t>(std::lrint(2.5f / q.scales[0]));  // near a tie
      std::vector<int8_t> expected(count);
      RequantizeRowPortable(acc.data(), count, q, expected.data());
      for (CpuIsa isa : testing::SupportedIsas()) {
        std::vector<int8_t> actual(count);
        RequantizeRowFor(isa)(acc.data(), count, q, actual.data());
        EXPECT_EQ(actual, expected)
            << CpuIsaName(isa) << " " << Int8SemanticsName(semantics) << " count " << count;
      }
    }
  }
}

}  // namespace
}  // namespace auralink::nn
