#include "rtc/srtp/aes_gcm.h"

#include <immintrin.h>
#include <openssl/crypto.h>

#include <cstring>

#include "rtc/srtp/aes_gcm_wide.h"

namespace auralink::rtc {

bool AesGcm128::Available(Width width) {
  __builtin_cpu_init();
  const bool narrow = __builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul") &&
                      __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("ssse3");
  return narrow && (width == Width::k128 || aes_gcm_wide::Available());
}

AesGcm128::Width AesGcm128::Widest() { return Available(Width::k512) ? Width::k512 : Width::k128; }

AesGcm128::~AesGcm128() { OPENSSL_cleanse(&state_, sizeof(state_)); }

// Everything below uses the instructions Available() checks for, and runs only after it said yes.
#pragma GCC push_options
#pragma GCC target("aes,pclmul,sse4.1,ssse3")

namespace {

constexpr size_t kBlock = 16;

// GHASH works on bit-reflected blocks (SP 800-38D §6.3); reversing the bytes of each block lets
// the carry-less multiply work on them as plain 128-bit numbers (Gueron and Kounavis, "Intel
// Carry-Less Multiplication Instruction and its Usage for Computing the GCM Mode", 2010).
inline __m128i ByteReverse(__m128i x) {
  const __m128i mask = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  return _mm_shuffle_epi8(x, mask);
}

inline __m128i Load(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}
inline void Store(uint8_t* p, __m128i x) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), x); }

// One step of the AES-128 key schedule (FIPS 197 §5.2) from AESKEYGENASSIST's output.
inline __m128i ExpandKey(__m128i key, __m128i assist) {
  assist = _mm_shuffle_epi32(assist, 0xFF);
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  return _mm_xor_si128(key, assist);
}

inline __m128i EncryptBlock(const __m128i* round_keys, __m128i block) {
  block = _mm_xor_si128(block, round_keys[0]);
  for (int round = 1; round < 10; ++round) block = _mm_aesenc_si128(block, round_keys[round]);
  return _mm_aesenclast_si128(block, round_keys[10]);
}

// GHASH multiplies in GF(2^128) modulo P = x^128 + x^7 + x^2 + x + 1. After ByteReverse() a
// block's bit i is the coefficient of x^(127-i), so the carry-less product of two such blocks is
// their field product, reflected, over 255 bits. Rather than shift it by one bit and reduce from
// the top, Reduce() folds it from the bottom with the reflected polynomial (a Montgomery reduction
// by x^128, as in Gueron's later GCM work and the Linux kernel's VAES code), which yields a·b·x;
// the stored powers of H carry a factor x^-1 to cancel it.
using aes_gcm_wide::kReflectedPolynomial;

// A 256-bit carry-less product, before reduction: low + middle·2^64 + high·2^128.
struct Product {
  __m128i low;
  __m128i middle;
  __m128i high;
};

inline Product CarrylessMultiply(__m128i a, __m128i b) {
  return {_mm_clmulepi64_si128(a, b, 0x00),
          _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x10), _mm_clmulepi64_si128(a, b, 0x01)),
          _mm_clmulepi64_si128(a, b, 0x11)};
}

inline Product Add(Product a, Product b) {
  return {_mm_xor_si128(a.low, b.low), _mm_xor_si128(a.middle, b.middle),
          _mm_xor_si128(a.high, b.high)};
}

// Folds the low 64 bits into the middle, then the middle's low 64 bits into the high half: each
// fold adds that half times the reflected polynomial, which clears it.
inline __m128i Reduce(Product product) {
  const __m128i polynomial = _mm_set_epi64x(0, kReflectedPolynomial);
  __m128i middle = _mm_xor_si128(product.middle, _mm_shuffle_epi32(product.low, 0x4E));
  middle = _mm_xor_si128(middle, _mm_clmulepi64_si128(product.low, polynomial, 0x00));
  const __m128i high = _mm_xor_si128(product.high, _mm_shuffle_epi32(middle, 0x4E));
  return _mm_xor_si128(high, _mm_clmulepi64_si128(middle, polynomial, 0x00));
}

