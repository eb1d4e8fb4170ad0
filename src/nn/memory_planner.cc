#include "nn/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace auralink::nn {
namespace {

size_t AlignUp(size_t bytes) {
  return (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

// Above this many buffers the quadratic search is skipped and every buffer gets its own bytes.
constexpr size_t kMaxSharedPlanning = 4096;

}  // namespace

size_t PlanArena(const std::vector<BufferRequest>& requests, std::vector<size_t>* offsets) {
  offsets->assign(requests.size(), 0);
  size_t total = 0;
  if (requests.size() > kMaxSharedPlanning) {
    for (size_t i = 0; i < requests.size(); ++i) {
      (*offsets)[i] = total;
      total += AlignUp(requests[i].bytes);
    }
    return total;
  }
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; });
  std::vector<size_t> placed;
  for (size_t index : order) {
    const BufferRequest& request = requests[index];
    const size_t size = AlignUp(request.bytes);
    // Buffers already placed that are alive at the same time, by offset.
    std::vector<size_t> conflicts;
    for (size_t other : placed) {
      const BufferRequest& o = requests[other];
      if (o.first_use <= request.last_use && request.first_use <= o.last_use) {
        conflicts.push_back(other);
      }
    }
    std::sort(conflicts.begin(), conflicts.end(),
              [&](size_t a, size_t b) { return (*offsets)[a] < (*offsets)[b]; });
    size_t candidate = 0;
    for (size_t other : conflicts) {
      const size_t start = (*offsets)[other];
      if (start >= candidate + size) break;
      candidate = std::max(candidate, start + AlignUp(requests[other].bytes));
    }
    (*offsets)[index] = candidate;
    total = std::max(total, candidate + size);
    placed.push_back(index);
  }
  return total;
}

}  // namespace auralink::nn
