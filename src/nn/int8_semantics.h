// Which rounding rules the int8 kernels follow. TFLite's builtin integer kernels and the XNNPACK
// kernels that LiteRT's CPU runtime delegates quantized operators to agree on what an operator
// means but not on how it rounds: XNNPACK rescales convolution sums in float (rounding half to
// even) and runs LEAKY_RELU with 8.8 fixed-point multipliers, where TFLite uses 31-bit fixed-point
// multipliers throughout. One int8 step of difference early in SoundStream's encoder grows into a
// few percent of feature error, so the engine implements both and defaults to LiteRT's.
#pragma once

#include <optional>
#include <string_view>

namespace auralink::nn {

enum class Int8Semantics {
  // Google's LiteRT on CPU (the XNNPACK delegate): float requantisation with per-channel float
  // scales, half-to-even rounding; LEAKY_RELU, ADD and SUB with XNNPACK's integer multipliers;
  // QUANTIZE as value * (1 / scale) rounded half to even.
  kXnnpack,
  // TFLite's builtin kernels (reference_integer_ops / optimized integer ops): QuantizeMultiplier +
  // MultiplyByQuantizedMultiplier everywhere, QUANTIZE rounding half away from zero.
  kTfliteReference,
};

std::string_view Int8SemanticsName(Int8Semantics semantics);

// The process default: kXnnpack, unless AURALINK_NN_INT8=reference (or xnnpack) says otherwise.
Int8Semantics DefaultInt8Semantics();

}  // namespace auralink::nn
