// CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV against straightforward loops written from the
// operators' definitions (TFLite's reference kernels), on every ISA path and in both int8
// conventions.

#include <gtest/gtest.h>

#include <cmath>

#include "nn/kernels/fixed_point.h"
#include "nn/kernels/operator_test_harness.h"
#include "nn/kernels/requantize.h"

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
using tflite::Padding;

struct ConvCase {
  int batches, in_h, in_w, in_c, out_c, kernel_h, kernel_w, filter_c;
  int stride_h, stride_w, dilation_h, dilation_w;
  Padding padding;
};

int OutSize(Padding padding, int in, int kernel, int stride, int dilation) {
  const int effective = (kernel - 1) * dilation + 1;
  return padding == Padding::kSame ? (in + stride - 1) / stride
                                   : (in - effective + stride) / stride;
}

int PadBefore(int in, int out, int kernel, int stride, int dilation) {
  const int effective = (kernel - 1) * dilation + 1;
  return std::max(0, (out - 1) * stride + effective - in) / 2;
}

// Float convolution accumulated bias first, then (tap, channel) in order with a rounding after
// every multiply and add: the order the engine promises (XNNPACK's).
std::vector<float> NaiveConvFloat(const ConvCase& c, const std::vector<float>& input,
                                  const std::vector<float>& filter, const std::vector<float>& bias,
                                  float low, float high) {
  const int out_h = OutSize(c.padding, c.in_h, c.kernel_h, c.stride_h, c.dilation_h);
  const int out_w = OutSize(c.padding, c.in_w, c.kernel_w, c.stride_w, c.dilation_w);
  const int pad_top = PadBefore(c.in_h, out_h, c.kernel_h, c.stride_h, c.dilation_h);
  const int pad_left = PadBefore(c.in_w, out_w, c.kernel_w, c.stride_w, c.dilation_w);
  const int groups = c.in_c / c.filter_c;
  const int out_per_group = c.out_c / groups;
  std::vector<float> out(static_cast<size_t>(c.batches) * out_h * out_w * c.out_c);
  for (int b = 0; b < c.batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      for (int ox = 0; ox < out_w; ++ox) {
        for (int oc = 0; oc < c.out_c; ++oc) {
          const int group = oc / out_per_group;
          volatile float acc = bias.empty() ? 0.0f : bias[oc];
          for (int fy = 0; fy < c.kernel_h; ++fy) {
            for (int fx = 0; fx < c.kernel_w; ++fx) {
              const int y = oy * c.stride_h - pad_top + fy * c.dilation_h;
              const int x = ox * c.stride_w - pad_left + fx * c.dilation_w;
              if (y < 0 || y >= c.in_h || x < 0 || x >= c.in_w) continue;
              for (int ic = 0; ic < c.filter_c; ++ic) {
                const float v =
                    input[((b * c.in_h + y) * c.in_w + x) * c.in_c + group * c.filter_c + ic];
                const float w =
                    filter[((oc * c.kernel_h + fy) * c.kernel_w + fx) * c.filter_c + ic];
                volatile float product = v * w;
                acc = acc + product;
              }
            }
          }
          out[((b * out_h + oy) * out_w + ox) * c.out_c + oc] =
              std::min(std::max(static_cast<float>(acc), low), high);
        }
      }
    }
  }
  return out;
}

struct Int8Params {
  float input_scale;
  int32_t input_zero;
  std::vector<float> filter_scales;  // one, or one per output channel
  float output_scale;
  int32_t output_zero;
};

int8_t Requantize(Int8Semantics semantics, int32_t acc, float input_scale, float filter_scale,
                  float output_scale, int32_t output_zero, int32_t low = -128, int32_t high = 127) {
  int32_t scaled;
  if (semantics == Int8Semantics::kXnnpack) {
    const float scale = input_scale * filter_scale / output_scale;
    scaled = static_cast<int32_t>(std::nearbyint(static_cast<float>(acc) * scale));
  } else {
    const QuantizedMultiplier m =
        QuantizeMultiplier(static_cast<double>(input_scale) * filter_scale / output_scale);
    scaled = MultiplyByQuantizedMultiplier(acc, m);
  }
  return static_cast<int8_t>(std::clamp<int64_t>(int64_t{scaled} + output_zero, low, high));
}

