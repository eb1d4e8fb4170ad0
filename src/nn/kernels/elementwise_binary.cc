// ADD, SUB, MUL, MAXIMUM, SQUARED_DIFFERENCE, LESS and NOT_EQUAL with NumPy-style broadcasting.
// Float and int32 arithmetic is exact elementwise; int8 ADD/SUB follow TFLite's 8-bit "general
// rescaling" kernel (both inputs moved to a shared scale with 20 bits of headroom, summed, then
// requantised to the output; reference_integer_ops::AddElementwise).

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>

#include "nn/kernels/activation.h"
#include "nn/kernels/fixed_point.h"
#include "nn/kernels/prepare_functions.h"
#include "nn/kernels/tensor_layout.h"
#include "nn/kernels/vector_math.h"

namespace auralink::nn {
namespace {

using tflite::BuiltinOperator;

// Iteration plan for out = f(a, b) where a and b broadcast to out's shape: an outer box walked
// with per-input strides, and a contiguous inner row where each input either advances (stride 1)
// or repeats one element (stride 0).
struct BroadcastPlan {
  int rank = 0;
  std::array<int64_t, kMaxKernelRank> counts{};
  std::array<int64_t, kMaxKernelRank> a_strides{};
  std::array<int64_t, kMaxKernelRank> b_strides{};
  int64_t inner = 1;
  int64_t a_inner_stride = 1;
  int64_t b_inner_stride = 1;
  int64_t total = 1;

  template <typename RowFunction>
  void ForEachRow(RowFunction row) const {
    if (rank == 0) {
      row(int64_t{0}, int64_t{0}, int64_t{0});
      return;
    }
    std::array<int64_t, kMaxKernelRank> index{};
    int64_t out = 0;
    while (true) {
      int64_t a = 0;
      int64_t b = 0;
      for (int i = 0; i < rank; ++i) {
        a += index[i] * a_strides[i];
        b += index[i] * b_strides[i];
      }
      row(a, b, out);
      out += inner;
      int axis = rank - 1;
      while (axis >= 0 && ++index[axis] == counts[axis]) {
        index[axis] = 0;
        --axis;
      }
      if (axis < 0) return;
    }
  }
};

// Checks that a and b broadcast to `out` and builds the plan.
Status MakeBroadcastPlan(const OperatorContext& context, const TensorSpec& a, const TensorSpec& b,
                         const TensorSpec& out, BroadcastPlan* plan) {
  const int rank = out.rank();
  if (a.rank() > rank || b.rank() > rank) {
    return context.Error("inputs " + DescribeTensor(a) + " and " + DescribeTensor(b) +
                         " do not broadcast to output " + DescribeTensor(out));
  }
  std::vector<int64_t> a_dims(rank, 1);
  std::vector<int64_t> b_dims(rank, 1);
  for (int i = 0; i < a.rank(); ++i) a_dims[rank - a.rank() + i] = a.shape[i];
  for (int i = 0; i < b.rank(); ++i) b_dims[rank - b.rank() + i] = b.shape[i];
  for (int i = 0; i < rank; ++i) {
    const int64_t expected = std::max(a_dims[i], b_dims[i]);
    const bool ok = (a_dims[i] == expected || a_dims[i] == 1) &&
                    (b_dims[i] == expected || b_dims[i] == 1) && out.shape[i] == expected;
    if (!ok) {
      return context.Error("inputs " + DescribeTensor(a) + " and " + DescribeTensor(b) +
                           " do not broadcast to output " + DescribeTensor(out));
    }
  }
  // Element strides per dimension (0 where broadcast), then merge dimensions whose strides
  // chain in all three tensors.
  std::vector<int64_t> counts;
  std::vector<int64_t> as;
  std::vector<int64_t> bs;
  int64_t a_stride = 1;
  int64_t b_stride = 1;
  std::vector<int64_t> a_all(rank);
  std::vector<int64_t> b_all(rank);
  for (int i = rank - 1; i >= 0; --i) {
    a_all[i] = a_dims[i] == 1 ? 0 : a_stride;
    b_all[i] = b_dims[i] == 1 ? 0 : b_stride;
    a_stride *= a_dims[i];
    b_stride *= b_dims[i];
  }
  for (int i = 0; i < rank; ++i) {
    if (out.shape[i] == 1) continue;
    counts.push_back(out.shape[i]);
    as.push_back(a_all[i]);
    bs.push_back(b_all[i]);
  }
  for (int i = static_cast<int>(counts.size()) - 2; i >= 0; --i) {
    const bool a_chains = as[i] == as[i + 1] * counts[i + 1];
    const bool b_chains = bs[i] == bs[i + 1] * counts[i + 1];
    if (a_chains && b_chains) {
      counts[i + 1] *= counts[i];
      counts.erase(counts.begin() + i);
      as.erase(as.begin() + i);
      bs.erase(bs.begin() + i);
    }
  }
  plan->total = out.element_count;
  if (counts.empty()) {
    plan->rank = 0;
    plan->inner = 1;
    plan->a_inner_stride = 0;
    plan->b_inner_stride = 0;
    return Status::Ok();
  }
  plan->inner = counts.back();
  plan->a_inner_stride = as.back();
  plan->b_inner_stride = bs.back();
  plan->rank = static_cast<int>(counts.size()) - 1;
  for (int i = 0; i < plan->rank; ++i) {
    plan->counts[i] = counts[i];
    plan->a_strides[i] = as[i];
    plan->b_strides[i] = bs[i];
  }
  return Status::Ok();
}

// Applies `f` over a row, specialised on the input strides so that the common cases vectorise.
template <typename A, typename B, typename O, typename F>
inline void ApplyRow(const A* __restrict a, int64_t a_stride, const B* __restrict b,
                     int64_t b_stride, O* __restrict out, int64_t n, F f) {
  if (a_stride == 1 && b_stride == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
  } else if (a_stride == 0 && b_stride == 1) {
    const A a0 = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(a0, b[i]);
  } else if (a_stride == 1 && b_stride == 0) {
    const B b0 = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b0);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i * a_stride], b[i * b_stride]);
  }
}

