// TRANSPOSE_CONV (inputs: output shape, weights [out_c, h, w, in_c], input, optional bias), float
// and int8 with per-tensor or per-channel weights. Every input pixel contributes
// weights[:, fy, fx, :] . input_pixel to output pixel (y * stride + fy - pad, x * stride + fx -
// pad), as in TFLite's reference TransposeConv. The products for a pixel are one row of a matrix
// product (k = input channel, columns = (tap, output channel)) prepacked at creation; the rows are
// then scattered into the output. Int8 sums stay in int32, so the result is exact; the bias is
// added and the sum requantised per channel at the end.

#include <algorithm>
#include <limits>

#include "nn/kernels/activation.h"
#include "nn/kernels/conv_common.h"
#include "nn/kernels/gemm_f32.h"
#include "nn/kernels/gemm_s8.h"
#include "nn/kernels/prepare_functions.h"
#include "nn/kernels/vector_math.h"

namespace auralink::nn {
namespace {

struct TransposeGeometry {
  int batches = 1;
  int in_h = 1;
  int in_w = 1;
  int in_c = 1;
  int out_h = 1;
  int out_w = 1;
  int out_c = 1;
  int kernel_h = 1;
  int kernel_w = 1;
  int stride_h = 1;
  int stride_w = 1;
  int pad_top = 0;
  int pad_left = 0;

  int64_t input_pixels() const { return int64_t{batches} * in_h * in_w; }
  int64_t columns() const { return int64_t{kernel_h} * kernel_w * out_c; }
};

// Adds one input pixel's products (columns ordered (fy, fx, oc)) into the output.
template <typename T, typename Accumulate>
void ScatterPixel(const TransposeGeometry& g, int64_t pixel, const T* products, T* output,
                  Accumulate accumulate) {
  const int64_t batch = pixel / (int64_t{g.in_h} * g.in_w);
  const int64_t y = (pixel / g.in_w) % g.in_h;
  const int64_t x = pixel % g.in_w;
  for (int fy = 0; fy < g.kernel_h; ++fy) {
    const int64_t oy = y * g.stride_h + fy - g.pad_top;
    if (oy < 0 || oy >= g.out_h) continue;
    for (int fx = 0; fx < g.kernel_w; ++fx) {
      const int64_t ox = x * g.stride_w + fx - g.pad_left;
      if (ox < 0 || ox >= g.out_w) continue;
      T* out = output + ((batch * g.out_h + oy) * g.out_w + ox) * g.out_c;
      accumulate(products + (int64_t{fy} * g.kernel_w + fx) * g.out_c, out, g.out_c);
    }
  }
}

class FloatTransposeConvKernel final : public Kernel {
 public:
  FloatTransposeConvKernel(const TransposeGeometry& g, PackedMatrixF32 packed, const float* bias,
                           const float* input, float* output, float low, float high, CpuIsa isa)
      : g_(g),
        packed_(std::move(packed)),
        bias_(bias),
        input_(input),
        output_(output),
        low_(low),
        high_(high),
        gemm_(GemmF32For(isa)),
        accumulate_(ElementwiseFunctionsFor(isa).accumulate_f32),
        products_(static_cast<size_t>(kGemmF32MaxRows * g.columns())) {
    work = static_cast<uint64_t>(g.input_pixels() * g.in_c * g.columns());
  }

