#include "nn/model.h"

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <set>

#include "nn/flatbuffer_view.h"
#include "nn/kernel.h"
#include "nn/operator_registry.h"
#include "nn/resource_variables.h"

namespace auralink::nn {

using tflite::BuiltinOperator;
using tflite::BuiltinOptionsType;

namespace {

constexpr int kMaxRank = 8;
constexpr size_t kMaxCallDepth = 64;
// Larger tensors are refused outright; interpreters apply their own (smaller) memory limit.
constexpr int64_t kMaxTensorElements = int64_t{1} << 31;

struct RawBuffer {
  const uint8_t* data = nullptr;
  uint64_t size = 0;
};

struct OperatorCode {
  int32_t builtin_code = 0;
  std::string custom_code;
  bool is_custom = false;
};

std::optional<TensorType> FromSchemaType(int8_t type) {
  using tflite::SchemaTensorType;
  switch (static_cast<SchemaTensorType>(type)) {
    case SchemaTensorType::kFloat32:
      return TensorType::kFloat32;
    case SchemaTensorType::kInt32:
      return TensorType::kInt32;
    case SchemaTensorType::kInt8:
      return TensorType::kInt8;
    case SchemaTensorType::kUInt8:
      return TensorType::kUInt8;
    case SchemaTensorType::kInt64:
      return TensorType::kInt64;
    case SchemaTensorType::kBool:
      return TensorType::kBool;
    case SchemaTensorType::kInt16:
      return TensorType::kInt16;
    case SchemaTensorType::kResource:
      return TensorType::kResource;
    default:
      return std::nullopt;
  }
}

// Copies a flatbuffer scalar vector into a std::vector.
template <typename T>
StatusOr<std::vector<T>> ReadScalars(const FlatbufferTable& table, int field) {
  auto vector = table.Vector(field, sizeof(T));
  if (!vector.ok()) return vector.status();
  std::vector<T> values;
  if (!vector->has_value()) return values;
  values.reserve((*vector)->size());
  for (uint32_t i = 0; i < (*vector)->size(); ++i) values.push_back((*vector)->template Get<T>(i));
  return values;
}

}  // namespace

std::string OperatorLocation(int subgraph_index, int operator_index) {
  return "subgraph " + std::to_string(subgraph_index) + ", operator " +
         std::to_string(operator_index);
}

class ModelParser {
 public:
  explicit ModelParser(Model* model) : model_(model), view_(model->bytes_) {}

  Status Parse() {
    auto root = view_.Root(tflite::kFileIdentifier);
    if (!root.ok()) return root.status();
    auto version = root->Scalar<uint32_t>(tflite::model_field::kVersion, 0);
    if (!version.ok()) return version.status();
    if (*version != 3) {
      return Status::Error("unsupported TFLite schema version " + std::to_string(*version) +
                           " (expected 3)");
    }
    AURALINK_RETURN_IF_ERROR(ParseBuffers(*root).WithContext("buffers"));
    AURALINK_RETURN_IF_ERROR(ParseOperatorCodes(*root).WithContext("operator codes"));

    auto subgraphs = root->Vector(tflite::model_field::kSubgraphs, 4);
    if (!subgraphs.ok()) return subgraphs.status().WithContext("subgraphs");
    if (!subgraphs->has_value() || (*subgraphs)->size() == 0) {
      return Status::Error("model has no subgraphs");
    }
    for (uint32_t s = 0; s < (*subgraphs)->size(); ++s) {
      auto table = (*subgraphs)->TableAt(s);
      if (!table.ok()) return table.status().WithContext("subgraph " + std::to_string(s));
      model_->subgraphs_.emplace_back();
      AURALINK_RETURN_IF_ERROR(ParseSubgraph(static_cast<int>(s), *table));
    }
    for (int s = 0; s < static_cast<int>(model_->subgraphs_.size()); ++s) {
      AURALINK_RETURN_IF_ERROR(ValidateDataFlow(s));
    }
    AURALINK_RETURN_IF_ERROR(ParseSignatures(*root));
    AURALINK_RETURN_IF_ERROR(ValidateCallGraph());
    std::vector<int> all_subgraphs;
    for (int s = 0; s < static_cast<int>(model_->subgraphs_.size()); ++s) {
      all_subgraphs.push_back(s);
    }
    auto variables = ResolveVariables(*model_, all_subgraphs);
    if (!variables.ok()) return variables.status();
    // Each operator's own rules, through the same code that prepares it for running.
    for (int s = 0; s < static_cast<int>(model_->subgraphs_.size()); ++s) {
      const SubgraphSpec& subgraph = model_->subgraphs_[s];
      for (int i = 0; i < static_cast<int>(subgraph.operators.size()); ++i) {
        const OperatorRegistration* registration =
            FindOperatorRegistration(static_cast<int32_t>(subgraph.operators[i].code));
        OperatorContext context(*model_, s, i, nullptr);
        auto validated = registration->prepare(context);
        if (!validated.ok()) return validated.status();
      }
    }
    return Status::Ok();
  }