template <typename A, typename B, typename O, typename F>
class BinaryKernel final : public Kernel {
 public:
  BinaryKernel(const BroadcastPlan& plan, const void* a, const void* b, void* out, F f)
      : plan_(plan),
        a_(static_cast<const A*>(a)),
        b_(static_cast<const B*>(b)),
        out_(static_cast<O*>(out)),
        f_(f) {
    work = static_cast<uint64_t>(plan.total);
  }

  Status Run() override {
    const int64_t n = plan_.inner;
    const int64_t as = plan_.a_inner_stride;
    const int64_t bs = plan_.b_inner_stride;
    if (plan_.rank == 0) {
      ApplyRow(a_, as, b_, bs, out_, n, f_);
      return Status::Ok();
    }
    plan_.ForEachRow([&](int64_t a, int64_t b, int64_t out) {
      ApplyRow(a_ + a, as, b_ + b, bs, out_ + out, n, f_);
    });
    return Status::Ok();
  }

 private:
  BroadcastPlan plan_;
  const A* a_;
  const B* b_;
  O* out_;
  F f_;
};

template <typename A, typename B, typename O, typename F>
PreparedKernel MakeBinary(const OperatorContext& context, const BroadcastPlan& plan, F f) {
  if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
  return std::unique_ptr<Kernel>(std::make_unique<BinaryKernel<A, B, O, F>>(
      plan, context.input_data(0), context.input_data(1), context.output_data(0), f));
}

// Float arithmetic without a fused activation: rows run through the ISA's vector loops.
class FloatBinaryKernel final : public Kernel {
 public:
  FloatBinaryKernel(const BroadcastPlan& plan, FloatBinaryOp op, const void* a, const void* b,
                    void* out, CpuIsa isa)
      : plan_(plan),
        op_(op),
        a_(static_cast<const float*>(a)),
        b_(static_cast<const float*>(b)),
        out_(static_cast<float*>(out)),
        binary_(ElementwiseFunctionsFor(isa).binary_f32) {
    work = static_cast<uint64_t>(plan.total);
  }

