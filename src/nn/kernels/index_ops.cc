// Operators driven by index values computed at run time: GATHER and ONE_HOT. Indices come from
// the graph's inputs, so they are checked on every run; a bad index fails Invoke instead of reading
// out of bounds (TFLite's GATHER also fails; its ONE_HOT writes the off value, as here).

#include <cstring>

#include "nn/kernels/prepare_functions.h"
#include "nn/kernels/tensor_layout.h"

namespace auralink::nn {
namespace {

int64_t IndexAt(const void* data, TensorType type, int64_t i) {
  if (type == TensorType::kInt64) return static_cast<const int64_t*>(data)[i];
  return static_cast<const int32_t*>(data)[i];
}

class GatherKernel final : public Kernel {
 public:
  GatherKernel(const OperatorContext& context, const uint8_t* params, const void* indices,
               TensorType index_type, int64_t index_count, int64_t outer, int64_t axis_size,
               size_t inner_bytes, uint8_t* out)
      : error_prefix_(context.Error("").message()),
        params_(params),
        indices_(indices),
        index_type_(index_type),
        index_count_(index_count),
        outer_(outer),
        axis_size_(axis_size),
        inner_bytes_(inner_bytes),
        out_(out) {
    work = static_cast<uint64_t>(outer * index_count * static_cast<int64_t>(inner_bytes) / 4 + 1);
  }

  Status Run() override {
    uint8_t* out = out_;
    for (int64_t o = 0; o < outer_; ++o) {
      const uint8_t* block = params_ + o * axis_size_ * static_cast<int64_t>(inner_bytes_);
      for (int64_t i = 0; i < index_count_; ++i) {
        const int64_t index = IndexAt(indices_, index_type_, i);
        if (index < 0 || index >= axis_size_) {
          return Status::Error(error_prefix_ + "index " + std::to_string(index) + " outside [0, " +
                               std::to_string(axis_size_) + ")");
        }
        std::memcpy(out, block + index * static_cast<int64_t>(inner_bytes_), inner_bytes_);
        out += inner_bytes_;
      }
    }
    return Status::Ok();
  }

 private:
  std::string error_prefix_;
  const uint8_t* params_;
  const void* indices_;
  TensorType index_type_;
  int64_t index_count_;
  int64_t outer_;
  int64_t axis_size_;
  size_t inner_bytes_;
  uint8_t* out_;
};

class OneHotKernel final : public Kernel {
 public:
  OneHotKernel(const void* indices, TensorType index_type, int64_t prefix, int64_t depth,
               int64_t suffix, const uint8_t* on, const uint8_t* off, size_t element_size,
               uint8_t* out)
      : indices_(indices),
        index_type_(index_type),
        prefix_(prefix),
        depth_(depth),
        suffix_(suffix),
        on_(on),
        off_(off),
        element_size_(element_size),
        out_(out) {
    work = static_cast<uint64_t>(prefix * depth * suffix);
  }

  Status Run() override {
    if (element_size_ == 4 && index_type_ == TensorType::kInt32) {
      // The common case (float or int32 values, int32 indices) without per-element memcpy.
      uint32_t on = 0;
      uint32_t off = 0;
      std::memcpy(&on, on_, 4);
      std::memcpy(&off, off_, 4);
      const int32_t* indices = static_cast<const int32_t*>(indices_);
      uint32_t* out = reinterpret_cast<uint32_t*>(out_);
      for (int64_t p = 0; p < prefix_; ++p) {
        for (int64_t d = 0; d < depth_; ++d) {
          for (int64_t s = 0; s < suffix_; ++s) {
            *out++ = indices[p * suffix_ + s] == d ? on : off;
          }
        }
      }
      return Status::Ok();
    }
    uint8_t* out = out_;
    for (int64_t p = 0; p < prefix_; ++p) {
      for (int64_t d = 0; d < depth_; ++d) {
        for (int64_t s = 0; s < suffix_; ++s) {
          const bool hot = IndexAt(indices_, index_type_, p * suffix_ + s) == d;
          std::memcpy(out, hot ? on_ : off_, element_size_);
          out += element_size_;
        }
      }
    }
    return Status::Ok();
  }