 private:
  Status ParseBuffers(const FlatbufferTable& root) {
    auto buffers = root.Vector(tflite::model_field::kBuffers, 4);
    if (!buffers.ok()) return buffers.status();
    if (!buffers->has_value()) return Status::Ok();
    for (uint32_t b = 0; b < (*buffers)->size(); ++b) {
      const std::string context = "buffer " + std::to_string(b);
      auto table = (*buffers)->TableAt(b);
      if (!table.ok()) return table.status().WithContext(context);
      RawBuffer buffer;
      auto data = table->Vector(tflite::buffer_field::kData, 1);
      if (!data.ok()) return data.status().WithContext(context);
      auto offset = table->Scalar<uint64_t>(tflite::buffer_field::kOffset, 0);
      if (!offset.ok()) return offset.status().WithContext(context);
      auto size = table->Scalar<uint64_t>(tflite::buffer_field::kSize, 0);
      if (!size.ok()) return size.status().WithContext(context);
      if (data->has_value() && (*data)->size() > 0) {
        buffer.data = (*data)->bytes();
        buffer.size = (*data)->size();
      } else if (*offset > 1) {
        // Models over 2 GB keep buffers after the flatbuffer, at an offset from the file start.
        AURALINK_RETURN_IF_ERROR(view_.CheckRange(*offset, *size, context).WithContext(context));
        buffer.data = view_.data() + *offset;
        buffer.size = *size;
      }
      buffers_.push_back(buffer);
    }
    return Status::Ok();
  }

  Status ParseOperatorCodes(const FlatbufferTable& root) {
    auto codes = root.Vector(tflite::model_field::kOperatorCodes, 4);
    if (!codes.ok()) return codes.status();
    if (!codes->has_value()) return Status::Ok();
    for (uint32_t c = 0; c < (*codes)->size(); ++c) {
      const std::string context = "operator code " + std::to_string(c);
      auto table = (*codes)->TableAt(c);
      if (!table.ok()) return table.status().WithContext(context);
      auto deprecated =
          table->Scalar<int8_t>(tflite::operator_code_field::kDeprecatedBuiltinCode, 0);
      if (!deprecated.ok()) return deprecated.status().WithContext(context);
      auto builtin = table->Scalar<int32_t>(tflite::operator_code_field::kBuiltinCode, 0);
      if (!builtin.ok()) return builtin.status().WithContext(context);
      auto custom = table->String(tflite::operator_code_field::kCustomCode);
      if (!custom.ok()) return custom.status().WithContext(context);
      OperatorCode code;
      // Files written before builtin_code existed only fill the byte field; newer ones fill both
      // or only builtin_code (TFLite's GetBuiltinCode takes the larger).
      code.builtin_code = std::max<int32_t>(*deprecated, *builtin);
      constexpr int32_t kCustom = 32;
      if (custom->has_value() && code.builtin_code == kCustom) {
        code.is_custom = true;
        code.custom_code = std::string(**custom);
      }
      operator_codes_.push_back(code);
    }
    return Status::Ok();
  }

