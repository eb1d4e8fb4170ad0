#include "nn/resource_variables.h"

#include "nn/kernel.h"

namespace auralink::nn {

StatusOr<VariableLayout> ResolveVariables(const Model& model,
                                          const std::vector<int>& subgraph_indices) {
  using tflite::BuiltinOperator;
  VariableLayout layout;
  layout.handles.resize(model.subgraphs().size());
  std::map<std::pair<std::string, std::string>, int> by_key;
  // Where each variable got its type and shape, for messages.
  std::vector<std::string> typed_at;

  for (int s : subgraph_indices) {
    const SubgraphSpec& subgraph = model.subgraphs()[s];
    std::map<int, int>& handles = layout.handles[s];
    for (int i = 0; i < static_cast<int>(subgraph.operators.size()); ++i) {
      const OperatorSpec& op = subgraph.operators[i];
      if (op.code == BuiltinOperator::kVarHandle) {
        if (op.outputs.size() != 1) continue;  // the operator's own validation reports it
        auto key = std::make_pair(op.options.container, op.options.shared_name);
        auto [it, inserted] = by_key.emplace(key, static_cast<int>(layout.variables.size()));
        if (inserted) {
          ResolvedVariable variable;
          variable.container = op.options.container;
          variable.shared_name = op.options.shared_name;
          layout.variables.push_back(variable);
          typed_at.emplace_back();
        }
        handles[op.outputs[0]] = it->second;
        continue;
      }
      const bool read = op.code == BuiltinOperator::kReadVariable;
      const bool assign = op.code == BuiltinOperator::kAssignVariable;
      if (!read && !assign) continue;
      const std::string where = OperatorLocation(s, i);
      const std::string op_name = read ? "READ_VARIABLE" : "ASSIGN_VARIABLE";
      if (op.inputs.empty() || op.inputs[0] < 0) {
        return Status::Error(op_name + " in " + where + " has no resource input");
      }
      auto handle = handles.find(op.inputs[0]);
      if (handle == handles.end()) {
        return Status::Error(op_name + " in " + where + " uses resource tensor " +
                             std::to_string(op.inputs[0]) +
                             ", which no earlier VAR_HANDLE of its subgraph created");
      }
      int value_index = read ? (op.outputs.empty() ? -1 : op.outputs[0])
                             : (op.inputs.size() < 2 ? -1 : op.inputs[1]);
      if (value_index < 0 || value_index >= static_cast<int>(subgraph.tensors.size())) {
        return Status::Error(op_name + " in " + where + " has no value tensor");
      }
      const TensorSpec& value = subgraph.tensors[value_index];
      if (value.type == TensorType::kResource) {
        return Status::Error(op_name + " in " + where + ": variable value " +
                             DescribeTensor(value) + " cannot be a resource");
      }
      ResolvedVariable& variable = layout.variables[handle->second];
      if (!variable.typed) {
        variable.typed = true;
        variable.type = value.type;
        variable.shape = value.shape;
        variable.bytes = value.byte_size;
        typed_at[handle->second] = where;
      } else if (variable.type != value.type || variable.shape != value.shape) {
        return Status::Error("variable '" + variable.shared_name + "' is used as " +
                             ShapeToString(variable.shape) + " " +
                             std::string(TensorTypeName(variable.type)) + " in " +
                             typed_at[handle->second] + " but as " + ShapeToString(value.shape) +
                             " " + std::string(TensorTypeName(value.type)) + " in " + where);
      }
    }
  }
  return layout;
}

}  // namespace auralink::nn