std::vector<int8_t> NaiveConvInt8(const ConvCase& c, Int8Semantics semantics, const Int8Params& q,
                                  const std::vector<int8_t>& input,
                                  const std::vector<int8_t>& filter,
                                  const std::vector<int32_t>& bias) {
  const int out_h = OutSize(c.padding, c.in_h, c.kernel_h, c.stride_h, c.dilation_h);
  const int out_w = OutSize(c.padding, c.in_w, c.kernel_w, c.stride_w, c.dilation_w);
  const int pad_top = PadBefore(c.in_h, out_h, c.kernel_h, c.stride_h, c.dilation_h);
  const int pad_left = PadBefore(c.in_w, out_w, c.kernel_w, c.stride_w, c.dilation_w);
  const int groups = c.in_c / c.filter_c;
  const int out_per_group = c.out_c / groups;
  std::vector<int8_t> out(static_cast<size_t>(c.batches) * out_h * out_w * c.out_c);
  for (int b = 0; b < c.batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      for (int ox = 0; ox < out_w; ++ox) {
        for (int oc = 0; oc < c.out_c; ++oc) {
          const int group = oc / out_per_group;
          int32_t acc = bias.empty() ? 0 : bias[oc];
          for (int fy = 0; fy < c.kernel_h; ++fy) {
            for (int fx = 0; fx < c.kernel_w; ++fx) {
              const int y = oy * c.stride_h - pad_top + fy * c.dilation_h;
              const int x = ox * c.stride_w - pad_left + fx * c.dilation_w;
              if (y < 0 || y >= c.in_h || x < 0 || x >= c.in_w) continue;
              for (int ic = 0; ic < c.filter_c; ++ic) {
                const int32_t v =
                    input[((b * c.in_h + y) * c.in_w + x) * c.in_c + group * c.filter_c + ic];
                const int32_t w =
                    filter[((oc * c.kernel_h + fy) * c.kernel_w + fx) * c.filter_c + ic];
                acc += (v - q.input_zero) * w;
              }
            }
          }
          const float filter_scale = q.filter_scales[q.filter_scales.size() == 1 ? 0 : oc];
          out[((b * out_h + oy) * out_w + ox) * c.out_c + oc] = Requantize(
              semantics, acc, q.input_scale, filter_scale, q.output_scale, q.output_zero);
        }
      }
    }
  }
  return out;
}

std::vector<uint8_t> BuildConvModel(const ConvCase& c, TensorType type,
                                    const std::vector<uint8_t>& filter, TensorType bias_type,
                                    const std::vector<uint8_t>& bias, const Int8Params* q,
                                    Activation activation = Activation::kNone) {
  const int out_h = OutSize(c.padding, c.in_h, c.kernel_h, c.stride_h, c.dilation_h);
  const int out_w = OutSize(c.padding, c.in_w, c.kernel_w, c.stride_w, c.dilation_w);
  TestModelBuilder builder;
  TestQuantization in_q;
  TestQuantization filter_q;
  TestQuantization bias_q;
  TestQuantization out_q;
  if (q != nullptr) {
    in_q = {{q->input_scale}, {q->input_zero}};
    filter_q.scales = q->filter_scales;
    filter_q.zero_points.assign(q->filter_scales.size(), 0);
    bias_q.scales.assign(q->filter_scales.size(), q->input_scale);
    bias_q.zero_points.assign(q->filter_scales.size(), 0);
    out_q = {{q->output_scale}, {q->output_zero}};
  }
  const int input = builder.AddTensor("input", type, {c.batches, c.in_h, c.in_w, c.in_c}, in_q);
  const int weights = builder.AddConstantBytes(
      "filter", type, {c.out_c, c.kernel_h, c.kernel_w, c.filter_c}, filter, filter_q);
  int bias_index = -1;
  if (!bias.empty()) {
    bias_index = builder.AddConstantBytes("bias", bias_type, {c.out_c}, bias, bias_q);
  }
  const int output = builder.AddTensor("output", type, {c.batches, out_h, out_w, c.out_c}, out_q);
  builder.AddOperator(BuiltinOperator::kConv2d, {input, weights, bias_index}, {output},
                      BuiltinOptionsType::kConv2DOptions,
                      testing::Conv2DOptions(c.padding, c.stride_w, c.stride_h, activation,
                                             c.dilation_w, c.dilation_h));
  builder.SetInputs({input});
  builder.SetOutputs({output});
  return builder.Build();
}