  Status ParseSubgraph(int s, const FlatbufferTable& table) {
    SubgraphSpec& subgraph = model_->subgraphs_[s];
    const std::string context = "subgraph " + std::to_string(s);
    auto name = table.String(tflite::subgraph_field::kName);
    if (!name.ok()) return name.status().WithContext(context);
    if (name->has_value()) subgraph.name = std::string(**name);

    auto tensors = table.Vector(tflite::subgraph_field::kTensors, 4);
    if (!tensors.ok()) return tensors.status().WithContext(context + " tensors");
    if (tensors->has_value()) {
      for (uint32_t t = 0; t < (*tensors)->size(); ++t) {
        auto tensor_table = (*tensors)->TableAt(t);
        const std::string tensor_context = context + " tensor " + std::to_string(t);
        if (!tensor_table.ok()) return tensor_table.status().WithContext(tensor_context);
        TensorSpec tensor;
        AURALINK_RETURN_IF_ERROR(ParseTensor(*tensor_table, &tensor)
                                     .WithContext(tensor.name.empty()
                                                      ? tensor_context
                                                      : tensor_context + " '" + tensor.name + "'"));
        subgraph.tensors.push_back(std::move(tensor));
      }
    }
    const int tensor_count = static_cast<int>(subgraph.tensors.size());
    auto check_indices = [&](const std::vector<int32_t>& indices, const std::string& what,
                             bool allow_omitted) -> Status {
      for (int32_t index : indices) {
        if ((index < 0 && !(allow_omitted && index == -1)) || index >= tensor_count) {
          return Status::Error(what + " names tensor " + std::to_string(index) + " but " + context +
                               " has " + std::to_string(tensor_count) + " tensors");
        }
      }
      return Status::Ok();
    };
    auto inputs = ReadScalars<int32_t>(table, tflite::subgraph_field::kInputs);
    if (!inputs.ok()) return inputs.status().WithContext(context + " inputs");
    auto outputs = ReadScalars<int32_t>(table, tflite::subgraph_field::kOutputs);
    if (!outputs.ok()) return outputs.status().WithContext(context + " outputs");
    subgraph.inputs = std::move(*inputs);
    subgraph.outputs = std::move(*outputs);
    AURALINK_RETURN_IF_ERROR(check_indices(subgraph.inputs, context + " input list", false));
    AURALINK_RETURN_IF_ERROR(check_indices(subgraph.outputs, context + " output list", false));

    auto operators = table.Vector(tflite::subgraph_field::kOperators, 4);
    if (!operators.ok()) return operators.status().WithContext(context + " operators");
    if (operators->has_value()) {
      for (uint32_t i = 0; i < (*operators)->size(); ++i) {
        const std::string where = OperatorLocation(s, static_cast<int>(i));
        auto op_table = (*operators)->TableAt(i);
        if (!op_table.ok()) return op_table.status().WithContext(where);
        OperatorSpec op;
        AURALINK_RETURN_IF_ERROR(ParseOperator(*op_table, s, static_cast<int>(i), &op));
        AURALINK_RETURN_IF_ERROR(check_indices(op.inputs, where + " input", true));
        AURALINK_RETURN_IF_ERROR(check_indices(op.outputs, where + " output", false));
        subgraph.operators.push_back(std::move(op));
      }
    }
    return Status::Ok();
  }

  Status ParseTensor(const FlatbufferTable& table, TensorSpec* tensor) {
    using namespace tflite::tensor_field;
    auto name = table.String(kName);
    if (!name.ok()) return name.status();
    if (name->has_value()) tensor->name = std::string(**name);
    auto shape = ReadScalars<int32_t>(table, kShape);
    if (!shape.ok()) return shape.status().WithContext("shape");
    tensor->shape = std::move(*shape);
    auto type = table.Scalar<int8_t>(kType, 0);
    if (!type.ok()) return type.status();
    auto resolved = FromSchemaType(*type);
    if (!resolved) {
      return Status::Error("unsupported tensor type " + tflite::SchemaTensorTypeName(*type));
    }
    tensor->type = *resolved;
    auto is_variable = table.Scalar<uint8_t>(kIsVariable, 0);
    if (!is_variable.ok()) return is_variable.status();
    if (*is_variable != 0) {
      return Status::Error("variable tensors (is_variable) are not supported");
    }
    if (table.Has(kSparsity)) return Status::Error("sparse tensors are not supported");

    if (tensor->rank() > kMaxRank) {
      return Status::Error("rank " + std::to_string(tensor->rank()) + " exceeds the supported " +
                           std::to_string(kMaxRank));
    }
    int64_t elements = 1;
    for (int32_t dim : tensor->shape) {
      if (dim <= 0) {
        return Status::Error("shape " + ShapeToString(tensor->shape) +
                             " has a dimension that is not positive (only static, non-empty "
                             "shapes are supported)");
      }
      elements *= dim;
      if (elements > kMaxTensorElements) {
        return Status::Error("shape " + ShapeToString(tensor->shape) + " is too large");
      }
    }
    tensor->element_count = elements;
    tensor->byte_size = static_cast<size_t>(elements) * ElementSize(tensor->type);

    auto quantization = table.Table(kQuantization);
    if (!quantization.ok()) return quantization.status().WithContext("quantization");
    if (quantization->has_value()) {
      AURALINK_RETURN_IF_ERROR(
          ParseQuantization(**quantization, tensor).WithContext("quantization"));
    }

    auto buffer_index = table.Scalar<uint32_t>(kBuffer, 0);
    if (!buffer_index.ok()) return buffer_index.status();
    if (*buffer_index != 0 || !buffers_.empty()) {
      if (*buffer_index >= buffers_.size()) {
        return Status::Error("buffer index " + std::to_string(*buffer_index) +
                             " but the model has " + std::to_string(buffers_.size()) + " buffers");
      }
      const RawBuffer& buffer = buffers_[*buffer_index];
      if (buffer.size > 0) {
        if (tensor->type == TensorType::kResource) {
          return Status::Error("a resource tensor cannot hold constant data");
        }
        if (buffer.size != tensor->byte_size) {
          return Status::Error("buffer " + std::to_string(*buffer_index) + " holds " +
                               std::to_string(buffer.size) + " bytes but tensor " +
                               DescribeTensor(*tensor) + " needs " +
                               std::to_string(tensor->byte_size));
        }
        tensor->constant_data = AlignedData(*buffer_index, ElementSize(tensor->type));
      }
    }
    return Status::Ok();
  }

