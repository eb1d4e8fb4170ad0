// CAST, QUANTIZE, DEQUANTIZE and LEAKY_RELU: one output element per input element.

#include <algorithm>
#include <limits>

#include "nn/kernels/fixed_point.h"
#include "nn/kernels/prepare_functions.h"
#include "nn/kernels/vector_math.h"

namespace auralink::nn {
namespace {

template <typename In, typename Out, typename F>
class UnaryKernel final : public Kernel {
 public:
  UnaryKernel(const void* in, void* out, int64_t count, F f)
      : in_(static_cast<const In*>(in)), out_(static_cast<Out*>(out)), count_(count), f_(f) {
    work = static_cast<uint64_t>(count);
  }

  Status Run() override {
    const In* __restrict in = in_;
    Out* __restrict out = out_;
    for (int64_t i = 0; i < count_; ++i) out[i] = f_(in[i]);
    return Status::Ok();
  }

 private:
  const In* in_;
  Out* out_;
  int64_t count_;
  F f_;
};

template <typename In, typename Out, typename F>
PreparedKernel MakeUnary(const OperatorContext& context, F f) {
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  return std::unique_ptr<Kernel>(std::make_unique<UnaryKernel<In, Out, F>>(
      context.input_data(0), context.output_data(0), context.input(0)->element_count, f));
}

// A unary operator with an ISA-specific vector implementation.
template <typename In, typename Out, typename F>
class VectorUnaryKernel final : public Kernel {
 public:
  VectorUnaryKernel(const void* in, void* out, int64_t count, F f)
      : in_(static_cast<const In*>(in)), out_(static_cast<Out*>(out)), count_(count), f_(f) {
    work = static_cast<uint64_t>(count);
  }
  Status Run() override {
    f_(in_, out_, count_);
    return Status::Ok();
  }

 private:
  const In* in_;
  Out* out_;
  int64_t count_;
  F f_;
};

template <typename In, typename Out, typename F>
PreparedKernel MakeVectorUnary(const OperatorContext& context, F f) {
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  return std::unique_ptr<Kernel>(std::make_unique<VectorUnaryKernel<In, Out, F>>(
      context.input_data(0), context.output_data(0), context.input(0)->element_count, f));
}

const ElementwiseFunctions& Elementwise(const OperatorContext& context) {
  return ElementwiseFunctionsFor(context.resources() ? context.resources()->isa()
                                                     : CpuIsa::kPortable);
}

Status ExpectUnaryShapes(const OperatorContext& context, int max_inputs) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(1, max_inputs));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(0));
  return context.ExpectSameShape(*context.input(0), *context.output(0), "input and output");
}

// Float to int32 as x86's truncating conversion behaves (TFLite's static_cast compiles to it):
// NaN and out-of-range values give INT32_MIN instead of undefined behaviour.
inline int32_t TruncateToInt32(float x) {
  if (!(x > -2147483904.0f && x < 2147483648.0f)) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(x);
}
inline int64_t TruncateToInt64(float x) {
  if (!(x > -9.3e18f && x < 9.2e18f)) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(x);
}

template <typename Out>
Out CastValue(float x) {
  if constexpr (std::is_same_v<Out, bool>) {
    return x != 0.0f;
  } else if constexpr (std::is_same_v<Out, float>) {
    return x;
  } else if constexpr (std::is_same_v<Out, int64_t>) {
    return TruncateToInt64(x);
  } else {
    // Narrower integers keep the low bits of the int32 conversion, as the machine code does.
    return static_cast<Out>(TruncateToInt32(x));
  }
}

template <typename Out, typename In>
Out CastValue(In x) {
  if constexpr (std::is_same_v<Out, bool>) {
    return x != 0;
  } else {
    return static_cast<Out>(x);
  }
}

template <typename In>
PreparedKernel MakeCastFrom(const OperatorContext& context, TensorType out) {
  switch (out) {
    case TensorType::kFloat32:
      return MakeUnary<In, float>(context, [](In x) { return CastValue<float>(x); });
    case TensorType::kInt32:
      return MakeUnary<In, int32_t>(context, [](In x) { return CastValue<int32_t>(x); });
    case TensorType::kInt64:
      return MakeUnary<In, int64_t>(context, [](In x) { return CastValue<int64_t>(x); });
    case TensorType::kInt16:
      return MakeUnary<In, int16_t>(context, [](In x) { return CastValue<int16_t>(x); });
    case TensorType::kInt8:
      return MakeUnary<In, int8_t>(context, [](In x) { return CastValue<int8_t>(x); });
    case TensorType::kUInt8:
      return MakeUnary<In, uint8_t>(context, [](In x) { return CastValue<uint8_t>(x); });
    case TensorType::kBool:
      return MakeUnary<In, bool>(context, [](In x) { return CastValue<bool>(x); });
    default:
      return context.Error("cannot cast to " + std::string(TensorTypeName(out)));
  }
}

}  // namespace

