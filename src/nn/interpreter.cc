#include "nn/interpreter.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "nn/kernel.h"
#include "nn/memory_planner.h"
#include "nn/operator_registry.h"
#include "nn/resource_variables.h"

namespace auralink::nn {

using tflite::BuiltinOperator;

void Interpreter::FreeArena::operator()(uint8_t* p) const {
  ::operator delete (static_cast<void*>(p), std::align_val_t{kArenaAlignment});
}

// Plans memory and prepares kernels; also the KernelResources the kernels are prepared with.
class Interpreter::Builder final : public KernelResources {
 public:
  Builder(Interpreter* interpreter, const InterpreterOptions& options)
      : interpreter_(interpreter), model_(*interpreter->model_), options_(options) {}

  Status Build() {
    const int main = interpreter_->signature_->subgraph_index;
    AURALINK_RETURN_IF_ERROR(FindReachableSubgraphs(main));
    auto layout = ResolveVariables(model_, reachable_);
    if (!layout.ok()) return layout.status();
    variables_ = std::move(*layout);
    interpreter_->subgraphs_.resize(model_.subgraphs().size());
    AURALINK_RETURN_IF_ERROR(PlanMemory(main));
    for (int s : reachable_) AURALINK_RETURN_IF_ERROR(PrepareKernels(s));
    if (work_ > options_.max_work_per_invoke) {
      return Status::Error("graph needs about " + std::to_string(work_) +
                           " steps per Invoke, over the interpreter's limit of " +
                           std::to_string(options_.max_work_per_invoke));
    }
    BindSignature(main);
    return Status::Ok();
  }

  // KernelResources.
  void* TensorData(int tensor_index) override {
    return interpreter_->subgraphs_[current_].tensor_data[tensor_index];
  }
  VariableStorage Variable(int resource_tensor_index) override {
    const int id = variables_.handles[current_].at(resource_tensor_index);
    return {interpreter_->variables_[id].first, interpreter_->variables_[id].second};
  }
  std::function<Status()> InitSubgraphRunner(int index) override {
    Interpreter* interpreter = interpreter_;
    return [interpreter, index] { return interpreter->RunInitSubgraphOnce(index); };
  }
  CpuIsa isa() const override { return interpreter_->isa_; }
  Int8Semantics int8_semantics() const override { return interpreter_->int8_semantics_; }
  bool ReserveScratch(size_t bytes) override {
    if (bytes > options_.max_memory_bytes - std::min(options_.max_memory_bytes, memory_)) {
      return false;
    }
    memory_ += bytes;
    return true;
  }

 private:
  enum class Storage { kNone, kConstant, kArena, kVariable };

  struct TensorPlan {
    Storage storage = Storage::kNone;
    int root = -1;      // alias root (a tensor of the same subgraph) for kArena
    int variable = -1;  // for kVariable
    int request = -1;   // arena request of a root
  };

  Status FindReachableSubgraphs(int main) {
    std::vector<bool> seen(model_.subgraphs().size(), false);
    std::vector<int> queue{main};
    seen[main] = true;
    while (!queue.empty()) {
      const int s = queue.back();
      queue.pop_back();
      reachable_.push_back(s);
      for (const OperatorSpec& op : model_.subgraphs()[s].operators) {
        if (op.code != BuiltinOperator::kCallOnce) continue;
        const int target = op.options.init_subgraph_index;
        if (target >= 0 && target < static_cast<int>(seen.size()) && !seen[target]) {
          seen[target] = true;
          queue.push_back(target);
        }
      }
    }
    std::sort(reachable_.begin(), reachable_.end());
    return Status::Ok();
  }

