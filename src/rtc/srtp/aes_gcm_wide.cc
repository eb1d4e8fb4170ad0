#include "rtc/srtp/aes_gcm_wide.h"

#include <immintrin.h>

#include <algorithm>

namespace auralink::rtc::aes_gcm_wide {

bool Available() {
  __builtin_cpu_init();
  // libgcc reports the AVX-512 features only where the OS saves the 64-byte registers (XCR0).
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("vaes") &&
         __builtin_cpu_supports("vpclmulqdq");
}

// Everything below runs only after Available() said yes.
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,vaes,vpclmulqdq,aes,pclmul,sse4.1,ssse3")
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_epi32() as their merge source and then warn
// that it is uninitialized (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace {

constexpr size_t kBlock = 16;
constexpr size_t kLanes = 4;  // blocks per 64-byte register
constexpr size_t kRegisterBytes = kLanes * kBlock;
constexpr size_t kBatchRegisters = kPowers / kLanes;
constexpr size_t kBatchBytes = kPowers * kBlock;

inline __m512i ByteReverseLanes(__m512i x) {
  const __m512i mask =
      _mm512_broadcast_i32x4(_mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  return _mm512_shuffle_epi8(x, mask);
}

inline __m512i Xor3(__m512i a, __m512i b, __m512i c) {
  return _mm512_ternarylogic_epi64(a, b, c, 0x96);
}

// Four lanes' 256-bit carry-less products, before reduction: low + middle·2^64 + high·2^128.
struct Products {
  __m512i low;
  __m512i middle;
  __m512i high;
};

inline Products CarrylessMultiply(__m512i a, __m512i b) {
  return {
      _mm512_clmulepi64_epi128(a, b, 0x00),
      _mm512_xor_si512(_mm512_clmulepi64_epi128(a, b, 0x10), _mm512_clmulepi64_epi128(a, b, 0x01)),
      _mm512_clmulepi64_epi128(a, b, 0x11)};
}

inline void Accumulate(Products* sum, __m512i a, __m512i b) {
  sum->low = _mm512_xor_si512(sum->low, _mm512_clmulepi64_epi128(a, b, 0x00));
  sum->middle =
      Xor3(sum->middle, _mm512_clmulepi64_epi128(a, b, 0x10), _mm512_clmulepi64_epi128(a, b, 0x01));
  sum->high = _mm512_xor_si512(sum->high, _mm512_clmulepi64_epi128(a, b, 0x11));
}

// Reduces each lane (as aes_gcm.cc's Reduce()) and adds the four lanes: reduction is linear, so
// this is the reduction of the sum.
inline __m128i ReduceAndAddLanes(const Products& products) {
  const __m512i polynomial = _mm512_set1_epi64(kReflectedPolynomial);
  const __m512i middle = Xor3(products.middle, _mm512_shuffle_epi32(products.low, _MM_PERM_BADC),
                              _mm512_clmulepi64_epi128(products.low, polynomial, 0x00));
  const __m512i high = Xor3(products.high, _mm512_shuffle_epi32(middle, _MM_PERM_BADC),
                            _mm512_clmulepi64_epi128(middle, polynomial, 0x00));
  const __m256i halves =
      _mm256_xor_si256(_mm512_castsi512_si256(high), _mm512_extracti64x4_epi64(high, 1));
  return _mm_xor_si128(_mm256_castsi256_si128(halves), _mm256_extracti128_si256(halves, 1));
}

// GHASH over the blocks in `registers` (zeros past the last block) with one reduction:
// X' = (X + B0)·H^n + B1·H^(n-1) + ... + B(n-1)·H, where `powers` holds H^n..H^1 lane by lane
// (zeros past H).
template <size_t kRegisters>
inline __m128i HashBlocks(__m128i x, const __m512i* registers, const __m512i* powers) {
  const __m512i first = _mm512_xor_si512(ByteReverseLanes(registers[0]), _mm512_zextsi128_si512(x));
  Products sum = CarrylessMultiply(first, powers[0]);
  for (size_t i = 1; i < kRegisters; ++i)
    Accumulate(&sum, ByteReverseLanes(registers[i]), powers[i]);
  return ReduceAndAddLanes(sum);
}

// The next 4·kRegisters blocks of key stream; `counters` holds four consecutive counter blocks,
// byte-reversed so that each lane's low 32 bits are the counter (GCM's inc32 is then an add).
template <size_t kRegisters>
inline void KeyStream(const __m512i* round_keys, __m512i* counters, __m512i* stream) {
  const __m512i step = _mm512_set_epi32(0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4);
  for (size_t i = 0; i < kRegisters; ++i) {
    stream[i] = _mm512_xor_si512(ByteReverseLanes(*counters), round_keys[0]);
    *counters = _mm512_add_epi32(*counters, step);
  }
  for (int round = 1; round < 10; ++round) {
    for (size_t i = 0; i < kRegisters; ++i)
      stream[i] = _mm512_aesenc_epi128(stream[i], round_keys[round]);
  }
  for (size_t i = 0; i < kRegisters; ++i)
    stream[i] = _mm512_aesenclast_epi128(stream[i], round_keys[10]);
}

// The last `size` bytes (1..kBatchBytes - 1) in kRegisters registers, masked: bytes past the end
// are neither read nor written and hash as GCM's zero padding.
template <size_t kRegisters>
inline __m128i CryptAndHashTail(const __m512i* round_keys, __m512i counters,
                                const uint8_t* h_powers, uint8_t* data, size_t size, bool sealing,
                                __m128i x) {
  const size_t blocks = (size + kBlock - 1) / kBlock;
  const uint8_t* first_power = h_powers + (kPowers - blocks) * kBlock;
  __m512i stream[kRegisters];
  KeyStream<kRegisters>(round_keys, &counters, stream);
  __m512i in[kRegisters];
  __m512i powers[kRegisters];
  __mmask64 byte_masks[kRegisters];
  for (size_t i = 0; i < kRegisters; ++i) {
    const size_t bytes = std::min(kRegisterBytes, size - i * kRegisterBytes);
    byte_masks[i] = bytes == kRegisterBytes ? ~__mmask64{0} : (__mmask64{1} << bytes) - 1;
    in[i] = _mm512_maskz_loadu_epi8(byte_masks[i], data + i * kRegisterBytes);
    const size_t lanes = std::min(kLanes, blocks - i * kLanes);
    powers[i] = _mm512_maskz_loadu_epi64(static_cast<__mmask8>((1U << (2 * lanes)) - 1),
                                         first_power + i * kRegisterBytes);
  }
  if (!sealing) x = HashBlocks<kRegisters>(x, in, powers);
  for (size_t i = 0; i < kRegisters; ++i) {
    in[i] = _mm512_maskz_mov_epi8(byte_masks[i], _mm512_xor_si512(in[i], stream[i]));
    _mm512_mask_storeu_epi8(data + i * kRegisterBytes, byte_masks[i], in[i]);
  }
  if (sealing) x = HashBlocks<kRegisters>(x, in, powers);
  return x;
}

}  // namespace

void CryptAndHash(const uint8_t* round_key_bytes, const uint8_t* h_powers,
                  const uint8_t* counter_block, uint8_t* data, size_t size, bool sealing,
                  uint8_t* x_bytes) {
  __m512i round_keys[11];
  for (size_t i = 0; i < 11; ++i) {
    round_keys[i] = _mm512_broadcast_i32x4(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(round_key_bytes + i * kBlock)));
  }
  __m512i counters = _mm512_add_epi32(
      ByteReverseLanes(
          _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(counter_block)))),
      _mm512_set_epi32(0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 2));
  __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x_bytes));

  size_t offset = 0;
  for (; size - offset >= kBatchBytes; offset += kBatchBytes) {
    __m512i stream[kBatchRegisters];
    KeyStream<kBatchRegisters>(round_keys, &counters, stream);
    __m512i blocks[kBatchRegisters];
    __m512i powers[kBatchRegisters];
    for (size_t i = 0; i < kBatchRegisters; ++i) {
      blocks[i] = _mm512_loadu_si512(data + offset + i * kRegisterBytes);
      powers[i] = _mm512_loadu_si512(h_powers + i * kRegisterBytes);
    }
    if (!sealing) x = HashBlocks<kBatchRegisters>(x, blocks, powers);
    for (size_t i = 0; i < kBatchRegisters; ++i) {
      const __m512i out = _mm512_xor_si512(blocks[i], stream[i]);
      _mm512_storeu_si512(data + offset + i * kRegisterBytes, out);
      blocks[i] = out;
    }
    if (sealing) x = HashBlocks<kBatchRegisters>(x, blocks, powers);
  }

  const size_t rest = size - offset;
  if (rest > 0) {
    constexpr decltype(&CryptAndHashTail<1>) kTails[] = {
        &CryptAndHashTail<1>, &CryptAndHashTail<2>, &CryptAndHashTail<3>, &CryptAndHashTail<4>};
    x = kTails[(rest - 1) / kRegisterBytes](round_keys, counters, h_powers, data + offset, rest,
                                            sealing, x);
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(x_bytes), x);
}

#pragma GCC pop_options

}  // namespace auralink::rtc::aes_gcm_wide
