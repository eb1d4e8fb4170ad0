#include "nn/kernel.h"

namespace auralink::nn {

std::string_view TensorTypeName(TensorType type) {
  switch (type) {
    case TensorType::kFloat32:
      return "FLOAT32";
    case TensorType::kInt32:
      return "INT32";
    case TensorType::kInt8:
      return "INT8";
    case TensorType::kUInt8:
      return "UINT8";
    case TensorType::kInt64:
      return "INT64";
    case TensorType::kBool:
      return "BOOL";
    case TensorType::kInt16:
      return "INT16";
    case TensorType::kResource:
      return "RESOURCE";
  }
  return "UNKNOWN";
}

std::string ShapeToString(const std::vector<int32_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ",";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

std::string DescribeTensor(const TensorSpec& tensor) {
  return "'" + tensor.name + "' " + ShapeToString(tensor.shape) + " " +
         std::string(TensorTypeName(tensor.type));
}

Status OperatorContext::Error(const std::string& message) const {
  return Status::Error(tflite::BuiltinOperatorName(static_cast<int32_t>(op_.code)) + " in " +
                       OperatorLocation(subgraph_index_, operator_index_) + ": " + message);
}

Status OperatorContext::ExpectInputCount(int min_count, int max_count) const {
  if (input_count() < min_count || input_count() > max_count) {
    std::string expected = std::to_string(min_count);
    if (max_count != min_count) expected += " to " + std::to_string(max_count);
    return Error("has " + std::to_string(input_count()) + " inputs, expected " + expected);
  }
  return Status::Ok();
}

Status OperatorContext::ExpectOutputCount(int count) const {
  if (output_count() != count) {
    return Error("has " + std::to_string(output_count()) + " outputs, expected " +
                 std::to_string(count));
  }
  return Status::Ok();
}

Status OperatorContext::ExpectInput(int i) const {
  if (input(i) == nullptr) return Error("input " + std::to_string(i) + " is missing");
  return Status::Ok();
}

Status OperatorContext::ExpectType(const TensorSpec& tensor, TensorType type,
                                   const char* role) const {
  if (tensor.type != type) {
    return Error(std::string(role) + " " + DescribeTensor(tensor) + " must be " +
                 std::string(TensorTypeName(type)));
  }
  return Status::Ok();
}

Status OperatorContext::ExpectSameShape(const TensorSpec& a, const TensorSpec& b,
                                        const char* what) const {
  if (a.shape != b.shape) {
    return Error(std::string(what) + ": " + DescribeTensor(a) + " and " + DescribeTensor(b) +
                 " differ in shape");
  }
  return Status::Ok();
}

Status OperatorContext::ExpectPerTensorQuantization(const TensorSpec& tensor,
                                                    const char* role) const {
  if (tensor.quantization.scales.size() != 1) {
    return Error(std::string(role) + " " + DescribeTensor(tensor) + " needs one scale and zero " +
                 "point, has " + std::to_string(tensor.quantization.scales.size()));
  }
  return Status::Ok();
}

Status OperatorContext::ExpectConstant(const TensorSpec& tensor, const char* role) const {
  if (!tensor.is_constant()) {
    return Error(std::string(role) + " " + DescribeTensor(tensor) + " must be a constant");
  }
  return Status::Ok();
}

}  // namespace auralink::nn