  Status Run() override {
    const int64_t out_count = int64_t{g_.batches} * g_.out_h * g_.out_w * g_.out_c;
    std::fill(output_, output_ + out_count, 0.0f);
    const int64_t pixels = g_.input_pixels();
    const float inf = std::numeric_limits<float>::infinity();
    for (int64_t m0 = 0; m0 < pixels; m0 += kGemmF32MaxRows) {
      GemmF32Rows tile;
      tile.rows = static_cast<int>(std::min<int64_t>(kGemmF32MaxRows, pixels - m0));
      for (int r = 0; r < tile.rows; ++r) tile.a[r] = input_ + (m0 + r) * g_.in_c;
      tile.c = products_.data();
      tile.ldc = g_.columns();
      gemm_(tile, packed_, -inf, inf);
      for (int r = 0; r < tile.rows; ++r) {
        ScatterPixel(g_, m0 + r, products_.data() + r * g_.columns(), output_, accumulate_);
      }
    }
    for (int64_t i = 0; i < out_count; i += g_.out_c) {
      float* out = output_ + i;
      for (int c = 0; c < g_.out_c; ++c) {
        const float v = out[c] + (bias_ ? bias_[c] : 0.0f);
        out[c] = std::min(std::max(v, low_), high_);
      }
    }
    return Status::Ok();
  }

 private:
  TransposeGeometry g_;
  PackedMatrixF32 packed_;
  const float* bias_;
  const float* input_;
  float* output_;
  float low_;
  float high_;
  GemmF32Function gemm_;
  decltype(ElementwiseFunctions::accumulate_f32) accumulate_;
  AlignedBuffer<float> products_;
};

class Int8TransposeConvKernel final : public Kernel {
 public:
  Int8TransposeConvKernel(const TransposeGeometry& g, PackedMatrixS8 packed, const int32_t* bias,
                          ChannelRequantization q, const int8_t* input, int8_t* output, CpuIsa isa)
      : g_(g),
        packed_(std::move(packed)),
        bias_(bias),
        q_(std::move(q)),
        input_(input),
        output_(output),
        gemm_(GemmS8For(packed_.layout)),
        requantize_(RequantizeRowFor(isa)) {
    row_bytes_ =
        (static_cast<int64_t>(packed_.k_padded) * S8ActivationBytes(packed_.layout) + 63) / 64 * 64;
    activations_ = AlignedBuffer<uint8_t>(static_cast<size_t>(kGemmF32MaxRows * row_bytes_));
    products_ = AlignedBuffer<int32_t>(static_cast<size_t>(kGemmF32MaxRows * g.columns()));
    sums_ = AlignedBuffer<int32_t>(
        static_cast<size_t>(int64_t{g.batches} * g.out_h * g.out_w * g.out_c));
    work = static_cast<uint64_t>(g.input_pixels() * g.in_c * g.columns());
  }

  Status Run() override {
    const int64_t out_count = static_cast<int64_t>(sums_.size());
    std::fill(sums_.data(), sums_.data() + out_count, 0);
    const int64_t pixels = g_.input_pixels();
    for (int64_t m0 = 0; m0 < pixels; m0 += kGemmF32MaxRows) {
      GemmS8Rows tile;
      tile.rows = static_cast<int>(std::min<int64_t>(kGemmF32MaxRows, pixels - m0));
      for (int r = 0; r < tile.rows; ++r) {
        PackActivations(packed_.layout, input_ + (m0 + r) * g_.in_c, g_.in_c,
                        activations_.data() + r * row_bytes_, 0);
      }
      tile.a = activations_.data();
      tile.lda_bytes = row_bytes_;
      tile.c = products_.data();
      tile.ldc = g_.columns();
      gemm_(tile, packed_);
      for (int r = 0; r < tile.rows; ++r) {
        ScatterPixel(g_, m0 + r, products_.data() + r * g_.columns(), sums_.data(),
                     [](const int32_t* p, int32_t* out, int count) {
                       for (int c = 0; c < count; ++c) out[c] += p[c];
                     });
      }
    }
    for (int64_t i = 0; i < out_count; i += g_.out_c) {
      int32_t* sum = sums_.data() + i;
      if (bias_ != nullptr) {
        for (int c = 0; c < g_.out_c; ++c) sum[c] += bias_[c];
      }
      requantize_(sum, g_.out_c, q_, output_ + i);
    }
    return Status::Ok();
  }

