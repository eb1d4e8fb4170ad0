// Test-only writer of TFLite flatbuffers, so that unit tests can build small models (one
// operator, a few tensors) and hand them to Model::Create. It writes the FlatBuffers format from
// its specification: a root uoffset_t, then every object after the one that refers to it (so all
// uoffset_t point forward), each table preceded by its own vtable.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "nn/tensor_type.h"
#include "nn/tflite_schema.h"

namespace auralink::nn::testing {

// A node of the object tree the writer serialises.
struct FlatbufferNode;
using FlatbufferRef = std::shared_ptr<FlatbufferNode>;

struct FlatbufferNode {
  enum class Kind { kTable, kScalarVector, kRefVector, kString };
  struct Field {
    int id = 0;
    std::vector<uint8_t> scalar;  // inline bytes (1, 2, 4 or 8)
    FlatbufferRef ref;            // or a reference
  };
  Kind kind = Kind::kTable;
  std::vector<Field> fields;        // kTable
  std::vector<uint8_t> bytes;       // kScalarVector (element bytes) and kString
  uint32_t element_size = 1;        // kScalarVector
  uint32_t alignment = 4;           // kScalarVector: alignment of the first element
  std::vector<FlatbufferRef> refs;  // kRefVector
};

class TableWriter {
 public:
  TableWriter() : node_(std::make_shared<FlatbufferNode>()) {}
  template <typename T>
  TableWriter& Scalar(int id, T value) {
    FlatbufferNode::Field field;
    field.id = id;
    field.scalar.resize(sizeof(T));
    std::memcpy(field.scalar.data(), &value, sizeof(T));
    node_->fields.push_back(std::move(field));
    return *this;
  }
  TableWriter& Ref(int id, FlatbufferRef ref) {
    FlatbufferNode::Field field;
    field.id = id;
    field.ref = std::move(ref);
    node_->fields.push_back(std::move(field));
    return *this;
  }
  FlatbufferRef node() const { return node_; }

 private:
  FlatbufferRef node_;
};

template <typename T>
FlatbufferRef ScalarVector(const std::vector<T>& values, uint32_t alignment = 4) {
  auto node = std::make_shared<FlatbufferNode>();
  node->kind = FlatbufferNode::Kind::kScalarVector;
  node->element_size = sizeof(T);
  node->alignment = std::max<uint32_t>(alignment, sizeof(T));
  node->bytes.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(node->bytes.data(), values.data(), node->bytes.size());
  return node;
}
FlatbufferRef RefVector(std::vector<FlatbufferRef> refs);
FlatbufferRef String(const std::string& text);

// Serialises `root` with `file_identifier` (4 characters, or empty).
std::vector<uint8_t> WriteFlatbuffer(const FlatbufferRef& root, const std::string& file_identifier);

struct TestQuantization {
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t quantized_dimension = 0;
};

// Builds TFLite models tensor by tensor and operator by operator.
class TestModelBuilder {
 public:
  TestModelBuilder();

  // Subgraph 0 exists from the start; operators and tensors go to the current subgraph.
  int AddSubgraph();
  void SelectSubgraph(int index) { current_ = index; }

  int AddTensor(const std::string& name, TensorType type, std::vector<int32_t> shape,
                TestQuantization quantization = {});
  // A constant tensor with the given raw element bytes.
  int AddConstantBytes(const std::string& name, TensorType type, std::vector<int32_t> shape,
                       std::vector<uint8_t> bytes, TestQuantization quantization = {});
  template <typename T>
  int AddConstant(const std::string& name, TensorType type, std::vector<int32_t> shape,
                  const std::vector<T>& values, TestQuantization quantization = {}) {
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return AddConstantBytes(name, type, std::move(shape), std::move(bytes),
                            std::move(quantization));
  }

  // `options` is the BuiltinOptions table (nullptr: none); its type is `options_type`.
  void AddOperator(tflite::BuiltinOperator code, std::vector<int32_t> inputs,
                   std::vector<int32_t> outputs,
                   tflite::BuiltinOptionsType options_type = tflite::BuiltinOptionsType::kNone,
                   FlatbufferRef options = nullptr);
  // An operator code used verbatim (for unsupported or custom operators).
  void AddRawOperator(int32_t builtin_code, const std::string& custom_code,
                      std::vector<int32_t> inputs, std::vector<int32_t> outputs);

  void SetInputs(std::vector<int32_t> inputs);
  void SetOutputs(std::vector<int32_t> outputs);
  void AddSignature(const std::string& key, int subgraph,
                    std::vector<std::pair<std::string, int>> inputs,
                    std::vector<std::pair<std::string, int>> outputs);
  void SetVersion(uint32_t version) { version_ = version; }

  std::vector<uint8_t> Build() const;

 private:
  struct Tensor {
    std::string name;
    TensorType type;
    std::vector<int32_t> shape;
    uint32_t buffer = 0;
    TestQuantization quantization;
  };
  struct Operator {
    uint32_t opcode_index = 0;
    std::vector<int32_t> inputs;
    std::vector<int32_t> outputs;
    uint8_t options_type = 0;
    FlatbufferRef options;
  };
  struct Subgraph {
    std::vector<Tensor> tensors;
    std::vector<int32_t> inputs;
    std::vector<int32_t> outputs;
    std::vector<Operator> operators;
  };
  struct Signature {
    std::string key;
    int subgraph = 0;
    std::vector<std::pair<std::string, int>> inputs;
    std::vector<std::pair<std::string, int>> outputs;
  };
  uint32_t OpcodeIndex(int32_t builtin_code, const std::string& custom_code);

  uint32_t version_ = 3;
  std::vector<std::vector<uint8_t>> buffers_;
  std::vector<std::pair<int32_t, std::string>> opcodes_;
  std::vector<Subgraph> subgraphs_;
  std::vector<Signature> signatures_;
  int current_ = 0;
};

// Options tables of the operators tests build most.
FlatbufferRef Conv2DOptions(tflite::Padding padding, int stride_w, int stride_h,
                            tflite::Activation activation = tflite::Activation::kNone,
                            int dilation_w = 1, int dilation_h = 1);
FlatbufferRef DepthwiseConv2DOptions(tflite::Padding padding, int stride_w, int stride_h,
                                     int depth_multiplier, int dilation_w = 1, int dilation_h = 1);
FlatbufferRef TransposeConvOptions(tflite::Padding padding, int stride_w, int stride_h);
FlatbufferRef ActivationOptions(tflite::Activation activation);  // Add, Sub, Mul
FlatbufferRef AxisOptions(int axis);                             // Concatenation, OneHot, Gather
FlatbufferRef StridedSliceOptions(int begin_mask, int end_mask, int shrink_axis_mask,
                                  int ellipsis_mask = 0, int new_axis_mask = 0);
FlatbufferRef LeakyReluOptions(float alpha);
FlatbufferRef ReducerOptions(bool keep_dims);
FlatbufferRef SplitOptions(int num_splits);
FlatbufferRef PackOptions(int values_count, int axis);
FlatbufferRef CallOnceOptions(int init_subgraph_index);
FlatbufferRef VarHandleOptions(const std::string& container, const std::string& shared_name);

}  // namespace auralink::nn::testing