PreparedKernel PrepareCast(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(ExpectUnaryShapes(context, 1));
  const TensorType out = context.output(0)->type;
  switch (context.input(0)->type) {
    case TensorType::kFloat32:
      return MakeCastFrom<float>(context, out);
    case TensorType::kInt32:
      return MakeCastFrom<int32_t>(context, out);
    case TensorType::kInt64:
      return MakeCastFrom<int64_t>(context, out);
    case TensorType::kInt16:
      return MakeCastFrom<int16_t>(context, out);
    case TensorType::kInt8:
      return MakeCastFrom<int8_t>(context, out);
    case TensorType::kUInt8:
      return MakeCastFrom<uint8_t>(context, out);
    case TensorType::kBool:
      return MakeCastFrom<bool>(context, out);
    default:
      return context.Error("cannot cast from " +
                           std::string(TensorTypeName(context.input(0)->type)));
  }
}

PreparedKernel PrepareQuantize(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(ExpectUnaryShapes(context, 1));
  const TensorSpec& in = *context.input(0);
  const TensorSpec& out = *context.output(0);
  AURALINK_RETURN_IF_ERROR(context.ExpectType(in, TensorType::kFloat32, "input"));
  AURALINK_RETURN_IF_ERROR(context.ExpectPerTensorQuantization(out, "output"));
  // kTfliteReference: TFLite's optimized AffineQuantize, round(value / scale) half away from
  // zero with the division in double. kXnnpack: XNNPACK's f32-qs8 convert, value * (1 / scale)
  // in float rounded half to even. Then the zero point and clamping to the type's range.
  const double scale = out.quantization.scales[0];
  const float inverse_scale = 1.0f / out.quantization.scales[0];
  const bool xnnpack = context.int8_semantics() == Int8Semantics::kXnnpack;
  const int32_t zero_point = static_cast<int32_t>(out.quantization.zero_points[0]);
  auto quantize = [scale, inverse_scale, xnnpack, zero_point](float value, int32_t low,
                                                              int32_t high) -> int32_t {
    const double scaled = xnnpack ? static_cast<double>(std::rint(value * inverse_scale))
                                  : std::round(static_cast<double>(value) / scale);
    if (!(scaled >= -1e9)) return low;  // also NaN
    if (scaled > 1e9) return high;
    return std::clamp(static_cast<int32_t>(scaled) + zero_point, low, high);
  };
  if (out.type == TensorType::kInt8) {
    if (xnnpack) {
      auto quantize_row = Elementwise(context).quantize_f32_s8;
      return MakeVectorUnary<float, int8_t>(context, [quantize_row, inverse_scale, zero_point](
                                                         const float* in, int8_t* out, int64_t n) {
        quantize_row(in, out, n, inverse_scale, zero_point);
      });
    }
    return MakeUnary<float, int8_t>(
        context, [quantize](float v) { return static_cast<int8_t>(quantize(v, -128, 127)); });
  }
  if (out.type == TensorType::kUInt8) {
    return MakeUnary<float, uint8_t>(
        context, [quantize](float v) { return static_cast<uint8_t>(quantize(v, 0, 255)); });
  }
  if (out.type == TensorType::kInt16) {
    return MakeUnary<float, int16_t>(
        context, [quantize](float v) { return static_cast<int16_t>(quantize(v, -32768, 32767)); });
  }
  return context.Error("unsupported output type " + std::string(TensorTypeName(out.type)));
}

PreparedKernel PrepareDequantize(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(ExpectUnaryShapes(context, 1));
  const TensorSpec& in = *context.input(0);
  const TensorSpec& out = *context.output(0);
  AURALINK_RETURN_IF_ERROR(context.ExpectType(out, TensorType::kFloat32, "output"));
  AURALINK_RETURN_IF_ERROR(context.ExpectPerTensorQuantization(in, "input"));
  // scale * (q - zero_point): the product of a float and a small integer is exact in double, so
  // one float multiply rounds exactly as TFLite's double expression does.
  const float scale = in.quantization.scales[0];
  const int32_t zero_point = static_cast<int32_t>(in.quantization.zero_points[0]);
  switch (in.type) {
    case TensorType::kInt8: {
      auto dequantize_row = Elementwise(context).dequantize_s8_f32;
      return MakeVectorUnary<int8_t, float>(
          context, [dequantize_row, scale, zero_point](const int8_t* in, float* out, int64_t n) {
            dequantize_row(in, out, n, scale, zero_point);
          });
    }
    case TensorType::kUInt8:
      return MakeUnary<uint8_t, float>(context, [scale, zero_point](uint8_t q) {
        return scale * static_cast<float>(int32_t{q} - zero_point);
      });
    case TensorType::kInt16:
      return MakeUnary<int16_t, float>(context, [scale, zero_point](int16_t q) {
        return static_cast<float>(static_cast<double>(scale) * (int32_t{q} - zero_point));
      });
    default:
      return context.Error("unsupported input type " + std::string(TensorTypeName(in.type)));
  }
}