 private:
  TransposeGeometry g_;
  PackedMatrixS8 packed_;
  const int32_t* bias_;
  ChannelRequantization q_;
  const int8_t* input_;
  int8_t* output_;
  GemmS8Function gemm_;
  RequantizeRowFunction requantize_;
  int64_t row_bytes_ = 0;
  AlignedBuffer<uint8_t> activations_;
  AlignedBuffer<int32_t> products_;
  AlignedBuffer<int32_t> sums_;
};

}  // namespace

PreparedKernel PrepareTransposeConv(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(3, 4));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  for (int i = 0; i < 3; ++i) AURALINK_RETURN_IF_ERROR(context.ExpectInput(i));
  const OperatorOptions& options = context.options();
  if (options.stride_h < 1 || options.stride_w < 1) {
    return context.Error("strides must be at least 1");
  }
  if (options.padding != tflite::Padding::kSame && options.padding != tflite::Padding::kValid) {
    return context.Error("unknown padding");
  }
  const TensorSpec& output_shape = *context.input(0);
  const TensorSpec& weights = *context.input(1);
  const TensorSpec& input = *context.input(2);
  const TensorSpec* bias = context.input(3);
  const TensorSpec& output = *context.output(0);
  if (input.rank() != 4 || weights.rank() != 4 || output.rank() != 4) {
    return context.Error("input, weights and output must be 4-D");
  }
  AURALINK_RETURN_IF_ERROR(context.ExpectConstant(output_shape, "output shape"));
  AURALINK_RETURN_IF_ERROR(context.ExpectType(output_shape, TensorType::kInt32, "output shape"));
  if (output_shape.element_count != 4 ||
      !std::equal(output.shape.begin(), output.shape.end(),
                  reinterpret_cast<const int32_t*>(output_shape.constant_data))) {
    return context.Error("output shape tensor does not match output " + DescribeTensor(output));
  }
  AURALINK_RETURN_IF_ERROR(context.ExpectConstant(weights, "weights"));
  TransposeGeometry g;
  g.batches = input.shape[0];
  g.in_h = input.shape[1];
  g.in_w = input.shape[2];
  g.in_c = input.shape[3];
  g.out_h = output.shape[1];
  g.out_w = output.shape[2];
  g.out_c = output.shape[3];
  g.kernel_h = weights.shape[1];
  g.kernel_w = weights.shape[2];
  g.stride_h = options.stride_h;
  g.stride_w = options.stride_w;
  if (output.shape[0] != g.batches || weights.shape[0] != g.out_c || weights.shape[3] != g.in_c) {
    return context.Error("weights " + DescribeTensor(weights) + " do not connect input " +
                         DescribeTensor(input) + " to output " + DescribeTensor(output));
  }
  // TFLite pads as if running the forward convolution from the output back to the input.
  const int64_t forward_h = ConvOutputSize(options.padding, g.out_h, g.kernel_h, g.stride_h, 1);
  const int64_t forward_w = ConvOutputSize(options.padding, g.out_w, g.kernel_w, g.stride_w, 1);
  g.pad_top = static_cast<int>(ConvPaddingBefore(g.out_h, forward_h, g.kernel_h, g.stride_h, 1));
  g.pad_left = static_cast<int>(ConvPaddingBefore(g.out_w, forward_w, g.kernel_w, g.stride_w, 1));
  const int64_t columns = g.columns();
  if (columns > (int64_t{1} << 24)) return context.Error("weights too large");