  Status PlanMemory(int main) {
    std::vector<BufferRequest> requests;
    constexpr int kForever = std::numeric_limits<int>::max();
    // Variables first: persistent.
    std::vector<int> variable_request(variables_.variables.size());
    for (size_t v = 0; v < variables_.variables.size(); ++v) {
      variable_request[v] = static_cast<int>(requests.size());
      requests.push_back({std::max<size_t>(variables_.variables[v].bytes, 1), -1, kForever});
    }
    std::vector<std::vector<TensorPlan>> plans(model_.subgraphs().size());
    for (int s : reachable_) {
      const SubgraphSpec& subgraph = model_.subgraphs()[s];
      const bool is_main = s == main;
      const int op_count = static_cast<int>(subgraph.operators.size());
      std::vector<TensorPlan>& plan = plans[s];
      plan.resize(subgraph.tensors.size());
      std::vector<int> first(subgraph.tensors.size(), kForever);
      std::vector<int> last(subgraph.tensors.size(), -1);
      // Subgraphs run through CALL_ONCE keep their tensors for good (they may run at any time).
      std::vector<bool> persistent(subgraph.tensors.size(), !is_main);
      std::vector<bool> copied_constant(subgraph.tensors.size(), false);
      for (int t : subgraph.inputs) {
        persistent[t] = true;
        first[t] = -1;
      }
      if (is_main) {
        for (const SignatureTensor& output : interpreter_->signature_->outputs) {
          last[output.tensor_index] = op_count;
          // Constant outputs get arena copies that callers may read like any output.
          if (subgraph.tensors[output.tensor_index].is_constant()) {
            persistent[output.tensor_index] = true;
            copied_constant[output.tensor_index] = true;
            first[output.tensor_index] = -1;
          }
        }
        for (const SignatureTensor& input : interpreter_->signature_->inputs) {
          persistent[input.tensor_index] = true;
        }
      }
      for (int i = 0; i < op_count; ++i) {
        const OperatorSpec& op = subgraph.operators[i];
        for (int t : op.inputs) {
          if (t >= 0) last[t] = std::max(last[t], i);
        }
        for (int t : op.outputs) first[t] = std::min(first[t], i);
      }
      // Storage classes and aliases, in operator order so that alias roots are known.
      for (size_t t = 0; t < subgraph.tensors.size(); ++t) {
        const TensorSpec& tensor = subgraph.tensors[t];
        if (tensor.type == TensorType::kResource) continue;
        if (tensor.is_constant() && !copied_constant[t]) {
          plan[t].storage = Storage::kConstant;
        } else if (first[t] != kForever) {
          plan[t].storage = Storage::kArena;
          plan[t].root = static_cast<int>(t);
        }
      }
      for (int i = 0; i < op_count; ++i) {
        const OperatorSpec& op = subgraph.operators[i];
        if (op.code == BuiltinOperator::kReshape && !op.inputs.empty() && op.inputs[0] >= 0 &&
            !op.outputs.empty()) {
          const int in = op.inputs[0];
          const int out = op.outputs[0];
          if (plan[in].storage == Storage::kArena && !persistent[out]) {
            plan[out].root = plan[in].root;
          } else if (plan[in].storage == Storage::kVariable && !persistent[out] &&
                     last[out] <= ReadAliasLimit(subgraph, i, plan[in].variable, s)) {
            plan[out].storage = Storage::kVariable;
            plan[out].variable = plan[in].variable;
          }
        } else if (op.code == BuiltinOperator::kReadVariable && !op.outputs.empty() &&
                   !op.inputs.empty()) {
          const int out = op.outputs[0];
          const int variable = variables_.handles[s].at(op.inputs[0]);
          if (!persistent[out] && last[out] <= ReadAliasLimit(subgraph, i, variable, s)) {
            plan[out].storage = Storage::kVariable;
            plan[out].variable = variable;
          }
        }
      }
      // One request per root, spanning its aliases' lifetimes.
      std::vector<int> root_first(subgraph.tensors.size(), kForever);
      std::vector<int> root_last(subgraph.tensors.size(), -1);
      std::vector<bool> root_persistent(subgraph.tensors.size(), false);
      for (size_t t = 0; t < subgraph.tensors.size(); ++t) {
        if (plan[t].storage != Storage::kArena) continue;
        const int root = plan[t].root;
        root_first[root] = std::min(root_first[root], first[t]);
        root_last[root] = std::max(root_last[root], std::max(last[t], first[t]));
        if (persistent[t]) root_persistent[root] = true;
      }
      for (size_t t = 0; t < subgraph.tensors.size(); ++t) {
        if (plan[t].storage != Storage::kArena || plan[t].root != static_cast<int>(t)) continue;
        plan[t].request = static_cast<int>(requests.size());
        BufferRequest request;
        request.bytes = std::max<size_t>(subgraph.tensors[t].byte_size, 1);
        request.first_use = root_persistent[t] ? -1 : root_first[t];
        request.last_use = root_persistent[t] ? kForever : root_last[t];
        requests.push_back(request);
      }
    }

    std::vector<size_t> offsets;
    const size_t size = PlanArena(requests, &offsets);
    if (size > options_.max_memory_bytes) {
      return Status::Error("tensors need " + std::to_string(size) +
                           " bytes, over the interpreter's memory limit of " +
                           std::to_string(options_.max_memory_bytes));
    }
    memory_ = size;
    const size_t allocation = std::max<size_t>(size, kArenaAlignment);
    uint8_t* arena =
        static_cast<uint8_t*>(::operator new (allocation, std::align_val_t{kArenaAlignment}));
    interpreter_->arena_owner_.reset(arena);
    interpreter_->arena_ = arena;
    interpreter_->arena_size_ = size;
    std::memset(arena, 0, allocation);

    for (size_t v = 0; v < variables_.variables.size(); ++v) {
      interpreter_->variables_.emplace_back(arena + offsets[variable_request[v]],
                                            variables_.variables[v].bytes);
    }
    for (int s : reachable_) {
      const SubgraphSpec& subgraph = model_.subgraphs()[s];
      std::vector<void*>& data = interpreter_->subgraphs_[s].tensor_data;
      data.assign(subgraph.tensors.size(), nullptr);
      const std::vector<TensorPlan>& plan = plans[s];
      for (size_t t = 0; t < subgraph.tensors.size(); ++t) {
        const TensorSpec& tensor = subgraph.tensors[t];
        switch (plan[t].storage) {
          case Storage::kNone:
            break;
          case Storage::kConstant:
            data[t] = const_cast<uint8_t*>(tensor.constant_data);
            break;
          case Storage::kVariable:
            data[t] = interpreter_->variables_[plan[t].variable].first;
            break;
          case Storage::kArena:
            data[t] = arena + offsets[plan[plan[t].root].request];
            if (tensor.is_constant()) {
              std::memcpy(data[t], tensor.constant_data, tensor.byte_size);
            }
            break;
        }
      }
    }
    return Status::Ok();
  }