  Status Run() override {
    const int64_t n = plan_.inner;
    const int64_t as = plan_.a_inner_stride;
    const int64_t bs = plan_.b_inner_stride;
    if (plan_.rank == 0) {
      binary_(op_, a_, as, 0, b_, bs, 0, out_, n, 1);
    } else if (plan_.rank == 1) {
      // One call for all rows: the quantizer's [1,64] - [16,64] distances are a single row loop.
      binary_(op_, a_, as, plan_.a_strides[0], b_, bs, plan_.b_strides[0], out_, n,
              plan_.counts[0]);
    } else {
      plan_.ForEachRow([&](int64_t a, int64_t b, int64_t out) {
        binary_(op_, a_ + a, as, 0, b_ + b, bs, 0, out_ + out, n, 1);
      });
    }
    return Status::Ok();
  }

 private:
  BroadcastPlan plan_;
  FloatBinaryOp op_;
  const float* a_;
  const float* b_;
  float* out_;
  decltype(ElementwiseFunctions::binary_f32) binary_;
};

enum class Arithmetic { kAdd, kSub, kMul, kMaximum, kSquaredDifference };

// Wrapping int32 arithmetic (TFLite's int32 kernels overflow silently; signed overflow would be
// undefined here).
inline int32_t WrapAdd(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline int32_t WrapSub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}
inline int32_t WrapMul(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) * static_cast<uint32_t>(b));
}

// TFLite's add.cc / sub.cc 8-bit path ("general rescaling"): both inputs move to twice the larger
// input scale with 20 bits of headroom, are summed, then requantised to the output. The float
// arithmetic mirrors TFLite's (max and product of float scales, quotients in double).
struct TfliteAddParams {
  int32_t a_offset;
  int32_t b_offset;
  int32_t out_offset;
  QuantizedMultiplier a_multiplier;
  QuantizedMultiplier b_multiplier;
  QuantizedMultiplier out_multiplier;
};

// XNNPACK's qs8-vadd: each input scaled straight to the output scale by a multiplier with about 20
// significant bits (the larger one in [2^20, 2^21)), one rounding shift at the end. SUB is an add
// with a negated multiplier.
struct XnnpackAddParams {
  int32_t bias;
  int32_t a_multiplier;
  int32_t b_multiplier;
  int shift;
  int32_t out_zero_point;
};

// XNNPACK's parameters when its delegate would take the operator (each scale ratio within
// [2^-10, 2^8)), else nullopt.
std::optional<XnnpackAddParams> MakeXnnpackAddParams(float a_scale, int32_t a_zero, float b_scale,
                                                     int32_t b_zero, float out_scale,
                                                     int32_t out_zero, bool subtract) {
  const float a_ratio = a_scale / out_scale;
  const float b_ratio = b_scale / out_scale;
  for (float ratio : {a_ratio, b_ratio}) {
    if (!(ratio >= 1.0f / 1024.0f && ratio < 256.0f)) return std::nullopt;
  }
  const float larger = std::max(a_ratio, b_ratio);
  uint32_t bits = 0;
  std::memcpy(&bits, &larger, sizeof(bits));
  const int exponent = static_cast<int>(bits >> 23) - 127;
  const int shift = 20 - exponent;  // in [12, 30] for the accepted ratios
  XnnpackAddParams p;
  p.a_multiplier = static_cast<int32_t>(std::lrint(std::ldexp(a_ratio, shift)));
  p.b_multiplier = static_cast<int32_t>(std::lrint(std::ldexp(b_ratio, shift)));
  if (subtract) p.b_multiplier = -p.b_multiplier;
  p.shift = shift;
  p.bias = (int32_t{1} << (shift - 1)) - p.a_multiplier * a_zero - p.b_multiplier * b_zero;
  p.out_zero_point = out_zero;
  return p;
}