// For a = rev(A) and b = rev(B·x^-1): rev(A·B).
inline __m128i Multiply(__m128i a, __m128i b) { return Reduce(CarrylessMultiply(a, b)); }

using aes_gcm_wide::kPowers;

// GHASH state: the running value X, reflected; `powers` holds H^16 .. H^1 (Multiply()'s form).
class Ghash {
 public:
  explicit Ghash(const __m128i* powers) : h_(powers + kPowers - 4), x_(_mm_setzero_si128()) {}

  void Block(__m128i block) { x_ = Multiply(_mm_xor_si128(x_, ByteReverse(block)), h_[3]); }
  // Four blocks with one reduction: X' = (X + B0) H^4 + B1 H^3 + B2 H^2 + B3 H.
  void FourBlocks(const __m128i* blocks) {
    Product sum = CarrylessMultiply(_mm_xor_si128(x_, ByteReverse(blocks[0])), h_[0]);
    sum = Add(sum, CarrylessMultiply(ByteReverse(blocks[1]), h_[1]));
    sum = Add(sum, CarrylessMultiply(ByteReverse(blocks[2]), h_[2]));
    sum = Add(sum, CarrylessMultiply(ByteReverse(blocks[3]), h_[3]));
    x_ = Reduce(sum);
  }
  // Bytes, zero-padded to a whole block.
  void Partial(const uint8_t* bytes, size_t size) {
    uint8_t padded[kBlock] = {};
    std::memcpy(padded, bytes, size);
    Block(Load(padded));
  }
  // The authenticated data: the concatenation of two byte strings, zero-padded as one.
  void Aad(std::span<const uint8_t> first, std::span<const uint8_t> second) {
    size_t offset = 0;
    for (; first.size() - offset >= kBlock; offset += kBlock) Block(Load(first.data() + offset));
    uint8_t pending[kBlock] = {};
    size_t filled = first.size() - offset;
    if (filled > 0) std::memcpy(pending, first.data() + offset, filled);  // data() may be null
    for (size_t taken = 0; taken < second.size();) {
      const size_t take = std::min(kBlock - filled, second.size() - taken);
      std::memcpy(pending + filled, second.data() + taken, take);
      filled += take;
      taken += take;
      if (filled == kBlock) {
        Block(Load(pending));
        filled = 0;
      }
    }
    if (filled > 0) Partial(pending, filled);
  }
  // The lengths block, then the value to encrypt into the tag (unreflected).
  __m128i Finish(uint64_t aad_bytes, uint64_t data_bytes) {
    // The block is len(A) || len(C) in bits, each 64-bit big-endian; reflected (Block()'s byte
    // reversal), len(C) is the low half and len(A) the high half, in host order.
    const __m128i lengths =
        _mm_set_epi64x(static_cast<int64_t>(aad_bytes * 8), static_cast<int64_t>(data_bytes * 8));
    x_ = Multiply(_mm_xor_si128(x_, lengths), h_[3]);
    return ByteReverse(x_);
  }

  // The running value, for the wide path to carry on from.
  void Save(uint8_t* bytes) const { Store(bytes, x_); }
  void Restore(const uint8_t* bytes) { x_ = Load(bytes); }

 private:
  const __m128i* h_;  // H^4, H^3, H^2, H
  __m128i x_;
};

// Counter block `counter` of the 12-byte IV (SP 800-38D §7.1: IV || counter, big-endian).
inline __m128i CounterBlock(__m128i iv_block, uint32_t counter) {
  return _mm_insert_epi32(iv_block, static_cast<int>(__builtin_bswap32(counter)), 3);
}

