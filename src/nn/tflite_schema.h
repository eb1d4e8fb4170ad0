// Field ids and enum values of the TFLite flatbuffer schema (tensorflow/lite/schema/schema.fbs; a
// copy sits beside the SoundStream weights as tflite_schema.fbs). Field ids are declaration order
// within each table, counting deprecated fields, with a union taking two ids (its type, then its
// value). Only what the model reader needs is listed.
#pragma once

#include <cstdint>
#include <string>

namespace auralink::nn::tflite {

inline constexpr char kFileIdentifier[] = "TFL3";

namespace model_field {
inline constexpr int kVersion = 0;
inline constexpr int kOperatorCodes = 1;
inline constexpr int kSubgraphs = 2;
inline constexpr int kDescription = 3;
inline constexpr int kBuffers = 4;
inline constexpr int kMetadataBuffer = 5;
inline constexpr int kMetadata = 6;
inline constexpr int kSignatureDefs = 7;
}  // namespace model_field

namespace operator_code_field {
inline constexpr int kDeprecatedBuiltinCode = 0;
inline constexpr int kCustomCode = 1;
inline constexpr int kVersion = 2;
inline constexpr int kBuiltinCode = 3;
}  // namespace operator_code_field

namespace subgraph_field {
inline constexpr int kTensors = 0;
inline constexpr int kInputs = 1;
inline constexpr int kOutputs = 2;
inline constexpr int kOperators = 3;
inline constexpr int kName = 4;
}  // namespace subgraph_field

namespace tensor_field {
inline constexpr int kShape = 0;
inline constexpr int kType = 1;
inline constexpr int kBuffer = 2;
inline constexpr int kName = 3;
inline constexpr int kQuantization = 4;
inline constexpr int kIsVariable = 5;
inline constexpr int kSparsity = 6;
inline constexpr int kShapeSignature = 7;
inline constexpr int kHasRank = 8;
inline constexpr int kVariantTensors = 9;
}  // namespace tensor_field

namespace quantization_field {
inline constexpr int kMin = 0;
inline constexpr int kMax = 1;
inline constexpr int kScale = 2;
inline constexpr int kZeroPoint = 3;
inline constexpr int kDetailsType = 4;
inline constexpr int kDetails = 5;
inline constexpr int kQuantizedDimension = 6;
}  // namespace quantization_field

namespace operator_field {
inline constexpr int kOpcodeIndex = 0;
inline constexpr int kInputs = 1;
inline constexpr int kOutputs = 2;
inline constexpr int kBuiltinOptionsType = 3;
inline constexpr int kBuiltinOptions = 4;
inline constexpr int kCustomOptions = 5;
inline constexpr int kCustomOptionsFormat = 6;
inline constexpr int kMutatingVariableInputs = 7;
inline constexpr int kIntermediates = 8;
inline constexpr int kLargeCustomOptionsOffset = 9;
inline constexpr int kLargeCustomOptionsSize = 10;
inline constexpr int kBuiltinOptions2Type = 11;
inline constexpr int kBuiltinOptions2 = 12;
}  // namespace operator_field

namespace buffer_field {
inline constexpr int kData = 0;
inline constexpr int kOffset = 1;
inline constexpr int kSize = 2;
}  // namespace buffer_field

namespace tensor_map_field {
inline constexpr int kName = 0;
inline constexpr int kTensorIndex = 1;
}  // namespace tensor_map_field

namespace signature_def_field {
inline constexpr int kInputs = 0;
inline constexpr int kOutputs = 1;
inline constexpr int kSignatureKey = 2;
inline constexpr int kDeprecatedTag = 3;
inline constexpr int kSubgraphIndex = 4;
}  // namespace signature_def_field

// enum TensorType : byte.
enum class SchemaTensorType : int8_t {
  kFloat32 = 0,
  kFloat16 = 1,
  kInt32 = 2,
  kUInt8 = 3,
  kInt64 = 4,
  kString = 5,
  kBool = 6,
  kInt16 = 7,
  kComplex64 = 8,
  kInt8 = 9,
  kFloat64 = 10,
  kComplex128 = 11,
  kUInt64 = 12,
  kResource = 13,
  kVariant = 14,
  kUInt32 = 15,
  kUInt16 = 16,
  kInt4 = 17,
};
std::string SchemaTensorTypeName(int8_t type);

// enum BuiltinOperator : int32 (the ones this engine runs).
enum class BuiltinOperator : int32_t {
  kAdd = 0,
  kConcatenation = 2,
  kConv2d = 3,
  kDepthwiseConv2d = 4,
  kDequantize = 6,
  kMul = 18,
  kReshape = 22,
  kGather = 36,
  kSub = 41,
  kStridedSlice = 45,
  kSplit = 49,
  kCast = 53,
  kMaximum = 55,
  kArgMax = 56,
  kLess = 58,
  kTransposeConv = 67,
  kNotEqual = 72,
  kSum = 74,
  kArgMin = 79,
  kPack = 83,
  kOneHot = 85,
  kLeakyRelu = 98,
  kSquaredDifference = 99,
  kQuantize = 114,
  kCallOnce = 129,
  kVarHandle = 142,
  kReadVariable = 143,
  kAssignVariable = 144,
};
// The schema's name for any builtin code ("SOFTMAX"), or "code N" outside the known range.
std::string BuiltinOperatorName(int32_t code);
// Codes below this were stored in OperatorCode.deprecated_builtin_code (a byte).
inline constexpr int32_t kPlaceholderForGreaterOpCodes = 127;

// union BuiltinOptions: NONE = 0, then members in declaration order from 1.
enum class BuiltinOptionsType : uint8_t {
  kNone = 0,
  kConv2DOptions = 1,
  kDepthwiseConv2DOptions = 2,
  kConcatenationOptions = 10,
  kAddOptions = 11,
  kReshapeOptions = 17,
  kMulOptions = 21,
  kGatherOptions = 23,
  kReducerOptions = 27,
  kSubOptions = 28,
  kStridedSliceOptions = 32,
  kSplitOptions = 35,
  kCastOptions = 37,
  kDequantizeOptions = 38,
  kMaximumMinimumOptions = 39,
  kArgMaxOptions = 40,
  kLessOptions = 41,
  kTransposeConvOptions = 49,
  kNotEqualOptions = 54,
  kArgMinOptions = 57,
  kPackOptions = 59,
  kOneHotOptions = 61,
  kLeakyReluOptions = 75,
  kSquaredDifferenceOptions = 76,
  kQuantizeOptions = 89,
  kCallOnceOptions = 103,
  kVarHandleOptions = 111,
  kReadVariableOptions = 112,
  kAssignVariableOptions = 113,
};
std::string BuiltinOptionsTypeName(uint8_t type);

// enum Padding : byte { SAME, VALID }.
enum class Padding : int8_t { kSame = 0, kValid = 1 };

// enum ActivationFunctionType : byte.
enum class Activation : int8_t {
  kNone = 0,
  kRelu = 1,
  kReluN1To1 = 2,
  kRelu6 = 3,
  kTanh = 4,
  kSignBit = 5,
};

}  // namespace auralink::nn::tflite
