// The instruction sets the kernels are written for, chosen once per process: the best the CPU
// offers (__builtin_cpu_supports), unless AURALINK_NN_ISA=portable|avx2|avx512 asks for a lower
// one. Each Interpreter captures the ISA when it is created, so tests can build interpreters for
// every path in one process and compare their results.
#pragma once

#include <optional>
#include <string_view>

namespace auralink::nn {

enum class CpuIsa {
  kPortable,  // plain C++; compiles and runs anywhere
  kAvx2,      // AVX2 + FMA
  kAvx512,    // AVX-512 F/BW/VL/DQ (int8 kernels also use VNNI when present)
};

std::string_view CpuIsaName(CpuIsa isa);
bool CpuSupports(CpuIsa isa);
bool CpuSupportsAvx512Vnni();

// The ISA new interpreters use.
CpuIsa ActiveCpuIsa();

// Replaces the ISA new interpreters use (nullopt restores the process default). An ISA the CPU
// lacks falls back to the best one it has. For tests and benchmarks.
void SetCpuIsaForTesting(std::optional<CpuIsa> isa);

}  // namespace auralink::nn
