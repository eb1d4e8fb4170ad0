// VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE and CALL_ONCE. The interpreter resolves every handle
// to fixed variable storage when it is created (nn/resource_variables.h), so VAR_HANDLE costs
// nothing at run time, reads and assignments are copies, and CALL_ONCE runs the initialisation
// subgraph on the first Invoke after creation or ResetState.

#include <cstring>

#include "nn/kernels/prepare_functions.h"

namespace auralink::nn {
namespace {

class MemcpyKernel final : public Kernel {
 public:
  MemcpyKernel(void* destination, const void* source, size_t bytes)
      : destination_(destination), source_(source), bytes_(bytes) {
    work = bytes / 4 + 1;
  }
  Status Run() override {
    std::memcpy(destination_, source_, bytes_);
    return Status::Ok();
  }

 private:
  void* destination_;
  const void* source_;
  size_t bytes_;
};

class CallOnceKernel final : public Kernel {
 public:
  explicit CallOnceKernel(std::function<Status()> run_once) : run_once_(std::move(run_once)) {}
  Status Run() override { return run_once_(); }

 private:
  std::function<Status()> run_once_;
};

Status ExpectResource(const OperatorContext& context, const TensorSpec& tensor) {
  return context.ExpectType(tensor, TensorType::kResource, "handle");
}

}  // namespace

PreparedKernel PrepareVarHandle(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(0, 0));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  AURALINK_RETURN_IF_ERROR(ExpectResource(context, *context.output(0)));
  return std::unique_ptr<Kernel>();
}

PreparedKernel PrepareReadVariable(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(1, 1));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(0));
  AURALINK_RETURN_IF_ERROR(ExpectResource(context, *context.input(0)));
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  const VariableStorage variable = context.resources()->Variable(context.input_index(0));
  void* out = context.output_data(0);
  if (out == variable.data) return std::unique_ptr<Kernel>();  // the interpreter aliased them
  return std::unique_ptr<Kernel>(
      std::make_unique<MemcpyKernel>(out, variable.data, context.output(0)->byte_size));
}

PreparedKernel PrepareAssignVariable(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(2, 2));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(0));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(0));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(1));
  AURALINK_RETURN_IF_ERROR(ExpectResource(context, *context.input(0)));
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  const VariableStorage variable = context.resources()->Variable(context.input_index(0));
  const void* value = context.input_data(1);
  if (value == variable.data) return std::unique_ptr<Kernel>();
  return std::unique_ptr<Kernel>(
      std::make_unique<MemcpyKernel>(variable.data, value, context.input(1)->byte_size));
}

PreparedKernel PrepareCallOnce(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(0, 0));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(0));
  const int target = context.options().init_subgraph_index;
  const int count = static_cast<int>(context.model().subgraphs().size());
  if (target < 0 || target >= count) {
    return context.Error("init subgraph " + std::to_string(target) + " but the model has " +
                         std::to_string(count) + " subgraphs");
  }
  const SubgraphSpec& init = context.model().subgraphs()[target];
  if (!init.inputs.empty() || !init.outputs.empty()) {
    return context.Error("init subgraph " + std::to_string(target) +
                         " must have no inputs or outputs");
  }
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  return std::unique_ptr<Kernel>(
      std::make_unique<CallOnceKernel>(context.resources()->InitSubgraphRunner(target)));
}

}  // namespace auralink::nn