  // The last operator index at which a value read from `variable` by operator `read` may still be
  // used in place: just before the next operator that may overwrite the variable.
  int ReadAliasLimit(const SubgraphSpec& subgraph, int read, int variable, int s) const {
    const int op_count = static_cast<int>(subgraph.operators.size());
    for (int i = read + 1; i < op_count; ++i) {
      const OperatorSpec& op = subgraph.operators[i];
      if (op.code == BuiltinOperator::kCallOnce) return i - 1;
      if (op.code == BuiltinOperator::kAssignVariable && !op.inputs.empty()) {
        auto it = variables_.handles[s].find(op.inputs[0]);
        if (it != variables_.handles[s].end() && it->second == variable) return i - 1;
      }
    }
    return op_count - 1;
  }

  Status PrepareKernels(int s) {
    current_ = s;
    const SubgraphSpec& subgraph = model_.subgraphs()[s];
    std::vector<std::unique_ptr<Kernel>>& kernels = interpreter_->subgraphs_[s].kernels;
    for (int i = 0; i < static_cast<int>(subgraph.operators.size()); ++i) {
      const OperatorRegistration* registration =
          FindOperatorRegistration(static_cast<int32_t>(subgraph.operators[i].code));
      OperatorContext context(model_, s, i, this);
      auto kernel = registration->prepare(context);
      if (!kernel.ok()) return kernel.status();
      if (*kernel == nullptr) continue;
      work_ += (*kernel)->work;
      kernels.push_back(std::move(*kernel));
    }
    return Status::Ok();
  }

