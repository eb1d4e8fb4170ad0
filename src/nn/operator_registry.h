// The builtin operators this engine runs: for each, the BuiltinOptions table its options must use
// and the function that validates and prepares it.
#pragma once

#include <cstdint>

#include "nn/kernel.h"
#include "nn/tflite_schema.h"

namespace auralink::nn {

struct OperatorRegistration {
  tflite::BuiltinOperator code;
  tflite::BuiltinOptionsType options_type;
  PrepareOperatorFunction prepare;
};

// nullptr for builtin codes this engine does not support.
const OperatorRegistration* FindOperatorRegistration(int32_t builtin_code);

}  // namespace auralink::nn
