#include "nn/kernels/activation.h"

#include <algorithm>
#include <limits>

namespace auralink::nn {

Status FloatActivationRange(const OperatorContext& context, tflite::Activation activation,
                            float* low, float* high) {
  *low = -std::numeric_limits<float>::infinity();
  *high = std::numeric_limits<float>::infinity();
  switch (activation) {
    case tflite::Activation::kNone:
      return Status::Ok();
    case tflite::Activation::kRelu:
      *low = 0.0f;
      return Status::Ok();
    case tflite::Activation::kReluN1To1:
      *low = -1.0f;
      *high = 1.0f;
      return Status::Ok();
    case tflite::Activation::kRelu6:
      *low = 0.0f;
      *high = 6.0f;
      return Status::Ok();
    default:
      return context.Error("unsupported fused activation " +
                           std::to_string(static_cast<int>(activation)));
  }
}

Status QuantizedActivationRange(const OperatorContext& context, tflite::Activation activation,
                                const TensorSpec& output, int32_t* low, int32_t* high) {
  int32_t type_low = 0;
  int32_t type_high = 0;
  switch (output.type) {
    case TensorType::kInt8:
      type_low = -128;
      type_high = 127;
      break;
    case TensorType::kUInt8:
      type_low = 0;
      type_high = 255;
      break;
    case TensorType::kInt16:
      type_low = -32768;
      type_high = 32767;
      break;
    default:
      type_low = std::numeric_limits<int32_t>::min();
      type_high = std::numeric_limits<int32_t>::max();
      break;
  }
  *low = type_low;
  *high = type_high;
  if (activation == tflite::Activation::kNone) return Status::Ok();
  if (output.quantization.scales.size() != 1) {
    return context.Error("fused activation needs a per-tensor quantized output");
  }
  const float scale = output.quantization.scales[0];
  const int32_t zero_point = static_cast<int32_t>(output.quantization.zero_points[0]);
  // A tiny scale puts 6 / scale beyond any integer type; the bound saturates before conversion.
  auto quantize = [&](float value) -> int64_t {
    const double rounded = RoundHalfAwayFromZero(value / scale);
    if (!(rounded >= -1e12)) return type_low;
    if (rounded > 1e12) return type_high;
    return int64_t{zero_point} + static_cast<int64_t>(rounded);
  };
  auto clamp = [&](int64_t v) {
    return static_cast<int32_t>(std::clamp<int64_t>(v, type_low, type_high));
  };
  switch (activation) {
    case tflite::Activation::kRelu:
      *low = clamp(quantize(0.0f));
      return Status::Ok();
    case tflite::Activation::kRelu6:
      *low = clamp(quantize(0.0f));
      *high = clamp(quantize(6.0f));
      return Status::Ok();
    case tflite::Activation::kReluN1To1:
      *low = clamp(quantize(-1.0f));
      *high = clamp(quantize(1.0f));
      return Status::Ok();
    default:
      return context.Error("unsupported fused activation " +
                           std::to_string(static_cast<int>(activation)));
  }
}

}  // namespace auralink::nn
