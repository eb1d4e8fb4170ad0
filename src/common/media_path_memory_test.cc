#include "common/media_path_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

namespace auralink {
namespace {

struct Subscriber : MediaPathAllocated {
  uint64_t values[37] = {};
};

struct alignas(128) OverAligned : MediaPathAllocated {
  uint8_t bytes[200] = {};
};

bool Aligned(const void* pointer, size_t alignment) {
  return reinterpret_cast<uintptr_t>(pointer) % alignment == 0;
}

TEST(MediaPathMemoryTest, AllocationsAreAlignedDistinctAndWritable) {
  std::vector<std::unique_ptr<Subscriber>> subscribers;
  std::set<const void*> seen;
  for (int i = 0; i < 500; ++i) {
    subscribers.push_back(std::make_unique<Subscriber>());
    Subscriber& subscriber = *subscribers.back();
    EXPECT_TRUE(Aligned(&subscriber, 64));
    EXPECT_TRUE(seen.insert(&subscriber).second);
    for (uint64_t& value : subscriber.values) value = static_cast<uint64_t>(i);
  }
  for (int i = 0; i < 500; ++i) {
    for (uint64_t value : subscribers[static_cast<size_t>(i)]->values)
      ASSERT_EQ(value, static_cast<uint64_t>(i));
  }
}

TEST(MediaPathMemoryTest, FreedMemoryIsReused) {
  const MediaPathMemoryStats before = GetMediaPathMemoryStats();
  auto first = std::make_unique<Subscriber>();
  const void* address = first.get();
  first.reset();
  auto second = std::make_unique<Subscriber>();
  if (before.pooled) {
    EXPECT_EQ(second.get(), address);
    EXPECT_EQ(GetMediaPathMemoryStats().bytes_in_use, before.bytes_in_use + 320);
  }
  second.reset();
  EXPECT_EQ(GetMediaPathMemoryStats().bytes_in_use, before.bytes_in_use);
}

TEST(MediaPathMemoryTest, ObjectsOfOneFanOutShareBlocks) {
  if (!GetMediaPathMemoryStats().pooled)
    GTEST_SKIP() << "AddressSanitizer: the general heap serves";
  // A thousand subscribers' ~300-byte states in at most two 2 MB blocks (one may be part used).
  const size_t blocks_before = GetMediaPathMemoryStats().blocks;
  std::vector<std::unique_ptr<Subscriber>> subscribers;
  for (int i = 0; i < 1000; ++i) subscribers.push_back(std::make_unique<Subscriber>());
  EXPECT_LE(GetMediaPathMemoryStats().blocks - blocks_before, 1u);
  const auto low = reinterpret_cast<uintptr_t>(subscribers.front().get());
  const auto high = reinterpret_cast<uintptr_t>(subscribers.back().get());
  EXPECT_LT((high > low ? high - low : low - high), size_t{4} << 20);
}

TEST(MediaPathMemoryTest, OverAlignedAndLargeAllocationsKeepTheirAlignment) {
  auto over = std::make_unique<OverAligned>();
  EXPECT_TRUE(Aligned(over.get(), 128));
  std::memset(over->bytes, 0xAB, sizeof(over->bytes));
  for (size_t size : {size_t{4096}, size_t{1} << 20}) {
    void* large = AllocateMediaPathMemory(size);
    EXPECT_TRUE(Aligned(large, 64));
    std::memset(large, 0x5A, size);
    FreeMediaPathMemory(large, size);
  }
  FreeMediaPathMemory(nullptr, 10);
}

TEST(MediaPathMemoryTest, ContainersGrowAndShrinkThroughTheAllocator) {
  const size_t in_use = GetMediaPathMemoryStats().bytes_in_use;
  {
    std::vector<uint32_t, MediaPathAllocator<uint32_t>> values;
    for (uint32_t i = 0; i < 10000; ++i) values.push_back(i);
    for (uint32_t i = 0; i < 10000; ++i) ASSERT_EQ(values[i], i);
    EXPECT_TRUE(Aligned(values.data(), 64));
  }
  EXPECT_EQ(GetMediaPathMemoryStats().bytes_in_use, in_use);
}

}  // namespace
}  // namespace auralink