  if (input.type == TensorType::kFloat32) {
    AURALINK_RETURN_IF_ERROR(context.ExpectType(weights, TensorType::kFloat32, "weights"));
    AURALINK_RETURN_IF_ERROR(context.ExpectType(output, TensorType::kFloat32, "output"));
    AURALINK_RETURN_IF_ERROR(ExpectBias(context, bias, TensorType::kFloat32, g.out_c));
    float low = 0;
    float high = 0;
    AURALINK_RETURN_IF_ERROR(FloatActivationRange(context, options.activation, &low, &high));
    if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
    AURALINK_RETURN_IF_ERROR(
        ReserveScratch(context, sizeof(float) * kGemmF32MaxRows * static_cast<size_t>(columns)));
    const float* w = reinterpret_cast<const float*>(weights.constant_data);
    const int taps = g.kernel_h * g.kernel_w;
    PackedMatrixF32 packed = PackMatrixF32(
        g.in_c, static_cast<int>(columns),
        [&](int k, int n) {
          const int tap = n / g.out_c;
          const int oc = n % g.out_c;
          return w[(static_cast<int64_t>(oc) * taps + tap) * g.in_c + k];
        },
        nullptr);
    return std::unique_ptr<Kernel>(std::make_unique<FloatTransposeConvKernel>(
        g, std::move(packed), bias ? reinterpret_cast<const float*>(bias->constant_data) : nullptr,
        static_cast<const float*>(context.input_data(2)),
        static_cast<float*>(context.output_data(0)), low, high, context.resources()->isa()));
  }

  if (input.type != TensorType::kInt8) {
    return context.Error("unsupported input type " + std::string(TensorTypeName(input.type)));
  }
  AURALINK_RETURN_IF_ERROR(ExpectInt8ConvTensors(context, weights, "weights", output, bias,
                                                 g.out_c, options.quantized_bias_type));
  // Each output sums at most (taps reaching it) * in_c products; bound it by all taps.
  const int64_t depth = int64_t{g.kernel_h} * g.kernel_w * g.in_c;
  if (depth > 16384) return context.Error("weights too deep for int32 sums");
  ChannelScales scales;
  AURALINK_RETURN_IF_ERROR(
      BuildChannelScales(context, input, weights, output, 0, g.out_c, &scales));
  int32_t low = 0;
  int32_t high = 0;
  AURALINK_RETURN_IF_ERROR(
      QuantizedActivationRange(context, options.activation, output, &low, &high));
  const int32_t* b = bias ? reinterpret_cast<const int32_t*>(bias->constant_data) : nullptr;
  if (b != nullptr) {
    // Products plus the folded input offset, over every tap that can reach one output.
    const int64_t headroom = int64_t{2} * 255 * 128 * depth;
    for (int c = 0; c < g.out_c; ++c) {
      if (int64_t{b[c]} + headroom > std::numeric_limits<int32_t>::max() ||
          int64_t{b[c]} - headroom < std::numeric_limits<int32_t>::min()) {
        return context.Error("bias too large for int32 sums");
      }
    }
  }
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  const size_t sums_bytes = sizeof(int32_t) * static_cast<size_t>(output.element_count);
  AURALINK_RETURN_IF_ERROR(ReserveScratch(
      context, sums_bytes + sizeof(int32_t) * kGemmF32MaxRows * static_cast<size_t>(columns) +
                   kGemmF32MaxRows * (2 * static_cast<size_t>(g.in_c) + 64)));
  const int8_t* w = reinterpret_cast<const int8_t*>(weights.constant_data);
  const int taps = g.kernel_h * g.kernel_w;
  const int32_t input_zero_point = static_cast<int32_t>(input.quantization.zero_points[0]);
  PackedMatrixS8 packed;
  if (!PackMatrixS8(
          S8LayoutFor(context.resources()->isa()), g.in_c, static_cast<int>(columns),
          [&](int k, int n) {
            const int tap = n / g.out_c;
            const int oc = n % g.out_c;
            return w[(static_cast<int64_t>(oc) * taps + tap) * g.in_c + k];
          },
          nullptr, -input_zero_point, &packed)) {
    return context.Error("input offset overflows int32 sums");
  }
  const int32_t output_zero_point = static_cast<int32_t>(output.quantization.zero_points[0]);
  return std::unique_ptr<Kernel>(std::make_unique<Int8TransposeConvKernel>(
      g, std::move(packed), b,
      MakeChannelRequantization(context.int8_semantics(), scales, 0, g.out_c, output_zero_point,
                                low, high),
      static_cast<const int8_t*>(context.input_data(2)),
      static_cast<int8_t*>(context.output_data(0)), context.resources()->isa()));
}

}  // namespace auralink::nn
