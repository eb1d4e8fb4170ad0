// Checks and requantisation set-up shared by CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV.
#pragma once

#include <vector>

#include "nn/kernel.h"
#include "nn/kernels/conv_geometry.h"
#include "nn/kernels/fixed_point.h"
#include "nn/kernels/requantize.h"

namespace auralink::nn {

// Sets g->out_h, out_w, pad_top and pad_left from the input, kernel, stride and dilation already in
// `g`, and checks that `output` has the shape the convolution produces.
inline Status ResolveConvOutput(const OperatorContext& context, tflite::Padding padding,
                                const TensorSpec& output, ConvGeometry* g) {
  const int64_t out_h = ConvOutputSize(padding, g->in_h, g->kernel_h, g->stride_h, g->dilation_h);
  const int64_t out_w = ConvOutputSize(padding, g->in_w, g->kernel_w, g->stride_w, g->dilation_w);
  const std::vector<int32_t> expected = {g->batches, static_cast<int32_t>(out_h),
                                         static_cast<int32_t>(out_w), g->out_c};
  if (output.shape != expected) {
    return context.Error("output " + DescribeTensor(output) + " should have shape " +
                         ShapeToString(expected));
  }
  g->out_h = static_cast<int>(out_h);
  g->out_w = static_cast<int>(out_w);
  g->pad_top = static_cast<int>(
      ConvPaddingBefore(g->in_h, g->out_h, g->kernel_h, g->stride_h, g->dilation_h));
  g->pad_left = static_cast<int>(
      ConvPaddingBefore(g->in_w, g->out_w, g->kernel_w, g->stride_w, g->dilation_w));
  return Status::Ok();
}

// Each output channel's rescaling factor, in both conventions (nn/int8_semantics.h).
struct ChannelScales {
  // TFLite's PopulateConvolutionQuantizationParams: input scale * filter scale / output scale in
  // double, then QuantizeMultiplier.
  std::vector<QuantizedMultiplier> multipliers;
  // XNNPACK's requantization_scale: the same product and quotient in float.
  std::vector<float> scales;
  // XNNPACK refuses scales of 256 and above; LiteRT then runs TFLite's kernel instead.
  bool xnnpack_supported = true;
};

// Checks int8 weights (symmetric; one scale, or one per output channel along
// `channel_dimension`) and the per-tensor input and output, and computes the channel scales.
Status BuildChannelScales(const OperatorContext& context, const TensorSpec& input,
                          const TensorSpec& filter, const TensorSpec& output, int channel_dimension,
                          int channels, ChannelScales* scales);

// Channels [first, first + count), padded for the SIMD requantisers.
ChannelRequantization MakeChannelRequantization(Int8Semantics semantics,
                                                const ChannelScales& scales, int first, int count,
                                                int32_t zero_point, int32_t low, int32_t high);

// An optional constant bias of `channels` elements of `type`.
Status ExpectBias(const OperatorContext& context, const TensorSpec* bias, TensorType type,
                  int channels);

// The int8 path of CONV_2D and TRANSPOSE_CONV: int8 weights (named `weights_name` in errors) and
// output, an optional INT32 bias of `channels`, and no other quantized bias type.
Status ExpectInt8ConvTensors(const OperatorContext& context, const TensorSpec& weights,
                             const char* weights_name, const TensorSpec& output,
                             const TensorSpec* bias, int channels, int8_t quantized_bias_type);

// Strides and dilations at least 1, padding SAME or VALID.
Status ExpectConvStrides(const OperatorContext& context);

// Reserves scratch with the interpreter (a no-op while validating).
Status ReserveScratch(const OperatorContext& context, size_t bytes);

}  // namespace auralink::nn