  Status ParseQuantization(const FlatbufferTable& table, TensorSpec* tensor) {
    using namespace tflite::quantization_field;
    auto details_type = table.Scalar<uint8_t>(kDetailsType, 0);
    if (!details_type.ok()) return details_type.status();
    if (*details_type != 0 || table.Has(kDetails)) {
      return Status::Error("custom quantization details are not supported");
    }
    auto scales = ReadScalars<float>(table, kScale);
    if (!scales.ok()) return scales.status().WithContext("scale");
    auto zero_points = ReadScalars<int64_t>(table, kZeroPoint);
    if (!zero_points.ok()) return zero_points.status().WithContext("zero_point");
    auto dimension = table.Scalar<int32_t>(kQuantizedDimension, 0);
    if (!dimension.ok()) return dimension.status();
    Quantization& q = tensor->quantization;
    q.scales = std::move(*scales);
    q.zero_points = std::move(*zero_points);
    q.quantized_dimension = *dimension;
    if (q.scales.empty()) {
      // min/max only (import hints) or nothing: the tensor is not quantized.
      q.zero_points.clear();
      q.quantized_dimension = 0;
      return Status::Ok();
    }
    if (q.zero_points.size() != q.scales.size()) {
      return Status::Error(std::to_string(q.scales.size()) + " scales but " +
                           std::to_string(q.zero_points.size()) + " zero points");
    }
    if (q.scales.size() > 1) {
      if (q.quantized_dimension < 0 || q.quantized_dimension >= tensor->rank()) {
        return Status::Error("quantized dimension " + std::to_string(q.quantized_dimension) +
                             " outside shape " + ShapeToString(tensor->shape));
      }
      const int32_t channels = tensor->shape[q.quantized_dimension];
      if (static_cast<int64_t>(q.scales.size()) != channels) {
        return Status::Error(std::to_string(q.scales.size()) +
                             " per-channel scales but dimension " +
                             std::to_string(q.quantized_dimension) + " of shape " +
                             ShapeToString(tensor->shape) + " has " + std::to_string(channels));
      }
    } else if (q.quantized_dimension < 0 ||
               (tensor->rank() > 0 && q.quantized_dimension >= tensor->rank())) {
      return Status::Error("quantized dimension " + std::to_string(q.quantized_dimension) +
                           " outside shape " + ShapeToString(tensor->shape));
    }
    for (size_t c = 0; c < q.scales.size(); ++c) {
      if (!std::isfinite(q.scales[c]) || !(q.scales[c] > 0.0f)) {
        return Status::Error("scale " + std::to_string(q.scales[c]) + " (channel " +
                             std::to_string(c) + ") is not a positive finite number");
      }
      int64_t low = std::numeric_limits<int32_t>::min();
      int64_t high = std::numeric_limits<int32_t>::max();
      if (tensor->type == TensorType::kInt8) {
        low = -128;
        high = 127;
      } else if (tensor->type == TensorType::kUInt8) {
        low = 0;
        high = 255;
      } else if (tensor->type == TensorType::kInt16) {
        low = -32768;
        high = 32767;
      }
      if (q.zero_points[c] < low || q.zero_points[c] > high) {
        return Status::Error("zero point " + std::to_string(q.zero_points[c]) + " (channel " +
                             std::to_string(c) + ") is outside the range of " +
                             std::string(TensorTypeName(tensor->type)));
      }
    }
    return Status::Ok();
  }

