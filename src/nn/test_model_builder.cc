#include "nn/test_model_builder.h"

#include <algorithm>
#include <functional>

namespace auralink::nn::testing {
namespace {

// Lays nodes out parent first, so that every reference points forward, then writes them.
class FlatbufferWriter {
 public:
  std::vector<uint8_t> Write(const FlatbufferRef& root, const std::string& identifier) {
    out_.assign(8, 0);
    if (!identifier.empty()) std::memcpy(out_.data() + 4, identifier.data(), 4);
    const uint64_t root_position = Place(root);
    Patch32(0, static_cast<uint32_t>(root_position));
    return out_;
  }

 private:
  void Align(size_t alignment, size_t lead = 0) {
    while ((out_.size() + lead) % alignment != 0) out_.push_back(0);
  }
  void Patch32(size_t at, uint32_t value) { std::memcpy(out_.data() + at, &value, 4); }
  size_t Append(const void* data, size_t bytes) {
    const size_t at = out_.size();
    if (bytes > 0) {
      out_.insert(out_.end(), static_cast<const uint8_t*>(data),
                  static_cast<const uint8_t*>(data) + bytes);
    }
    return at;
  }

  // Writes `node` and everything it refers to; returns the node's position.
  uint64_t Place(const FlatbufferRef& node) {
    switch (node->kind) {
      case FlatbufferNode::Kind::kString: {
        Align(4);
        const uint32_t length = static_cast<uint32_t>(node->bytes.size());
        const size_t at = Append(&length, 4);
        Append(node->bytes.data(), node->bytes.size());
        out_.push_back(0);
        return at;
      }
      case FlatbufferNode::Kind::kScalarVector: {
        Align(node->alignment, 4);
        const uint32_t length =
            static_cast<uint32_t>(node->bytes.size() / std::max<uint32_t>(node->element_size, 1));
        const size_t at = Append(&length, 4);
        Append(node->bytes.data(), node->bytes.size());
        return at;
      }
      case FlatbufferNode::Kind::kRefVector: {
        Align(4);
        const uint32_t length = static_cast<uint32_t>(node->refs.size());
        const size_t at = Append(&length, 4);
        const size_t slots = out_.size();
        out_.resize(out_.size() + 4 * node->refs.size());
        for (size_t i = 0; i < node->refs.size(); ++i) {
          const uint64_t child = Place(node->refs[i]);
          const size_t slot = slots + 4 * i;
          Patch32(slot, static_cast<uint32_t>(child - slot));
        }
        return at;
      }
      case FlatbufferNode::Kind::kTable:
        return PlaceTable(node);
    }
    return 0;
  }

  uint64_t PlaceTable(const FlatbufferRef& node) {
    int max_id = -1;
    for (const auto& field : node->fields) max_id = std::max(max_id, field.id);
    // Inline layout: soffset_t, then fields in declaration order, each aligned to its size.
    std::vector<uint16_t> offsets(max_id + 1, 0);
    std::vector<const FlatbufferNode::Field*> by_id(max_id + 1, nullptr);
    for (const auto& field : node->fields) by_id[field.id] = &field;
    size_t table_size = 4;
    size_t table_alignment = 4;
    for (int id = 0; id <= max_id; ++id) {
      if (by_id[id] == nullptr) continue;
      const size_t size = by_id[id]->ref ? 4 : by_id[id]->scalar.size();
      table_alignment = std::max(table_alignment, size);
      table_size = (table_size + size - 1) / size * size;
      offsets[id] = static_cast<uint16_t>(table_size);
      table_size += size;
    }
    const uint16_t vtable_size = static_cast<uint16_t>(4 + 2 * (max_id + 1));
    Align(2);
    // The table must start aligned; pad between vtable and table as needed.
    const size_t vtable_at = out_.size();
    out_.resize(out_.size() + vtable_size);
    Align(table_alignment);
    const size_t table_at = out_.size();
    out_.resize(out_.size() + table_size);
    const uint16_t header[2] = {vtable_size, static_cast<uint16_t>(table_size)};
    std::memcpy(out_.data() + vtable_at, header, 4);
    if (!offsets.empty()) {
      std::memcpy(out_.data() + vtable_at + 4, offsets.data(), 2 * offsets.size());
    }
    const int32_t soffset = static_cast<int32_t>(table_at - vtable_at);
    std::memcpy(out_.data() + table_at, &soffset, 4);
    for (int id = 0; id <= max_id; ++id) {
      if (by_id[id] != nullptr && !by_id[id]->ref) {
        std::memcpy(out_.data() + table_at + offsets[id], by_id[id]->scalar.data(),
                    by_id[id]->scalar.size());
      }
    }
    for (int id = 0; id <= max_id; ++id) {
      if (by_id[id] == nullptr || !by_id[id]->ref) continue;
      const uint64_t child = Place(by_id[id]->ref);
      const size_t slot = table_at + offsets[id];
      Patch32(slot, static_cast<uint32_t>(child - slot));
    }
    return table_at;
  }