PreparedKernel PrepareLeakyRelu(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(ExpectUnaryShapes(context, 1));
  const TensorSpec& in = *context.input(0);
  const TensorSpec& out = *context.output(0);
  if (in.type != out.type) {
    return context.Error("input " + DescribeTensor(in) + " and output " + DescribeTensor(out) +
                         " differ in type");
  }
  const float alpha = context.options().alpha;
  if (!std::isfinite(alpha)) return context.Error("alpha is not finite");
  if (in.type == TensorType::kFloat32) {
    auto leaky_relu_row = Elementwise(context).leaky_relu_f32;
    return MakeVectorUnary<float, float>(
        context, [leaky_relu_row, alpha](const float* in, float* out, int64_t n) {
          leaky_relu_row(in, out, n, alpha);
        });
  }
  if (in.type != TensorType::kInt8) {
    return context.Error("unsupported tensor type " + std::string(TensorTypeName(in.type)));
  }
  AURALINK_RETURN_IF_ERROR(context.ExpectPerTensorQuantization(in, "input"));
  AURALINK_RETURN_IF_ERROR(context.ExpectPerTensorQuantization(out, "output"));
  const float in_scale = in.quantization.scales[0];
  const float out_scale = out.quantization.scales[0];
  const int32_t in_zero = static_cast<int32_t>(in.quantization.zero_points[0]);
  const int32_t out_zero = static_cast<int32_t>(out.quantization.zero_points[0]);
  // 256 possible inputs: the whole mapping is a table.
  std::array<int8_t, 256> table{};
  // XNNPACK (qs8-vlrelu): multipliers with 8 fraction bits, the sum rounded half up. Its delegate
  // takes the operator only when both scales lie within [2^-8, 2^7].
  const float positive_scale = in_scale / out_scale;
  const float negative_scale = positive_scale * alpha;
  const bool xnnpack = context.int8_semantics() == Int8Semantics::kXnnpack &&
                       positive_scale >= 1.0f / 256.0f && positive_scale <= 128.0f &&
                       std::fabs(negative_scale) >= 1.0f / 256.0f &&
                       std::fabs(negative_scale) <= 128.0f;
  if (xnnpack) {
    const int32_t positive_multiplier = static_cast<int32_t>(std::lrint(256.0f * positive_scale));
    const int32_t negative_multiplier = static_cast<int32_t>(std::lrint(256.0f * negative_scale));
    const int32_t bias = (out_zero << 8) + 0x80;
    for (int q = -128; q <= 127; ++q) {
      const int32_t centred = q - in_zero;
      const int32_t sum =
          bias + centred * (centred >= 0 ? positive_multiplier : negative_multiplier);
      table[static_cast<uint8_t>(q)] =
          static_cast<int8_t>(std::clamp(sum >> 8, int32_t{-128}, int32_t{127}));
    }
  } else {
    // TFLite's LeakyReluPrepare forms both multipliers in float arithmetic (float scales, float
    // alpha) before QuantizeMultiplier; the kernel scales the zero-centred input by one or the
    // other depending on its sign (reference_ops::QuantizeLeakyRelu).
    const float alpha_real = in_scale * alpha / out_scale;
    const float identity_real = in_scale / out_scale;
    const QuantizedMultiplier alpha_multiplier = QuantizeMultiplier(alpha_real);
    const QuantizedMultiplier identity_multiplier = QuantizeMultiplier(identity_real);
    for (int q = -128; q <= 127; ++q) {
      const int32_t centred = q - in_zero;
      const int32_t scaled = centred >= 0
                                 ? MultiplyByQuantizedMultiplier(centred, identity_multiplier)
                                 : MultiplyByQuantizedMultiplier(centred, alpha_multiplier);
      table[static_cast<uint8_t>(q)] =
          static_cast<int8_t>(std::clamp<int64_t>(int64_t{scaled} + out_zero, -128, 127));
    }
  }
  return MakeUnary<int8_t, int8_t>(context,
                                   [table](int8_t q) { return table[static_cast<uint8_t>(q)]; });
}

}  // namespace auralink::nn