PreparedKernel PrepareInt8AddSub(const OperatorContext& context, const BroadcastPlan& plan,
                                 bool subtract) {
  const TensorSpec& a = *context.input(0);
  const TensorSpec& b = *context.input(1);
  const TensorSpec& out = *context.output(0);
  AURALINK_RETURN_IF_ERROR(context.ExpectPerTensorQuantization(a, "input"));
  AURALINK_RETURN_IF_ERROR(context.ExpectPerTensorQuantization(b, "input"));
  AURALINK_RETURN_IF_ERROR(context.ExpectPerTensorQuantization(out, "output"));
  int32_t low = 0;
  int32_t high = 0;
  AURALINK_RETURN_IF_ERROR(
      QuantizedActivationRange(context, context.options().activation, out, &low, &high));
  const float a_scale = a.quantization.scales[0];
  const float b_scale = b.quantization.scales[0];
  const float out_scale = out.quantization.scales[0];
  const int32_t a_zero = static_cast<int32_t>(a.quantization.zero_points[0]);
  const int32_t b_zero = static_cast<int32_t>(b.quantization.zero_points[0]);
  const int32_t out_zero = static_cast<int32_t>(out.quantization.zero_points[0]);

  if (context.int8_semantics() == Int8Semantics::kXnnpack) {
    if (auto x =
            MakeXnnpackAddParams(a_scale, a_zero, b_scale, b_zero, out_scale, out_zero, subtract)) {
      const XnnpackAddParams p = *x;
      // |sum| < 2^21 * 256 * 2 + bias: int64 keeps it exact whatever the zero points.
      auto f = [p, low, high](int8_t x, int8_t y) -> int8_t {
        const int64_t sum =
            int64_t{p.bias} + int64_t{x} * p.a_multiplier + int64_t{y} * p.b_multiplier;
        const int64_t result = (sum >> p.shift) + p.out_zero_point;
        return static_cast<int8_t>(std::clamp<int64_t>(result, low, high));
      };
      return MakeBinary<int8_t, int8_t, int8_t>(context, plan, f);
    }
  }
  constexpr int kLeftShift = 20;
  const double twice_max_input_scale = 2 * std::max(a_scale, b_scale);
  TfliteAddParams p;
  p.a_multiplier = QuantizeMultiplier(a_scale / twice_max_input_scale);
  p.b_multiplier = QuantizeMultiplier(b_scale / twice_max_input_scale);
  p.out_multiplier = QuantizeMultiplier(twice_max_input_scale / ((1 << kLeftShift) * out_scale));
  if (p.a_multiplier.shift > 0 || p.b_multiplier.shift > 0 || p.out_multiplier.shift > 0) {
    return context.Error("input/output scales need a multiplier above 1");
  }
  p.a_offset = -a_zero;
  p.b_offset = -b_zero;
  p.out_offset = out_zero;
  auto f = [p, low, high, subtract](int8_t x, int8_t y) -> int8_t {
    const int32_t shifted_x = (int32_t{x} + p.a_offset) * (1 << kLeftShift);
    const int32_t shifted_y = (int32_t{y} + p.b_offset) * (1 << kLeftShift);
    const int32_t scaled_x = MultiplyByQuantizedMultiplier(shifted_x, p.a_multiplier);
    const int32_t scaled_y = MultiplyByQuantizedMultiplier(shifted_y, p.b_multiplier);
    const int32_t sum = subtract ? scaled_x - scaled_y : scaled_x + scaled_y;
    const int32_t result = MultiplyByQuantizedMultiplier(sum, p.out_multiplier) + p.out_offset;
    return static_cast<int8_t>(std::clamp(result, low, high));
  };
  return MakeBinary<int8_t, int8_t, int8_t>(context, plan, f);
}

