// Element types of the tensors AuraLink's inference engine runs. Only the types the engine has
// kernels for appear here; a model that declares any other TFLite type is refused when it is
// loaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace auralink::nn {

enum class TensorType { kFloat32, kInt32, kInt8, kUInt8, kInt64, kBool, kInt16, kResource };

// Bytes per element; 0 for kResource, whose tensors carry no data in this engine.
constexpr size_t ElementSize(TensorType type) {
  switch (type) {
    case TensorType::kFloat32:
    case TensorType::kInt32:
      return 4;
    case TensorType::kInt64:
      return 8;
    case TensorType::kInt16:
      return 2;
    case TensorType::kInt8:
    case TensorType::kUInt8:
    case TensorType::kBool:
      return 1;
    case TensorType::kResource:
      return 0;
  }
  return 0;
}

// The TFLite schema's spelling (FLOAT32, INT8, ...), for error messages.
std::string_view TensorTypeName(TensorType type);

// Maps a C++ element type to its TensorType, for TensorView::as<T>().
template <typename T>
struct TensorTypeOf;
template <>
struct TensorTypeOf<float> {
  static constexpr TensorType value = TensorType::kFloat32;
};
template <>
struct TensorTypeOf<int32_t> {
  static constexpr TensorType value = TensorType::kInt32;
};
template <>
struct TensorTypeOf<int8_t> {
  static constexpr TensorType value = TensorType::kInt8;
};
template <>
struct TensorTypeOf<uint8_t> {
  static constexpr TensorType value = TensorType::kUInt8;
};
template <>
struct TensorTypeOf<int64_t> {
  static constexpr TensorType value = TensorType::kInt64;
};
template <>
struct TensorTypeOf<bool> {
  static constexpr TensorType value = TensorType::kBool;
};
template <>
struct TensorTypeOf<int16_t> {
  static constexpr TensorType value = TensorType::kInt16;
};

}  // namespace auralink::nn
