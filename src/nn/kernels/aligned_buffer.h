// A fixed-size, zero-initialised array on a 64-byte boundary (one cache line, one AVX-512
// register), for prepacked weights and kernel scratch allocated when an interpreter is created.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <new>

namespace auralink::nn {

template <typename T>
class AlignedBuffer {
 public:
  static constexpr std::align_val_t kAlignment{64};

  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t count) : count_(count) {
    if (count == 0) return;
    data_.reset(static_cast<T*>(::operator new(count * sizeof(T), kAlignment)));
    std::memset(static_cast<void*>(data_.get()), 0, count * sizeof(T));
  }

  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  size_t size() const { return count_; }
  T& operator[](size_t i) { return data_.get()[i]; }
  const T& operator[](size_t i) const { return data_.get()[i]; }

 private:
  struct Free {
    void operator()(T* p) const { ::operator delete(static_cast<void*>(p), kAlignment); }
  };
  std::unique_ptr<T, Free> data_;
  size_t count_ = 0;
};

}  // namespace auralink::nn