PreparedKernel PrepareArithmetic(const OperatorContext& context, Arithmetic kind) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(2, 2));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(0));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(1));
  const TensorSpec& a = *context.input(0);
  const TensorSpec& b = *context.input(1);
  const TensorSpec& out = *context.output(0);
  if (a.type != b.type || a.type != out.type) {
    return context.Error("inputs " + DescribeTensor(a) + ", " + DescribeTensor(b) + " and output " +
                         DescribeTensor(out) + " must share one type");
  }
  BroadcastPlan plan;
  AURALINK_RETURN_IF_ERROR(MakeBroadcastPlan(context, a, b, out, &plan));
  const bool has_activation =
      kind == Arithmetic::kAdd || kind == Arithmetic::kSub || kind == Arithmetic::kMul;
  const tflite::Activation activation =
      has_activation ? context.options().activation : tflite::Activation::kNone;

  if (a.type == TensorType::kFloat32) {
    float low = 0;
    float high = 0;
    AURALINK_RETURN_IF_ERROR(FloatActivationRange(context, activation, &low, &high));
    const bool clamp = activation != tflite::Activation::kNone;
    if (!clamp) {
      static constexpr FloatBinaryOp kOps[] = {FloatBinaryOp::kAdd, FloatBinaryOp::kSub,
                                               FloatBinaryOp::kMul, FloatBinaryOp::kMaximum,
                                               FloatBinaryOp::kSquaredDifference};
      if (context.resources() == nullptr) return std::unique_ptr<Kernel>();
      return std::unique_ptr<Kernel>(std::make_unique<FloatBinaryKernel>(
          plan, kOps[static_cast<int>(kind)], context.input_data(0), context.input_data(1),
          context.output_data(0), context.resources()->isa()));
    }
    switch (kind) {
      case Arithmetic::kAdd:
        if (!clamp) return MakeBinary<float, float, float>(context, plan, std::plus<float>());
        return MakeBinary<float, float, float>(context, plan, [low, high](float x, float y) {
          return std::min(std::max(x + y, low), high);
        });
      case Arithmetic::kSub:
        if (!clamp) return MakeBinary<float, float, float>(context, plan, std::minus<float>());
        return MakeBinary<float, float, float>(context, plan, [low, high](float x, float y) {
          return std::min(std::max(x - y, low), high);
        });
      case Arithmetic::kMul:
        if (!clamp) return MakeBinary<float, float, float>(context, plan, std::multiplies<float>());
        return MakeBinary<float, float, float>(context, plan, [low, high](float x, float y) {
          return std::min(std::max(x * y, low), high);
        });
      case Arithmetic::kMaximum:
        return MakeBinary<float, float, float>(context, plan,
                                               [](float x, float y) { return x > y ? x : y; });
      case Arithmetic::kSquaredDifference:
        return MakeBinary<float, float, float>(context, plan, [](float x, float y) {
          const float d = x - y;
          return d * d;
        });
    }
  }
  if (a.type == TensorType::kInt32 && kind != Arithmetic::kSquaredDifference) {
    int32_t low = std::numeric_limits<int32_t>::min();
    int32_t high = std::numeric_limits<int32_t>::max();
    switch (activation) {
      case tflite::Activation::kNone:
        break;
      case tflite::Activation::kRelu:
        low = 0;
        break;
      case tflite::Activation::kRelu6:
        low = 0;
        high = 6;
        break;
      case tflite::Activation::kReluN1To1:
        low = -1;
        high = 1;
        break;
      default:
        return context.Error("unsupported fused activation for INT32");
    }
    auto clamped = [low, high](int32_t v) { return std::min(std::max(v, low), high); };
    switch (kind) {
      case Arithmetic::kAdd:
        return MakeBinary<int32_t, int32_t, int32_t>(
            context, plan, [clamped](int32_t x, int32_t y) { return clamped(WrapAdd(x, y)); });
      case Arithmetic::kSub:
        return MakeBinary<int32_t, int32_t, int32_t>(
            context, plan, [clamped](int32_t x, int32_t y) { return clamped(WrapSub(x, y)); });
      case Arithmetic::kMul:
        return MakeBinary<int32_t, int32_t, int32_t>(
            context, plan, [clamped](int32_t x, int32_t y) { return clamped(WrapMul(x, y)); });
      case Arithmetic::kMaximum:
        return MakeBinary<int32_t, int32_t, int32_t>(
            context, plan, [](int32_t x, int32_t y) { return x > y ? x : y; });
      default:
        break;
    }
  }
  if (a.type == TensorType::kInt8 && (kind == Arithmetic::kAdd || kind == Arithmetic::kSub)) {
    return PrepareInt8AddSub(context, plan, kind == Arithmetic::kSub);
  }
  if (a.type == TensorType::kInt8 && kind == Arithmetic::kMaximum) {
    // TFLite compares the raw values; meaningful when the tensors share quantization.
    if (a.quantization.scales != out.quantization.scales ||
        b.quantization.scales != out.quantization.scales ||
        a.quantization.zero_points != out.quantization.zero_points ||
        b.quantization.zero_points != out.quantization.zero_points) {
      return context.Error("INT8 inputs and output must share quantization");
    }
    return MakeBinary<int8_t, int8_t, int8_t>(context, plan,
                                              [](int8_t x, int8_t y) { return x > y ? x : y; });
  }
  return context.Error("unsupported tensor type " + std::string(TensorTypeName(a.type)));
}

