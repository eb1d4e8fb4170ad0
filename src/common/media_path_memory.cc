#include "common/media_path_memory.h"

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include <array>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace auralink {
namespace {

constexpr size_t kClassBytes = 64;
constexpr std::align_val_t kAlignment{kClassBytes};
constexpr size_t kBlockBytes = size_t{2} << 20;  // one huge page on x86-64 and arm64
// Larger allocations come from the general heap: a buffer that grows by doubling gives each size
// back once, and a free list per size would keep 4 + 8 + 16 KB per video subscriber that only
// later subscribers could reuse, where the general heap merges them. What grows so on the media
// path is built from chunks of one size instead (sfu::TransportFeedbackAdapter's 2 KB chunks).
constexpr size_t kMaxPooledBytes = 4096 - kClassBytes;
constexpr size_t kClasses = kMaxPooledBytes / kClassBytes;
constexpr size_t kPageBytes = 4096;
// Blocks made ahead by a thread of their own: faulting in a huge page may first compact memory,
// which can take milliseconds, and must not stall an event loop whose subscriber state grows.
constexpr size_t kReadyBlocks = 2;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPooled = false;
#else
constexpr bool kPooled = true;
#endif

size_t ClassOf(size_t size) { return size == 0 ? 0 : (size - 1) / kClassBytes; }

// Allocation happens when participants join and subscribe, on whichever thread that runs: a
// mutex is cheap at that rate. Reads of the memory take no lock.
class Pool {
 public:
  void* Allocate(size_t size) {
    const size_t size_class = ClassOf(size);
    const size_t bytes = (size_class + 1) * kClassBytes;
    std::lock_guard lock(mutex_);
    FreeNode*& head = free_[size_class];
    void* pointer;
    if (head != nullptr) {
      pointer = head;
      head = head->next;
    } else {
      if (next_ == nullptr || static_cast<size_t>(end_ - next_) < bytes) TakeBlock();
      pointer = next_;
      next_ += bytes;
    }
    stats_.bytes_in_use += bytes;
    return pointer;
  }

  void Free(void* pointer, size_t size) {
    const size_t size_class = ClassOf(size);
    std::lock_guard lock(mutex_);
    auto* node = static_cast<FreeNode*>(pointer);
    node->next = free_[size_class];
    free_[size_class] = node;
    stats_.bytes_in_use -= (size_class + 1) * kClassBytes;
  }

  MediaPathMemoryStats stats() {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  struct FreeNode {
    FreeNode* next;
  };

  // The rest of the current block is left unused: at most one allocation's worth. Called with
  // mutex_ held.
  void TakeBlock() {
    uint8_t* block;
    if (!ready_.empty()) {
      block = ready_.back();
      ready_.pop_back();
    } else {
      block = MakeBlock();  // the maker fell behind (or could not start)
      if (block == nullptr) throw std::bad_alloc();
    }
    next_ = block;
    end_ = block + kBlockBytes;
    ++stats_.blocks;
    if (!maker_started_) {
      maker_started_ = true;
      try {
        std::thread([this] { MakeBlocksAhead(); }).detach();
      } catch (const std::system_error&) {
        // No thread to spare: blocks are made here, when needed.
      }
    }
    wanted_.notify_one();
  }

  void MakeBlocksAhead() {
    // Runs only when the core is otherwise idle: a server at realtime priority would otherwise
    // share its core with a thread it cannot preempt while a huge page is cleared.
    sched_param idle{};
    (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
    std::unique_lock lock(mutex_);
    for (;;) {
      wanted_.wait(lock, [this] { return ready_.size() < kReadyBlocks; });
      lock.unlock();
      uint8_t* block = MakeBlock();
      lock.lock();
      if (block == nullptr) return;  // out of memory: TakeBlock() reports it when it must
      ready_.push_back(block);
    }
  }

  // Null when the system has no memory to give.
  static uint8_t* MakeBlock() {
    // Twice the size, trimmed to an aligned block: a huge page needs 2 MB alignment.
    const size_t mapped = 2 * kBlockBytes;
    void* region =
        mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) return nullptr;
    const auto start = reinterpret_cast<uintptr_t>(region);
    const uintptr_t aligned = (start + kBlockBytes - 1) & ~(kBlockBytes - 1);
    if (aligned > start) munmap(region, aligned - start);
    const uintptr_t tail = aligned + kBlockBytes;
    if (start + mapped > tail) munmap(reinterpret_cast<void*>(tail), start + mapped - tail);
    auto* block = reinterpret_cast<uint8_t*>(aligned);
    // Only a hint: without transparent huge pages the block is still one dense region.
    (void)madvise(block, kBlockBytes, MADV_HUGEPAGE);
    // Faulted in now, not by the first packet that reaches the state placed here.
    for (size_t offset = 0; offset < kBlockBytes; offset += kPageBytes)
      static_cast<volatile uint8_t*>(block)[offset] = 0;
    return block;
  }

  std::mutex mutex_;
  std::condition_variable wanted_;
  std::vector<uint8_t*> ready_;  // made ahead, not yet used
  bool maker_started_ = false;
  std::array<FreeNode*, kClasses> free_{};
  uint8_t* next_ = nullptr;
  uint8_t* end_ = nullptr;
  MediaPathMemoryStats stats_{0, 0, true};
};

Pool& ThePool() {
  // Never destroyed: objects in it may outlive static destruction.
  static Pool* pool = new Pool;
  return *pool;
}

}  // namespace

void* AllocateMediaPathMemory(size_t size) {
  if (!kPooled || size > kMaxPooledBytes) return ::operator new(size, kAlignment);
  return ThePool().Allocate(size);
}

void FreeMediaPathMemory(void* pointer, size_t size) noexcept {
  if (pointer == nullptr) return;
  if (!kPooled || size > kMaxPooledBytes) {
    ::operator delete(pointer, size, kAlignment);
    return;
  }
  ThePool().Free(pointer, size);
}

MediaPathMemoryStats GetMediaPathMemoryStats() {
  if (!kPooled) return {};
  return ThePool().stats();
}

void* MediaPathAllocated::operator new(size_t size, std::align_val_t alignment) {
  if (alignment <= kAlignment) return AllocateMediaPathMemory(size);
  return ::operator new(size, alignment);
}

void MediaPathAllocated::operator delete(void* pointer, size_t size,
                                         std::align_val_t alignment) noexcept {
  if (alignment <= kAlignment) {
    FreeMediaPathMemory(pointer, size);
    return;
  }
  ::operator delete(pointer, size, alignment);
}

}  // namespace auralink