const ConvCase kConvCases[] = {
    // SoundStream-like: one column, grouped, strided.
    {1, 25, 1, 8, 12, 4, 1, 4, 2, 1, 1, 1, Padding::kValid},
    // Two-dimensional, dilated, batch of two, odd channel counts.
    {2, 9, 7, 3, 5, 3, 2, 3, 1, 2, 2, 1, Padding::kValid},
    // SAME padding with stride: taps outside the input.
    {1, 8, 8, 6, 20, 3, 3, 6, 2, 2, 1, 1, Padding::kSame},
    // 1x1 with many output channels (several panels, a partial one).
    {1, 5, 1, 40, 37, 1, 1, 40, 1, 1, 1, 1, Padding::kValid},
    // Large stride, long filter (the encoder's first layer shape).
    {1, 100, 1, 1, 16, 32, 1, 1, 16, 1, 1, 1, Padding::kValid},
};

TEST(Conv2dTest, FloatMatchesNaiveBitForBit) {
  uint32_t seed = 1;
  for (const ConvCase& c : kConvCases) {
    const auto input = RandomFloats(size_t(c.batches) * c.in_h * c.in_w * c.in_c, seed++);
    const auto filter =
        RandomFloats(size_t(c.out_c) * c.kernel_h * c.kernel_w * c.filter_c, seed++);
    const auto bias = RandomFloats(c.out_c, seed++);
    const auto model = BuildConvModel(c, TensorType::kFloat32, Bytes(filter), TensorType::kFloat32,
                                      Bytes(bias), nullptr, Activation::kRelu);
    const auto outputs = RunOnAllIsas(model, {Bytes(input)});
    ASSERT_EQ(outputs.size(), 1u);
    const auto expected = NaiveConvFloat(c, input, filter, bias, 0.0f, INFINITY);
    EXPECT_EQ(FromBytes<float>(outputs[0]), expected);
  }
}

TEST(Conv2dTest, Int8MatchesNaiveInBothConventions) {
  uint32_t seed = 100;
  for (const ConvCase& c : kConvCases) {
    for (bool per_channel : {true, false}) {
      Int8Params q;
      q.input_scale = 0.05f;
      q.input_zero = -7;
      q.output_scale = 0.9f + 0.1f * c.out_c;
      q.output_zero = 11;
      const auto scales = RandomFloats(per_channel ? c.out_c : 1, seed++, 0.002f, 0.02f);
      q.filter_scales = scales;
      const auto input = RandomInt8(size_t(c.batches) * c.in_h * c.in_w * c.in_c, seed++);
      const auto filter =
          RandomInt8(size_t(c.out_c) * c.kernel_h * c.kernel_w * c.filter_c, seed++, -127, 127);
      std::vector<int32_t> bias(c.out_c);
      for (int i = 0; i < c.out_c; ++i) bias[i] = (i * 37 % 200) - 100;
      const auto model =
          BuildConvModel(c, TensorType::kInt8, Bytes(filter), TensorType::kInt32, Bytes(bias), &q);
      for (Int8Semantics semantics : {Int8Semantics::kXnnpack, Int8Semantics::kTfliteReference}) {
        const auto outputs = RunOnAllIsas(model, {Bytes(input)}, semantics);
        ASSERT_EQ(outputs.size(), 1u);
        EXPECT_EQ(FromBytes<int8_t>(outputs[0]),
                  NaiveConvInt8(c, semantics, q, input, filter, bias))
            << "semantics " << Int8SemanticsName(semantics) << " per-channel " << per_channel;
      }
    }
  }
}

