// Operators that move, select or reduce elements: RESHAPE, CONCATENATION, SPLIT, PACK,
// STRIDED_SLICE, GATHER, ONE_HOT, SUM, ARG_MIN, ARG_MAX.

#include <gtest/gtest.h>

#include <numeric>

#include "nn/kernels/operator_test_harness.h"
#include "nn/kernels/vector_math.h"

namespace auralink::nn {
namespace {

using testing::Bytes;
using testing::FromBytes;
using testing::MakeInterpreter;
using testing::RandomFloats;
using testing::RunOnAllIsas;
using testing::TestModelBuilder;
using tflite::BuiltinOperator;
using tflite::BuiltinOptionsType;

std::vector<float> Iota(int n) {
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), 0.0f);
  return v;
}

TEST(DataOpsTest, ConcatenationAndSplitAreInverse) {
  TestModelBuilder builder;
  const int a = builder.AddTensor("a", TensorType::kFloat32, {1, 2, 1, 3});
  const int b = builder.AddTensor("b", TensorType::kFloat32, {1, 4, 1, 3});
  const int joined = builder.AddTensor("joined", TensorType::kFloat32, {1, 6, 1, 3});
  const int axis = builder.AddConstant<int32_t>("axis", TensorType::kInt32, {}, {1});
  const int p0 = builder.AddTensor("p0", TensorType::kFloat32, {1, 3, 1, 3});
  const int p1 = builder.AddTensor("p1", TensorType::kFloat32, {1, 3, 1, 3});
  builder.AddOperator(BuiltinOperator::kConcatenation, {a, b}, {joined},
                      BuiltinOptionsType::kConcatenationOptions, testing::AxisOptions(1));
  builder.AddOperator(BuiltinOperator::kSplit, {axis, joined}, {p0, p1},
                      BuiltinOptionsType::kSplitOptions, testing::SplitOptions(2));
  builder.SetInputs({a, b});
  builder.SetOutputs({joined, p0, p1});
  const auto av = Iota(6);
  std::vector<float> bv(12);
  for (int i = 0; i < 12; ++i) bv[i] = 100.0f + i;
  const auto outputs = RunOnAllIsas(builder.Build(), {Bytes(av), Bytes(bv)});
  ASSERT_EQ(outputs.size(), 3u);
  std::vector<float> expected = av;
  expected.insert(expected.end(), bv.begin(), bv.end());
  EXPECT_EQ(FromBytes<float>(outputs[0]), expected);
  EXPECT_EQ(FromBytes<float>(outputs[1]),
            std::vector<float>(expected.begin(), expected.begin() + 9));
  EXPECT_EQ(FromBytes<float>(outputs[2]), std::vector<float>(expected.begin() + 9, expected.end()));
}

TEST(DataOpsTest, ConcatenationOnTheLastAxisInterleaves) {
  TestModelBuilder builder;
  const int a = builder.AddTensor("a", TensorType::kFloat32, {2, 2});
  const int b = builder.AddTensor("b", TensorType::kFloat32, {2, 1});
  const int out = builder.AddTensor("out", TensorType::kFloat32, {2, 3});
  builder.AddOperator(BuiltinOperator::kConcatenation, {a, b}, {out},
                      BuiltinOptionsType::kConcatenationOptions, testing::AxisOptions(-1));
  builder.SetInputs({a, b});
  builder.SetOutputs({out});
  const auto outputs = RunOnAllIsas(
      builder.Build(), {Bytes(std::vector<float>{1, 2, 3, 4}), Bytes(std::vector<float>{9, 8})});
  EXPECT_EQ(FromBytes<float>(outputs[0]), (std::vector<float>{1, 2, 9, 3, 4, 8}));
}

TEST(DataOpsTest, PackStacksAlongANewAxis) {
  TestModelBuilder builder;
  const int a = builder.AddTensor("a", TensorType::kFloat32, {2, 2});
  const int b = builder.AddTensor("b", TensorType::kFloat32, {2, 2});
  const int out = builder.AddTensor("out", TensorType::kFloat32, {2, 2, 2});
  builder.AddOperator(BuiltinOperator::kPack, {a, b}, {out}, BuiltinOptionsType::kPackOptions,
                      testing::PackOptions(2, 1));
  builder.SetInputs({a, b});
  builder.SetOutputs({out});
  const auto outputs = RunOnAllIsas(builder.Build(), {Bytes(std::vector<float>{1, 2, 3, 4}),
                                                      Bytes(std::vector<float>{5, 6, 7, 8})});
  EXPECT_EQ(FromBytes<float>(outputs[0]), (std::vector<float>{1, 2, 5, 6, 3, 4, 7, 8}));
}

