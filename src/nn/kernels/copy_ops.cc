// Operators that only move elements: RESHAPE, CONCATENATION, SPLIT, PACK and STRIDED_SLICE. Each
// becomes a list of strided box copies fixed when the interpreter is created; none looks at
// element values, so one implementation serves every element type.

#include <algorithm>
#include <limits>

#include "nn/kernels/prepare_functions.h"
#include "nn/kernels/strided_copy.h"
#include "nn/kernels/tensor_layout.h"

namespace auralink::nn {
namespace {

struct CopyPiece {
  StridedCopy copy;
  const uint8_t* source = nullptr;
  uint8_t* destination = nullptr;
};

class CopyKernel final : public Kernel {
 public:
  explicit CopyKernel(std::vector<CopyPiece> pieces) : pieces_(std::move(pieces)) {
    for (const CopyPiece& piece : pieces_) work += static_cast<uint64_t>(piece.copy.elements());
  }

  Status Run() override {
    for (const CopyPiece& piece : pieces_) piece.copy.Run(piece.source, piece.destination);
    return Status::Ok();
  }

 private:
  std::vector<CopyPiece> pieces_;
};

std::vector<int64_t> ToInt64(const std::vector<int32_t>& v) { return {v.begin(), v.end()}; }

// Reads a constant int32/int64 1-D (or scalar) tensor.
Status ReadConstantIndices(const OperatorContext& context, const TensorSpec& tensor,
                           const char* role, std::vector<int64_t>* values) {
  AURALINK_RETURN_IF_ERROR(context.ExpectConstant(tensor, role));
  if (tensor.rank() > 1) {
    return context.Error(std::string(role) + " " + DescribeTensor(tensor) + " must be 1-D");
  }
  values->clear();
  if (tensor.type == TensorType::kInt32) {
    const auto* data = reinterpret_cast<const int32_t*>(tensor.constant_data);
    values->assign(data, data + tensor.element_count);
  } else if (tensor.type == TensorType::kInt64) {
    const auto* data = reinterpret_cast<const int64_t*>(tensor.constant_data);
    values->assign(data, data + tensor.element_count);
  } else {
    return context.Error(std::string(role) + " " + DescribeTensor(tensor) + " must be INT32");
  }
  return Status::Ok();
}

Status ExpectSameElementType(const OperatorContext& context, const TensorSpec& a,
                             const TensorSpec& b) {
  if (a.type != b.type || a.quantization.scales != b.quantization.scales ||
      a.quantization.zero_points != b.quantization.zero_points) {
    return context.Error(DescribeTensor(a) + " and " + DescribeTensor(b) +
                         " must share type and quantization");
  }
  if (a.type == TensorType::kResource) return context.Error("cannot copy resource tensors");
  return Status::Ok();
}

PreparedKernel MakeCopyKernel(const OperatorContext& context, std::vector<CopyPiece> pieces) {
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  return std::unique_ptr<Kernel>(std::make_unique<CopyKernel>(std::move(pieces)));
}

}  // namespace

PreparedKernel PrepareReshape(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(1, 2));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(0));
  const TensorSpec& in = *context.input(0);
  const TensorSpec& out = *context.output(0);
  AURALINK_RETURN_IF_ERROR(ExpectSameElementType(context, in, out));
  if (in.element_count != out.element_count) {
    return context.Error("input " + DescribeTensor(in) + " and output " + DescribeTensor(out) +
                         " differ in element count");
  }
  if (const TensorSpec* shape = context.input(1); shape != nullptr && shape->is_constant()) {
    // The requested shape, with at most one -1 inferred, must be the output's.
    std::vector<int64_t> requested;
    AURALINK_RETURN_IF_ERROR(ReadConstantIndices(context, *shape, "shape", &requested));
    int64_t known = 1;
    int inferred = -1;
    for (size_t i = 0; i < requested.size(); ++i) {
      if (requested[i] == -1 && inferred < 0) {
        inferred = static_cast<int>(i);
      } else if (requested[i] <= 0) {
        return context.Error("shape " + DescribeTensor(*shape) + " has an invalid dimension");
      } else {
        known *= requested[i];
        if (known > out.element_count) break;
      }
    }
    if (inferred >= 0 && known > 0 && out.element_count % known == 0) {
      requested[inferred] = out.element_count / known;
    }
    if (requested != ToInt64(out.shape)) {
      return context.Error("shape tensor does not match output " + DescribeTensor(out));
    }
  }
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  void* source = context.input_data(0);
  void* destination = context.output_data(0);
  if (source == destination) return std::unique_ptr<Kernel>();  // the interpreter aliased them
  CopyPiece piece;
  piece.copy = StridedCopy(1, {static_cast<int64_t>(out.byte_size)}, {1}, {1});
  piece.source = static_cast<const uint8_t*>(source);
  piece.destination = static_cast<uint8_t*>(destination);
  return MakeCopyKernel(context, {piece});
}

