// Resource variables (VAR_HANDLE / READ_VARIABLE / ASSIGN_VARIABLE), resolved statically. TFLite
// keys a variable by (container, shared_name) and gives it the type and shape of whatever is
// assigned; this engine requires every read and assignment of a variable to agree on both, so
// each variable gets fixed storage when an interpreter is created.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "nn/model.h"

namespace auralink::nn {

struct ResolvedVariable {
  std::string container;
  std::string shared_name;
  TensorType type = TensorType::kFloat32;
  std::vector<int32_t> shape;
  size_t bytes = 0;
  bool typed = false;  // false while no read or assignment names its type and shape
};

struct VariableLayout {
  std::vector<ResolvedVariable> variables;
  // Per subgraph (indexed like Model::subgraphs()): RESOURCE tensor index -> variable index.
  std::vector<std::map<int, int>> handles;
};

// Resolves the variables used by `subgraph_indices`: every READ_VARIABLE / ASSIGN_VARIABLE must
// take a handle made by a VAR_HANDLE earlier in its subgraph, and all uses of one variable must
// agree on type and shape.
StatusOr<VariableLayout> ResolveVariables(const Model& model,
                                          const std::vector<int>& subgraph_indices);

}  // namespace auralink::nn