// STRIDED_SLICE over a [3,4,5] tensor holding its own flat indices.
std::vector<float> Slice(const std::vector<int32_t>& begin, const std::vector<int32_t>& end,
                         const std::vector<int32_t>& strides, int begin_mask, int end_mask,
                         int shrink_mask, const std::vector<int32_t>& out_shape) {
  TestModelBuilder builder;
  const int in = builder.AddTensor("in", TensorType::kFloat32, {3, 4, 5});
  const int n = static_cast<int>(begin.size());
  const int b = builder.AddConstant("begin", TensorType::kInt32, {n}, begin);
  const int e = builder.AddConstant("end", TensorType::kInt32, {n}, end);
  const int s = builder.AddConstant("strides", TensorType::kInt32, {n}, strides);
  const int out = builder.AddTensor("out", TensorType::kFloat32, out_shape);
  builder.AddOperator(BuiltinOperator::kStridedSlice, {in, b, e, s}, {out},
                      BuiltinOptionsType::kStridedSliceOptions,
                      testing::StridedSliceOptions(begin_mask, end_mask, shrink_mask));
  builder.SetInputs({in});
  builder.SetOutputs({out});
  const auto outputs = RunOnAllIsas(builder.Build(), {Bytes(Iota(60))});
  return outputs.empty() ? std::vector<float>() : FromBytes<float>(outputs[0]);
}

TEST(DataOpsTest, StridedSliceHandlesMasksNegativeIndicesAndShrinking) {
  // [1:3, ::2, -2:] -> [2, 2, 2] (begin and end masks on the middle axis).
  auto sliced = Slice({1, 0, -2}, {3, 0, 5}, {1, 2, 1}, 0b010, 0b010, 0, {2, 2, 2});
  std::vector<float> expected;
  for (int i = 1; i < 3; ++i) {
    for (int j = 0; j < 4; j += 2) {
      for (int k = 3; k < 5; ++k) expected.push_back(float(i * 20 + j * 5 + k));
    }
  }
  EXPECT_EQ(sliced, expected);
  // [2, :, 1] shrinks the first and last axes -> [4].
  EXPECT_EQ(Slice({2, 0, 1}, {3, 0, 2}, {1, 1, 1}, 0b010, 0b010, 0b101, {4}),
            (std::vector<float>{41, 46, 51, 56}));
  // Reversed last axis: [0, 0, ::-2] -> [1,1,3] holding 4, 2, 0.
  EXPECT_EQ(Slice({0, 0, -1}, {1, 1, -6}, {1, 1, -2}, 0, 0, 0, {1, 1, 3}),
            (std::vector<float>{4, 2, 0}));
}

TEST(DataOpsTest, StridedSliceRefusesWrongOutputShape) {
  TestModelBuilder builder;
  const int in = builder.AddTensor("in", TensorType::kFloat32, {4});
  const int b = builder.AddConstant<int32_t>("begin", TensorType::kInt32, {1}, {1});
  const int e = builder.AddConstant<int32_t>("end", TensorType::kInt32, {1}, {3});
  const int s = builder.AddConstant<int32_t>("strides", TensorType::kInt32, {1}, {1});
  const int out = builder.AddTensor("out", TensorType::kFloat32, {3});
  builder.AddOperator(BuiltinOperator::kStridedSlice, {in, b, e, s}, {out},
                      BuiltinOptionsType::kStridedSliceOptions,
                      testing::StridedSliceOptions(0, 0, 0));
  builder.SetInputs({in});
  builder.SetOutputs({out});
  auto model = Model::Create(builder.Build());
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("should have shape [2]"), std::string::npos)
      << model.status().message();
}

TEST(DataOpsTest, GatherCopiesRowsAndRejectsBadIndicesAtRunTime) {
  TestModelBuilder builder;
  const int params = builder.AddConstant("params", TensorType::kFloat32, {4, 3}, Iota(12));
  const int indices = builder.AddTensor("indices", TensorType::kInt32, {2});
  const int out = builder.AddTensor("out", TensorType::kFloat32, {2, 3});
  builder.AddOperator(BuiltinOperator::kGather, {params, indices}, {out},
                      BuiltinOptionsType::kGatherOptions, testing::AxisOptions(0));
  builder.SetInputs({indices});
  builder.SetOutputs({out});
  const auto bytes = builder.Build();
  EXPECT_EQ(FromBytes<float>(RunOnAllIsas(bytes, {Bytes(std::vector<int32_t>{3, 1})})[0]),
            (std::vector<float>{9, 10, 11, 3, 4, 5}));
  auto interpreter = MakeInterpreter(bytes);
  ASSERT_TRUE(interpreter.ok());
  (*interpreter)->input(0).as<int32_t>()[0] = 4;
  Status status = (*interpreter)->Invoke();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("index 4 outside [0, 4)"), std::string::npos) << status.message();
}