  Status ParseOperator(const FlatbufferTable& table, int s, int i, OperatorSpec* op) {
    using namespace tflite::operator_field;
    const std::string where = OperatorLocation(s, i);
    auto opcode_index = table.Scalar<uint32_t>(kOpcodeIndex, 0);
    if (!opcode_index.ok()) return opcode_index.status().WithContext(where);
    if (*opcode_index >= operator_codes_.size()) {
      return Status::Error(where + " uses operator code " + std::to_string(*opcode_index) +
                           " but the model has " + std::to_string(operator_codes_.size()));
    }
    const OperatorCode& code = operator_codes_[*opcode_index];
    if (code.is_custom) {
      return Status::Error("unsupported custom operator '" + code.custom_code + "' in " + where);
    }
    const OperatorRegistration* registration = FindOperatorRegistration(code.builtin_code);
    if (registration == nullptr) {
      return Status::Error("unsupported operator " +
                           tflite::BuiltinOperatorName(code.builtin_code) + " (builtin code " +
                           std::to_string(code.builtin_code) + ") in " + where);
    }
    op->code = registration->code;
    const std::string op_name = tflite::BuiltinOperatorName(code.builtin_code);
    const std::string context = op_name + " in " + where;

    auto inputs = ReadScalars<int32_t>(table, kInputs);
    if (!inputs.ok()) return inputs.status().WithContext(context + " inputs");
    auto outputs = ReadScalars<int32_t>(table, kOutputs);
    if (!outputs.ok()) return outputs.status().WithContext(context + " outputs");
    op->inputs = std::move(*inputs);
    op->outputs = std::move(*outputs);

    auto options_type = table.Scalar<uint8_t>(kBuiltinOptionsType, 0);
    if (!options_type.ok()) return options_type.status().WithContext(context);
    auto options = table.Table(kBuiltinOptions);
    if (!options.ok()) return options.status().WithContext(context + " options");
    const auto expected = registration->options_type;
    if (*options_type != 0 && *options_type != static_cast<uint8_t>(expected)) {
      return Status::Error(context + " has options " +
                           tflite::BuiltinOptionsTypeName(*options_type) + ", expected " +
                           tflite::BuiltinOptionsTypeName(static_cast<uint8_t>(expected)));
    }
    op->options.type = *options_type == 0 ? BuiltinOptionsType::kNone : expected;
    if (*options_type != 0 && options->has_value()) {
      AURALINK_RETURN_IF_ERROR(
          ParseOptions(expected, **options, &op->options).WithContext(context + " options"));
    }
    return Status::Ok();
  }

  static Status ParseOptions(BuiltinOptionsType type, const FlatbufferTable& table,
                             OperatorOptions* options) {
    // Reads field `id` of `table` into `*out`, keeping the current value as the default.
    auto read = [&](int id, auto* out) -> Status {
      using T = std::remove_pointer_t<decltype(out)>;
      auto value = table.Scalar<T>(id, *out);
      if (!value.ok()) return value.status();
      *out = *value;
      return Status::Ok();
    };
    auto read_enum = [&](int id, auto* out) -> Status {
      using E = std::remove_pointer_t<decltype(out)>;
      auto value = table.Scalar<int8_t>(id, static_cast<int8_t>(*out));
      if (!value.ok()) return value.status();
      *out = static_cast<E>(*value);
      return Status::Ok();
    };
    auto read_bool = [&](int id, bool* out) -> Status {
      auto value = table.Scalar<uint8_t>(id, *out ? 1 : 0);
      if (!value.ok()) return value.status();
      *out = *value != 0;
      return Status::Ok();
    };
    switch (type) {
      case BuiltinOptionsType::kConv2DOptions:
        AURALINK_RETURN_IF_ERROR(read_enum(0, &options->padding));
        AURALINK_RETURN_IF_ERROR(read(1, &options->stride_w));
        AURALINK_RETURN_IF_ERROR(read(2, &options->stride_h));
        AURALINK_RETURN_IF_ERROR(read_enum(3, &options->activation));
        AURALINK_RETURN_IF_ERROR(read(4, &options->dilation_w));
        AURALINK_RETURN_IF_ERROR(read(5, &options->dilation_h));
        return read(6, &options->quantized_bias_type);
      case BuiltinOptionsType::kDepthwiseConv2DOptions:
        AURALINK_RETURN_IF_ERROR(read_enum(0, &options->padding));
        AURALINK_RETURN_IF_ERROR(read(1, &options->stride_w));
        AURALINK_RETURN_IF_ERROR(read(2, &options->stride_h));
        AURALINK_RETURN_IF_ERROR(read(3, &options->depth_multiplier));
        AURALINK_RETURN_IF_ERROR(read_enum(4, &options->activation));
        AURALINK_RETURN_IF_ERROR(read(5, &options->dilation_w));
        return read(6, &options->dilation_h);
      case BuiltinOptionsType::kTransposeConvOptions:
        AURALINK_RETURN_IF_ERROR(read_enum(0, &options->padding));
        AURALINK_RETURN_IF_ERROR(read(1, &options->stride_w));
        AURALINK_RETURN_IF_ERROR(read(2, &options->stride_h));
        AURALINK_RETURN_IF_ERROR(read_enum(3, &options->activation));
        return read(4, &options->quantized_bias_type);
      case BuiltinOptionsType::kConcatenationOptions:
        AURALINK_RETURN_IF_ERROR(read(0, &options->axis));
        return read_enum(1, &options->activation);
      case BuiltinOptionsType::kAddOptions:
      case BuiltinOptionsType::kSubOptions:
      case BuiltinOptionsType::kMulOptions:
        return read_enum(0, &options->activation);
      case BuiltinOptionsType::kGatherOptions:
        AURALINK_RETURN_IF_ERROR(read(0, &options->axis));
        return read(1, &options->batch_dims);
      case BuiltinOptionsType::kReducerOptions:
        return read_bool(0, &options->keep_dims);
      case BuiltinOptionsType::kSplitOptions:
        return read(0, &options->num_splits);
      case BuiltinOptionsType::kStridedSliceOptions:
        AURALINK_RETURN_IF_ERROR(read(0, &options->begin_mask));
        AURALINK_RETURN_IF_ERROR(read(1, &options->end_mask));
        AURALINK_RETURN_IF_ERROR(read(2, &options->ellipsis_mask));
        AURALINK_RETURN_IF_ERROR(read(3, &options->new_axis_mask));
        AURALINK_RETURN_IF_ERROR(read(4, &options->shrink_axis_mask));
        return read_bool(5, &options->offset);
      case BuiltinOptionsType::kPackOptions:
        AURALINK_RETURN_IF_ERROR(read(0, &options->values_count));
        return read(1, &options->axis);
      case BuiltinOptionsType::kOneHotOptions:
        return read(0, &options->axis);
      case BuiltinOptionsType::kLeakyReluOptions:
        return read(0, &options->alpha);
      case BuiltinOptionsType::kCallOnceOptions:
        return read(0, &options->init_subgraph_index);
      case BuiltinOptionsType::kVarHandleOptions: {
        auto container = table.String(0);
        if (!container.ok()) return container.status();
        auto shared_name = table.String(1);
        if (!shared_name.ok()) return shared_name.status();
        if (container->has_value()) options->container = std::string(**container);
        if (shared_name->has_value()) options->shared_name = std::string(**shared_name);
        return Status::Ok();
      }
      default:
        // Options tables without fields (QuantizeOptions, ...) or fields this engine infers from
        // tensor shapes and types (ReshapeOptions, CastOptions, ArgMaxOptions, ...).
        return Status::Ok();
    }
  }