  void BindSignature(int main) {
    const SubgraphSpec& subgraph = model_.subgraphs()[main];
    const std::vector<void*>& data = interpreter_->subgraphs_[main].tensor_data;
    auto view = [&](int t) {
      const TensorSpec& tensor = subgraph.tensors[t];
      TensorView v;
      v.type = tensor.type;
      v.shape = std::span<const int32_t>(tensor.shape);
      v.data = data[t];
      v.bytes = tensor.byte_size;
      return v;
    };
    for (const SignatureTensor& input : interpreter_->signature_->inputs) {
      interpreter_->inputs_.push_back(view(input.tensor_index));
      interpreter_->input_names_.push_back(input.name);
    }
    for (const SignatureTensor& output : interpreter_->signature_->outputs) {
      interpreter_->outputs_.push_back(view(output.tensor_index));
      interpreter_->output_names_.push_back(output.name);
    }
  }

  Interpreter* interpreter_;
  const Model& model_;
  InterpreterOptions options_;
  std::vector<int> reachable_;
  VariableLayout variables_;
  int current_ = 0;
  size_t memory_ = 0;
  uint64_t work_ = 0;
};

Interpreter::~Interpreter() = default;

StatusOr<std::unique_ptr<Interpreter>> Interpreter::Create(std::shared_ptr<const Model> model,
                                                           std::string_view signature_key) {
  return Create(std::move(model), signature_key, InterpreterOptions());
}

StatusOr<std::unique_ptr<Interpreter>> Interpreter::Create(std::shared_ptr<const Model> model,
                                                           std::string_view signature_key,
                                                           const InterpreterOptions& options) {
  if (model == nullptr) return Status::Error("no model");
  const SignatureSpec* signature = model->FindSignature(signature_key);
  if (signature == nullptr) {
    std::string keys;
    for (const std::string& key : model->signature_keys()) {
      keys += (keys.empty() ? "" : ", ") + std::string("'") + key + "'";
    }
    return Status::Error("model has no signature '" + std::string(signature_key) + "' (it has " +
                         (keys.empty() ? "none" : keys) + ")");
  }
  std::unique_ptr<Interpreter> interpreter(new Interpreter());
  interpreter->model_ = std::move(model);
  interpreter->signature_ = signature;
  interpreter->isa_ = ActiveCpuIsa();
  interpreter->int8_semantics_ = options.int8_semantics.value_or(DefaultInt8Semantics());
  Builder builder(interpreter.get(), options);
  AURALINK_RETURN_IF_ERROR(builder.Build());
  return interpreter;
}

int Interpreter::input_index(std::string_view name) const {
  for (size_t i = 0; i < input_names_.size(); ++i) {
    if (input_names_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

int Interpreter::output_index(std::string_view name) const {
  for (size_t i = 0; i < output_names_.size(); ++i) {
    if (output_names_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

TensorView Interpreter::input(size_t i) {
  assert(i < inputs_.size());
  return inputs_[i];
}

TensorView Interpreter::output(size_t i) const {
  assert(i < outputs_.size());
  return outputs_[i];
}

Status Interpreter::RunSubgraph(int index) {
  for (const std::unique_ptr<Kernel>& kernel : subgraphs_[index].kernels) {
    AURALINK_RETURN_IF_ERROR(kernel->Run());
  }
  return Status::Ok();
}

Status Interpreter::RunInitSubgraphOnce(int index) {
  SubgraphRuntime& subgraph = subgraphs_[index];
  if (subgraph.initialized) return Status::Ok();
  AURALINK_RETURN_IF_ERROR(RunSubgraph(index));
  subgraph.initialized = true;
  return Status::Ok();
}

Status Interpreter::Invoke() { return RunSubgraph(signature_->subgraph_index); }

void Interpreter::ResetState() {
  for (auto& [data, bytes] : variables_) std::memset(data, 0, bytes);
  for (SubgraphRuntime& subgraph : subgraphs_) subgraph.initialized = false;
}

}  // namespace auralink::nn