  std::vector<uint8_t> out_;
};

int8_t SchemaType(TensorType type) {
  using tflite::SchemaTensorType;
  switch (type) {
    case TensorType::kFloat32:
      return static_cast<int8_t>(SchemaTensorType::kFloat32);
    case TensorType::kInt32:
      return static_cast<int8_t>(SchemaTensorType::kInt32);
    case TensorType::kInt8:
      return static_cast<int8_t>(SchemaTensorType::kInt8);
    case TensorType::kUInt8:
      return static_cast<int8_t>(SchemaTensorType::kUInt8);
    case TensorType::kInt64:
      return static_cast<int8_t>(SchemaTensorType::kInt64);
    case TensorType::kBool:
      return static_cast<int8_t>(SchemaTensorType::kBool);
    case TensorType::kInt16:
      return static_cast<int8_t>(SchemaTensorType::kInt16);
    case TensorType::kResource:
      return static_cast<int8_t>(SchemaTensorType::kResource);
  }
  return 0;
}

}  // namespace

FlatbufferRef RefVector(std::vector<FlatbufferRef> refs) {
  auto node = std::make_shared<FlatbufferNode>();
  node->kind = FlatbufferNode::Kind::kRefVector;
  node->refs = std::move(refs);
  return node;
}

FlatbufferRef String(const std::string& text) {
  auto node = std::make_shared<FlatbufferNode>();
  node->kind = FlatbufferNode::Kind::kString;
  node->bytes.assign(text.begin(), text.end());
  return node;
}

std::vector<uint8_t> WriteFlatbuffer(const FlatbufferRef& root,
                                     const std::string& file_identifier) {
  return FlatbufferWriter().Write(root, file_identifier);
}

TestModelBuilder::TestModelBuilder() {
  buffers_.emplace_back();  // buffer 0: the empty sentinel
  subgraphs_.emplace_back();
}

int TestModelBuilder::AddSubgraph() {
  subgraphs_.emplace_back();
  current_ = static_cast<int>(subgraphs_.size()) - 1;
  return current_;
}

int TestModelBuilder::AddTensor(const std::string& name, TensorType type,
                                std::vector<int32_t> shape, TestQuantization quantization) {
  Subgraph& subgraph = subgraphs_[current_];
  subgraph.tensors.push_back({name, type, std::move(shape), 0, std::move(quantization)});
  return static_cast<int>(subgraph.tensors.size()) - 1;
}

int TestModelBuilder::AddConstantBytes(const std::string& name, TensorType type,
                                       std::vector<int32_t> shape, std::vector<uint8_t> bytes,
                                       TestQuantization quantization) {
  buffers_.push_back(std::move(bytes));
  Subgraph& subgraph = subgraphs_[current_];
  subgraph.tensors.push_back({name, type, std::move(shape),
                              static_cast<uint32_t>(buffers_.size() - 1), std::move(quantization)});
  return static_cast<int>(subgraph.tensors.size()) - 1;
}

uint32_t TestModelBuilder::OpcodeIndex(int32_t builtin_code, const std::string& custom_code) {
  for (size_t i = 0; i < opcodes_.size(); ++i) {
    if (opcodes_[i].first == builtin_code && opcodes_[i].second == custom_code) {
      return static_cast<uint32_t>(i);
    }
  }
  opcodes_.emplace_back(builtin_code, custom_code);
  return static_cast<uint32_t>(opcodes_.size() - 1);
}

void TestModelBuilder::AddOperator(tflite::BuiltinOperator code, std::vector<int32_t> inputs,
                                   std::vector<int32_t> outputs,
                                   tflite::BuiltinOptionsType options_type, FlatbufferRef options) {
  Operator op;
  op.opcode_index = OpcodeIndex(static_cast<int32_t>(code), "");
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  op.options_type = static_cast<uint8_t>(options_type);
  op.options = std::move(options);
  subgraphs_[current_].operators.push_back(std::move(op));
}

void TestModelBuilder::AddRawOperator(int32_t builtin_code, const std::string& custom_code,
                                      std::vector<int32_t> inputs, std::vector<int32_t> outputs) {
  Operator op;
  op.opcode_index = OpcodeIndex(builtin_code, custom_code);
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  subgraphs_[current_].operators.push_back(std::move(op));
}

void TestModelBuilder::SetInputs(std::vector<int32_t> inputs) {
  subgraphs_[current_].inputs = std::move(inputs);
}

void TestModelBuilder::SetOutputs(std::vector<int32_t> outputs) {
  subgraphs_[current_].outputs = std::move(outputs);
}

void TestModelBuilder::AddSignature(const std::string& key, int subgraph,
                                    std::vector<std::pair<std::string, int>> inputs,
                                    std::vector<std::pair<std::string, int>> outputs) {
  signatures_.push_back({key, subgraph, std::move(inputs), std::move(outputs)});
}

std::vector<uint8_t> TestModelBuilder::Build() const {
  namespace f = tflite;
  std::vector<FlatbufferRef> buffers;
  for (const auto& data : buffers_) {
    TableWriter buffer;
    if (!data.empty()) buffer.Ref(f::buffer_field::kData, ScalarVector(data, 16));
    buffers.push_back(buffer.node());
  }
  std::vector<FlatbufferRef> codes;
  for (const auto& [code, custom] : opcodes_) {
    TableWriter writer;
    writer.Scalar<int8_t>(f::operator_code_field::kDeprecatedBuiltinCode,
                          static_cast<int8_t>(std::min<int32_t>(code, 127)));
    writer.Scalar<int32_t>(f::operator_code_field::kVersion, 1);
    writer.Scalar<int32_t>(f::operator_code_field::kBuiltinCode, code);
    if (!custom.empty()) writer.Ref(f::operator_code_field::kCustomCode, String(custom));
    codes.push_back(writer.node());
  }
  std::vector<FlatbufferRef> subgraphs;
  for (const Subgraph& subgraph : subgraphs_) {
    std::vector<FlatbufferRef> tensors;
    for (const Tensor& tensor : subgraph.tensors) {
      TableWriter writer;
      writer.Ref(f::tensor_field::kShape, ScalarVector(tensor.shape));
      writer.Scalar<int8_t>(f::tensor_field::kType, SchemaType(tensor.type));
      writer.Scalar<uint32_t>(f::tensor_field::kBuffer, tensor.buffer);
      writer.Ref(f::tensor_field::kName, String(tensor.name));
      if (!tensor.quantization.scales.empty() || !tensor.quantization.zero_points.empty()) {
        TableWriter q;
        q.Ref(f::quantization_field::kScale, ScalarVector(tensor.quantization.scales));
        q.Ref(f::quantization_field::kZeroPoint, ScalarVector(tensor.quantization.zero_points));
        q.Scalar<int32_t>(f::quantization_field::kQuantizedDimension,
                          tensor.quantization.quantized_dimension);
        writer.Ref(f::tensor_field::kQuantization, q.node());
      }
      tensors.push_back(writer.node());
    }
    std::vector<FlatbufferRef> operators;
    for (const Operator& op : subgraph.operators) {
      TableWriter writer;
      writer.Scalar<uint32_t>(f::operator_field::kOpcodeIndex, op.opcode_index);
      writer.Ref(f::operator_field::kInputs, ScalarVector(op.inputs));
      writer.Ref(f::operator_field::kOutputs, ScalarVector(op.outputs));
      if (op.options) {
        writer.Scalar<uint8_t>(f::operator_field::kBuiltinOptionsType, op.options_type);
        writer.Ref(f::operator_field::kBuiltinOptions, op.options);
      }
      operators.push_back(writer.node());
    }
    TableWriter writer;
    writer.Ref(f::subgraph_field::kTensors, RefVector(tensors));
    writer.Ref(f::subgraph_field::kInputs, ScalarVector(subgraph.inputs));
    writer.Ref(f::subgraph_field::kOutputs, ScalarVector(subgraph.outputs));
    writer.Ref(f::subgraph_field::kOperators, RefVector(operators));
    subgraphs.push_back(writer.node());
  }
  std::vector<FlatbufferRef> signatures;
  for (const Signature& signature : signatures_) {
    auto maps = [](const std::vector<std::pair<std::string, int>>& entries) {
      std::vector<FlatbufferRef> tables;
      for (const auto& [name, index] : entries) {
        TableWriter map;
        map.Ref(f::tensor_map_field::kName, String(name));
        map.Scalar<uint32_t>(f::tensor_map_field::kTensorIndex, static_cast<uint32_t>(index));
        tables.push_back(map.node());
      }
      return RefVector(tables);
    };
    TableWriter writer;
    writer.Ref(f::signature_def_field::kInputs, maps(signature.inputs));
    writer.Ref(f::signature_def_field::kOutputs, maps(signature.outputs));
    writer.Ref(f::signature_def_field::kSignatureKey, String(signature.key));
    writer.Scalar<uint32_t>(f::signature_def_field::kSubgraphIndex,
                            static_cast<uint32_t>(signature.subgraph));
    signatures.push_back(writer.node());
  }
  TableWriter model;
  model.Scalar<uint32_t>(f::model_field::kVersion, version_);
  model.Ref(f::model_field::kOperatorCodes, RefVector(codes));
  model.Ref(f::model_field::kSubgraphs, RefVector(subgraphs));
  model.Ref(f::model_field::kBuffers, RefVector(buffers));
  if (!signatures.empty()) model.Ref(f::model_field::kSignatureDefs, RefVector(signatures));
  return WriteFlatbuffer(model.node(), tflite::kFileIdentifier);
}

FlatbufferRef Conv2DOptions(tflite::Padding padding, int stride_w, int stride_h,
                            tflite::Activation activation, int dilation_w, int dilation_h) {
  return TableWriter()
      .Scalar<int8_t>(0, static_cast<int8_t>(padding))
      .Scalar<int32_t>(1, stride_w)
      .Scalar<int32_t>(2, stride_h)
      .Scalar<int8_t>(3, static_cast<int8_t>(activation))
      .Scalar<int32_t>(4, dilation_w)
      .Scalar<int32_t>(5, dilation_h)
      .node();
}

FlatbufferRef DepthwiseConv2DOptions(tflite::Padding padding, int stride_w, int stride_h,
                                     int depth_multiplier, int dilation_w, int dilation_h) {
  return TableWriter()
      .Scalar<int8_t>(0, static_cast<int8_t>(padding))
      .Scalar<int32_t>(1, stride_w)
      .Scalar<int32_t>(2, stride_h)
      .Scalar<int32_t>(3, depth_multiplier)
      .Scalar<int32_t>(5, dilation_w)
      .Scalar<int32_t>(6, dilation_h)
      .node();
}

FlatbufferRef TransposeConvOptions(tflite::Padding padding, int stride_w, int stride_h) {
  return TableWriter()
      .Scalar<int8_t>(0, static_cast<int8_t>(padding))
      .Scalar<int32_t>(1, stride_w)
      .Scalar<int32_t>(2, stride_h)
      .node();
}

FlatbufferRef ActivationOptions(tflite::Activation activation) {
  return TableWriter().Scalar<int8_t>(0, static_cast<int8_t>(activation)).node();
}

FlatbufferRef AxisOptions(int axis) { return TableWriter().Scalar<int32_t>(0, axis).node(); }

FlatbufferRef StridedSliceOptions(int begin_mask, int end_mask, int shrink_axis_mask,
                                  int ellipsis_mask, int new_axis_mask) {
  return TableWriter()
      .Scalar<int32_t>(0, begin_mask)
      .Scalar<int32_t>(1, end_mask)
      .Scalar<int32_t>(2, ellipsis_mask)
      .Scalar<int32_t>(3, new_axis_mask)
      .Scalar<int32_t>(4, shrink_axis_mask)
      .node();
}

FlatbufferRef LeakyReluOptions(float alpha) { return TableWriter().Scalar<float>(0, alpha).node(); }

FlatbufferRef ReducerOptions(bool keep_dims) {
  return TableWriter().Scalar<uint8_t>(0, keep_dims ? 1 : 0).node();
}

FlatbufferRef SplitOptions(int num_splits) {
  return TableWriter().Scalar<int32_t>(0, num_splits).node();
}

FlatbufferRef PackOptions(int values_count, int axis) {
  return TableWriter().Scalar<int32_t>(0, values_count).Scalar<int32_t>(1, axis).node();
}

FlatbufferRef CallOnceOptions(int init_subgraph_index) {
  return TableWriter().Scalar<int32_t>(0, init_subgraph_index).node();
}

FlatbufferRef VarHandleOptions(const std::string& container, const std::string& shared_name) {
  return TableWriter().Ref(0, String(container)).Ref(1, String(shared_name)).node();
}

}  // namespace auralink::nn::testing
