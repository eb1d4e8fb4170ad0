#include "nn/flatbuffer_view.h"

namespace auralink::nn {

Status FlatbufferView::CheckRange(uint64_t offset, uint64_t length, std::string_view what) const {
  if (offset > size() || length > size() - offset) {
    return Status::Error("file truncated: " + std::string(what) + " at offset " +
                         std::to_string(offset) + " (" + std::to_string(length) +
                         " bytes) beyond end of " + std::to_string(size()) + "-byte file");
  }
  return Status::Ok();
}

StatusOr<FlatbufferTable> FlatbufferView::Root(std::string_view file_identifier) const {
  if (size() < 8) {
    return Status::Error("file truncated: " + std::to_string(size()) +
                         " bytes is too short for a FlatBuffers header");
  }
  if (!file_identifier.empty()) {
    std::string_view identifier(reinterpret_cast<const char*>(data()) + 4, 4);
    if (identifier != file_identifier) {
      std::string printable;
      for (char c : identifier) printable += (c >= 32 && c < 127) ? c : '?';
      return Status::Error("not a TFLite model: file identifier is '" + printable +
                           "', expected '" + std::string(file_identifier) + "'");
    }
  }
  auto root = FollowReference(this, 0);
  if (!root.ok()) return root.status();
  return FlatbufferTable::At(this, *root);
}

StatusOr<uint64_t> FollowReference(const FlatbufferView* view, uint64_t slot) {
  auto offset = view->Read<uint32_t>(slot, "reference");
  if (!offset.ok()) return offset.status();
  uint64_t target = slot + *offset;
  if (target >= view->size()) {
    return Status::Error("file truncated: offset " + std::to_string(target) + " beyond end of " +
                         std::to_string(view->size()) + "-byte file");
  }
  return target;
}

StatusOr<std::string_view> ReadFlatbufferString(const FlatbufferView* view, uint64_t position) {
  auto length = view->Read<uint32_t>(position, "string length");
  if (!length.ok()) return length.status();
  // The format stores a NUL after the bytes; requiring it catches strings cut short.
  AURALINK_RETURN_IF_ERROR(view->CheckRange(position + 4, uint64_t{*length} + 1, "string"));
  if (view->data()[position + 4 + *length] != 0) {
    return Status::Error("corrupt file: string at offset " + std::to_string(position) +
                         " is not NUL-terminated");
  }
  return std::string_view(reinterpret_cast<const char*>(view->data()) + position + 4, *length);
}

StatusOr<FlatbufferVector> ReadFlatbufferVector(const FlatbufferView* view, uint64_t position,
                                                uint32_t element_size) {
  auto length = view->Read<uint32_t>(position, "vector length");
  if (!length.ok()) return length.status();
  AURALINK_RETURN_IF_ERROR(view->CheckRange(
      position + 4, uint64_t{*length} * element_size,
      "vector of " + std::to_string(*length) + " x " + std::to_string(element_size) + " bytes"));
  return FlatbufferVector(view, position + 4, *length, element_size);
}

StatusOr<FlatbufferTable> FlatbufferVector::TableAt(uint32_t i) const {
  auto target = FollowReference(view_, elements_ + uint64_t{i} * 4);
  if (!target.ok()) return target.status();
  return FlatbufferTable::At(view_, *target);
}

StatusOr<std::string_view> FlatbufferVector::StringAt(uint32_t i) const {
  auto target = FollowReference(view_, elements_ + uint64_t{i} * 4);
  if (!target.ok()) return target.status();
  return ReadFlatbufferString(view_, *target);
}

StatusOr<FlatbufferTable> FlatbufferTable::At(const FlatbufferView* view, uint64_t position) {
  auto soffset = view->Read<int32_t>(position, "table");
  if (!soffset.ok()) return soffset.status();
  // The vtable lives at position - soffset; it may precede or follow the table.
  int64_t vtable = static_cast<int64_t>(position) - *soffset;
  if (vtable < 0 || static_cast<uint64_t>(vtable) >= view->size()) {
    return Status::Error("file truncated: vtable offset " + std::to_string(vtable) +
                         " of table at offset " + std::to_string(position) + " beyond end of " +
                         std::to_string(view->size()) + "-byte file");
  }
  auto vtable_size = view->Read<uint16_t>(vtable, "vtable");
  if (!vtable_size.ok()) return vtable_size.status();
  auto table_size = view->Read<uint16_t>(vtable + 2, "vtable");
  if (!table_size.ok()) return table_size.status();
  if (*vtable_size < 4 || *vtable_size % 2 != 0) {
    return Status::Error("corrupt file: vtable at offset " + std::to_string(vtable) +
                         " has invalid size " + std::to_string(*vtable_size));
  }
  if (*table_size < 4) {
    return Status::Error("corrupt file: table at offset " + std::to_string(position) +
                         " has invalid size " + std::to_string(*table_size));
  }
  AURALINK_RETURN_IF_ERROR(view->CheckRange(vtable, *vtable_size, "vtable"));
  AURALINK_RETURN_IF_ERROR(view->CheckRange(position, *table_size, "table"));
  return FlatbufferTable(view, position, static_cast<uint64_t>(vtable), *vtable_size, *table_size);
}

uint16_t FlatbufferTable::FieldOffset(int id) const {
  uint64_t slot = 4 + 2 * static_cast<uint64_t>(id);
  if (id < 0 || slot + 2 > vtable_size_) return 0;
  return view_->ReadUnchecked<uint16_t>(vtable_ + slot);
}

StatusOr<uint64_t> FlatbufferTable::FieldPosition(int id, uint32_t size) const {
  uint16_t offset = FieldOffset(id);
  if (offset == 0) return uint64_t{0};
  if (offset < 4 || uint64_t{offset} + size > table_size_) {
    return Status::Error("corrupt file: field " + std::to_string(id) + " of table at offset " +
                         std::to_string(position_) + " lies outside the table");
  }
  return position_ + offset;
}

StatusOr<uint64_t> FlatbufferTable::Reference(int id) const {
  auto slot = FieldPosition(id, 4);
  if (!slot.ok()) return slot.status();
  if (*slot == 0) return uint64_t{0};
  return FollowReference(view_, *slot);
}

StatusOr<std::optional<FlatbufferTable>> FlatbufferTable::Table(int id) const {
  auto target = Reference(id);
  if (!target.ok()) return target.status();
  if (*target == 0) return std::optional<FlatbufferTable>();
  auto table = At(view_, *target);
  if (!table.ok()) return table.status();
  return std::optional<FlatbufferTable>(*table);
}

StatusOr<std::optional<FlatbufferVector>> FlatbufferTable::Vector(int id,
                                                                  uint32_t element_size) const {
  auto target = Reference(id);
  if (!target.ok()) return target.status();
  if (*target == 0) return std::optional<FlatbufferVector>();
  auto vector = ReadFlatbufferVector(view_, *target, element_size);
  if (!vector.ok()) return vector.status();
  return std::optional<FlatbufferVector>(*vector);
}

StatusOr<std::optional<std::string_view>> FlatbufferTable::String(int id) const {
  auto target = Reference(id);
  if (!target.ok()) return target.status();
  if (*target == 0) return std::optional<std::string_view>();
  auto text = ReadFlatbufferString(view_, *target);
  if (!text.ok()) return text.status();
  return std::optional<std::string_view>(*text);
}

}  // namespace auralink::nn
