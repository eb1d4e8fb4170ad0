// Sizes, padding and patch addressing shared by CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV
// (NHWC activations), following TFLite's ComputeOutSize / ComputePaddingWithOffset.
#pragma once

#include <algorithm>
#include <cstdint>

#include "nn/tflite_schema.h"

namespace auralink::nn {

// Output extent of a convolution over `in` elements; 0 when the filter does not fit.
inline int64_t ConvOutputSize(tflite::Padding padding, int64_t in, int64_t kernel, int64_t stride,
                              int64_t dilation) {
  const int64_t effective = (kernel - 1) * dilation + 1;
  if (padding == tflite::Padding::kSame) return (in + stride - 1) / stride;
  if (in < effective) return 0;
  return (in - effective + stride) / stride;
}

// Padding before the first element (TFLite puts the odd element of the total after).
inline int64_t ConvPaddingBefore(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                                 int64_t dilation) {
  const int64_t effective = (kernel - 1) * dilation + 1;
  const int64_t total = std::max<int64_t>(0, (out - 1) * stride + effective - in);
  return total / 2;
}

struct ConvGeometry {
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
  int dilation_h = 1;
  int dilation_w = 1;
  int pad_top = 0;
  int pad_left = 0;
  int groups = 1;

  int in_c_per_group() const { return in_c / groups; }
  int out_c_per_group() const { return out_c / groups; }
  int64_t rows() const { return int64_t{batches} * out_h * out_w; }
  int64_t taps() const { return int64_t{kernel_h} * kernel_w; }

  // Whether output row `m`'s patch lies fully inside the input.
  bool PatchInside(int64_t m) const {
    const int64_t oh = (m / out_w) % out_h;
    const int64_t ow = m % out_w;
    const int64_t y0 = oh * stride_h - pad_top;
    const int64_t x0 = ow * stride_w - pad_left;
    return y0 >= 0 && x0 >= 0 && y0 + int64_t{kernel_h - 1} * dilation_h < in_h &&
           x0 + int64_t{kernel_w - 1} * dilation_w < in_w;
  }
  bool AllPatchesInside() const {
    return pad_top == 0 && pad_left == 0 &&
           int64_t{out_h - 1} * stride_h + int64_t{kernel_h - 1} * dilation_h < in_h &&
           int64_t{out_w - 1} * stride_w + int64_t{kernel_w - 1} * dilation_w < in_w;
  }
  // Element offset of the top-left input pixel of output row m's patch (may be outside).
  int64_t PatchOrigin(int64_t m, int64_t* y0, int64_t* x0, int64_t* batch) const {
    *batch = m / (int64_t{out_h} * out_w);
    *y0 = ((m / out_w) % out_h) * stride_h - pad_top;
    *x0 = (m % out_w) * stride_w - pad_left;
    return ((*batch * in_h + *y0) * in_w + *x0) * in_c;
  }
};

}  // namespace auralink::nn