  // Every tensor an operator reads must be constant, a subgraph input, or written by an earlier
  // operator; every tensor is written at most once and never when constant or an input.
  Status ValidateDataFlow(int s) {
    const SubgraphSpec& subgraph = model_->subgraphs_[s];
    const int tensor_count = static_cast<int>(subgraph.tensors.size());
    std::vector<int> writer(tensor_count, -1);  // -2: subgraph input
    for (int index : subgraph.inputs) {
      const TensorSpec& tensor = subgraph.tensors[index];
      if (tensor.is_constant()) {
        return Status::Error("subgraph " + std::to_string(s) + " input " + DescribeTensor(tensor) +
                             " is a constant");
      }
      if (writer[index] == -2) {
        return Status::Error("subgraph " + std::to_string(s) + " lists input " +
                             DescribeTensor(tensor) + " twice");
      }
      writer[index] = -2;
    }
    auto available = [&](int index) {
      return subgraph.tensors[index].is_constant() || writer[index] != -1;
    };
    for (int i = 0; i < static_cast<int>(subgraph.operators.size()); ++i) {
      const OperatorSpec& op = subgraph.operators[i];
      const std::string context = tflite::BuiltinOperatorName(static_cast<int32_t>(op.code)) +
                                  " in " + OperatorLocation(s, i);
      for (int index : op.inputs) {
        if (index >= 0 && !available(index)) {
          return Status::Error(context + " reads tensor " + std::to_string(index) + " " +
                               DescribeTensor(subgraph.tensors[index]) +
                               " before any operator writes it");
        }
      }
      for (int index : op.outputs) {
        const TensorSpec& tensor = subgraph.tensors[index];
        if (tensor.is_constant()) {
          return Status::Error(context + " writes constant tensor " + std::to_string(index) + " " +
                               DescribeTensor(tensor));
        }
        if (writer[index] == -2) {
          return Status::Error(context + " writes subgraph input " + DescribeTensor(tensor));
        }
        if (writer[index] >= 0) {
          return Status::Error(context + " writes tensor " + std::to_string(index) + " " +
                               DescribeTensor(tensor) + ", already written by operator " +
                               std::to_string(writer[index]));
        }
        writer[index] = i;
      }
    }
    for (int index : subgraph.outputs) {
      if (!available(index)) {
        return Status::Error("subgraph " + std::to_string(s) + " output " +
                             DescribeTensor(subgraph.tensors[index]) + " is never written");
      }
    }
    return Status::Ok();
  }

