// Runs one signature of a Model. Everything is decided when the interpreter is created: tensor
// memory is planned into one arena (tensors with disjoint lifetimes share bytes, RESHAPE outputs
// alias their inputs), resource variables get fixed storage, and every operator becomes a kernel
// bound to its tensors with weights prepacked for the CPU's instruction set. Invoke then only
// runs the kernels in order: no allocation, no lookups.
#pragma once

#include <cassert>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "nn/cpu_isa.h"
#include "nn/int8_semantics.h"
#include "nn/model.h"

namespace auralink::nn {

class Kernel;

struct TensorView {
  TensorType type = TensorType::kFloat32;
  std::span<const int32_t> shape;
  void* data = nullptr;
  size_t bytes = 0;

  // The elements as T; T must match `type` (a programmer error otherwise).
  template <typename T>
  std::span<T> as() const {
    assert(TensorTypeOf<std::remove_const_t<T>>::value == type);
    return std::span<T>(static_cast<T*>(data), bytes / sizeof(T));
  }
};

struct InterpreterOptions {
  // Arena, variables and kernel scratch together; creation fails beyond it.
  size_t max_memory_bytes = size_t{256} << 20;
  // Sum of the kernels' inner-loop step estimates per Invoke; creation fails beyond it.
  uint64_t max_work_per_invoke = std::numeric_limits<uint64_t>::max();
  // Rounding rules of the int8 kernels; unset: DefaultInt8Semantics() (LiteRT's, unless
  // AURALINK_NN_INT8 says otherwise).
  std::optional<Int8Semantics> int8_semantics;
};

class Interpreter {
 public:
  // signature_key "" picks the model's only signature (or "serving_default").
  static StatusOr<std::unique_ptr<Interpreter>> Create(std::shared_ptr<const Model> model,
                                                       std::string_view signature_key = "");
  static StatusOr<std::unique_ptr<Interpreter>> Create(std::shared_ptr<const Model> model,
                                                       std::string_view signature_key,
                                                       const InterpreterOptions& options);
  ~Interpreter();

  size_t input_count() const { return inputs_.size(); }
  size_t output_count() const { return outputs_.size(); }
  // Signature name -> index, -1 if none.
  int input_index(std::string_view name) const;
  int output_index(std::string_view name) const;
  // Inputs are written by the caller before Invoke and keep their values across calls.
  TensorView input(size_t i);
  // Valid until the next Invoke.
  TensorView output(size_t i) const;

  Status Invoke();
  // Zeroes every resource variable and re-arms CALL_ONCE, as a freshly created interpreter.
  void ResetState();

  CpuIsa isa() const { return isa_; }
  Int8Semantics int8_semantics() const { return int8_semantics_; }
  // Bytes of the tensor arena (variables included), for diagnostics.
  size_t arena_bytes() const { return arena_size_; }

  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

 private:
  class Builder;
  Interpreter() = default;

  struct SubgraphRuntime {
    std::vector<void*> tensor_data;  // per tensor: arena, constant, alias or nullptr
    std::vector<std::unique_ptr<Kernel>> kernels;
    bool initialized = false;  // CALL_ONCE has run it
  };

  Status RunSubgraph(int index);
  Status RunInitSubgraphOnce(int index);

  std::shared_ptr<const Model> model_;
  const SignatureSpec* signature_ = nullptr;
  CpuIsa isa_ = CpuIsa::kPortable;
  Int8Semantics int8_semantics_ = Int8Semantics::kXnnpack;
  std::vector<SubgraphRuntime> subgraphs_;  // indexed like Model::subgraphs(); unreachable empty
  uint8_t* arena_ = nullptr;
  size_t arena_size_ = 0;
  struct FreeArena {
    void operator()(uint8_t* p) const;
  };
  std::unique_ptr<uint8_t, FreeArena> arena_owner_;
  std::vector<std::pair<void*, size_t>> variables_;  // storage, bytes
  std::vector<TensorView> inputs_;
  std::vector<TensorView> outputs_;
  std::vector<std::string> input_names_;
  std::vector<std::string> output_names_;
};

}  // namespace auralink::nn
