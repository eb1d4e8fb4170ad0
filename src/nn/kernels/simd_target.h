// Per-function instruction-set targets. Kernels for AVX2 and AVX-512 live in ordinary translation
// units compiled for the baseline ISA and carry these attributes, so no inline function shared with
// other code is ever emitted with instructions the CPU may lack; callers pick them at run time
// (nn/cpu_isa.h).
#pragma once

#if defined(__x86_64__)
// GCC 12's AVX-512 headers build some intrinsics from _mm512_undefined_*(), which its flow
// analysis reports as uninitialised uses in every caller.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#define AURALINK_NN_X86 1
#define AURALINK_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define AURALINK_TARGET_AVX512 \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")))
#define AURALINK_TARGET_AVX512_VNNI \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma")))
#else
#define AURALINK_NN_X86 0
#endif
