// Helpers for the operator tests: run a model built with TestModelBuilder on every instruction set
// the CPU has, with typed inputs, and collect typed outputs.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <random>
#include <vector>

#include "nn/cpu_isa.h"
#include "nn/interpreter.h"
#include "nn/model.h"
#include "nn/test_model_builder.h"

namespace auralink::nn::testing {

// Raw bytes of a vector of T.
template <typename T>
std::vector<uint8_t> Bytes(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

template <typename T>
std::vector<T> FromBytes(const std::vector<uint8_t>& bytes) {
  std::vector<T> values(bytes.size() / sizeof(T));
  if constexpr (std::is_same_v<T, bool>) {
    for (size_t i = 0; i < values.size(); ++i) values[i] = bytes[i] != 0;
  } else if (!values.empty()) {
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
  }
  return values;
}

// The ISAs this CPU runs, portable first.
inline std::vector<CpuIsa> SupportedIsas() {
  std::vector<CpuIsa> isas;
  for (CpuIsa isa : {CpuIsa::kPortable, CpuIsa::kAvx2, CpuIsa::kAvx512}) {
    if (CpuSupports(isa)) isas.push_back(isa);
  }
  return isas;
}

// Creates an interpreter on `isa` (the process default when unset).
inline StatusOr<std::unique_ptr<Interpreter>> MakeInterpreter(
    const std::vector<uint8_t>& model_bytes, std::optional<CpuIsa> isa = std::nullopt,
    std::optional<Int8Semantics> semantics = std::nullopt, std::string_view signature = "") {
  auto model = Model::Create(model_bytes);
  if (!model.ok()) return model.status();
  if (isa) SetCpuIsaForTesting(*isa);
  InterpreterOptions options;
  options.int8_semantics = semantics;
  auto interpreter = Interpreter::Create(*model, signature, options);
  SetCpuIsaForTesting(std::nullopt);
  return interpreter;
}

// Runs the model once per supported ISA, checks that every ISA gives the same bytes, and returns
// the outputs (raw bytes, in signature order).
inline std::vector<std::vector<uint8_t>> RunOnAllIsas(
    const std::vector<uint8_t>& model_bytes, const std::vector<std::vector<uint8_t>>& inputs,
    std::optional<Int8Semantics> semantics = std::nullopt) {
  std::vector<std::vector<uint8_t>> first;
  for (CpuIsa isa : SupportedIsas()) {
    auto interpreter = MakeInterpreter(model_bytes, isa, semantics);
    EXPECT_TRUE(interpreter.ok()) << interpreter.status().message();
    if (!interpreter.ok()) return {};
    Interpreter& in = **interpreter;
    EXPECT_EQ(in.input_count(), inputs.size());
    for (size_t i = 0; i < inputs.size() && i < in.input_count(); ++i) {
      TensorView view = in.input(i);
      EXPECT_EQ(view.bytes, inputs[i].size()) << "input " << i;
      std::memcpy(view.data, inputs[i].data(), std::min(view.bytes, inputs[i].size()));
    }
    Status status = in.Invoke();
    EXPECT_TRUE(status.ok()) << status.message();
    std::vector<std::vector<uint8_t>> outputs;
    for (size_t o = 0; o < in.output_count(); ++o) {
      TensorView view = in.output(o);
      const uint8_t* data = static_cast<const uint8_t*>(view.data);
      outputs.emplace_back(data, data + view.bytes);
    }
    if (first.empty()) {
      first = outputs;
    } else {
      EXPECT_EQ(outputs, first) << "ISA " << CpuIsaName(isa) << " differs from portable";
    }
  }
  return first;
}

inline std::vector<float> RandomFloats(size_t count, uint32_t seed, float low = -1.0f,
                                       float high = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> distribution(low, high);
  std::vector<float> values(count);
  for (float& v : values) v = distribution(rng);
  return values;
}

inline std::vector<int8_t> RandomInt8(size_t count, uint32_t seed, int low = -128, int high = 127) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> distribution(low, high);
  std::vector<int8_t> values(count);
  for (int8_t& v : values) v = static_cast<int8_t>(distribution(rng));
  return values;
}

}  // namespace auralink::nn::testing