  Status ParseSignatures(const FlatbufferTable& root) {
    auto signatures = root.Vector(tflite::model_field::kSignatureDefs, 4);
    if (!signatures.ok()) return signatures.status().WithContext("signature defs");
    if (!signatures->has_value() || (*signatures)->size() == 0) {
      // No SignatureDefs: subgraph 0 runs under its tensors' own names.
      SignatureSpec signature;
      const SubgraphSpec& subgraph = model_->subgraphs_[0];
      for (int index : subgraph.inputs) {
        signature.inputs.push_back({subgraph.tensors[index].name, index});
      }
      for (int index : subgraph.outputs) {
        signature.outputs.push_back({subgraph.tensors[index].name, index});
      }
      model_->signatures_.push_back(std::move(signature));
      return Status::Ok();
    }
    model_->has_signature_defs_ = true;
    std::set<std::string> keys;
    for (uint32_t g = 0; g < (*signatures)->size(); ++g) {
      const std::string context = "signature " + std::to_string(g);
      auto table = (*signatures)->TableAt(g);
      if (!table.ok()) return table.status().WithContext(context);
      SignatureSpec signature;
      auto key = table->String(tflite::signature_def_field::kSignatureKey);
      if (!key.ok()) return key.status().WithContext(context);
      if (key->has_value()) signature.key = std::string(**key);
      if (!keys.insert(signature.key).second) {
        return Status::Error("signature key '" + signature.key + "' appears twice");
      }
      auto subgraph_index = table->Scalar<uint32_t>(tflite::signature_def_field::kSubgraphIndex, 0);
      if (!subgraph_index.ok()) return subgraph_index.status().WithContext(context);
      if (*subgraph_index >= model_->subgraphs_.size()) {
        return Status::Error("signature '" + signature.key + "' names subgraph " +
                             std::to_string(*subgraph_index) + " but the model has " +
                             std::to_string(model_->subgraphs_.size()));
      }
      signature.subgraph_index = static_cast<int32_t>(*subgraph_index);
      const SubgraphSpec& subgraph = model_->subgraphs_[signature.subgraph_index];
      for (int direction = 0; direction < 2; ++direction) {
        const bool is_input = direction == 0;
        const std::string what = is_input ? "input" : "output";
        auto maps = table->Vector(
            is_input ? tflite::signature_def_field::kInputs : tflite::signature_def_field::kOutputs,
            4);
        if (!maps.ok()) return maps.status().WithContext("signature '" + signature.key + "'");
        if (!maps->has_value()) continue;
        for (uint32_t m = 0; m < (*maps)->size(); ++m) {
          auto map = (*maps)->TableAt(m);
          if (!map.ok()) return map.status().WithContext("signature '" + signature.key + "'");
          auto name = map->String(tflite::tensor_map_field::kName);
          if (!name.ok()) return name.status().WithContext("signature '" + signature.key + "'");
          auto index = map->Scalar<uint32_t>(tflite::tensor_map_field::kTensorIndex, 0);
          if (!index.ok()) return index.status().WithContext("signature '" + signature.key + "'");
          SignatureTensor entry;
          if (name->has_value()) entry.name = std::string(**name);
          if (*index >= subgraph.tensors.size()) {
            return Status::Error("signature '" + signature.key + "' " + what + " '" + entry.name +
                                 "' names tensor " + std::to_string(*index) + " but subgraph " +
                                 std::to_string(signature.subgraph_index) + " has " +
                                 std::to_string(subgraph.tensors.size()));
          }
          entry.tensor_index = static_cast<int32_t>(*index);
          const TensorSpec& tensor = subgraph.tensors[entry.tensor_index];
          if (tensor.type == TensorType::kResource) {
            return Status::Error("signature '" + signature.key + "' " + what + " '" + entry.name +
                                 "' is a resource tensor");
          }
          if (is_input) {
            bool is_subgraph_input = false;
            for (int input : subgraph.inputs) is_subgraph_input |= input == entry.tensor_index;
            if (!is_subgraph_input) {
              return Status::Error("signature '" + signature.key + "' input '" + entry.name +
                                   "' is tensor " + std::to_string(entry.tensor_index) +
                                   ", which is not an input of subgraph " +
                                   std::to_string(signature.subgraph_index));
            }
            signature.inputs.push_back(std::move(entry));
          } else {
            bool available = tensor.is_constant();
            for (int input : subgraph.inputs) available |= input == entry.tensor_index;
            for (const OperatorSpec& op : subgraph.operators) {
              for (int output : op.outputs) available |= output == entry.tensor_index;
            }
            if (!available) {
              return Status::Error("signature '" + signature.key + "' output '" + entry.name +
                                   "' is tensor " + std::to_string(entry.tensor_index) +
                                   ", which is never written");
            }
            signature.outputs.push_back(std::move(entry));
          }
        }
      }
      model_->signatures_.push_back(std::move(signature));
    }
    return Status::Ok();
  }

