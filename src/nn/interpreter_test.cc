// Interpreter behaviour beyond single operators: resource variables persisting across Invoke,
// CALL_ONCE initialisation, ResetState, signature lookup and resource limits.

#include "nn/interpreter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <new>

#include "nn/kernels/operator_test_harness.h"

// Counts heap allocations while `g_count_allocations` is set, to check that Invoke allocates
// nothing.
namespace {
std::atomic<bool> g_count_allocations{false};
std::atomic<int> g_allocations{0};
}  // namespace

namespace {
void* CountedAllocation(size_t size, size_t alignment) {
  if (g_count_allocations.load(std::memory_order_relaxed)) ++g_allocations;
  size = size == 0 ? 1 : size;
  void* p = alignment <= alignof(std::max_align_t)
                ? std::malloc(size)
                : std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
}  // namespace

// Every form, so that allocation and release always pair up (sanitizers check that).
void* operator new(size_t size) { return CountedAllocation(size, 0); }
void* operator new[](size_t size) { return CountedAllocation(size, 0); }
void* operator new(size_t size, std::align_val_t a) {
  return CountedAllocation(size, static_cast<size_t>(a));
}
void* operator new[](size_t size, std::align_val_t a) {
  return CountedAllocation(size, static_cast<size_t>(a));
}
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  try {
    return CountedAllocation(size, 0);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  try {
    return CountedAllocation(size, 0);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }

namespace auralink::nn {
namespace {

using testing::Bytes;
using testing::MakeInterpreter;
using testing::TestModelBuilder;
using tflite::BuiltinOperator;
using tflite::BuiltinOptionsType;

// state <- init [10, 20] once; each Invoke: y = state + x; state <- y.
std::vector<uint8_t> AccumulatorModel() {
  TestModelBuilder builder;
  const int x = builder.AddTensor("x", TensorType::kFloat32, {2});
  const int handle = builder.AddTensor("handle", TensorType::kResource, {});
  const int state = builder.AddTensor("state", TensorType::kFloat32, {2});
  const int y = builder.AddTensor("y", TensorType::kFloat32, {2});
  builder.AddOperator(BuiltinOperator::kCallOnce, {}, {}, BuiltinOptionsType::kCallOnceOptions,
                      testing::CallOnceOptions(1));
  builder.AddOperator(BuiltinOperator::kVarHandle, {}, {handle},
                      BuiltinOptionsType::kVarHandleOptions,
                      testing::VarHandleOptions("", "accumulator"));
  builder.AddOperator(BuiltinOperator::kReadVariable, {handle}, {state});
  builder.AddOperator(BuiltinOperator::kAdd, {state, x}, {y});
  builder.AddOperator(BuiltinOperator::kAssignVariable, {handle, y}, {});
  builder.SetInputs({x});
  builder.SetOutputs({y});
  builder.AddSignature("serving_default", 0, {{"delta", x}}, {{"total", y}});

  builder.AddSubgraph();
  const int init_handle = builder.AddTensor("init_handle", TensorType::kResource, {});
  const int initial =
      builder.AddConstant<float>("initial", TensorType::kFloat32, {2}, {10.0f, 20.0f});
  builder.AddOperator(BuiltinOperator::kVarHandle, {}, {init_handle},
                      BuiltinOptionsType::kVarHandleOptions,
                      testing::VarHandleOptions("", "accumulator"));
  builder.AddOperator(BuiltinOperator::kAssignVariable, {init_handle, initial}, {});
  return builder.Build();
}

std::vector<float> Step(Interpreter& interpreter, std::vector<float> delta) {
  auto input = interpreter.input(0).as<float>();
  std::copy(delta.begin(), delta.end(), input.begin());
  Status status = interpreter.Invoke();
  EXPECT_TRUE(status.ok()) << status.message();
  auto output = interpreter.output(0).as<float>();
  return {output.begin(), output.end()};
}

TEST(InterpreterTest, VariablesPersistAndResetStateRearmsCallOnce) {
  for (CpuIsa isa : testing::SupportedIsas()) {
    auto interpreter = MakeInterpreter(AccumulatorModel(), isa);
    ASSERT_TRUE(interpreter.ok()) << interpreter.status().message();
    Interpreter& in = **interpreter;
    EXPECT_EQ(Step(in, {1, 2}), (std::vector<float>{11, 22}));
    EXPECT_EQ(Step(in, {1, 2}), (std::vector<float>{12, 24}));
    EXPECT_EQ(Step(in, {0, 0}), (std::vector<float>{12, 24}));
    in.ResetState();
    EXPECT_EQ(Step(in, {1, 2}), (std::vector<float>{11, 22}));
  }
}

TEST(InterpreterTest, InterpretersOfOneModelHaveSeparateState) {
  auto model = Model::Create(AccumulatorModel());
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto a = Interpreter::Create(*model);
  auto b = Interpreter::Create(*model);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(Step(**a, {5, 5}), (std::vector<float>{15, 25}));
  EXPECT_EQ(Step(**a, {5, 5}), (std::vector<float>{20, 30}));
  EXPECT_EQ(Step(**b, {1, 1}), (std::vector<float>{11, 21}));
}

TEST(InterpreterTest, SignatureNamesAndViews) {
  auto interpreter = MakeInterpreter(AccumulatorModel());
  ASSERT_TRUE(interpreter.ok());
  Interpreter& in = **interpreter;
  EXPECT_EQ(in.input_count(), 1u);
  EXPECT_EQ(in.output_count(), 1u);
  EXPECT_EQ(in.input_index("delta"), 0);
  EXPECT_EQ(in.input_index("nope"), -1);
  EXPECT_EQ(in.output_index("total"), 0);
  const TensorView view = in.input(0);
  EXPECT_EQ(view.type, TensorType::kFloat32);
  EXPECT_EQ(std::vector<int32_t>(view.shape.begin(), view.shape.end()), std::vector<int32_t>{2});
  EXPECT_EQ(view.bytes, 8u);
  auto missing = MakeInterpreter(AccumulatorModel(), std::nullopt, std::nullopt, "encode");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no signature 'encode'"), std::string::npos)
      << missing.status().message();
}

TEST(InterpreterTest, RefusesGraphsOverItsLimits) {
  TestModelBuilder builder;
  const int a = builder.AddTensor("a", TensorType::kFloat32, {1024, 1024});
  const int out = builder.AddTensor("out", TensorType::kFloat32, {1024, 1024});
  builder.AddOperator(BuiltinOperator::kAdd, {a, a}, {out});
  builder.SetInputs({a});
  builder.SetOutputs({out});
  auto model = Model::Create(builder.Build());
  ASSERT_TRUE(model.ok()) << model.status().message();
  InterpreterOptions small_memory;
  small_memory.max_memory_bytes = 1 << 20;
  auto refused = Interpreter::Create(*model, "", small_memory);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("memory limit"), std::string::npos);
  InterpreterOptions little_work;
  little_work.max_work_per_invoke = 1000;
  refused = Interpreter::Create(*model, "", little_work);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("steps per Invoke"), std::string::npos);
  EXPECT_TRUE(Interpreter::Create(*model).ok());
}

TEST(InterpreterTest, InvokeDoesNotAllocate) {
  std::vector<std::vector<uint8_t>> models = {AccumulatorModel()};
  const char* shared = std::getenv("AURALINK_SHARED");
  const std::filesystem::path dir =
      std::filesystem::path(shared != nullptr && *shared != '\0' ? shared
                                                                 : AURALINK_DEFAULT_SHARED_DIR) /
      "models" / "lyra-v1.3.2";
  for (const char* name : {"soundstream_encoder.tflite", "lyragan.tflite"}) {
    std::ifstream file(dir / name, std::ios::binary);
    if (file) {
      models.emplace_back(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    }
  }
  for (const auto& bytes : models) {
    auto interpreter = MakeInterpreter(bytes);
    ASSERT_TRUE(interpreter.ok()) << interpreter.status().message();
    ASSERT_TRUE((*interpreter)->Invoke().ok());  // the first Invoke runs CALL_ONCE
    g_allocations = 0;
    g_count_allocations = true;
    const bool ok = (*interpreter)->Invoke().ok();
    g_count_allocations = false;
    EXPECT_TRUE(ok);
    EXPECT_EQ(g_allocations.load(), 0);
  }
}

TEST(InterpreterTest, ConstantOutputsAreReadable) {
  TestModelBuilder builder;
  const int x = builder.AddTensor("x", TensorType::kFloat32, {1});
  const int constant = builder.AddConstant<int32_t>("four", TensorType::kInt32, {}, {4});
  builder.SetInputs({x});
  builder.SetOutputs({constant});
  auto interpreter = MakeInterpreter(builder.Build());
  ASSERT_TRUE(interpreter.ok()) << interpreter.status().message();
  ASSERT_TRUE((*interpreter)->Invoke().ok());
  EXPECT_EQ((*interpreter)->output(0).as<int32_t>()[0], 4);
}

}  // namespace
}  // namespace auralink::nn