PreparedKernel PrepareConcatenation(const OperatorContext& context) {
  if (context.input_count() < 1) return context.Error("has no inputs");
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  const TensorSpec& out = *context.output(0);
  if (context.options().activation != tflite::Activation::kNone) {
    return context.Error("fused activations are not supported");
  }
  const int axis = NormalizeAxis(context.options().axis, out.rank());
  if (axis < 0) {
    return context.Error("axis " + std::to_string(context.options().axis) + " outside output " +
                         DescribeTensor(out));
  }
  int64_t axis_total = 0;
  for (int i = 0; i < context.input_count(); ++i) {
    AURALINK_RETURN_IF_ERROR(context.ExpectInput(i));
    const TensorSpec& in = *context.input(i);
    AURALINK_RETURN_IF_ERROR(ExpectSameElementType(context, in, out));
    bool compatible = in.rank() == out.rank();
    for (int d = 0; compatible && d < out.rank(); ++d) {
      compatible = d == axis || in.shape[d] == out.shape[d];
    }
    if (!compatible) {
      return context.Error("input " + DescribeTensor(in) + " does not fit output " +
                           DescribeTensor(out) + " along axis " + std::to_string(axis));
    }
    axis_total += in.shape[axis];
  }
  if (axis_total != out.shape[axis]) {
    return context.Error("inputs add up to " + std::to_string(axis_total) + " along axis " +
                         std::to_string(axis) + " but output " + DescribeTensor(out) + " has " +
                         std::to_string(out.shape[axis]));
  }
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  const size_t element_size = ElementSize(out.type);
  const std::vector<int64_t> out_strides = ElementStrides(out.shape);
  std::vector<CopyPiece> pieces;
  int64_t axis_offset = 0;
  for (int i = 0; i < context.input_count(); ++i) {
    const TensorSpec& in = *context.input(i);
    CopyPiece piece;
    piece.copy =
        StridedCopy(element_size, ToInt64(in.shape), ElementStrides(in.shape), out_strides);
    piece.source = static_cast<const uint8_t*>(context.input_data(i));
    piece.destination = static_cast<uint8_t*>(context.output_data(0)) +
                        axis_offset * out_strides[axis] * static_cast<int64_t>(element_size);
    pieces.push_back(piece);
    axis_offset += in.shape[axis];
  }
  return MakeCopyKernel(context, std::move(pieces));
}