enum class Comparison { kLess, kNotEqual };

template <typename T>
PreparedKernel MakeComparison(const OperatorContext& context, const BroadcastPlan& plan,
                              Comparison kind) {
  if (kind == Comparison::kLess) {
    return MakeBinary<T, T, bool>(context, plan, [](T x, T y) { return x < y; });
  }
  return MakeBinary<T, T, bool>(context, plan, [](T x, T y) { return x != y; });
}

PreparedKernel PrepareComparison(const OperatorContext& context, Comparison kind) {
  AURALINK_RETURN_IF_ERROR(context.ExpectInputCount(2, 2));
  AURALINK_RETURN_IF_ERROR(context.ExpectOutputCount(1));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(0));
  AURALINK_RETURN_IF_ERROR(context.ExpectInput(1));
  const TensorSpec& a = *context.input(0);
  const TensorSpec& b = *context.input(1);
  const TensorSpec& out = *context.output(0);
  if (a.type != b.type) {
    return context.Error("inputs " + DescribeTensor(a) + " and " + DescribeTensor(b) +
                         " differ in type");
  }
  AURALINK_RETURN_IF_ERROR(context.ExpectType(out, TensorType::kBool, "output"));
  BroadcastPlan plan;
  AURALINK_RETURN_IF_ERROR(MakeBroadcastPlan(context, a, b, out, &plan));
  switch (a.type) {
    case TensorType::kFloat32:
      return MakeComparison<float>(context, plan, kind);
    case TensorType::kInt32:
      return MakeComparison<int32_t>(context, plan, kind);
    case TensorType::kInt64:
      return MakeComparison<int64_t>(context, plan, kind);
    case TensorType::kBool:
      if (kind == Comparison::kNotEqual) return MakeComparison<bool>(context, plan, kind);
      break;
    default:
      break;
  }
  return context.Error("unsupported tensor type " + std::string(TensorTypeName(a.type)));
}

}  // namespace

PreparedKernel PrepareAdd(const OperatorContext& context) {
  return PrepareArithmetic(context, Arithmetic::kAdd);
}
PreparedKernel PrepareSub(const OperatorContext& context) {
  return PrepareArithmetic(context, Arithmetic::kSub);
}
PreparedKernel PrepareMul(const OperatorContext& context) {
  return PrepareArithmetic(context, Arithmetic::kMul);
}
PreparedKernel PrepareMaximum(const OperatorContext& context) {
  return PrepareArithmetic(context, Arithmetic::kMaximum);
}
PreparedKernel PrepareSquaredDifference(const OperatorContext& context) {
  return PrepareArithmetic(context, Arithmetic::kSquaredDifference);
}
PreparedKernel PrepareLess(const OperatorContext& context) {
  return PrepareComparison(context, Comparison::kLess);
}
PreparedKernel PrepareNotEqual(const OperatorContext& context) {
  return PrepareComparison(context, Comparison::kNotEqual);
}

}  // namespace auralink::nn