  // CALL_ONCE may not lead back to a subgraph that is already running.
  Status ValidateCallGraph() {
    const int count = static_cast<int>(model_->subgraphs_.size());
    std::vector<std::vector<int>> calls(count);
    for (int s = 0; s < count; ++s) {
      for (const OperatorSpec& op : model_->subgraphs_[s].operators) {
        if (op.code != BuiltinOperator::kCallOnce) continue;
        int target = op.options.init_subgraph_index;
        if (target < 0 || target >= count) continue;  // PrepareCallOnce reports it
        calls[s].push_back(target);
      }
    }
    // Iterative depth-first search; 1 = on the current path, 2 = done.
    std::vector<int> state(count, 0);
    std::vector<size_t> depth(count, 0);
    for (int start = 0; start < count; ++start) {
      if (state[start] != 0) continue;
      std::vector<std::pair<int, size_t>> stack{{start, 0}};
      state[start] = 1;
      while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next < calls[node].size()) {
          int target = calls[node][next++];
          if (state[target] == 1) {
            return Status::Error("CALL_ONCE in subgraph " + std::to_string(node) +
                                 " leads back to subgraph " + std::to_string(target));
          }
          if (state[target] == 0) {
            state[target] = 1;
            stack.push_back({target, 0});
          }
        } else {
          // Each level of CALL_ONCE nesting is a level of recursion when it runs.
          size_t height = 1;
          for (int target : calls[node]) height = std::max(height, depth[target] + 1);
          if (height > kMaxCallDepth) {
            return Status::Error("CALL_ONCE nesting deeper than " + std::to_string(kMaxCallDepth) +
                                 " subgraphs");
          }
          depth[node] = height;
          state[node] = 2;
          stack.pop_back();
        }
      }
    }
    return Status::Ok();
  }

  // Constant data for buffer `index`, realigned when the file placed it off its element size.
  const uint8_t* AlignedData(uint32_t index, size_t alignment) {
    const RawBuffer& buffer = buffers_[index];
    if (alignment <= 1 || reinterpret_cast<uintptr_t>(buffer.data) % alignment == 0) {
      return buffer.data;
    }
    auto it = realigned_.find(index);
    if (it != realigned_.end()) return it->second;
    model_->realigned_buffers_.emplace_back(buffer.data, buffer.data + buffer.size);
    const uint8_t* copy = model_->realigned_buffers_.back().data();
    realigned_[index] = copy;
    return copy;
  }

  Model* model_;
  FlatbufferView view_;
  std::vector<RawBuffer> buffers_;
  std::vector<OperatorCode> operator_codes_;
  std::map<uint32_t, const uint8_t*> realigned_;
};

StatusOr<std::shared_ptr<const Model>> Model::Create(std::vector<uint8_t> bytes) {
  std::shared_ptr<Model> model(new Model());
  model->bytes_ = std::move(bytes);
  ModelParser parser(model.get());
  AURALINK_RETURN_IF_ERROR(parser.Parse());
  return std::shared_ptr<const Model>(std::move(model));
}

StatusOr<std::shared_ptr<const Model>> Model::Load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::Error("cannot open model file '" + path + "'");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                             std::istreambuf_iterator<char>());
  if (file.bad()) return Status::Error("cannot read model file '" + path + "'");
  auto model = Create(std::move(bytes));
  if (!model.ok()) return model.status().WithContext(path);
  return model;
}

std::vector<std::string> Model::signature_keys() const {
  std::vector<std::string> keys;
  if (!has_signature_defs_) return keys;
  for (const SignatureSpec& signature : signatures_) keys.push_back(signature.key);
  return keys;
}

const SignatureSpec* Model::FindSignature(std::string_view key) const {
  if (!has_signature_defs_) return key.empty() ? &signatures_[0] : nullptr;
  if (key.empty()) {
    if (signatures_.size() == 1) return &signatures_[0];
    key = "serving_default";
  }
  for (const SignatureSpec& signature : signatures_) {
    if (signature.key == key) return &signature;
  }
  return nullptr;
}

}  // namespace auralink::nn
