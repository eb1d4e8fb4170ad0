#include "nn/kernels/strided_copy.h"

#include <cstring>

namespace auralink::nn {

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
