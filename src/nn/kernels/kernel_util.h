// Small pieces shared by the operator implementations: typed access to bound tensors, activation
// ranges, axis normalisation, and a strided copy that moves any box of elements between two
// layouts.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "nn/kernel.h"
#include "nn/kernels/prepare_functions.h"

namespace auralink::nn {

inline constexpr int kMaxKernelRank = 8;

template <typename T>
T* As(void* data) {
  return static_cast<T*>(data);
}

// Returns the prepared kernel, or nullptr while only validating.
template <typename K, typename... Args>
PreparedKernel MakeKernel(const OperatorContext& context, Args&&... args) {
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  return std::unique_ptr<Kernel>(std::make_unique<K>(std::forward<Args>(args)...));
}

// Axis in [-rank, rank) mapped to [0, rank); -1 when out of range.
inline int NormalizeAxis(int64_t axis, int rank) {
  if (axis < -rank || axis >= rank) return -1;
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

// Row-major element strides of `shape`.
std::vector<int64_t> ElementStrides(const std::vector<int32_t>& shape);

// The value range a fused activation leaves; refuses TANH and SIGN_BIT, which no kernel here fuses.
Status FloatActivationRange(const OperatorContext& context, tflite::Activation activation,
                            float* low, float* high);
// Same for quantized outputs, in the output's integer domain (TFLite's
// CalculateActivationRangeQuantized).
Status QuantizedActivationRange(const OperatorContext& context, tflite::Activation activation,
                                const TensorSpec& output, int32_t* low, int32_t* high);

// Rounds half away from zero (std::round), as TFLite's TfLiteRound does.
inline float RoundHalfAwayFromZero(float x) { return std::round(x); }

// Copies a box of `counts` elements; each dimension has its own source and destination byte
// stride. Dimensions are coalesced when the box is contiguous in both layouts.
class StridedCopy {
 public:
  StridedCopy() = default;
  StridedCopy(size_t element_size, const std::vector<int64_t>& counts,
              const std::vector<int64_t>& source_strides,
              const std::vector<int64_t>& destination_strides);

  void Run(const uint8_t* source, uint8_t* destination) const;
  int64_t elements() const { return elements_; }

 private:
  int rank_ = 0;
  std::array<int64_t, kMaxKernelRank> counts_{};
  std::array<int64_t, kMaxKernelRank> source_strides_{};
  std::array<int64_t, kMaxKernelRank> destination_strides_{};
  size_t run_bytes_ = 0;  // contiguous bytes moved by one innermost step
  int64_t elements_ = 0;
};

}  // namespace auralink::nn
