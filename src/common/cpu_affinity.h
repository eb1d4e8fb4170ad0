// Benchmarks that report "per core" figures run on one core: this pins the calling thread (and the
// threads it starts afterwards) to the CPU it is running on.
#pragma once

namespace auralink {

// Returns false when the kernel refuses (the figures are then still single-threaded, not pinned).
bool PinToCurrentCore();

}  // namespace auralink
