// Elementwise operators (binary with broadcasting, unary, quantize/dequantize, leaky relu, cast)
// against direct formulas, on every ISA path and in both int8 conventions.

#include <gtest/gtest.h>

#include <cmath>

#include "nn/kernels/fixed_point.h"
#include "nn/kernels/operator_test_harness.h"

namespace auralink::nn {
namespace {

using testing::Bytes;
using testing::FromBytes;
using testing::RandomFloats;
using testing::RandomInt8;
using testing::RunOnAllIsas;
using testing::TestModelBuilder;
using testing::TestQuantization;
using tflite::Activation;
using tflite::BuiltinOperator;
using tflite::BuiltinOptionsType;

// One binary operator: out = op(a [a_shape], b [b_shape]).
std::vector<uint8_t> BinaryModel(BuiltinOperator code, TensorType type, TensorType out_type,
                                 std::vector<int32_t> a_shape, std::vector<int32_t> b_shape,
                                 std::vector<int32_t> out_shape,
                                 BuiltinOptionsType options_type = BuiltinOptionsType::kNone,
                                 testing::FlatbufferRef options = nullptr,
                                 TestQuantization a_q = {}, TestQuantization b_q = {},
                                 TestQuantization out_q = {}) {
  TestModelBuilder builder;
  const int a = builder.AddTensor("a", type, std::move(a_shape), a_q);
  const int b = builder.AddTensor("b", type, std::move(b_shape), b_q);
  const int out = builder.AddTensor("out", out_type, std::move(out_shape), out_q);
  builder.AddOperator(code, {a, b}, {out}, options_type, options);
  builder.SetInputs({a, b});
  builder.SetOutputs({out});
  return builder.Build();
}

TEST(ElementwiseTest, FloatArithmeticBroadcasts) {
  // [2,3,4] op [3,1] -> [2,3,4]: b repeats along the last axis and the first.
  const auto a = RandomFloats(24, 1);
  const auto b = RandomFloats(3, 2);
  struct Case {
    BuiltinOperator code;
    BuiltinOptionsType options_type;
    float (*f)(float, float);
  };
  const Case cases[] = {
      {BuiltinOperator::kAdd, BuiltinOptionsType::kAddOptions,
       [](float x, float y) { return x + y; }},
      {BuiltinOperator::kSub, BuiltinOptionsType::kSubOptions,
       [](float x, float y) { return x - y; }},
      {BuiltinOperator::kMul, BuiltinOptionsType::kMulOptions,
       [](float x, float y) { return x * y; }},
      {BuiltinOperator::kMaximum, BuiltinOptionsType::kNone,
       [](float x, float y) { return x > y ? x : y; }},
      {BuiltinOperator::kSquaredDifference, BuiltinOptionsType::kNone,
       [](float x, float y) { return (x - y) * (x - y); }},
  };
  for (const Case& c : cases) {
    const auto options = c.options_type == BuiltinOptionsType::kNone
                             ? nullptr
                             : testing::ActivationOptions(Activation::kNone);
    const auto model = BinaryModel(c.code, TensorType::kFloat32, TensorType::kFloat32, {2, 3, 4},
                                   {3, 1}, {2, 3, 4}, c.options_type, options);
    const auto outputs = RunOnAllIsas(model, {Bytes(a), Bytes(b)});
    ASSERT_EQ(outputs.size(), 1u);
    const auto actual = FromBytes<float>(outputs[0]);
    for (int i = 0; i < 24; ++i) {
      EXPECT_EQ(actual[i], c.f(a[i], b[(i / 4) % 3]))
          << tflite::BuiltinOperatorName(static_cast<int32_t>(c.code)) << " at " << i;
    }
  }
}

TEST(ElementwiseTest, FusedActivationClamps) {
  const auto a = RandomFloats(16, 3, -8.0f, 8.0f);
  const auto b = RandomFloats(16, 4, -8.0f, 8.0f);
  const auto model = BinaryModel(BuiltinOperator::kAdd, TensorType::kFloat32, TensorType::kFloat32,
                                 {16}, {16}, {16}, BuiltinOptionsType::kAddOptions,
                                 testing::ActivationOptions(Activation::kRelu6));
  const auto actual = FromBytes<float>(RunOnAllIsas(model, {Bytes(a), Bytes(b)})[0]);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(actual[i], std::min(std::max(a[i] + b[i], 0.0f), 6.0f));
}

TEST(ElementwiseTest, ComparisonsAndInt32Arithmetic) {
  const std::vector<int32_t> a = {5, -3, 7, 0, 12, -8};
  const std::vector<int32_t> scalar = {2};
  auto less =
      BinaryModel(BuiltinOperator::kLess, TensorType::kInt32, TensorType::kBool, {6}, {}, {6});
  auto less_out = FromBytes<bool>(RunOnAllIsas(less, {Bytes(a), Bytes(scalar)})[0]);
  auto not_equal =
      BinaryModel(BuiltinOperator::kNotEqual, TensorType::kInt32, TensorType::kBool, {6}, {}, {6});
  auto not_equal_out = FromBytes<bool>(RunOnAllIsas(not_equal, {Bytes(a), Bytes(scalar)})[0]);
  auto maximum =
      BinaryModel(BuiltinOperator::kMaximum, TensorType::kInt32, TensorType::kInt32, {6}, {}, {6});
  auto maximum_out = FromBytes<int32_t>(RunOnAllIsas(maximum, {Bytes(a), Bytes(scalar)})[0]);
  auto add =
      BinaryModel(BuiltinOperator::kAdd, TensorType::kInt32, TensorType::kInt32, {6}, {6}, {6});
  auto add_out = FromBytes<int32_t>(RunOnAllIsas(add, {Bytes(a), Bytes(a)})[0]);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(less_out[i], a[i] < 2);
    EXPECT_EQ(not_equal_out[i], a[i] != 2);
    EXPECT_EQ(maximum_out[i], std::max(a[i], 2));
    EXPECT_EQ(add_out[i], 2 * a[i]);
  }
}

// Int8 ADD and SUB in both conventions, written from their definitions.
int8_t TfliteAdd(int8_t x, int8_t y, float sa, int za, float sb, int zb, float so, int zo,
                 bool subtract) {
  const double twice = 2 * std::max(sa, sb);
  const auto ma = QuantizeMultiplier(sa / twice);
  const auto mb = QuantizeMultiplier(sb / twice);
  const auto mo = QuantizeMultiplier(twice / ((1 << 20) * so));
  const int32_t xa = MultiplyByQuantizedMultiplier((x - za) * (1 << 20), ma);
  const int32_t yb = MultiplyByQuantizedMultiplier((y - zb) * (1 << 20), mb);
  const int32_t r = MultiplyByQuantizedMultiplier(subtract ? xa - yb : xa + yb, mo) + zo;
  return static_cast<int8_t>(std::clamp(r, -128, 127));
}

int8_t XnnpackAdd(int8_t x, int8_t y, float sa, int za, float sb, int zb, float so, int zo,
                  bool subtract) {
  const float ra = sa / so;
  const float rb = sb / so;
  const int exponent = std::ilogb(std::max(ra, rb));
  const int shift = 20 - exponent;
  const int32_t ma = static_cast<int32_t>(std::lrint(std::ldexp(ra, shift)));
  int32_t mb = static_cast<int32_t>(std::lrint(std::ldexp(rb, shift)));
  if (subtract) mb = -mb;
  const int64_t sum = (int64_t{1} << (shift - 1)) + int64_t{x - za} * ma + int64_t{y - zb} * mb;
  return static_cast<int8_t>(std::clamp<int64_t>((sum >> shift) + zo, -128, 127));
}

TEST(ElementwiseTest, Int8AddAndSubInBothConventions) {
  const float sa = 0.07f, sb = 0.023f, so = 0.09f;
  const int za = 5, zb = -17, zo = 3;
  std::vector<int8_t> a;
  std::vector<int8_t> b;
  for (int x = -128; x <= 127; x += 3) {
    for (int y = -128; y <= 127; y += 5) {
      a.push_back(static_cast<int8_t>(x));
      b.push_back(static_cast<int8_t>(y));
    }
  }
  const int n = static_cast<int>(a.size());
  for (bool subtract : {false, true}) {
    const auto model = BinaryModel(
        subtract ? BuiltinOperator::kSub : BuiltinOperator::kAdd, TensorType::kInt8,
        TensorType::kInt8, {n}, {n}, {n},
        subtract ? BuiltinOptionsType::kSubOptions : BuiltinOptionsType::kAddOptions,
        testing::ActivationOptions(Activation::kNone), {{sa}, {za}}, {{sb}, {zb}}, {{so}, {zo}});
    for (Int8Semantics semantics : {Int8Semantics::kXnnpack, Int8Semantics::kTfliteReference}) {
      const auto actual =
          FromBytes<int8_t>(RunOnAllIsas(model, {Bytes(a), Bytes(b)}, semantics)[0]);
      int disagreements = 0;
      for (int i = 0; i < n; ++i) {
        const int8_t tflite = TfliteAdd(a[i], b[i], sa, za, sb, zb, so, zo, subtract);
        const int8_t xnnpack = XnnpackAdd(a[i], b[i], sa, za, sb, zb, so, zo, subtract);
        disagreements += tflite != xnnpack;
        EXPECT_EQ(actual[i], semantics == Int8Semantics::kXnnpack ? xnnpack : tflite);
        // Both must stay within one step of the exact real-valued result.
        const double exact = (sa * (a[i] - za) + (subtract ? -1 : 1) * sb * (b[i] - zb)) / so + zo;
        EXPECT_LE(std::fabs(std::clamp(exact, -128.0, 127.0) - actual[i]), 1.0);
      }
      EXPECT_LT(disagreements, n / 10);
    }
  }
}

std::vector<uint8_t> UnaryModel(BuiltinOperator code, TensorType in_type, TensorType out_type,
                                std::vector<int32_t> shape, TestQuantization in_q = {},
                                TestQuantization out_q = {},
                                BuiltinOptionsType options_type = BuiltinOptionsType::kNone,
                                testing::FlatbufferRef options = nullptr) {
  TestModelBuilder builder;
  const int in = builder.AddTensor("in", in_type, shape, in_q);
  const int out = builder.AddTensor("out", out_type, shape, out_q);
  builder.AddOperator(code, {in}, {out}, options_type, options);
  builder.SetInputs({in});
  builder.SetOutputs({out});
  return builder.Build();
}

TEST(ElementwiseTest, QuantizeRoundsPerConvention) {
  const float scale = 0.5f;
  const int zero = -3;
  // Exact ties (k + 0.5) * scale show the rounding rule; large values saturate.
  std::vector<float> values = {0.25f, -0.25f, 0.75f, -0.75f, 1.25f, 100.0f, -100.0f, 0.1f, NAN};
  for (int i = 0; i < 37; ++i) values.push_back(-9.0f + 0.5f * i);
  const int n = static_cast<int>(values.size());
  const auto model = UnaryModel(BuiltinOperator::kQuantize, TensorType::kFloat32, TensorType::kInt8,
                                {n}, {}, {{scale}, {zero}});
  for (Int8Semantics semantics : {Int8Semantics::kXnnpack, Int8Semantics::kTfliteReference}) {
    const auto actual = FromBytes<int8_t>(RunOnAllIsas(model, {Bytes(values)}, semantics)[0]);
    for (int i = 0; i < n; ++i) {
      if (std::isnan(values[i])) {
        EXPECT_EQ(actual[i], -128);
        continue;
      }
      const double scaled = values[i] / scale;
      const double rounded =
          semantics == Int8Semantics::kXnnpack ? std::nearbyint(scaled) : std::round(scaled);
      EXPECT_EQ(actual[i], std::clamp(rounded + zero, -128.0, 127.0)) << values[i];
    }
  }
}

TEST(ElementwiseTest, DequantizeAndFloatLeakyRelu) {
  std::vector<int8_t> q;
  for (int v = -128; v <= 127; ++v) q.push_back(static_cast<int8_t>(v));
  const auto dequantize = UnaryModel(BuiltinOperator::kDequantize, TensorType::kInt8,
                                     TensorType::kFloat32, {256}, {{0.037f}, {-9}});
  const auto real = FromBytes<float>(RunOnAllIsas(dequantize, {Bytes(q)})[0]);
  for (int i = 0; i < 256; ++i) EXPECT_EQ(real[i], 0.037f * static_cast<float>(q[i] + 9));

  const auto x = RandomFloats(37, 9, -3.0f, 3.0f);
  const auto leaky =
      UnaryModel(BuiltinOperator::kLeakyRelu, TensorType::kFloat32, TensorType::kFloat32, {37}, {},
                 {}, BuiltinOptionsType::kLeakyReluOptions, testing::LeakyReluOptions(0.3f));
  const auto y = FromBytes<float>(RunOnAllIsas(leaky, {Bytes(x)})[0]);
  for (int i = 0; i < 37; ++i) EXPECT_EQ(y[i], x[i] > 0 ? x[i] : x[i] * 0.3f);
}

TEST(ElementwiseTest, Int8LeakyReluInBothConventions) {
  std::vector<int8_t> q;
  for (int v = -128; v <= 127; ++v) q.push_back(static_cast<int8_t>(v));
  const float in_scale = 6.390609f, out_scale = 4.224189f, alpha = 0.3f;
  const int in_zero = -8, out_zero = -5;
  const auto model =
      UnaryModel(BuiltinOperator::kLeakyRelu, TensorType::kInt8, TensorType::kInt8, {256},
                 {{in_scale}, {in_zero}}, {{out_scale}, {out_zero}},
                 BuiltinOptionsType::kLeakyReluOptions, testing::LeakyReluOptions(alpha));
  for (Int8Semantics semantics : {Int8Semantics::kXnnpack, Int8Semantics::kTfliteReference}) {
    const auto actual = FromBytes<int8_t>(RunOnAllIsas(model, {Bytes(q)}, semantics)[0]);
    for (int i = 0; i < 256; ++i) {
      const int centred = q[i] - in_zero;
      int expected;
      if (semantics == Int8Semantics::kXnnpack) {
        // 8.8 fixed-point multipliers, rounding half up.
        const int positive = static_cast<int>(std::lrint(256.0f * (in_scale / out_scale)));
        const int negative =
            static_cast<int>(std::lrint(256.0f * ((in_scale / out_scale) * alpha)));
        expected = (out_zero * 256 + 128 + centred * (centred >= 0 ? positive : negative)) >> 8;
      } else {
        const auto m =
            QuantizeMultiplier(centred >= 0 ? in_scale / out_scale : in_scale * alpha / out_scale);
        expected = MultiplyByQuantizedMultiplier(centred, m) + out_zero;
      }
      EXPECT_EQ(actual[i], std::clamp(expected, -128, 127)) << int{q[i]};
      // Either way within one step of the real-valued result.
      const double real = in_scale * centred * (centred >= 0 ? 1.0 : alpha) / out_scale + out_zero;
      EXPECT_LE(std::fabs(std::clamp(real, -128.0, 127.0) - actual[i]), 1.0);
    }
  }
}

TEST(ElementwiseTest, CastFollowsTruncationAndBooleanRules) {
  const std::vector<float> values = {1.9f, -1.9f, 0.0f, 3e9f, NAN, 7.0f};
  const auto to_int =
      UnaryModel(BuiltinOperator::kCast, TensorType::kFloat32, TensorType::kInt32, {6});
  const auto ints = FromBytes<int32_t>(RunOnAllIsas(to_int, {Bytes(values)})[0]);
  EXPECT_EQ(ints, (std::vector<int32_t>{1, -1, 0, INT32_MIN, INT32_MIN, 7}));
  const auto to_bool =
      UnaryModel(BuiltinOperator::kCast, TensorType::kFloat32, TensorType::kBool, {6});
  const auto bools = FromBytes<bool>(RunOnAllIsas(to_bool, {Bytes(values)})[0]);
  EXPECT_EQ(bools, (std::vector<bool>{true, true, false, true, true, true}));
  const std::vector<bool> flags = {true, false, true};
  const auto from_bool =
      UnaryModel(BuiltinOperator::kCast, TensorType::kBool, TensorType::kFloat32, {3});
  std::vector<uint8_t> flag_bytes = {1, 0, 1};
  EXPECT_EQ(FromBytes<float>(RunOnAllIsas(from_bool, {flag_bytes})[0]),
            (std::vector<float>{1.0f, 0.0f, 1.0f}));
}

}  // namespace
}  // namespace auralink::nn
