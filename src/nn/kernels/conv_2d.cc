// CONV_2D, float and int8 (per-channel or per-tensor weights, int32 bias), grouped when the
// filter has fewer input channels than the input (groups = input channels / filter channels),
// with strides and dilation. Each group is a matrix product of the output pixels' patches
// (k = (tap, channel)) with the group's filters, prepacked at creation (nn/kernels/gemm_f32.h,
// gemm_s8.h). Patches are read in place when they are contiguous in memory (1x1 filters, or one
// group over a single-column input as in SoundStream) and gathered otherwise; taps outside the
// input read zeros (float) or the input zero point (int8), which contributes nothing, as TFLite's
// kernels skip them.

#include <algorithm>

#include "nn/kernels/activation.h"
#include "nn/kernels/conv_common.h"
#include "nn/kernels/fixed_point.h"
#include "nn/kernels/gemm_f32.h"
#include "nn/kernels/gemm_s8.h"
#include "nn/kernels/prepare_functions.h"
#include "nn/kernels/requantize.h"

namespace auralink::nn {
namespace {

// Sums of int8 products stay far from int32 overflow below this depth (255 * 128 * depth).
constexpr int64_t kMaxInt8Depth = 32768;

// Gathers one patch in (tap, channel) order; taps outside the input take `pad`.
template <typename T>
void GatherPatch(const ConvGeometry& g, const T* input, int64_t m, int group, T pad, T* out) {
  int64_t y0 = 0;
  int64_t x0 = 0;
  int64_t batch = 0;
  g.PatchOrigin(m, &y0, &x0, &batch);
  const int cg = g.in_c_per_group();
  for (int fy = 0; fy < g.kernel_h; ++fy) {
    const int64_t y = y0 + int64_t{fy} * g.dilation_h;
    for (int fx = 0; fx < g.kernel_w; ++fx) {
      const int64_t x = x0 + int64_t{fx} * g.dilation_w;
      T* dst = out + (int64_t{fy} * g.kernel_w + fx) * cg;
      if (y < 0 || y >= g.in_h || x < 0 || x >= g.in_w) {
        std::fill(dst, dst + cg, pad);
      } else {
        const T* src = input + ((batch * g.in_h + y) * g.in_w + x) * g.in_c + int64_t{group} * cg;
        std::copy(src, src + cg, dst);
      }
    }
  }
}

// Whether a patch's (tap, channel) sequence is one contiguous run of the input.
bool PatchIsContiguous(const ConvGeometry& g) {
  const int64_t cg = g.in_c_per_group();
  int64_t expected = 0;
  for (int fy = 0; fy < g.kernel_h; ++fy) {
    for (int fx = 0; fx < g.kernel_w; ++fx) {
      const int64_t offset =
          (int64_t{fy} * g.dilation_h * g.in_w + int64_t{fx} * g.dilation_w) * g.in_c;
      if (offset != expected) return false;
      expected += cg;
    }
  }
  return true;
}

class FloatConvKernel final : public Kernel {
 public:
  FloatConvKernel(const ConvGeometry& geometry, std::vector<PackedMatrixF32> packed,
                  const float* input, float* output, float low, float high, CpuIsa isa)
      : g_(geometry),
        packed_(std::move(packed)),
        input_(input),
        output_(output),
        low_(low),
        high_(high),
        gemm_(GemmF32For(isa)),
        direct_(PatchIsContiguous(geometry)),
        all_inside_(geometry.AllPatchesInside()) {
    const int64_t depth = g_.taps() * g_.in_c_per_group();
    patches_ = AlignedBuffer<float>(static_cast<size_t>(kGemmF32MaxRows * depth));
    work = static_cast<uint64_t>(g_.rows() * depth * g_.out_c);
  }

