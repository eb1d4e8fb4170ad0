// Checks and requantisation set-up shared by CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV.
#pragma once

#include <vector>

#include "nn/kernel.h"
#include "nn/kernels/conv_geometry.h"
#include "nn/kernels/fixed_point.h"
#include "nn/kernels/requantize.h"

namespace auralink::nn {

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

// Strides and dilations at least 1, padding SAME or VALID.
Status ExpectConvStrides(const OperatorContext& context);

// Reserves scratch with the interpreter (a no-op while validating).
Status ReserveScratch(const OperatorContext& context, size_t bytes);

}  // namespace auralink::nn
