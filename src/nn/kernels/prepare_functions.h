// Prepare functions of every supported builtin (see nn/kernel.h for the contract).
#pragma once

#include <memory>
#include <utility>

#include "nn/kernel.h"

namespace auralink::nn {

using PreparedKernel = StatusOr<std::unique_ptr<Kernel>>;

// Constructs kernel K, or returns nullptr while only validating.
template <typename K, typename... Args>
PreparedKernel MakeKernel(const OperatorContext& context, Args&&... args) {
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  return std::unique_ptr<Kernel>(std::make_unique<K>(std::forward<Args>(args)...));
}

PreparedKernel PrepareAdd(const OperatorContext& context);
PreparedKernel PrepareSub(const OperatorContext& context);
PreparedKernel PrepareMul(const OperatorContext& context);
PreparedKernel PrepareMaximum(const OperatorContext& context);
PreparedKernel PrepareSquaredDifference(const OperatorContext& context);
PreparedKernel PrepareLess(const OperatorContext& context);
PreparedKernel PrepareNotEqual(const OperatorContext& context);
PreparedKernel PrepareArgMax(const OperatorContext& context);
PreparedKernel PrepareArgMin(const OperatorContext& context);
PreparedKernel PrepareSum(const OperatorContext& context);
PreparedKernel PrepareCast(const OperatorContext& context);
PreparedKernel PrepareQuantize(const OperatorContext& context);
PreparedKernel PrepareDequantize(const OperatorContext& context);
PreparedKernel PrepareLeakyRelu(const OperatorContext& context);
PreparedKernel PrepareConcatenation(const OperatorContext& context);
PreparedKernel PrepareReshape(const OperatorContext& context);
PreparedKernel PrepareSplit(const OperatorContext& context);
PreparedKernel PreparePack(const OperatorContext& context);
PreparedKernel PrepareStridedSlice(const OperatorContext& context);
PreparedKernel PrepareGather(const OperatorContext& context);
PreparedKernel PrepareOneHot(const OperatorContext& context);
PreparedKernel PrepareConv2d(const OperatorContext& context);
PreparedKernel PrepareDepthwiseConv2d(const OperatorContext& context);
PreparedKernel PrepareTransposeConv(const OperatorContext& context);
PreparedKernel PrepareVarHandle(const OperatorContext& context);
PreparedKernel PrepareReadVariable(const OperatorContext& context);
PreparedKernel PrepareAssignVariable(const OperatorContext& context);
PreparedKernel PrepareCallOnce(const OperatorContext& context);

}  // namespace auralink::nn
