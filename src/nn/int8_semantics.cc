#include "nn/int8_semantics.h"

#include <cstdlib>
#include <string>

#include "common/log.h"

namespace auralink::nn {

std::string_view Int8SemanticsName(Int8Semantics semantics) {
  switch (semantics) {
    case Int8Semantics::kXnnpack:
      return "xnnpack";
    case Int8Semantics::kTfliteReference:
      return "reference";
  }
  return "unknown";
}

Int8Semantics DefaultInt8Semantics() {
  static const Int8Semantics semantics = [] {
    const char* env = std::getenv("AURALINK_NN_INT8");
    if (env == nullptr || *env == '\0') return Int8Semantics::kXnnpack;
    const std::string wanted(env);
    if (wanted == "xnnpack") return Int8Semantics::kXnnpack;
    if (wanted == "reference") return Int8Semantics::kTfliteReference;
    AURALINK_LOG(kWarning) << "nn: ignoring AURALINK_NN_INT8='" << wanted
                           << "' (expected xnnpack or reference)";
    return Int8Semantics::kXnnpack;
  }();
  return semantics;
}

}  // namespace auralink::nn
