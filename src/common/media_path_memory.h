// Memory for the per-subscriber state a fan-out touches for every packet: down tracks, their
// senders and bandwidth estimators, transports, ICE agents and SRTP sessions.
//
// From the general heap those objects lie wherever each happened to be allocated, a few to a page,
// so a fan-out to a thousand subscribers reads thousands of pages and misses the TLB on most of
// them; in a virtual machine every miss walks two levels of page tables. Here they share 2 MB
// blocks that the kernel backs with huge pages where it can (MADV_HUGEPAGE), so a fan-out's state
// fits a few TLB entries. A thread of the pool's own makes and faults in the next blocks ahead of
// need: a huge page fault may first compact memory for milliseconds, which must not stall an event
// loop.
//
// Freed memory goes to a free list per 64-byte size class and is never returned to the system.
// Allocations of 4 KB or more come from the general heap. Every allocation is 64-byte aligned.
// Under AddressSanitizer everything comes from the general heap, so that these objects stay
// checked.
#pragma once

#include <cstddef>
#include <new>

namespace auralink {

// Never null: throws std::bad_alloc as operator new does.
void* AllocateMediaPathMemory(size_t size);
// `size` as allocated.
void FreeMediaPathMemory(void* pointer, size_t size) noexcept;

struct MediaPathMemoryStats {
  size_t blocks = 0;        // 2 MB blocks taken into use so far
  size_t bytes_in_use = 0;  // allocated and not freed, rounded up to the size classes
  bool pooled = false;      // false under AddressSanitizer: the general heap serves
};
MediaPathMemoryStats GetMediaPathMemoryStats();

// A class that derives from this is allocated by `new` from media-path memory.
class MediaPathAllocated {
 public:
  static void* operator new(size_t size) { return AllocateMediaPathMemory(size); }
  static void operator delete(void* pointer, size_t size) noexcept {
    FreeMediaPathMemory(pointer, size);
  }
  static void* operator new(size_t size, std::align_val_t alignment);
  static void operator delete(void* pointer, size_t size, std::align_val_t alignment) noexcept;
};

// For small containers a fan-out reads (an SRTP session's streams).
template <typename T>
struct MediaPathAllocator {
  using value_type = T;
  static_assert(alignof(T) <= 64, "media-path memory is 64-byte aligned");

  MediaPathAllocator() = default;
  template <typename U>
  MediaPathAllocator(const MediaPathAllocator<U>&) {}  // NOLINT: rebinding is implicit

  T* allocate(size_t count) {
    if (count > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(AllocateMediaPathMemory(count * sizeof(T)));
  }
  void deallocate(T* pointer, size_t count) noexcept {
    FreeMediaPathMemory(pointer, count * sizeof(T));
  }
  template <typename U>
  bool operator==(const MediaPathAllocator<U>&) const {
    return true;
  }
};

}  // namespace auralink