PreparedKernel PrepareSplit(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(2, 2));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(0));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(1));
  const TensorSpec& axis_tensor = *context.input(0);
  const TensorSpec& in = *context.input(1);
  std::vector<int64_t> axis_values;
  AURALINK_RETURN_IF_ERROR(ReadConstantIndices(context, axis_tensor, "axis", &axis_values));
  if (axis_values.size() != 1) return context.Error("axis must hold one value");
  const int axis = NormalizeAxis(axis_values[0], in.rank());
  if (axis < 0) return context.Error("axis outside input " + DescribeTensor(in));
  const int splits = context.options().num_splits;
  if (splits < 1 || splits != context.output_count()) {
    return context.Error("num_splits " + std::to_string(splits) + " but " +
                         std::to_string(context.output_count()) + " outputs");
  }
  if (in.shape[axis] % splits != 0) {
    return context.Error("input " + DescribeTensor(in) + " does not split evenly into " +
                         std::to_string(splits));
  }
  std::vector<int32_t> piece_shape = in.shape;
  piece_shape[axis] = in.shape[axis] / splits;
  for (int k = 0; k < splits; ++k) {
    const TensorSpec& out = *context.output(k);
    AURALINK_RETURN_IF_ERROR(ExpectSameElementType(context, in, out));
    if (out.shape != piece_shape) {
      return context.Error("output " + DescribeTensor(out) + " should have shape " +
                           ShapeToString(piece_shape));
    }
  }
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  const size_t element_size = ElementSize(in.type);
  const std::vector<int64_t> in_strides = ElementStrides(in.shape);
  std::vector<CopyPiece> pieces;
  for (int k = 0; k < splits; ++k) {
    CopyPiece piece;
    piece.copy =
        StridedCopy(element_size, ToInt64(piece_shape), in_strides, ElementStrides(piece_shape));
    piece.source = static_cast<const uint8_t*>(context.input_data(1)) +
                   k * piece_shape[axis] * in_strides[axis] * static_cast<int64_t>(element_size);
    piece.destination = static_cast<uint8_t*>(context.output_data(k));
    pieces.push_back(piece);
  }
  return MakeCopyKernel(context, std::move(pieces));
}

PreparedKernel PreparePack(const OperatorContext& context) {
  if (context.input_count() < 1) return context.Error("has no inputs");
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  const int count = context.input_count();
  if (context.options().values_count != 0 && context.options().values_count != count) {
    return context.Error("values_count " + std::to_string(context.options().values_count) +
                         " but " + std::to_string(count) + " inputs");
  }
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(0));
  const TensorSpec& first = *context.input(0);
  const TensorSpec& out = *context.output(0);
  const int axis = NormalizeAxis(context.options().axis, first.rank() + 1);
  if (axis < 0) return context.Error("axis outside output " + DescribeTensor(out));
  std::vector<int32_t> expected = first.shape;
  expected.insert(expected.begin() + axis, count);
  if (out.shape != expected) {
    return context.Error("output " + DescribeTensor(out) + " should have shape " +
                         ShapeToString(expected));
  }
  for (int i = 0; i < count; ++i) {
    AURALINK_RETURN_IF_ERROR(context.ExpectInput(i));
    const TensorSpec& in = *context.input(i);
    AURALINK_RETURN_IF_ERROR(ExpectSameElementType(context, in, out));
    AURALINK_RETURN_IF_ERROR(context.ExpectSameShape(first, in, "inputs"));
  }
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  const size_t element_size = ElementSize(out.type);
  const std::vector<int64_t> out_strides = ElementStrides(out.shape);
  std::vector<int64_t> destination_strides = out_strides;
  destination_strides.erase(destination_strides.begin() + axis);
  std::vector<CopyPiece> pieces;
  for (int i = 0; i < count; ++i) {
    CopyPiece piece;
    piece.copy = StridedCopy(element_size, ToInt64(first.shape), ElementStrides(first.shape),
                             destination_strides);
    piece.source = static_cast<const uint8_t*>(context.input_data(i));
    piece.destination = static_cast<uint8_t*>(context.output_data(0)) +
                        i * out_strides[axis] * static_cast<int64_t>(element_size);
    pieces.push_back(piece);
  }
  return MakeCopyKernel(context, std::move(pieces));
}

