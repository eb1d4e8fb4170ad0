#include "nn/kernels/kernel_util.h"

#include <algorithm>

namespace auralink::nn {

std::vector<int64_t> ElementStrides(const std::vector<int32_t>& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i) {
    strides[i] = strides[i + 1] * shape[i + 1];
  }
  return strides;
}

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
  auto quantize = [&](float value) -> int64_t {
    return int64_t{zero_point} + static_cast<int64_t>(RoundHalfAwayFromZero(value / scale));
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

StridedCopy::StridedCopy(size_t element_size, const std::vector<int64_t>& counts,
                         const std::vector<int64_t>& source_strides,
                         const std::vector<int64_t>& destination_strides) {
  // Work in bytes; drop unit dimensions; merge a dimension into the next inner one when both
  // layouts step over it contiguously.
  std::vector<int64_t> c;
  std::vector<int64_t> s;
  std::vector<int64_t> d;
  elements_ = 1;
  for (size_t i = 0; i < counts.size(); ++i) {
    elements_ *= counts[i];
    if (counts[i] == 1) continue;
    c.push_back(counts[i]);
    s.push_back(source_strides[i] * static_cast<int64_t>(element_size));
    d.push_back(destination_strides[i] * static_cast<int64_t>(element_size));
  }
  int64_t run = static_cast<int64_t>(element_size);
  // Innermost contiguous run.
  while (!c.empty() && s.back() == run && d.back() == run) {
    run *= c.back();
    c.pop_back();
    s.pop_back();
    d.pop_back();
  }
  // Merge remaining dimensions that are contiguous with their inner neighbour in both layouts.
  for (int i = static_cast<int>(c.size()) - 2; i >= 0; --i) {
    if (s[i] == s[i + 1] * c[i + 1] && d[i] == d[i + 1] * c[i + 1]) {
      c[i + 1] *= c[i];
      c.erase(c.begin() + i);
      s.erase(s.begin() + i);
      d.erase(d.begin() + i);
    }
  }
  rank_ = static_cast<int>(c.size());
  for (int i = 0; i < rank_; ++i) {
    counts_[i] = c[i];
    source_strides_[i] = s[i];
    destination_strides_[i] = d[i];
  }
  run_bytes_ = static_cast<size_t>(run);
  if (elements_ == 0) rank_ = -1;
}

void StridedCopy::Run(const uint8_t* source, uint8_t* destination) const {
  if (rank_ < 0) return;
  if (rank_ == 0) {
    std::memcpy(destination, source, run_bytes_);
    return;
  }
  if (rank_ == 1) {
    for (int64_t i = 0; i < counts_[0]; ++i) {
      std::memcpy(destination + i * destination_strides_[0], source + i * source_strides_[0],
                  run_bytes_);
    }
    return;
  }
  std::array<int64_t, kMaxKernelRank> index{};
  const int inner = rank_ - 1;
  while (true) {
    const uint8_t* s = source;
    uint8_t* d = destination;
    for (int i = 0; i < inner; ++i) {
      s += index[i] * source_strides_[i];
      d += index[i] * destination_strides_[i];
    }
    for (int64_t i = 0; i < counts_[inner]; ++i) {
      std::memcpy(d + i * destination_strides_[inner], s + i * source_strides_[inner], run_bytes_);
    }
    int axis = inner - 1;
    while (axis >= 0 && ++index[axis] == counts_[axis]) {
      index[axis] = 0;
      --axis;
    }
    if (axis < 0) return;
  }
}

}  // namespace auralink::nn
