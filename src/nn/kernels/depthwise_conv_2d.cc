// DEPTHWISE_CONV_2D, float and int8 per-channel, with strides, dilation and depth multipliers.
// Output channel c reads input channel c / multiplier; the loops run over channels innermost, so
// they vectorise. Int8 accumulates (input + offset) * weight in int32 as TFLite's
// reference_integer_ops::DepthwiseConvPerChannel does, then requantises per channel.

#include <algorithm>
#include <limits>

#include "nn/kernels/activation.h"
#include "nn/kernels/conv_common.h"
#include "nn/kernels/prepare_functions.h"
#include "nn/kernels/vector_math.h"

namespace auralink::nn {
namespace {

class FloatDepthwiseKernel final : public Kernel {
 public:
  FloatDepthwiseKernel(const ConvGeometry& g, int multiplier, const float* weights,
                       const float* bias, const float* input, float* output, float low, float high,
                       CpuIsa isa)
      : multiply_add_(ElementwiseFunctionsFor(isa).multiply_add_f32),
        g_(g),
        multiplier_(multiplier),
        weights_(weights),
        bias_(bias),
        input_(input),
        output_(output),
        low_(low),
        high_(high) {
    work = static_cast<uint64_t>(g.rows() * g.taps() * g.out_c);
  }

  Status Run() override {
    const int channels = g_.out_c;
    for (int64_t m = 0; m < g_.rows(); ++m) {
      float* out = output_ + m * channels;
      // Bias first, then each tap's product in tap order, as XNNPACK's dwconv kernels (LiteRT's
      // CPU path) accumulate, so that results match LiteRT bit for bit.
      if (bias_ != nullptr) {
        std::copy(bias_, bias_ + channels, out);
      } else {
        std::fill(out, out + channels, 0.0f);
      }
      int64_t y0 = 0;
      int64_t x0 = 0;
      int64_t batch = 0;
      g_.PatchOrigin(m, &y0, &x0, &batch);
      for (int fy = 0; fy < g_.kernel_h; ++fy) {
        const int64_t y = y0 + int64_t{fy} * g_.dilation_h;
        if (y < 0 || y >= g_.in_h) continue;
        for (int fx = 0; fx < g_.kernel_w; ++fx) {
          const int64_t x = x0 + int64_t{fx} * g_.dilation_w;
          if (x < 0 || x >= g_.in_w) continue;
          const float* in = input_ + ((batch * g_.in_h + y) * g_.in_w + x) * g_.in_c;
          const float* w = weights_ + (int64_t{fy} * g_.kernel_w + fx) * channels;
          if (multiplier_ == 1) {
            multiply_add_(in, w, out, channels);
          } else {
            for (int c = 0; c < channels; ++c) {
              const float product = in[c / multiplier_] * w[c];
              out[c] = out[c] + product;
            }
          }
        }
      }
      for (int c = 0; c < channels; ++c) out[c] = std::min(std::max(out[c], low_), high_);
    }
    return Status::Ok();
  }

 private:
  decltype(ElementwiseFunctions::multiply_add_f32) multiply_add_;
  ConvGeometry g_;
  int multiplier_;
  const float* weights_;
  const float* bias_;
  const float* input_;
  float* output_;
  float low_;
  float high_;
};

class Int8DepthwiseKernel final : public Kernel {
 public:
  Int8DepthwiseKernel(const ConvGeometry& g, int multiplier, const int8_t* weights,
                      const int32_t* bias, int32_t input_offset, ChannelRequantization q,
                      const int8_t* input, int8_t* output, CpuIsa isa)
      : g_(g),
        multiplier_(multiplier),
        weights_(static_cast<size_t>(g.taps() * g.out_c)),
        bias_(bias),
        input_offset_(input_offset),
        q_(std::move(q)),
        input_(input),
        output_(output),
        requantize_(RequantizeRowFor(isa)),
        accumulators_(static_cast<size_t>(g.out_c)) {
    // Widened once so the inner loop multiplies int16 lanes.
    for (size_t i = 0; i < weights_.size(); ++i) weights_[i] = weights[i];
    work = static_cast<uint64_t>(g.rows() * g.taps() * g.out_c);
  }

  Status Run() override {
    const int channels = g_.out_c;
    int32_t* acc = accumulators_.data();
    for (int64_t m = 0; m < g_.rows(); ++m) {
      for (int c = 0; c < channels; ++c) acc[c] = bias_ ? bias_[c] : 0;
      int64_t y0 = 0;
      int64_t x0 = 0;
      int64_t batch = 0;
      g_.PatchOrigin(m, &y0, &x0, &batch);
      for (int fy = 0; fy < g_.kernel_h; ++fy) {
        const int64_t y = y0 + int64_t{fy} * g_.dilation_h;
        if (y < 0 || y >= g_.in_h) continue;
        for (int fx = 0; fx < g_.kernel_w; ++fx) {
          const int64_t x = x0 + int64_t{fx} * g_.dilation_w;
          if (x < 0 || x >= g_.in_w) continue;
          const int8_t* in = input_ + ((batch * g_.in_h + y) * g_.in_w + x) * g_.in_c;
          const int16_t* w = weights_.data() + (int64_t{fy} * g_.kernel_w + fx) * channels;
          if (multiplier_ == 1) {
            for (int c = 0; c < channels; ++c) {
              acc[c] += (int32_t{in[c]} + input_offset_) * int32_t{w[c]};
            }
          } else {
            for (int c = 0; c < channels; ++c) {
              acc[c] += (int32_t{in[c / multiplier_]} + input_offset_) * int32_t{w[c]};
            }
          }
        }
      }
      requantize_(acc, channels, q_, output_ + m * channels);
    }
    return Status::Ok();
  }