// A fused RELU6 bound is 6 / output_scale: with a tiny scale it lies far beyond int32 and must
// saturate rather than overflow (found by the model fuzzer). XNNPACK's delegate refuses requant
// scales of 256 and more, so the builtin fixed-point requantisation applies in both conventions.
TEST(Conv2dTest, Int8Relu6WithTinyOutputScaleSaturates) {
  const ConvCase c{1, 6, 1, 4, 24, 1, 1, 4, 1, 1, 1, 1, Padding::kValid};
  Int8Params q;
  q.input_scale = 0.05f;
  q.input_zero = 0;
  q.filter_scales = {0.01f};
  q.output_scale = 1e-30f;
  q.output_zero = -5;
  const auto input = RandomInt8(size_t(c.in_h) * c.in_c, 7);
  const auto filter = RandomInt8(size_t(c.out_c) * c.filter_c, 8, -127, 127);
  const std::vector<int32_t> bias(c.out_c, 0);
  const auto model = BuildConvModel(c, TensorType::kInt8, Bytes(filter), TensorType::kInt32,
                                    Bytes(bias), &q, Activation::kRelu6);
  for (Int8Semantics semantics : {Int8Semantics::kXnnpack, Int8Semantics::kTfliteReference}) {
    const auto outputs = RunOnAllIsas(model, {Bytes(input)}, semantics);
    ASSERT_EQ(outputs.size(), 1u);
    const auto result = FromBytes<int8_t>(outputs[0]);
    for (int p = 0; p < c.in_h; ++p) {
      for (int oc = 0; oc < c.out_c; ++oc) {
        int32_t acc = 0;
        for (int ic = 0; ic < c.filter_c; ++ic) {
          acc += int32_t{input[p * c.in_c + ic]} * filter[oc * c.filter_c + ic];
        }
        // RELU6's lower bound is the zero point; its upper bound saturates at the type's maximum.
        const int8_t expected =
            Requantize(Int8Semantics::kTfliteReference, acc, q.input_scale, q.filter_scales[0],
                       q.output_scale, q.output_zero, q.output_zero, 127);
        EXPECT_EQ(result[p * c.out_c + oc], expected)
            << "position " << p << " channel " << oc << " acc " << acc;
      }
    }
  }
}

TEST(Conv2dTest, RefusesFilterThatDoesNotGroupTheInput) {
  ConvCase c{1, 4, 1, 6, 4, 1, 1, 4, 1, 1, 1, 1, Padding::kValid};  // 6 % 4 != 0
  const auto model = BuildConvModel(c, TensorType::kFloat32, Bytes(RandomFloats(16, 1)),
                                    TensorType::kFloat32, {}, nullptr);
  auto loaded = Model::Create(model);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("does not group input"), std::string::npos)
      << loaded.status().message();
}

// Depthwise: output channel c reads input channel c / multiplier.
struct DepthwiseCase {
  int in_h, in_w, in_c, multiplier, kernel_h, kernel_w, stride, dilation;
  Padding padding;
};

const DepthwiseCase kDepthwiseCases[] = {
    {38, 1, 16, 1, 3, 1, 1, 9, Padding::kValid},
    {9, 8, 3, 2, 3, 3, 2, 1, Padding::kSame},
    {6, 5, 20, 1, 2, 2, 1, 2, Padding::kValid},
};

