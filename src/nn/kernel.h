// The contract between the interpreter and the operator implementations. Each supported builtin
// has one Prepare function (nn/operator_registry.h) that checks the operator's tensors and options
// and, when the interpreter supplies KernelResources, returns a Kernel bound to its tensors' memory
// with any constant weights prepacked. Model::Create calls the same functions without resources to
// validate every operator before anything runs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "nn/cpu_isa.h"
#include "nn/int8_semantics.h"
#include "nn/model.h"

namespace auralink::nn {

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status Run() = 0;

  // Rough count of inner-loop steps per Run; the interpreter sums it to refuse graphs too costly
  // to run under its limits.
  uint64_t work = 0;
};

// A resource variable's storage, fixed for the interpreter's lifetime.
struct VariableStorage {
  void* data = nullptr;
  size_t bytes = 0;
};

// What the interpreter provides to kernels it prepares.
class KernelResources {
 public:
  virtual ~KernelResources() = default;
  // Memory of a tensor of the subgraph being prepared (arena, constant data, or an alias).
  virtual void* TensorData(int tensor_index) = 0;
  // The variable that a RESOURCE tensor of the subgraph being prepared refers to.
  virtual VariableStorage Variable(int resource_tensor_index) = 0;
  // A callable, valid for the interpreter's lifetime, that runs subgraph `index` on its first call
  // only, until ResetState re-arms it.
  virtual std::function<Status()> InitSubgraphRunner(int index) = 0;
  virtual CpuIsa isa() const = 0;
  virtual Int8Semantics int8_semantics() const = 0;
  // Counts `bytes` of kernel-private scratch against the interpreter's memory limit; false when
  // they do not fit (the kernel must then refuse).
  virtual bool ReserveScratch(size_t bytes) = 0;
};

class OperatorContext {
 public:
  OperatorContext(const Model& model, int subgraph_index, int operator_index,
                  KernelResources* resources)
      : model_(model),
        subgraph_(model.subgraphs()[subgraph_index]),
        op_(subgraph_.operators[operator_index]),
        subgraph_index_(subgraph_index),
        operator_index_(operator_index),
        resources_(resources) {}

  const Model& model() const { return model_; }
  const SubgraphSpec& subgraph() const { return subgraph_; }
  const OperatorSpec& op() const { return op_; }
  const OperatorOptions& options() const { return op_.options; }
  // nullptr while only validating.
  KernelResources* resources() const { return resources_; }
  // While only validating, kernels check the rules of both conventions.
  Int8Semantics int8_semantics() const {
    return resources_ ? resources_->int8_semantics() : Int8Semantics::kXnnpack;
  }

  int input_count() const { return static_cast<int>(op_.inputs.size()); }
  int output_count() const { return static_cast<int>(op_.outputs.size()); }
  int input_index(int i) const { return i < input_count() ? op_.inputs[i] : -1; }
  int output_index(int i) const { return i < output_count() ? op_.outputs[i] : -1; }
  // nullptr for an omitted optional input or one past the end.
  const TensorSpec* input(int i) const { return Tensor(input_index(i)); }
  const TensorSpec* output(int i) const { return Tensor(output_index(i)); }

  void* input_data(int i) const { return resources_->TensorData(input_index(i)); }
  void* output_data(int i) const { return resources_->TensorData(output_index(i)); }

  // "CONV_2D in subgraph 0, operator 12: <message>".
  Status Error(const std::string& message) const;

  // Common checks, each returning an Error naming the operator.
  Status ExpectInputCount(int min_count, int max_count) const;
  Status ExpectOutputCount(int count) const;
  // Input i present (not omitted).
  Status ExpectInput(int i) const;
  Status ExpectType(const TensorSpec& tensor, TensorType type, const char* role) const;
  Status ExpectSameShape(const TensorSpec& a, const TensorSpec& b, const char* what) const;
  // A single scale/zero point (per-tensor quantization), as int8 activations need.
  Status ExpectPerTensorQuantization(const TensorSpec& tensor, const char* role) const;
  Status ExpectConstant(const TensorSpec& tensor, const char* role) const;

 private:
  const TensorSpec* Tensor(int index) const {
    return index >= 0 && index < static_cast<int>(subgraph_.tensors.size())
               ? &subgraph_.tensors[index]
               : nullptr;
  }

  const Model& model_;
  const SubgraphSpec& subgraph_;
  const OperatorSpec& op_;
  int subgraph_index_;
  int operator_index_;
  KernelResources* resources_;
};

// Validates (resources == nullptr: returns a null kernel) or prepares one operator. A null kernel
// from a successful preparation means the operator needs no work at run time.
using PrepareOperatorFunction = StatusOr<std::unique_ptr<Kernel>> (*)(const OperatorContext&);

std::string ShapeToString(const std::vector<int32_t>& shape);
std::string DescribeTensor(const TensorSpec& tensor);  // "'name' [1,2,3] FLOAT32"

}  // namespace auralink::nn
