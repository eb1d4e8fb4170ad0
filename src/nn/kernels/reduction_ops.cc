// SUM, ARG_MIN and ARG_MAX. Float sums over trailing axes use a fixed 16-lane association
// (nn/kernels/vector_math.h) that every ISA path reproduces exactly, so the quantizer's nearest-
// codeword search (SQUARED_DIFFERENCE -> SUM -> ARG_MIN) picks the same entry on every path.
// ARG_MIN/ARG_MAX return the first index of the extreme value, as TFLite's ArgMinMax does.

#include <algorithm>
#include <set>

#include "nn/kernels/prepare_functions.h"
#include "nn/kernels/tensor_layout.h"
#include "nn/kernels/vector_math.h"

namespace auralink::nn {
namespace {

Status ReadAxes(const OperatorContext& context, const TensorSpec& axis_tensor, int rank,
                std::vector<int>* axes) {
  AURALINK_RETURN_IF_ERROR(context.ExpectConstant(axis_tensor, "axis"));
  if (axis_tensor.rank() > 1 ||
      (axis_tensor.type != TensorType::kInt32 && axis_tensor.type != TensorType::kInt64)) {
    return context.Error("axis " + DescribeTensor(axis_tensor) + " must be a 1-D INT32 tensor");
  }
  std::set<int> unique;
  for (int64_t i = 0; i < axis_tensor.element_count; ++i) {
    const int64_t value = axis_tensor.type == TensorType::kInt32
                              ? reinterpret_cast<const int32_t*>(axis_tensor.constant_data)[i]
                              : reinterpret_cast<const int64_t*>(axis_tensor.constant_data)[i];
    const int axis = NormalizeAxis(value, rank);
    if (axis < 0) return context.Error("axis " + std::to_string(value) + " outside the input");
    unique.insert(axis);
  }
  axes->assign(unique.begin(), unique.end());
  return Status::Ok();
}

// Sum over the trailing `count` elements of each of `rows` rows.
class FloatRowSumKernel final : public Kernel {
 public:
  FloatRowSumKernel(const float* in, float* out, int64_t rows, int64_t count, CpuIsa isa)
      : in_(in), out_(out), rows_(rows), count_(count), sum_rows_(LaneSumRowsFunction(isa)) {
    work = static_cast<uint64_t>(rows * count);
  }
  Status Run() override {
    sum_rows_(in_, rows_, count_, out_);
    return Status::Ok();
  }

 private:
  const float* in_;
  float* out_;
  int64_t rows_;
  int64_t count_;
  LaneSumRows sum_rows_;
};

// Any set of axes: walks the input in memory order adding into the output element each input
// element maps to (TFLite's reference ReduceGeneric order).
template <typename T>
class GeneralSumKernel final : public Kernel {
 public:
  GeneralSumKernel(const T* in, T* out, std::vector<int32_t> in_shape,
                   std::vector<int64_t> out_strides_per_input_axis, int64_t out_count)
      : in_(in),
        out_(out),
        in_shape_(std::move(in_shape)),
        out_strides_(std::move(out_strides_per_input_axis)),
        out_count_(out_count) {
    work = 1;
    for (int32_t d : in_shape_) work *= static_cast<uint64_t>(d);
  }

  Status Run() override {
    std::fill(out_, out_ + out_count_, T{0});
    const int rank = static_cast<int>(in_shape_.size());
    std::array<int64_t, kMaxKernelRank> index{};
    int64_t in_offset = 0;
    while (true) {
      int64_t out_offset = 0;
      for (int d = 0; d < rank; ++d) out_offset += index[d] * out_strides_[d];
      if constexpr (std::is_same_v<T, int32_t>) {
        out_[out_offset] = static_cast<int32_t>(static_cast<uint32_t>(out_[out_offset]) +
                                                static_cast<uint32_t>(in_[in_offset]));
      } else {
        out_[out_offset] += in_[in_offset];
      }
      ++in_offset;
      int d = rank - 1;
      while (d >= 0 && ++index[d] == in_shape_[d]) {
        index[d] = 0;
        --d;
      }
      if (d < 0) return Status::Ok();
    }
  }

 private:
  const T* in_;
  T* out_;
  std::vector<int32_t> in_shape_;
  std::vector<int64_t> out_strides_;
  int64_t out_count_;
};

template <typename T, typename Compare>
class ArgExtremeKernel final : public Kernel {
 public:
  ArgExtremeKernel(const T* in, void* out, bool out_is_int64, int64_t outer, int64_t axis_size,
                   int64_t inner)
      : in_(in),
        out_(out),
        out_is_int64_(out_is_int64),
        outer_(outer),
        axis_size_(axis_size),
        inner_(inner) {
    work = static_cast<uint64_t>(outer * axis_size * inner);
  }

  Status Run() override {
    Compare better;
    for (int64_t o = 0; o < outer_; ++o) {
      for (int64_t i = 0; i < inner_; ++i) {
        const T* column = in_ + o * axis_size_ * inner_ + i;
        T best = column[0];
        int64_t best_index = 0;
        for (int64_t a = 1; a < axis_size_; ++a) {
          const T value = column[a * inner_];
          if (better(value, best)) {
            best = value;
            best_index = a;
          }
        }
        const int64_t slot = o * inner_ + i;
        if (out_is_int64_) {
          static_cast<int64_t*>(out_)[slot] = best_index;
        } else {
          static_cast<int32_t*>(out_)[slot] = static_cast<int32_t>(best_index);
        }
      }
    }
    return Status::Ok();
  }

