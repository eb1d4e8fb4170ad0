// Value ranges of fused activations (NONE, RELU, RELU_N1_TO_1, RELU6), for float and quantized
// outputs.
#pragma once

#include <cmath>
#include <cstdint>

#include "nn/kernel.h"

namespace auralink::nn {

// Refuses TANH and SIGN_BIT, which no kernel here fuses.
Status FloatActivationRange(const OperatorContext& context, tflite::Activation activation,
                            float* low, float* high);
// The same range in the output's integer domain (TFLite's CalculateActivationRangeQuantized).
Status QuantizedActivationRange(const OperatorContext& context, tflite::Activation activation,
                                const TensorSpec& output, int32_t* low, int32_t* high);

// Rounds half away from zero (std::round), as TFLite's TfLiteRound does.
inline float RoundHalfAwayFromZero(float x) { return std::round(x); }

}  // namespace auralink::nn