TEST(DepthwiseConv2dTest, FloatAndInt8MatchNaive) {
  uint32_t seed = 200;
  for (const DepthwiseCase& c : kDepthwiseCases) {
    const int out_c = c.in_c * c.multiplier;
    const int out_h = OutSize(c.padding, c.in_h, c.kernel_h, c.stride, c.dilation);
    const int out_w = OutSize(c.padding, c.in_w, c.kernel_w, c.stride, c.dilation);
    const int pad_top = PadBefore(c.in_h, out_h, c.kernel_h, c.stride, c.dilation);
    const int pad_left = PadBefore(c.in_w, out_w, c.kernel_w, c.stride, c.dilation);
    for (TensorType type : {TensorType::kFloat32, TensorType::kInt8}) {
      const bool quantized = type == TensorType::kInt8;
      TestModelBuilder builder;
      const auto filter_scales = RandomFloats(out_c, seed++, 0.005f, 0.05f);
      std::vector<int64_t> zeros(out_c, 0);
      TestQuantization in_q = quantized ? TestQuantization{{0.1f}, {3}} : TestQuantization{};
      TestQuantization out_q = quantized ? TestQuantization{{0.2f}, {-4}} : TestQuantization{};
      TestQuantization filter_q =
          quantized ? TestQuantization{filter_scales, zeros, 3} : TestQuantization{};
      const auto input_f = RandomFloats(size_t(c.in_h) * c.in_w * c.in_c, seed++);
      const auto filter_f = RandomFloats(size_t(c.kernel_h) * c.kernel_w * out_c, seed++);
      const auto bias_f = RandomFloats(out_c, seed++);
      const auto input_q = RandomInt8(size_t(c.in_h) * c.in_w * c.in_c, seed++);
      const auto filter_qv = RandomInt8(size_t(c.kernel_h) * c.kernel_w * out_c, seed++, -127, 127);
      std::vector<int32_t> bias_q(out_c);
      for (int i = 0; i < out_c; ++i) bias_q[i] = 50 - 7 * i;
      const int input = builder.AddTensor("input", type, {1, c.in_h, c.in_w, c.in_c}, in_q);
      const int filter =
          builder.AddConstantBytes("filter", type, {1, c.kernel_h, c.kernel_w, out_c},
                                   quantized ? Bytes(filter_qv) : Bytes(filter_f), filter_q);
      const int bias =
          builder.AddConstantBytes("bias", quantized ? TensorType::kInt32 : TensorType::kFloat32,
                                   {out_c}, quantized ? Bytes(bias_q) : Bytes(bias_f));
      const int output = builder.AddTensor("output", type, {1, out_h, out_w, out_c}, out_q);
      builder.AddOperator(BuiltinOperator::kDepthwiseConv2d, {input, filter, bias}, {output},
                          BuiltinOptionsType::kDepthwiseConv2DOptions,
                          testing::DepthwiseConv2DOptions(c.padding, c.stride, c.stride,
                                                          c.multiplier, c.dilation, c.dilation));
      builder.SetInputs({input});
      builder.SetOutputs({output});
      const auto model = builder.Build();
      for (Int8Semantics semantics : {Int8Semantics::kXnnpack, Int8Semantics::kTfliteReference}) {
        const auto outputs =
            RunOnAllIsas(model, {quantized ? Bytes(input_q) : Bytes(input_f)}, semantics);
        ASSERT_EQ(outputs.size(), 1u);
        std::vector<float> expected_f;
        std::vector<int8_t> expected_q;
        for (int oy = 0; oy < out_h; ++oy) {
          for (int ox = 0; ox < out_w; ++ox) {
            for (int oc = 0; oc < out_c; ++oc) {
              volatile float acc_f = bias_f[oc];
              int32_t acc_q = bias_q[oc];
              for (int fy = 0; fy < c.kernel_h; ++fy) {
                for (int fx = 0; fx < c.kernel_w; ++fx) {
                  const int y = oy * c.stride - pad_top + fy * c.dilation;
                  const int x = ox * c.stride - pad_left + fx * c.dilation;
                  if (y < 0 || y >= c.in_h || x < 0 || x >= c.in_w) continue;
                  const size_t in_at = (size_t(y) * c.in_w + x) * c.in_c + oc / c.multiplier;
                  const size_t w_at = (size_t(fy) * c.kernel_w + fx) * out_c + oc;
                  volatile float product = input_f[in_at] * filter_f[w_at];
                  acc_f = acc_f + product;
                  acc_q += (int32_t{input_q[in_at]} - 3) * filter_qv[w_at];
                }
              }
              expected_f.push_back(static_cast<float>(acc_f));
              expected_q.push_back(Requantize(semantics, acc_q, 0.1f, filter_scales[oc], 0.2f, -4));
            }
          }
        }
        if (quantized) {
          EXPECT_EQ(FromBytes<int8_t>(outputs[0]), expected_q);
        } else {
          EXPECT_EQ(FromBytes<float>(outputs[0]), expected_f);
        }
      }
    }
  }
}

