// Places tensors with known lifetimes in one arena, letting tensors whose lifetimes do not overlap
// share bytes: greedy by size, each at the lowest offset free for its whole lifetime.
#pragma once

#include <cstddef>
#include <vector>

namespace auralink::nn {

struct BufferRequest {
  size_t bytes = 0;
  int first_use = 0;  // inclusive operator indices
  int last_use = 0;
};

inline constexpr size_t kArenaAlignment = 64;

// Fills `offsets` (one per request, multiples of kArenaAlignment) and returns the arena size.
size_t PlanArena(const std::vector<BufferRequest>& requests, std::vector<size_t>* offsets);

}  // namespace auralink::nn