 private:
  const T* in_;
  void* out_;
  bool out_is_int64_;
  int64_t outer_;
  int64_t axis_size_;
  int64_t inner_;
};

template <template <typename> class Compare>
PreparedKernel PrepareArgExtreme(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(2, 2));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(0));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(1));
  const TensorSpec& in = *context.input(0);
  const TensorSpec& out = *context.output(0);
  std::vector<int> axes;
  AURALINK_RETURN_IF_ERROR(ReadAxes(context, *context.input(1), in.rank(), &axes));
  if (axes.size() != 1 || context.input(1)->element_count != 1) {
    return context.Error("axis must hold one value");
  }
  const int axis = axes[0];
  if (out.type != TensorType::kInt32 && out.type != TensorType::kInt64) {
    return context.Error("output " + DescribeTensor(out) + " must be INT32 or INT64");
  }
  std::vector<int32_t> expected = in.shape;
  expected.erase(expected.begin() + axis);
  if (out.shape != expected) {
    return context.Error("output " + DescribeTensor(out) + " should have shape " +
                         ShapeToString(expected));
  }
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= in.shape[d];
  int64_t inner = 1;
  for (int d = axis + 1; d < in.rank(); ++d) inner *= in.shape[d];
  const int64_t axis_size = in.shape[axis];
  const bool out_is_int64 = out.type == TensorType::kInt64;
  auto make = [&](auto tag) -> PreparedKernel {
    using T = decltype(tag);
    return MakeKernel<ArgExtremeKernel<T, Compare<T>>>(
        context, context.resources() ? static_cast<const T*>(context.input_data(0)) : nullptr,
        context.resources() ? context.output_data(0) : nullptr, out_is_int64, outer, axis_size,
        inner);
  };
  switch (in.type) {
    case TensorType::kFloat32:
      return make(float{});
    case TensorType::kInt32:
      return make(int32_t{});
    case TensorType::kInt64:
      return make(int64_t{});
    case TensorType::kInt8:
      return make(int8_t{});
    case TensorType::kUInt8:
      return make(uint8_t{});
    default:
      return context.Error("unsupported input type " + std::string(TensorTypeName(in.type)));
  }
}

}  // namespace

PreparedKernel PrepareSum(const OperatorContext& context) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(2, 2));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(0));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(1));
  const TensorSpec& in = *context.input(0);
  const TensorSpec& out = *context.output(0);
  if (in.type != out.type || (in.type != TensorType::kFloat32 && in.type != TensorType::kInt32)) {
    return context.Error("input " + DescribeTensor(in) + " and output " + DescribeTensor(out) +
                         " must both be FLOAT32 or INT32");
  }
  std::vector<int> axes;
  AURALINK_RETURN_IF_ERROR(ReadAxes(context, *context.input(1), in.rank(), &axes));
  std::vector<bool> reduced(in.rank(), false);
  for (int axis : axes) reduced[axis] = true;
  std::vector<int32_t> expected;
  for (int d = 0; d < in.rank(); ++d) {
    if (!reduced[d]) {
      expected.push_back(in.shape[d]);
    } else if (context.options().keep_dims) {
      expected.push_back(1);
    }
  }
  if (out.shape != expected) {
    return context.Error("output " + DescribeTensor(out) + " should have shape " +
                         ShapeToString(expected));
  }
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  // Reduced axes (ignoring unit ones) forming a trailing block: one contiguous run per output.
  bool trailing = true;
  bool seen_kept = false;
  for (int d = in.rank() - 1; d >= 0; --d) {
    if (in.shape[d] == 1) continue;
    if (!reduced[d]) {
      seen_kept = true;
    } else if (seen_kept) {
      trailing = false;
    }
  }
  if (trailing && in.type == TensorType::kFloat32) {
    const int64_t rows = out.element_count;
    return std::unique_ptr<Kernel>(
        std::make_unique<FloatRowSumKernel>(static_cast<const float*>(context.input_data(0)),
                                            static_cast<float*>(context.output_data(0)), rows,
                                            in.element_count / rows, context.resources()->isa()));
  }
  // Output stride of each input axis (0 for reduced axes).
  std::vector<int64_t> out_strides(in.rank(), 0);
  int64_t stride = 1;
  for (int d = in.rank() - 1; d >= 0; --d) {
    if (!reduced[d]) {
      out_strides[d] = stride;
      stride *= in.shape[d];
    }
  }
  if (in.type == TensorType::kFloat32) {
    return std::unique_ptr<Kernel>(std::make_unique<GeneralSumKernel<float>>(
        static_cast<const float*>(context.input_data(0)),
        static_cast<float*>(context.output_data(0)), in.shape, out_strides, out.element_count));
  }
  return std::unique_ptr<Kernel>(std::make_unique<GeneralSumKernel<int32_t>>(
      static_cast<const int32_t*>(context.input_data(0)),
      static_cast<int32_t*>(context.output_data(0)), in.shape, out_strides, out.element_count));
}

PreparedKernel PrepareArgMin(const OperatorContext& context) {
  return PrepareArgExtreme<std::less>(context);
}

PreparedKernel PrepareArgMax(const OperatorContext& context) {
  return PrepareArgExtreme<std::greater>(context);
}

}  // namespace auralink::nn