 private:
  const void* indices_;
  TensorType index_type_;
  int64_t prefix_;
  int64_t depth_;
  int64_t suffix_;
  const uint8_t* on_;
  const uint8_t* off_;
  size_t element_size_;
  uint8_t* out_;
};

bool IsIndexType(TensorType type) {
  return type == TensorType::kInt32 || type == TensorType::kInt64;
}

}  // namespace

PreparedKernel PrepareGather(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(2, 2));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(0));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(1));
  const TensorSpec& params = *context.input(0);
  const TensorSpec& indices = *context.input(1);
  const TensorSpec& out = *context.output(0);
  if (!IsIndexType(indices.type)) {
    return context.Error("indices " + DescribeTensor(indices) + " must be INT32 or INT64");
  }
  if (params.type != out.type || params.type == TensorType::kResource ||
      params.quantization.scales != out.quantization.scales ||
      params.quantization.zero_points != out.quantization.zero_points) {
    return context.Error("params " + DescribeTensor(params) + " and output " + DescribeTensor(out) +
                         " must share type and quantization");
  }
  if (context.options().batch_dims != 0) return context.Error("batch_dims is not supported");
  const int axis = NormalizeAxis(context.options().axis, params.rank());
  if (axis < 0) return context.Error("axis outside params " + DescribeTensor(params));
  std::vector<int32_t> expected(params.shape.begin(), params.shape.begin() + axis);
  expected.insert(expected.end(), indices.shape.begin(), indices.shape.end());
  expected.insert(expected.end(), params.shape.begin() + axis + 1, params.shape.end());
  if (out.shape != expected) {
    return context.Error("output " + DescribeTensor(out) + " should have shape " +
                         ShapeToString(expected));
  }
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= params.shape[d];
  int64_t inner = 1;
  for (int d = axis + 1; d < params.rank(); ++d) inner *= params.shape[d];
  return std::unique_ptr<Kernel>(std::make_unique<GatherKernel>(
      context, static_cast<const uint8_t*>(context.input_data(0)), context.input_data(1),
      indices.type, indices.element_count, outer, params.shape[axis],
      static_cast<size_t>(inner) * ElementSize(params.type),
      static_cast<uint8_t*>(context.output_data(0))));
}

PreparedKernel PrepareOneHot(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(4, 4));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  for (int i = 0; i < 4; ++i) AURALINK_RETURN_IF_ERROR(context.ExpectInput(i));
  const TensorSpec& indices = *context.input(0);
  const TensorSpec& depth = *context.input(1);
  const TensorSpec& on = *context.input(2);
  const TensorSpec& off = *context.input(3);
  const TensorSpec& out = *context.output(0);
  if (!IsIndexType(indices.type)) {
    return context.Error("indices " + DescribeTensor(indices) + " must be INT32 or INT64");
  }
  AURALINK_RETURN_IF_ERROR(context.ExpectConstant(depth, "depth"));
  AURALINK_RETURN_IF_ERROR(context.ExpectType(depth, TensorType::kInt32, "depth"));
  if (depth.element_count != 1) return context.Error("depth must be a scalar");
  const int32_t depth_value = *reinterpret_cast<const int32_t*>(depth.constant_data);
  if (on.element_count != 1 || off.element_count != 1) {
    return context.Error("on and off values must be scalars");
  }
  if (on.type != out.type || off.type != out.type || out.type == TensorType::kResource) {
    return context.Error("on/off values and output " + DescribeTensor(out) +
                         " must share one type");
  }
  const int axis = NormalizeAxis(context.options().axis, indices.rank() + 1);
  if (axis < 0) return context.Error("axis outside output " + DescribeTensor(out));
  std::vector<int32_t> expected = indices.shape;
  expected.insert(expected.begin() + axis, depth_value);
  if (depth_value < 1 || out.shape != expected) {
    return context.Error("output " + DescribeTensor(out) + " should have shape " +
                         ShapeToString(expected));
  }
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  int64_t prefix = 1;
  for (int d = 0; d < axis; ++d) prefix *= indices.shape[d];
  const int64_t suffix = indices.element_count / prefix;
  return std::unique_ptr<Kernel>(std::make_unique<OneHotKernel>(
      context.input_data(0), indices.type, prefix, depth_value, suffix,
      static_cast<const uint8_t*>(context.input_data(2)),
      static_cast<const uint8_t*>(context.input_data(3)), ElementSize(out.type),
      static_cast<uint8_t*>(context.output_data(0))));
}

}  // namespace auralink::nn