TEST(DataOpsTest, OneHotWritesOnAndOffValues) {
  TestModelBuilder builder;
  const int indices = builder.AddTensor("indices", TensorType::kInt32, {3});
  const int depth = builder.AddConstant<int32_t>("depth", TensorType::kInt32, {}, {4});
  const int on = builder.AddConstant<float>("on", TensorType::kFloat32, {}, {1.5f});
  const int off = builder.AddConstant<float>("off", TensorType::kFloat32, {}, {-1.0f});
  const int out = builder.AddTensor("out", TensorType::kFloat32, {3, 4});
  builder.AddOperator(BuiltinOperator::kOneHot, {indices, depth, on, off}, {out},
                      BuiltinOptionsType::kOneHotOptions, testing::AxisOptions(-1));
  builder.SetInputs({indices});
  builder.SetOutputs({out});
  const auto outputs =
      RunOnAllIsas(builder.Build(), {Bytes(std::vector<int32_t>{2, 0, 7 /* out of range */})});
  EXPECT_EQ(FromBytes<float>(outputs[0]),
            (std::vector<float>{-1, -1, 1.5f, -1, 1.5f, -1, -1, -1, -1, -1, -1, -1}));
}

TEST(DataOpsTest, SumArgMinArgMax) {
  TestModelBuilder builder;
  const int in = builder.AddTensor("in", TensorType::kFloat32, {2, 3, 37});
  const int last = builder.AddConstant<int32_t>("last", TensorType::kInt32, {}, {-1});
  const int middle = builder.AddConstant<int32_t>("middle", TensorType::kInt32, {1}, {1});
  const int sums = builder.AddTensor("sums", TensorType::kFloat32, {2, 3});
  const int middle_sums = builder.AddTensor("middle_sums", TensorType::kFloat32, {2, 1, 37});
  const int arg_min = builder.AddTensor("arg_min", TensorType::kInt32, {2, 3});
  const int arg_max = builder.AddTensor("arg_max", TensorType::kInt64, {2, 37});
  builder.AddOperator(BuiltinOperator::kSum, {in, last}, {sums},
                      BuiltinOptionsType::kReducerOptions, testing::ReducerOptions(false));
  builder.AddOperator(BuiltinOperator::kSum, {in, middle}, {middle_sums},
                      BuiltinOptionsType::kReducerOptions, testing::ReducerOptions(true));
  builder.AddOperator(BuiltinOperator::kArgMin, {in, last}, {arg_min});
  builder.AddOperator(BuiltinOperator::kArgMax, {in, middle}, {arg_max});
  builder.SetInputs({in});
  builder.SetOutputs({sums, middle_sums, arg_min, arg_max});
  auto x = RandomFloats(2 * 3 * 37, 5);
  x[40] = x[41] = -5.0f;  // a tie: the first index wins
  const auto outputs = RunOnAllIsas(builder.Build(), {Bytes(x)});
  ASSERT_EQ(outputs.size(), 4u);
  const auto s = FromBytes<float>(outputs[0]);
  const auto ms = FromBytes<float>(outputs[1]);
  const auto amin = FromBytes<int32_t>(outputs[2]);
  const auto amax = FromBytes<int64_t>(outputs[3]);
  for (int r = 0; r < 6; ++r) {
    // The trailing-axis sum uses the engine's documented 16-lane association.
    EXPECT_EQ(s[r], LaneSumPortable(x.data() + r * 37, 37));
    EXPECT_EQ(amin[r],
              std::min_element(x.begin() + r * 37, x.begin() + r * 37 + 37) - (x.begin() + r * 37));
  }
  EXPECT_EQ(amin[1], 3);  // 40 - 37
  for (int b = 0; b < 2; ++b) {
    for (int k = 0; k < 37; ++k) {
      float total = 0;
      int best = 0;
      for (int j = 0; j < 3; ++j) {
        total += x[(b * 3 + j) * 37 + k];
        if (x[(b * 3 + j) * 37 + k] > x[(b * 3 + best) * 37 + k]) best = j;
      }
      EXPECT_EQ(ms[b * 37 + k], total);
      EXPECT_EQ(amax[b * 37 + k], best);
    }
  }
}

TEST(DataOpsTest, LaneSumIsTheSameOnEveryIsa) {
  for (int n : {1, 15, 16, 17, 64, 100}) {
    const auto x = RandomFloats(n, 77 + n, -1000.0f, 1000.0f);
    const float expected = LaneSumPortable(x.data(), n);
    for (CpuIsa isa : testing::SupportedIsas()) {
      EXPECT_EQ(LaneSumFunction(isa)(x.data(), n), expected) << CpuIsaName(isa) << " n=" << n;
    }
  }
}

TEST(DataOpsTest, ReshapeKeepsBytes) {
  TestModelBuilder builder;
  const int in = builder.AddTensor("in", TensorType::kFloat32, {2, 3});
  const int shape = builder.AddConstant<int32_t>("shape", TensorType::kInt32, {2}, {3, -1});
  const int out = builder.AddTensor("out", TensorType::kFloat32, {3, 2});
  builder.AddOperator(BuiltinOperator::kReshape, {in, shape}, {out});
  builder.SetInputs({in});
  builder.SetOutputs({out});
  EXPECT_EQ(FromBytes<float>(RunOnAllIsas(builder.Build(), {Bytes(Iota(6))})[0]), Iota(6));
}

}  // namespace
}  // namespace auralink::nn
