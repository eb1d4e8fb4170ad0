// Layout arithmetic shared by the operator implementations: axis normalisation and row-major
// strides.
#pragma once

#include <cstdint>
#include <vector>

namespace auralink::nn {

inline constexpr int kMaxKernelRank = 8;

// Axis in [-rank, rank) mapped to [0, rank); -1 when out of range.
inline int NormalizeAxis(int64_t axis, int rank) {
  if (axis < -rank || axis >= rank) return -1;
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

// Row-major element strides of `shape`.
inline std::vector<int64_t> ElementStrides(const std::vector<int32_t>& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i) {
    strides[i] = strides[i + 1] * shape[i + 1];
  }
  return strides;
}

}  // namespace auralink::nn