// CTR over `size` bytes in place from counter 2 (1 is the tag's), hashing the ciphertext: after
// encrypting when `sealing`, before decrypting otherwise.
void CryptAndHash(const __m128i* round_keys, __m128i iv_block, uint8_t* data, size_t size,
                  bool sealing, Ghash* ghash) {
  uint32_t counter = 2;
  size_t offset = 0;
  constexpr size_t kWide = 8;
  for (; size - offset >= kWide * kBlock; offset += kWide * kBlock, counter += kWide) {
    __m128i stream[kWide];
    for (size_t j = 0; j < kWide; ++j)
      stream[j] =
          _mm_xor_si128(CounterBlock(iv_block, counter + static_cast<uint32_t>(j)), round_keys[0]);
    for (int round = 1; round < 10; ++round) {
      for (size_t j = 0; j < kWide; ++j) stream[j] = _mm_aesenc_si128(stream[j], round_keys[round]);
    }
    __m128i blocks[kWide];
    for (size_t j = 0; j < kWide; ++j) blocks[j] = Load(data + offset + j * kBlock);
    if (!sealing) {
      ghash->FourBlocks(blocks);
      ghash->FourBlocks(blocks + 4);
    }
    for (size_t j = 0; j < kWide; ++j) {
      const __m128i out = _mm_xor_si128(blocks[j], _mm_aesenclast_si128(stream[j], round_keys[10]));
      Store(data + offset + j * kBlock, out);
      if (sealing) blocks[j] = out;
    }
    if (sealing) {
      ghash->FourBlocks(blocks);
      ghash->FourBlocks(blocks + 4);
    }
  }
  for (; size - offset >= kBlock; offset += kBlock, ++counter) {
    const __m128i in = Load(data + offset);
    const __m128i out =
        _mm_xor_si128(in, EncryptBlock(round_keys, CounterBlock(iv_block, counter)));
    Store(data + offset, out);
    ghash->Block(sealing ? out : in);
  }
  if (offset < size) {
    const size_t rest = size - offset;
    uint8_t block[kBlock] = {};
    std::memcpy(block, data + offset, rest);
    if (!sealing) ghash->Partial(block, rest);
    const __m128i out =
        _mm_xor_si128(Load(block), EncryptBlock(round_keys, CounterBlock(iv_block, counter)));
    Store(block, out);
    std::memcpy(data + offset, block, rest);
    if (sealing) ghash->Partial(block, rest);
  }
}

// The AES-128 key schedule (FIPS 197 §5.2) into `round_keys` (11 blocks), and H = E(K, 0^128)
// with its powers up to H^16 into `h_powers` (16 blocks, H^16 first), reflected and times x^-1.
void ExpandKeySchedule(const uint8_t* key, uint8_t* round_key_bytes, uint8_t* h_power_bytes) {
  __m128i round_keys[11];
  round_keys[0] = Load(key);
#define AURALINK_AES_EXPAND(i, rcon) \
  round_keys[i] = ExpandKey(round_keys[i - 1], _mm_aeskeygenassist_si128(round_keys[i - 1], rcon))
  AURALINK_AES_EXPAND(1, 0x01);
  AURALINK_AES_EXPAND(2, 0x02);
  AURALINK_AES_EXPAND(3, 0x04);
  AURALINK_AES_EXPAND(4, 0x08);
  AURALINK_AES_EXPAND(5, 0x10);
  AURALINK_AES_EXPAND(6, 0x20);
  AURALINK_AES_EXPAND(7, 0x40);
  AURALINK_AES_EXPAND(8, 0x80);
  AURALINK_AES_EXPAND(9, 0x1B);
  AURALINK_AES_EXPAND(10, 0x36);
#undef AURALINK_AES_EXPAND
  for (size_t i = 0; i < 11; ++i) Store(round_key_bytes + i * kBlock, round_keys[i]);
  // H·x^-1, reflected: a one-bit shift towards x^0, adding P first when H has an x^0 term (bit
  // 127 once reflected).
  const __m128i h = ByteReverse(EncryptBlock(round_keys, _mm_setzero_si128()));
  const auto high = static_cast<uint64_t>(_mm_extract_epi64(h, 1));
  const auto low = static_cast<uint64_t>(_mm_extract_epi64(h, 0));
  const uint64_t add_polynomial = 0 - (high >> 63);
  const __m128i h_over_x = _mm_set_epi64x(
      static_cast<int64_t>(((high << 1) | (low >> 63)) ^ (add_polynomial & 0xC200000000000000ULL)),
      static_cast<int64_t>((low << 1) ^ (add_polynomial & 1)));
  __m128i power = h_over_x;
  for (size_t i = 0; i < kPowers; ++i) {
    Store(h_power_bytes + (kPowers - 1 - i) * kBlock, power);
    power = Multiply(power, h_over_x);
  }
  OPENSSL_cleanse(round_keys, sizeof(round_keys));
}

