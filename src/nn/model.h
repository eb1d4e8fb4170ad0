// A TFLite flatbuffer model, parsed and validated. Model::Create walks the whole file with the
// bounds-checked reader in nn/flatbuffer_view.h and checks everything an interpreter relies on
// (offsets, tensor shapes and buffer sizes, indices, quantization parameters, operator options,
// data flow, the operators' own shape/type rules) before anything runs, so a corrupt, truncated or
// unsupported file is refused with a one-line error and a loaded Model is always runnable.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "nn/tensor_type.h"
#include "nn/tflite_schema.h"

namespace auralink::nn {

// Affine quantization, real = scale * (q - zero_point); one entry per channel along
// quantized_dimension, or a single entry for the whole tensor.
struct Quantization {
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t quantized_dimension = 0;

  bool empty() const { return scales.empty(); }
};

struct TensorSpec {
  std::string name;
  TensorType type = TensorType::kFloat32;
  std::vector<int32_t> shape;
  int64_t element_count = 1;
  size_t byte_size = 0;
  // Constant tensors point at their (suitably aligned) data, owned by the Model.
  const uint8_t* constant_data = nullptr;
  Quantization quantization;

  bool is_constant() const { return constant_data != nullptr; }
  int rank() const { return static_cast<int>(shape.size()); }
};

// The builtin options of every operator this engine runs, flattened into one record; fields an
// operator does not have keep the schema's defaults.
struct OperatorOptions {
  tflite::BuiltinOptionsType type = tflite::BuiltinOptionsType::kNone;
  tflite::Padding padding = tflite::Padding::kSame;
  int32_t stride_w = 0;
  int32_t stride_h = 0;
  int32_t dilation_w = 1;
  int32_t dilation_h = 1;
  int32_t depth_multiplier = 0;
  tflite::Activation activation = tflite::Activation::kNone;
  int8_t quantized_bias_type = 0;
  int32_t axis = 0;
  int32_t batch_dims = 0;
  float alpha = 0.0f;
  bool keep_dims = false;
  int32_t num_splits = 0;
  int32_t values_count = 0;
  int32_t begin_mask = 0;
  int32_t end_mask = 0;
  int32_t ellipsis_mask = 0;
  int32_t new_axis_mask = 0;
  int32_t shrink_axis_mask = 0;
  bool offset = false;
  int32_t init_subgraph_index = 0;
  std::string container;
  std::string shared_name;
};

struct OperatorSpec {
  tflite::BuiltinOperator code = tflite::BuiltinOperator::kAdd;
  int32_t version = 1;
  std::vector<int32_t> inputs;  // -1 marks an omitted optional input
  std::vector<int32_t> outputs;
  OperatorOptions options;
};

struct SubgraphSpec {
  std::string name;
  std::vector<TensorSpec> tensors;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  std::vector<OperatorSpec> operators;
};

struct SignatureTensor {
  std::string name;
  int32_t tensor_index = 0;
};

struct SignatureSpec {
  std::string key;
  int32_t subgraph_index = 0;
  std::vector<SignatureTensor> inputs;
  std::vector<SignatureTensor> outputs;
};

class Model {
 public:
  static StatusOr<std::shared_ptr<const Model>> Create(std::vector<uint8_t> bytes);
  // Reads and creates; errors name the path.
  static StatusOr<std::shared_ptr<const Model>> Load(const std::string& path);

  // The keys of the file's SignatureDefs, in file order (empty when the file has none).
  std::vector<std::string> signature_keys() const;

  // "" picks the only signature, or "serving_default"; a file without SignatureDefs is run
  // through subgraph 0's inputs and outputs. nullptr when nothing matches.
  const SignatureSpec* FindSignature(std::string_view key) const;

  const std::vector<SubgraphSpec>& subgraphs() const { return subgraphs_; }
  const std::vector<SignatureSpec>& signatures() const { return signatures_; }

  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

 private:
  Model() = default;
  friend class ModelParser;

  std::vector<uint8_t> bytes_;
  // Copies of constant buffers that were not aligned for their element type in bytes_.
  std::vector<std::vector<uint8_t>> realigned_buffers_;
  std::vector<SubgraphSpec> subgraphs_;
  std::vector<SignatureSpec> signatures_;
  bool has_signature_defs_ = false;
};

// "subgraph 0, operator 12" style context for messages.
std::string OperatorLocation(int subgraph_index, int operator_index);

}  // namespace auralink::nn