 private:
  ConvGeometry g_;
  int multiplier_;
  AlignedBuffer<int16_t> weights_;
  const int32_t* bias_;
  int32_t input_offset_;
  ChannelRequantization q_;
  const int8_t* input_;
  int8_t* output_;
  RequantizeRowFunction requantize_;
  AlignedBuffer<int32_t> accumulators_;
};

}  // namespace

PreparedKernel PrepareDepthwiseConv2d(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(2, 3));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(0));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(1));
  AURALINK_RETURN_IF_ERROR(ExpectConvStrides(context));
  const TensorSpec& input = *context.input(0);
  const TensorSpec& filter = *context.input(1);
  const TensorSpec* bias = context.input(2);
  const TensorSpec& output = *context.output(0);
  const OperatorOptions& options = context.options();
  if (input.rank() != 4 || filter.rank() != 4 || output.rank() != 4 || filter.shape[0] != 1) {
    return context.Error("input and output must be 4-D (NHWC) and the filter [1,h,w,channels]");
  }
  AURALINK_RETURN_IF_ERROR(context.ExpectConstant(filter, "filter"));
  ConvGeometry g;
  g.batches = input.shape[0];
  g.in_h = input.shape[1];
  g.in_w = input.shape[2];
  g.in_c = input.shape[3];
  g.kernel_h = filter.shape[1];
  g.kernel_w = filter.shape[2];
  g.out_c = filter.shape[3];
  g.stride_h = options.stride_h;
  g.stride_w = options.stride_w;
  g.dilation_h = options.dilation_h;
  g.dilation_w = options.dilation_w;
  // TFLite derives the multiplier from the shapes; the option is redundant.
  if (g.out_c % g.in_c != 0) {
    return context.Error("filter " + DescribeTensor(filter) +
                         " channels are not a multiple of "
                         "input " +
                         DescribeTensor(input) + " channels");
  }
  const int multiplier = g.out_c / g.in_c;
  AURALINK_RETURN_IF_ERROR(ResolveConvOutput(context, options.padding, output, &g));

  if (input.type == TensorType::kFloat32) {
    AURALINK_RETURN_IF_ERROR(context.ExpectType(filter, TensorType::kFloat32, "filter"));
    AURALINK_RETURN_IF_ERROR(context.ExpectType(output, TensorType::kFloat32, "output"));
    AURALINK_RETURN_IF_ERROR(ExpectBias(context, bias, TensorType::kFloat32, g.out_c));
    float low = 0;
    float high = 0;
    AURALINK_RETURN_IF_ERROR(FloatActivationRange(context, options.activation, &low, &high));
    if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
    return std::unique_ptr<Kernel>(std::make_unique<FloatDepthwiseKernel>(
        g, multiplier, reinterpret_cast<const float*>(filter.constant_data),
        bias ? reinterpret_cast<const float*>(bias->constant_data) : nullptr,
        static_cast<const float*>(context.input_data(0)),
        static_cast<float*>(context.output_data(0)), low, high, context.resources()->isa()));
  }
  if (input.type != TensorType::kInt8) {
    return context.Error("unsupported input type " + std::string(TensorTypeName(input.type)));
  }
  AURALINK_RETURN_IF_ERROR(context.ExpectType(filter, TensorType::kInt8, "filter"));
  AURALINK_RETURN_IF_ERROR(context.ExpectType(output, TensorType::kInt8, "output"));
  AURALINK_RETURN_IF_ERROR(ExpectBias(context, bias, TensorType::kInt32, g.out_c));
  if (g.taps() > 32768) return context.Error("filter too large for int32 sums");
  ChannelScales scales;
  AURALINK_RETURN_IF_ERROR(BuildChannelScales(context, input, filter, output, 3, g.out_c, &scales));
  int32_t low = 0;
  int32_t high = 0;
  AURALINK_RETURN_IF_ERROR(
      QuantizedActivationRange(context, options.activation, output, &low, &high));
  const int32_t* b = bias ? reinterpret_cast<const int32_t*>(bias->constant_data) : nullptr;
  if (b != nullptr) {
    // |bias| plus the largest possible sum must stay inside int32.
    const int64_t headroom = int64_t{255} * 128 * g.taps();
    for (int c = 0; c < g.out_c; ++c) {
      if (int64_t{b[c]} + headroom > std::numeric_limits<int32_t>::max() ||
          int64_t{b[c]} - headroom < std::numeric_limits<int32_t>::min()) {
        return context.Error("bias too large for int32 sums");
      }
    }
  }
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  AURALINK_RETURN_IF_ERROR(
      ReserveScratch(context, static_cast<size_t>(g.taps() * g.out_c) * 2 + 4 * g.out_c));
  const int32_t input_zero_point = static_cast<int32_t>(input.quantization.zero_points[0]);
  const int32_t output_zero_point = static_cast<int32_t>(output.quantization.zero_points[0]);
  return std::unique_ptr<Kernel>(std::make_unique<Int8DepthwiseKernel>(
      g, multiplier, reinterpret_cast<const int8_t*>(filter.constant_data), b, -input_zero_point,
      MakeChannelRequantization(context.int8_semantics(), scales, 0, g.out_c, output_zero_point,
                                low, high),
      static_cast<const int8_t*>(context.input_data(0)),
      static_cast<int8_t*>(context.output_data(0)), context.resources()->isa()));
}

}  // namespace auralink::nn
