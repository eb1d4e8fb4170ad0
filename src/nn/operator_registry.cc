#include "nn/operator_registry.h"

#include <array>

#include "nn/kernels/prepare_functions.h"

namespace auralink::nn {
namespace {

using tflite::BuiltinOperator;
using tflite::BuiltinOptionsType;

constexpr OperatorRegistration kRegistrations[] = {
    {BuiltinOperator::kAdd, BuiltinOptionsType::kAddOptions, PrepareAdd},
    {BuiltinOperator::kArgMax, BuiltinOptionsType::kArgMaxOptions, PrepareArgMax},
    {BuiltinOperator::kArgMin, BuiltinOptionsType::kArgMinOptions, PrepareArgMin},
    {BuiltinOperator::kAssignVariable, BuiltinOptionsType::kAssignVariableOptions,
     PrepareAssignVariable},
    {BuiltinOperator::kCallOnce, BuiltinOptionsType::kCallOnceOptions, PrepareCallOnce},
    {BuiltinOperator::kCast, BuiltinOptionsType::kCastOptions, PrepareCast},
    {BuiltinOperator::kConcatenation, BuiltinOptionsType::kConcatenationOptions,
     PrepareConcatenation},
    {BuiltinOperator::kConv2d, BuiltinOptionsType::kConv2DOptions, PrepareConv2d},
    {BuiltinOperator::kDepthwiseConv2d, BuiltinOptionsType::kDepthwiseConv2DOptions,
     PrepareDepthwiseConv2d},
    {BuiltinOperator::kDequantize, BuiltinOptionsType::kDequantizeOptions, PrepareDequantize},
    {BuiltinOperator::kGather, BuiltinOptionsType::kGatherOptions, PrepareGather},
    {BuiltinOperator::kLeakyRelu, BuiltinOptionsType::kLeakyReluOptions, PrepareLeakyRelu},
    {BuiltinOperator::kLess, BuiltinOptionsType::kLessOptions, PrepareLess},
    {BuiltinOperator::kMaximum, BuiltinOptionsType::kMaximumMinimumOptions, PrepareMaximum},
    {BuiltinOperator::kMul, BuiltinOptionsType::kMulOptions, PrepareMul},
    {BuiltinOperator::kNotEqual, BuiltinOptionsType::kNotEqualOptions, PrepareNotEqual},
    {BuiltinOperator::kOneHot, BuiltinOptionsType::kOneHotOptions, PrepareOneHot},
    {BuiltinOperator::kPack, BuiltinOptionsType::kPackOptions, PreparePack},
    {BuiltinOperator::kQuantize, BuiltinOptionsType::kQuantizeOptions, PrepareQuantize},
    {BuiltinOperator::kReadVariable, BuiltinOptionsType::kReadVariableOptions, PrepareReadVariable},
    {BuiltinOperator::kReshape, BuiltinOptionsType::kReshapeOptions, PrepareReshape},
    {BuiltinOperator::kSplit, BuiltinOptionsType::kSplitOptions, PrepareSplit},
    {BuiltinOperator::kSquaredDifference, BuiltinOptionsType::kSquaredDifferenceOptions,
     PrepareSquaredDifference},
    {BuiltinOperator::kStridedSlice, BuiltinOptionsType::kStridedSliceOptions, PrepareStridedSlice},
    {BuiltinOperator::kSub, BuiltinOptionsType::kSubOptions, PrepareSub},
    {BuiltinOperator::kSum, BuiltinOptionsType::kReducerOptions, PrepareSum},
    {BuiltinOperator::kTransposeConv, BuiltinOptionsType::kTransposeConvOptions,
     PrepareTransposeConv},
    {BuiltinOperator::kVarHandle, BuiltinOptionsType::kVarHandleOptions, PrepareVarHandle},
};

}  // namespace

const OperatorRegistration* FindOperatorRegistration(int32_t builtin_code) {
  for (const OperatorRegistration& registration : kRegistrations) {
    if (static_cast<int32_t>(registration.code) == builtin_code) return &registration;
  }
  return nullptr;
}

}  // namespace auralink::nn