// TRANSPOSE_CONV: every input pixel scatters weights[:, fy, fx, :] . pixel into the output.
struct TransposeCase {
  int in_h, in_w, in_c, out_c, kernel_h, kernel_w, stride_h, stride_w;
  Padding padding;
  int out_h, out_w;
};

const TransposeCase kTransposeCases[] = {
    {4, 1, 12, 6, 10, 1, 5, 1, Padding::kValid, 25, 1},  // the decoder's upsampling shape
    {3, 1, 8, 1, 16, 1, 4, 1, Padding::kValid, 24, 1},   // one output channel
    {3, 3, 5, 4, 3, 3, 2, 2, Padding::kSame, 6, 6},      // padded, two-dimensional
    {2, 1, 16, 20, 4, 1, 2, 1, Padding::kValid, 6, 1},   // several output panels
};

TEST(TransposeConvTest, FloatAndInt8MatchNaiveScatter) {
  uint32_t seed = 300;
  for (const TransposeCase& c : kTransposeCases) {
    // TFLite pads as the forward convolution from the output back to the input would.
    const int forward_h = OutSize(c.padding, c.out_h, c.kernel_h, c.stride_h, 1);
    const int forward_w = OutSize(c.padding, c.out_w, c.kernel_w, c.stride_w, 1);
    const int pad_top = PadBefore(c.out_h, forward_h, c.kernel_h, c.stride_h, 1);
    const int pad_left = PadBefore(c.out_w, forward_w, c.kernel_w, c.stride_w, 1);
    for (bool per_channel : {false, true}) {
      for (TensorType type : {TensorType::kFloat32, TensorType::kInt8}) {
        const bool quantized = type == TensorType::kInt8;
        const auto filter_scales = RandomFloats(per_channel ? c.out_c : 1, seed++, 0.005f, 0.05f);
        std::vector<int64_t> zeros(filter_scales.size(), 0);
        const auto input_f = RandomFloats(size_t(c.in_h) * c.in_w * c.in_c, seed++);
        const auto weights_f =
            RandomFloats(size_t(c.out_c) * c.kernel_h * c.kernel_w * c.in_c, seed++);
        const auto bias_f = RandomFloats(c.out_c, seed++);
        const auto input_q = RandomInt8(size_t(c.in_h) * c.in_w * c.in_c, seed++);
        const auto weights_q =
            RandomInt8(size_t(c.out_c) * c.kernel_h * c.kernel_w * c.in_c, seed++, -127, 127);
        std::vector<int32_t> bias_q(c.out_c);
        for (int i = 0; i < c.out_c; ++i) bias_q[i] = 13 * i - 40;
        TestModelBuilder builder;
        const std::vector<int32_t> out_shape = {1, c.out_h, c.out_w, c.out_c};
        const int shape = builder.AddConstant("output_shape", TensorType::kInt32, {4}, out_shape);
        const int weights = builder.AddConstantBytes(
            "weights", type, {c.out_c, c.kernel_h, c.kernel_w, c.in_c},
            quantized ? Bytes(weights_q) : Bytes(weights_f),
            quantized ? TestQuantization{filter_scales, zeros, 0} : TestQuantization{});
        const int input =
            builder.AddTensor("input", type, {1, c.in_h, c.in_w, c.in_c},
                              quantized ? TestQuantization{{0.1f}, {-5}} : TestQuantization{});
        const int bias =
            builder.AddConstantBytes("bias", quantized ? TensorType::kInt32 : TensorType::kFloat32,
                                     {c.out_c}, quantized ? Bytes(bias_q) : Bytes(bias_f));
        const int output =
            builder.AddTensor("output", type, out_shape,
                              quantized ? TestQuantization{{0.3f}, {9}} : TestQuantization{});
        builder.AddOperator(BuiltinOperator::kTransposeConv, {shape, weights, input, bias},
                            {output}, BuiltinOptionsType::kTransposeConvOptions,
                            testing::TransposeConvOptions(c.padding, c.stride_w, c.stride_h));
        builder.SetInputs({input});
        builder.SetOutputs({output});
        const auto model = builder.Build();
        for (Int8Semantics semantics : {Int8Semantics::kXnnpack, Int8Semantics::kTfliteReference}) {
          const auto outputs =
              RunOnAllIsas(model, {quantized ? Bytes(input_q) : Bytes(input_f)}, semantics);
          ASSERT_EQ(outputs.size(), 1u);
          std::vector<double> sums_f(size_t(c.out_h) * c.out_w * c.out_c, 0.0);
          std::vector<int32_t> sums_q(sums_f.size(), 0);
          for (int y = 0; y < c.in_h; ++y) {
            for (int x = 0; x < c.in_w; ++x) {
              for (int fy = 0; fy < c.kernel_h; ++fy) {
                for (int fx = 0; fx < c.kernel_w; ++fx) {
                  const int oy = y * c.stride_h + fy - pad_top;
                  const int ox = x * c.stride_w + fx - pad_left;
                  if (oy < 0 || oy >= c.out_h || ox < 0 || ox >= c.out_w) continue;
                  for (int oc = 0; oc < c.out_c; ++oc) {
                    for (int ic = 0; ic < c.in_c; ++ic) {
                      const size_t in_at = (size_t(y) * c.in_w + x) * c.in_c + ic;
                      const size_t w_at =
                          ((size_t(oc) * c.kernel_h + fy) * c.kernel_w + fx) * c.in_c + ic;
                      const size_t out_at = (size_t(oy) * c.out_w + ox) * c.out_c + oc;
                      sums_f[out_at] += double(input_f[in_at]) * weights_f[w_at];
                      sums_q[out_at] += (int32_t{input_q[in_at]} + 5) * weights_q[w_at];
                    }
                  }
                }
              }
            }
          }
          if (quantized) {
            std::vector<int8_t> expected;
            for (size_t i = 0; i < sums_q.size(); ++i) {
              const int oc = static_cast<int>(i % c.out_c);
              expected.push_back(Requantize(semantics, sums_q[i] + bias_q[oc], 0.1f,
                                            filter_scales[per_channel ? oc : 0], 0.3f, 9));
            }
            EXPECT_EQ(FromBytes<int8_t>(outputs[0]), expected);
          } else {
            const auto actual = FromBytes<float>(outputs[0]);
            ASSERT_EQ(actual.size(), sums_f.size());
            for (size_t i = 0; i < actual.size(); ++i) {
              const double expected = sums_f[i] + bias_f[i % c.out_c];
              EXPECT_NEAR(actual[i], expected, 1e-5 * (1 + std::fabs(expected))) << "at " << i;
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace auralink::nn