PreparedKernel PrepareStridedSlice(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(4, 4));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  for (int i = 0; i < 4; ++i) AURALINK_RETURN_IF_ERROR(context.ExpectInput(i));
  const TensorSpec& in = *context.input(0);
  const TensorSpec& out = *context.output(0);
  AURALINK_RETURN_IF_ERROR(ExpectSameElementType(context, in, out));
  const OperatorOptions& options = context.options();
  if (options.ellipsis_mask != 0) return context.Error("ellipsis_mask is not supported");
  if (options.new_axis_mask != 0) return context.Error("new_axis_mask is not supported");
  std::vector<int64_t> begin;
  std::vector<int64_t> end;
  std::vector<int64_t> strides;
  AURALINK_RETURN_IF_ERROR(ReadConstantIndices(context, *context.input(1), "begin", &begin));
  AURALINK_RETURN_IF_ERROR(ReadConstantIndices(context, *context.input(2), "end", &end));
  AURALINK_RETURN_IF_ERROR(ReadConstantIndices(context, *context.input(3), "strides", &strides));
  const int rank = in.rank();
  if (begin.size() != end.size() || begin.size() != strides.size() ||
      static_cast<int>(begin.size()) > rank) {
    return context.Error("begin, end and strides must have one entry per sliced dimension");
  }
  for (const std::vector<int64_t>* values : {&begin, &end, &strides}) {
    for (int64_t v : *values) {
      if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
        return context.Error("slice index " + std::to_string(v) + " outside the int32 range");
      }
    }
  }
  int begin_mask = options.begin_mask;
  int end_mask = options.end_mask;
  // Dimensions past the given indices are taken whole (TFLite's StridedSlicePadIndices).
  for (int axis = static_cast<int>(begin.size()); axis < rank; ++axis) {
    begin.push_back(0);
    end.push_back(0);
    strides.push_back(1);
    begin_mask |= 1 << axis;
    end_mask |= 1 << axis;
  }
  std::vector<int64_t> counts(rank);
  std::vector<int64_t> starts(rank);
  std::vector<int32_t> expected;
  for (int axis = 0; axis < rank; ++axis) {
    const int64_t size = in.shape[axis];
    const int64_t stride = strides[axis];
    if (stride == 0) return context.Error("stride 0 on axis " + std::to_string(axis));
    // TFLite's StartForAxis / StopForAxis: masks, negative indices, clamping per direction.
    int64_t start = begin[axis];
    if (begin_mask & (1 << axis)) {
      start =
          stride > 0 ? std::numeric_limits<int32_t>::lowest() : std::numeric_limits<int32_t>::max();
    }
    if (start < 0) start += size;
    start =
        stride > 0 ? std::clamp<int64_t>(start, 0, size) : std::clamp<int64_t>(start, -1, size - 1);
    const bool shrink = options.shrink_axis_mask & (1 << axis);
    int64_t stop = end[axis];
    if (options.offset) stop = begin[axis] + end[axis];
    if (shrink) {
      stop = start + 1;
    } else {
      if (end_mask & (1 << axis)) {
        stop = stride > 0 ? std::numeric_limits<int32_t>::max()
                          : std::numeric_limits<int32_t>::lowest();
      }
      if (stop < 0) stop += size;
      stop =
          stride > 0 ? std::clamp<int64_t>(stop, 0, size) : std::clamp<int64_t>(stop, -1, size - 1);
    }
    int64_t count = 0;
    if (stride > 0 && stop > start) count = (stop - start + stride - 1) / stride;
    if (stride < 0 && stop < start) count = (start - stop + (-stride) - 1) / (-stride);
    if (shrink && (count != 1 || start < 0 || start >= size)) {
      return context.Error("shrunk axis " + std::to_string(axis) + " index outside input " +
                           DescribeTensor(in));
    }
    if (count == 0) return context.Error("empty slice along axis " + std::to_string(axis));
    counts[axis] = count;
    starts[axis] = start;
    if (!shrink) expected.push_back(static_cast<int32_t>(count));
  }
  if (out.shape != expected) {
    return context.Error("output " + DescribeTensor(out) + " should have shape " +
                         ShapeToString(expected));
  }
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  const size_t element_size = ElementSize(in.type);
  const std::vector<int64_t> in_strides = ElementStrides(in.shape);
  std::vector<int64_t> source_strides(rank);
  int64_t source_offset = 0;
  for (int axis = 0; axis < rank; ++axis) {
    source_strides[axis] = in_strides[axis] * strides[axis];
    source_offset += starts[axis] * in_strides[axis];
  }
  std::vector<int32_t> box(counts.begin(), counts.end());
  CopyPiece piece;
  piece.copy = StridedCopy(element_size, counts, source_strides, ElementStrides(box));
  piece.source = static_cast<const uint8_t*>(context.input_data(0)) +
                 source_offset * static_cast<int64_t>(element_size);
  piece.destination = static_cast<uint8_t*>(context.output_data(0));
  return MakeCopyKernel(context, {piece});
}

}  // namespace auralink::nn