// The whole of GCM but the tag check: CTR over `data` in place and GHASH, then the tag into `tag`.
// `wide`: the data on the 64-byte registers (aes_gcm_wide.h).
void SealOrOpen(const uint8_t* round_key_bytes, const uint8_t* h_power_bytes, bool wide,
                const uint8_t* iv, std::span<const uint8_t> aad, std::span<const uint8_t> aad_tail,
                uint8_t* data, size_t size, bool sealing, uint8_t* tag) {
  const auto* round_keys = reinterpret_cast<const __m128i*>(round_key_bytes);
  Ghash ghash(reinterpret_cast<const __m128i*>(h_power_bytes));
  // The IV's 8 + 4 bytes loaded as such: a 16-byte load over a copy of them would wait for the
  // copy's narrower stores to reach the cache (the CPU does not forward several stores to one
  // wider load), on every packet.
  uint32_t iv_tail;
  std::memcpy(&iv_tail, iv + 8, sizeof(iv_tail));
  const __m128i iv_block = _mm_insert_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(iv)),
                                            static_cast<int>(iv_tail), 2);
  alignas(16) uint8_t iv_bytes[kBlock];
  Store(iv_bytes, iv_block);
  ghash.Aad(aad, aad_tail);
  if (wide) {
    alignas(16) uint8_t x[kBlock];
    ghash.Save(x);
    aes_gcm_wide::CryptAndHash(round_key_bytes, h_power_bytes, iv_bytes, data, size, sealing, x);
    ghash.Restore(x);
  } else {
    CryptAndHash(round_keys, iv_block, data, size, sealing, &ghash);
  }
  const __m128i s = ghash.Finish(aad.size() + aad_tail.size(), size);
  Store(tag, _mm_xor_si128(s, EncryptBlock(round_keys, CounterBlock(iv_block, 1))));
}

}  // namespace

AesGcm128::AesGcm128(std::span<const uint8_t, kKeySize> key, Width width) : width_(width) {
  ExpandKeySchedule(key.data(), state_.round_keys.data(), state_.h_powers.data());
}

void AesGcm128::Seal(std::span<const uint8_t, kIvSize> iv, std::span<const uint8_t> aad,
                     std::span<const uint8_t> aad_tail, uint8_t* data, size_t size,
                     uint8_t* tag) const {
  SealOrOpen(state_.round_keys.data(), state_.h_powers.data(), width_ == Width::k512, iv.data(),
             aad, aad_tail, data, size, /*sealing=*/true, tag);
}

bool AesGcm128::Open(std::span<const uint8_t, kIvSize> iv, std::span<const uint8_t> aad,
                     std::span<const uint8_t> aad_tail, uint8_t* data, size_t size,
                     const uint8_t* tag) const {
  uint8_t expected[kTagSize];
  SealOrOpen(state_.round_keys.data(), state_.h_powers.data(), width_ == Width::k512, iv.data(),
             aad, aad_tail, data, size, /*sealing=*/false, expected);
  return CRYPTO_memcmp(expected, tag, kTagSize) == 0;
}

#pragma GCC pop_options

}  // namespace auralink::rtc
