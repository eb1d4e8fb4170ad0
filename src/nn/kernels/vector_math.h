// Vector helpers with one fixed floating-point association shared by every ISA path.
#pragma once

#include <cstdint>

#include "nn/cpu_isa.h"

namespace auralink::nn {

// Sum of x[0..n): 16 lane accumulators take x[16b + j] in order of b (a tail of fewer than 16
// elements is padded with +0.0), then lanes are folded pairwise: j += j+8, j += j+4, j += j+2,
// j += j+1. Portable, AVX2 and AVX-512 versions give bit-identical results.
using LaneSum = float (*)(const float* x, int64_t n);
LaneSum LaneSumFunction(CpuIsa isa);

float LaneSumPortable(const float* x, int64_t n);

}  // namespace auralink::nn
