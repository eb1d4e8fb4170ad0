#include "nn/cpu_isa.h"

#include <atomic>
#include <cstdlib>
#include <string>

#include "common/log.h"

namespace auralink::nn {
namespace {

CpuIsa BestSupported() {
  if (CpuSupports(CpuIsa::kAvx512)) return CpuIsa::kAvx512;
  if (CpuSupports(CpuIsa::kAvx2)) return CpuIsa::kAvx2;
  return CpuIsa::kPortable;
}

CpuIsa Clamp(CpuIsa wanted) {
  if (CpuSupports(wanted)) return wanted;
  CpuIsa best = BestSupported();
  AURALINK_LOG(kWarning) << "nn: this CPU lacks " << CpuIsaName(wanted) << ", using "
                         << CpuIsaName(best);
  return best;
}

CpuIsa ProcessDefault() {
  static const CpuIsa isa = [] {
    const char* env = std::getenv("AURALINK_NN_ISA");
    if (env == nullptr || *env == '\0') return BestSupported();
    std::string wanted(env);
    if (wanted == "portable") return CpuIsa::kPortable;
    if (wanted == "avx2") return Clamp(CpuIsa::kAvx2);
    if (wanted == "avx512") return Clamp(CpuIsa::kAvx512);
    AURALINK_LOG(kWarning) << "nn: ignoring AURALINK_NN_ISA='" << wanted
                           << "' (expected portable, avx2 or avx512)";
    return BestSupported();
  }();
  return isa;
}

// -1: no override; otherwise the CpuIsa value.
std::atomic<int> g_override{-1};

}  // namespace

std::string_view CpuIsaName(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::kPortable:
      return "portable";
    case CpuIsa::kAvx2:
      return "avx2";
    case CpuIsa::kAvx512:
      return "avx512";
  }
  return "unknown";
}

bool CpuSupports(CpuIsa isa) {
#if defined(__x86_64__) || defined(__i386__)
  switch (isa) {
    case CpuIsa::kPortable:
      return true;
    case CpuIsa::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case CpuIsa::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }
  return false;
#else
  return isa == CpuIsa::kPortable;
#endif
}

bool CpuSupportsAvx512Vnni() {
#if defined(__x86_64__) || defined(__i386__)
  return CpuSupports(CpuIsa::kAvx512) && __builtin_cpu_supports("avx512vnni");
#else
  return false;
#endif
}

CpuIsa ActiveCpuIsa() {
  int forced = g_override.load(std::memory_order_relaxed);
  if (forced >= 0) return static_cast<CpuIsa>(forced);
  return ProcessDefault();
}

void SetCpuIsaForTesting(std::optional<CpuIsa> isa) {
  g_override.store(isa ? static_cast<int>(Clamp(*isa)) : -1, std::memory_order_relaxed);
}

}  // namespace auralink::nn
