// Copies a box of elements between two layouts: each dimension has its own source and destination
// byte stride. Dimensions are coalesced when the box is contiguous in both layouts, so a slice or a
// concatenation part usually becomes a handful of memcpy calls.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "nn/kernels/tensor_layout.h"

namespace auralink::nn {

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
