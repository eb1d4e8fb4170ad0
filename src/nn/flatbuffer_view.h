// Bounds-checked, read-only access to a FlatBuffers binary, written from the FlatBuffers format
// specification (flatbuffers.dev, "Internals"): a root uoffset_t at byte 0, tables that start with
// an soffset_t to their vtable, vtables of uint16 field offsets, and uoffset_t references to
// tables, vectors (uint32 length + elements) and strings (uint32 length + bytes + NUL). Everything
// is little-endian. Every access checks its range against the buffer, so corrupt or truncated input
// yields an error instead of an out-of-bounds read; nothing here recurses, so depth is bounded by
// the caller's schema walk.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace auralink::nn {

class FlatbufferVector;
class FlatbufferTable;

class FlatbufferView {
 public:
  explicit FlatbufferView(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  uint64_t size() const { return bytes_.size(); }
  const uint8_t* data() const { return bytes_.data(); }

  // OK when [offset, offset + length) lies inside the buffer; otherwise a "file truncated" error
  // that names `what`.
  Status CheckRange(uint64_t offset, uint64_t length, std::string_view what) const;

  // Reads a little-endian scalar; the range must have been checked.
  template <typename T>
  T ReadUnchecked(uint64_t offset) const {
    T value;
    std::memcpy(&value, bytes_.data() + offset, sizeof(T));
    return value;
  }

  template <typename T>
  StatusOr<T> Read(uint64_t offset, std::string_view what) const {
    AURALINK_RETURN_IF_ERROR(CheckRange(offset, sizeof(T), what));
    return ReadUnchecked<T>(offset);
  }

  // The root table; also checks that bytes 4..8 hold `file_identifier` when it is not empty.
  StatusOr<FlatbufferTable> Root(std::string_view file_identifier) const;

 private:
  std::span<const uint8_t> bytes_;
};

// A vector whose whole extent (length * element_size bytes) was checked to lie inside the buffer.
class FlatbufferVector {
 public:
  FlatbufferVector() = default;
  FlatbufferVector(const FlatbufferView* view, uint64_t elements, uint32_t length,
                   uint32_t element_size)
      : view_(view), elements_(elements), length_(length), element_size_(element_size) {}

  uint32_t size() const { return length_; }
  uint64_t position() const { return elements_; }
  const uint8_t* bytes() const { return view_ ? view_->data() + elements_ : nullptr; }
  uint64_t byte_size() const { return uint64_t{length_} * element_size_; }

  // Scalar element i; i < size() is the caller's contract.
  template <typename T>
  T Get(uint32_t i) const {
    return view_->ReadUnchecked<T>(elements_ + uint64_t{i} * sizeof(T));
  }

  // For vectors of tables and strings (element_size 4): follows the uoffset_t in slot i.
  StatusOr<FlatbufferTable> TableAt(uint32_t i) const;
  StatusOr<std::string_view> StringAt(uint32_t i) const;

 private:
  const FlatbufferView* view_ = nullptr;
  uint64_t elements_ = 0;
  uint32_t length_ = 0;
  uint32_t element_size_ = 0;
};

class FlatbufferTable {
 public:
  // Validates the table header and its vtable at `position`.
  static StatusOr<FlatbufferTable> At(const FlatbufferView* view, uint64_t position);

  uint64_t position() const { return position_; }
  // Whether the vtable records field `id` (field ids count every declared field of the table,
  // deprecated ones included; a union occupies two ids, its type then its value).
  bool Has(int id) const { return FieldOffset(id) != 0; }

  template <typename T>
  StatusOr<T> Scalar(int id, T default_value) const {
    auto position = FieldPosition(id, sizeof(T));
    if (!position.ok()) return position.status();
    if (*position == 0) return default_value;
    return view_->ReadUnchecked<T>(*position);
  }

  StatusOr<std::optional<FlatbufferTable>> Table(int id) const;
  StatusOr<std::optional<FlatbufferVector>> Vector(int id, uint32_t element_size) const;
  StatusOr<std::optional<std::string_view>> String(int id) const;

 private:
  FlatbufferTable(const FlatbufferView* view, uint64_t position, uint64_t vtable,
                  uint16_t vtable_size, uint16_t table_size)
      : view_(view),
        position_(position),
        vtable_(vtable),
        vtable_size_(vtable_size),
        table_size_(table_size) {}

  uint16_t FieldOffset(int id) const;
  // Absolute position of field `id` (0 when absent), checked to lie inside the table.
  StatusOr<uint64_t> FieldPosition(int id, uint32_t size) const;
  // Follows the uoffset_t stored in field `id`; 0 when the field is absent.
  StatusOr<uint64_t> Reference(int id) const;

  const FlatbufferView* view_;
  uint64_t position_;
  uint64_t vtable_;
  uint16_t vtable_size_;
  uint16_t table_size_;
};

// Shared by tables and vectors: the uoffset_t at `slot` points forward to the referenced object.
StatusOr<uint64_t> FollowReference(const FlatbufferView* view, uint64_t slot);
StatusOr<std::string_view> ReadFlatbufferString(const FlatbufferView* view, uint64_t position);
StatusOr<FlatbufferVector> ReadFlatbufferVector(const FlatbufferView* view, uint64_t position,
                                                uint32_t element_size);

}  // namespace auralink::nn