  Status Run() override {
    const int64_t rows = g_.rows();
    const int64_t depth = g_.taps() * g_.in_c_per_group();
    for (int group = 0; group < g_.groups; ++group) {
      const PackedMatrixF32& weights = packed_[group];
      for (int64_t m0 = 0; m0 < rows; m0 += kGemmF32MaxRows) {
        GemmF32Rows tile;
        tile.rows = static_cast<int>(std::min<int64_t>(kGemmF32MaxRows, rows - m0));
        for (int r = 0; r < tile.rows; ++r) {
          const int64_t m = m0 + r;
          if (direct_ && (all_inside_ || g_.PatchInside(m))) {
            int64_t y0 = 0;
            int64_t x0 = 0;
            int64_t batch = 0;
            tile.a[r] =
                input_ + g_.PatchOrigin(m, &y0, &x0, &batch) + int64_t{group} * g_.in_c_per_group();
          } else {
            float* patch = patches_.data() + r * depth;
            GatherPatch<float>(g_, input_, m, group, 0.0f, patch);
            tile.a[r] = patch;
          }
        }
        tile.c = output_ + m0 * g_.out_c + int64_t{group} * g_.out_c_per_group();
        tile.ldc = g_.out_c;
        gemm_(tile, weights, low_, high_);
      }
    }
    return Status::Ok();
  }

 private:
  ConvGeometry g_;
  std::vector<PackedMatrixF32> packed_;
  const float* input_;
  float* output_;
  float low_;
  float high_;
  GemmF32Function gemm_;
  bool direct_;
  bool all_inside_;
  AlignedBuffer<float> patches_;
};

class Int8ConvKernel final : public Kernel {
 public:
  Int8ConvKernel(const ConvGeometry& geometry, std::vector<PackedMatrixS8> packed,
                 std::vector<ChannelRequantization> requantization, int8_t input_zero_point,
                 const int8_t* input, int8_t* output, CpuIsa isa)
      : g_(geometry),
        packed_(std::move(packed)),
        requantization_(std::move(requantization)),
        input_zero_point_(input_zero_point),
        input_(input),
        output_(output),
        gemm_(GemmS8For(packed_[0].layout)),
        requantize_(RequantizeRowFor(isa)) {
    const PackedMatrixS8& first = packed_[0];
    row_bytes_ =
        (static_cast<int64_t>(first.k_padded) * S8ActivationBytes(first.layout) + 63) / 64 * 64;
    activations_ = AlignedBuffer<uint8_t>(static_cast<size_t>(kGemmF32MaxRows * row_bytes_));
    patch_ = AlignedBuffer<int8_t>(static_cast<size_t>(first.k));
    accumulators_ =
        AlignedBuffer<int32_t>(static_cast<size_t>(kGemmF32MaxRows) * g_.out_c_per_group());
    work = static_cast<uint64_t>(g_.rows() * first.k * g_.out_c);
  }

  Status Run() override {
    const int64_t rows = g_.rows();
    const PackedMatrixS8& first = packed_[0];
    const int cg = g_.in_c_per_group();
    const int ocg = g_.out_c_per_group();
    for (int group = 0; group < g_.groups; ++group) {
      for (int64_t m0 = 0; m0 < rows; m0 += kGemmF32MaxRows) {
        GemmS8Rows tile;
        tile.rows = static_cast<int>(std::min<int64_t>(kGemmF32MaxRows, rows - m0));
        for (int r = 0; r < tile.rows; ++r) {
          const int64_t m = m0 + r;
          uint8_t* row = activations_.data() + r * row_bytes_;
          if (g_.PatchInside(m)) {
            int64_t y0 = 0;
            int64_t x0 = 0;
            int64_t batch = 0;
            const int8_t* origin =
                input_ + g_.PatchOrigin(m, &y0, &x0, &batch) + int64_t{group} * cg;
            int at = 0;
            for (int fy = 0; fy < g_.kernel_h; ++fy) {
              for (int fx = 0; fx < g_.kernel_w; ++fx) {
                const int64_t offset =
                    (int64_t{fy} * g_.dilation_h * g_.in_w + int64_t{fx} * g_.dilation_w) * g_.in_c;
                PackActivations(first.layout, origin + offset, cg, row, at);
                at += cg;
              }
            }
          } else {
            GatherPatch<int8_t>(g_, input_, m, group, input_zero_point_, patch_.data());
            PackActivations(first.layout, patch_.data(), first.k, row, 0);
          }
        }
        tile.a = activations_.data();
        tile.lda_bytes = row_bytes_;
        tile.c = accumulators_.data();
        tile.ldc = ocg;
        gemm_(tile, packed_[group]);
        for (int r = 0; r < tile.rows; ++r) {
          requantize_(accumulators_.data() + r * ocg, ocg, requantization_[group],
                      output_ + (m0 + r) * g_.out_c + int64_t{group} * ocg);
        }
      }
    }
    return Status::Ok();
  }

