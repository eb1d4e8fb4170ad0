// Fuzz target for AuraLink's TFLite model reader and interpreter: parse the input as a model and,
// if it validates, run every signature once on zero inputs. Nothing may crash, hang or read out of
// bounds. Interpreters here are capped at 64 MiB of memory and 2^26 inner-loop steps per Invoke
// (InterpreterOptions), so a valid but enormous graph is refused instead of slowing the fuzzer.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/interpreter.h"
#include "nn/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto model = auralink::nn::Model::Create(std::vector<uint8_t>(data, data + size));
  if (!model.ok()) return 0;
  std::vector<std::string> keys = (*model)->signature_keys();
  if (keys.empty()) keys.emplace_back();  // no SignatureDefs: subgraph 0
  auralink::nn::InterpreterOptions options;
  options.max_memory_bytes = size_t{64} << 20;
  options.max_work_per_invoke = uint64_t{1} << 26;
  for (const std::string& key : keys) {
    auto interpreter = auralink::nn::Interpreter::Create(*model, key, options);
    if (!interpreter.ok()) continue;
    // Inputs start zeroed; errors (a bad GATHER index) are fine, crashes are not.
    (void)(*interpreter)->Invoke();
  }
  return 0;
}