 private:
  ConvGeometry g_;
  std::vector<PackedMatrixS8> packed_;
  std::vector<ChannelRequantization> requantization_;
  int8_t input_zero_point_;
  const int8_t* input_;
  int8_t* output_;
  GemmS8Function gemm_;
  RequantizeRowFunction requantize_;
  int64_t row_bytes_ = 0;
  AlignedBuffer<uint8_t> activations_;
  AlignedBuffer<int8_t> patch_;
  AlignedBuffer<int32_t> accumulators_;
};

}  // namespace

Status BuildChannelScales(const OperatorContext& context, const TensorSpec& input,
                          const TensorSpec& filter, const TensorSpec& output, int channel_dimension,
                          int channels, ChannelScales* scales) {
  AURALINK_RETURN_IF_ERROR(context.ExpectPerTensorQuantization(input, "input"));
  AURALINK_RETURN_IF_ERROR(context.ExpectPerTensorQuantization(output, "output"));
  const Quantization& q = filter.quantization;
  if (q.scales.empty()) {
    return context.Error("filter " + DescribeTensor(filter) + " is not quantized");
  }
  const bool per_channel = q.scales.size() > 1;
  if (per_channel && (q.quantized_dimension != channel_dimension ||
                      static_cast<int>(q.scales.size()) != channels)) {
    return context.Error(
        "filter " + DescribeTensor(filter) + " has " + std::to_string(q.scales.size()) +
        " scales along dimension " + std::to_string(q.quantized_dimension) + ", expected " +
        std::to_string(channels) + " along dimension " + std::to_string(channel_dimension));
  }
  for (int64_t zero_point : q.zero_points) {
    if (zero_point != 0) {
      return context.Error("filter " + DescribeTensor(filter) +
                           " must be symmetric (zero point 0)");
    }
  }
  const float input_scale = input.quantization.scales[0];
  const float output_scale = output.quantization.scales[0];
  scales->multipliers.resize(channels);
  scales->scales.resize(channels);
  scales->xnnpack_supported = true;
  for (int c = 0; c < channels; ++c) {
    const float filter_scale = q.scales[per_channel ? c : 0];
    scales->multipliers[c] =
        QuantizeMultiplier(static_cast<double>(input_scale) * static_cast<double>(filter_scale) /
                           static_cast<double>(output_scale));
    const float scale = input_scale * filter_scale / output_scale;
    scales->scales[c] = scale;
    if (!(scale < 256.0f)) scales->xnnpack_supported = false;
  }
  return Status::Ok();
}

ChannelRequantization MakeChannelRequantization(Int8Semantics semantics,
                                                const ChannelScales& scales, int first, int count,
                                                int32_t zero_point, int32_t low, int32_t high) {
  ChannelRequantization q;
  q.semantics = semantics == Int8Semantics::kXnnpack && scales.xnnpack_supported
                    ? Int8Semantics::kXnnpack
                    : Int8Semantics::kTfliteReference;
  const size_t padded = static_cast<size_t>((count + 15) / 16 * 16);
  q.scales = AlignedBuffer<float>(padded);
  q.multipliers = AlignedBuffer<int32_t>(padded);
  q.shifts = AlignedBuffer<int32_t>(padded);
  for (int c = 0; c < count; ++c) {
    q.scales[c] = scales.scales[first + c];
    q.multipliers[c] = scales.multipliers[first + c].multiplier;
    q.shifts[c] = scales.multipliers[first + c].shift;
  }
  q.output_zero_point = zero_point;
  q.low = low;
  q.high = high;
  return q;
}

Status ExpectBias(const OperatorContext& context, const TensorSpec* bias, TensorType type,
                  int channels) {
  if (bias == nullptr) return Status::Ok();
  AURALINK_RETURN_IF_ERROR(context.ExpectType(*bias, type, "bias"));
  AURALINK_RETURN_IF_ERROR(context.ExpectConstant(*bias, "bias"));
  if (bias->element_count != channels) {
    return context.Error("bias " + DescribeTensor(*bias) + " should have " +
                         std::to_string(channels) + " elements");
  }
  return Status::Ok();
}

Status ExpectInt8ConvTensors(const OperatorContext& context, const TensorSpec& weights,
                             const char* weights_name, const TensorSpec& output,
                             const TensorSpec* bias, int channels, int8_t quantized_bias_type) {
  AURALINK_RETURN_IF_ERROR(context.ExpectType(weights, TensorType::kInt8, weights_name));
  AURALINK_RETURN_IF_ERROR(context.ExpectType(output, TensorType::kInt8, "output"));
  AURALINK_RETURN_IF_ERROR(ExpectBias(context, bias, TensorType::kInt32, channels));
  if (quantized_bias_type != 0 &&
      quantized_bias_type != static_cast<int8_t>(tflite::SchemaTensorType::kInt32)) {
    return context.Error("only INT32 quantized bias is supported");
  }
  return Status::Ok();
}

Status ReserveScratch(const OperatorContext& context, size_t bytes) {
  if (context.resources() != nullptr && !context.resources()->ReserveScratch(bytes)) {
    return context.Error("needs " + std::to_string(bytes) +
                         " bytes of scratch, over the interpreter's memory limit");
  }
  return Status::Ok();
}

Status ExpectConvStrides(const OperatorContext& context) {
  const OperatorOptions& o = context.options();
  if (o.stride_h < 1 || o.stride_w < 1 || o.dilation_h < 1 || o.dilation_w < 1) {
    return context.Error("strides and dilations must be at least 1");
  }
  if (o.padding != tflite::Padding::kSame && o.padding != tflite::Padding::kValid) {
    return context.Error("unknown padding " + std::to_string(static_cast<int>(o.padding)));
  }
  return Status::Ok();
}

PreparedKernel PrepareConv2d(const OperatorContext& context) {
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
  if (input.rank() != 4 || filter.rank() != 4 || output.rank() != 4) {
    return context.Error("input, filter and output must be 4-D (NHWC, OHWI)");
  }
  AURALINK_RETURN_IF_ERROR(context.ExpectConstant(filter, "filter"));
  ConvGeometry g;
  g.batches = input.shape[0];
  g.in_h = input.shape[1];
  g.in_w = input.shape[2];
  g.in_c = input.shape[3];
  g.out_c = filter.shape[0];
  g.kernel_h = filter.shape[1];
  g.kernel_w = filter.shape[2];
  g.stride_h = options.stride_h;
  g.stride_w = options.stride_w;
  g.dilation_h = options.dilation_h;
  g.dilation_w = options.dilation_w;
  const int filter_c = filter.shape[3];
  if (g.in_c % filter_c != 0 || g.out_c % (g.in_c / filter_c) != 0) {
    return context.Error("filter " + DescribeTensor(filter) + " does not group input " +
                         DescribeTensor(input));
  }
  g.groups = g.in_c / filter_c;
  AURALINK_RETURN_IF_ERROR(ResolveConvOutput(context, options.padding, output, &g));
  const int depth = g.kernel_h * g.kernel_w * filter_c;
  const int ocg = g.out_c_per_group();

  if (input.type == TensorType::kFloat32) {
    AURALINK_RETURN_IF_ERROR(context.ExpectType(filter, TensorType::kFloat32, "filter"));
    AURALINK_RETURN_IF_ERROR(context.ExpectType(output, TensorType::kFloat32, "output"));
    AURALINK_RETURN_IF_ERROR(ExpectBias(context, bias, TensorType::kFloat32, g.out_c));
    float low = 0;
    float high = 0;
    AURALINK_RETURN_IF_ERROR(FloatActivationRange(context, options.activation, &low, &high));
    if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
    AURALINK_RETURN_IF_ERROR(
        ReserveScratch(context, sizeof(float) * kGemmF32MaxRows * static_cast<size_t>(depth)));
    const float* w = reinterpret_cast<const float*>(filter.constant_data);
    const float* b = bias ? reinterpret_cast<const float*>(bias->constant_data) : nullptr;
    std::vector<PackedMatrixF32> packed;
    for (int group = 0; group < g.groups; ++group) {
      // Filter [out_c][kh][kw][filter_c] is already (tap, channel)-major per output channel.
      const float* group_w = w + static_cast<int64_t>(group) * ocg * depth;
      packed.push_back(PackMatrixF32(
          depth, ocg, [&](int k, int n) { return group_w[static_cast<int64_t>(n) * depth + k]; },
          b ? b + group * ocg : nullptr));
    }
    return std::unique_ptr<Kernel>(std::make_unique<FloatConvKernel>(
        g, std::move(packed), static_cast<const float*>(context.input_data(0)),
        static_cast<float*>(context.output_data(0)), low, high, context.resources()->isa()));
  }

  if (input.type != TensorType::kInt8) {
    return context.Error("unsupported input type " + std::string(TensorTypeName(input.type)));
  }
  AURALINK_RETURN_IF_ERROR(ExpectInt8ConvTensors(context, filter, "filter", output, bias, g.out_c,
                                                 options.quantized_bias_type));
  if (depth > kMaxInt8Depth) {
    return context.Error("filter depth " + std::to_string(depth) + " could overflow int32 sums");
  }
  ChannelScales scales;
  AURALINK_RETURN_IF_ERROR(BuildChannelScales(context, input, filter, output, 0, g.out_c, &scales));
  int32_t low = 0;
  int32_t high = 0;
  AURALINK_RETURN_IF_ERROR(
      QuantizedActivationRange(context, options.activation, output, &low, &high));
  const int32_t input_zero_point = static_cast<int32_t>(input.quantization.zero_points[0]);
  const int32_t output_zero_point = static_cast<int32_t>(output.quantization.zero_points[0]);
  const S8Layout layout =
      S8LayoutFor(context.resources() ? context.resources()->isa() : CpuIsa::kPortable);
  const int8_t* w = reinterpret_cast<const int8_t*>(filter.constant_data);
  const int32_t* b = bias ? reinterpret_cast<const int32_t*>(bias->constant_data) : nullptr;
  std::vector<PackedMatrixS8> packed;
  std::vector<ChannelRequantization> requantization;
  for (int group = 0; group < g.groups; ++group) {
    const int8_t* group_w = w + static_cast<int64_t>(group) * ocg * depth;
    PackedMatrixS8 matrix;
    // Packed even when only validating: it is where bias overflow shows.
    if (!PackMatrixS8(
            layout, depth, ocg,
            [&](int k, int n) { return group_w[static_cast<int64_t>(n) * depth + k]; },
            b ? b + group * ocg : nullptr, -input_zero_point, &matrix)) {
      return context.Error("bias plus input offset overflows int32");
    }
    if (context.resources() == nullptr) continue;
    packed.push_back(std::move(matrix));
    requantization.push_back(MakeChannelRequantization(
        context.int8_semantics(), scales, group * ocg, ocg, output_zero_point, low, high));
  }
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  AURALINK_RETURN_IF_ERROR(ReserveScratch(
      context, static_cast<size_t>(kGemmF32MaxRows) * (2 * depth + 64 + 4 * ocg) + depth));
  return std::unique_ptr<Kernel>(std::make_unique<Int8ConvKernel>(
      g, std::move(packed), std::move(requantization), static_cast<int8_t>(input_zero_point),
      static_cast<const int8_t*>(context.input_data(0)),
      static_cast<int8_t*>(context.output_data(0)), context.resources()->isa()));
}

}  // namespace auralink::nn
