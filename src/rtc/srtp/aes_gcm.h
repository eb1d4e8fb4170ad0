// AES-128-GCM (NIST SP 800-38D) on the CPU's AES and carry-less multiply instructions (x86-64
// AES-NI and PCLMULQDQ), for SRTP's AEAD_AES_128_GCM (RFC 7714) with 12-byte IVs and 16-byte tags.
//
// Why not OpenSSL's EVP: an SFU protects each packet once per subscriber, each with another key.
// Through EVP every packet pays for setting the IV and reading the tag through OpenSSL 3's
// parameter machinery, and touches a context spread over several allocations that is cold in a
// fan-out: about half the cost of protecting a 1,200-byte packet there. Here the key schedule and
// the powers of H sit in 240 contiguous bytes and a packet is one call. The instructions run in
// constant time (no tables indexed by secret data).
//
// Available() says whether this CPU has the instructions; without them AeadGcmSrtpSession uses
// OpenSSL. The tests check every result against OpenSSL's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace auralink::rtc {

class AesGcm128 {
 public:
  static constexpr size_t kKeySize = 16;
  static constexpr size_t kIvSize = 12;
  static constexpr size_t kTagSize = 16;

  // Whether this CPU runs it (AES-NI, PCLMULQDQ and SSE4.1).
  static bool Available();

  // Only when Available().
  explicit AesGcm128(std::span<const uint8_t, kKeySize> key);
  ~AesGcm128();  // wipes the key schedule
  AesGcm128(const AesGcm128&) = delete;
  AesGcm128& operator=(const AesGcm128&) = delete;

  // Encrypts `data` in place and writes the tag over the authenticated data, the concatenation of
  // `aad` and `aad_tail`, and the ciphertext.
  void Seal(std::span<const uint8_t, kIvSize> iv, std::span<const uint8_t> aad,
            std::span<const uint8_t> aad_tail, uint8_t* data, size_t size, uint8_t* tag) const;
  // Decrypts `data` in place; false (and the bytes are unspecified) when `tag` does not match.
  bool Open(std::span<const uint8_t, kIvSize> iv, std::span<const uint8_t> aad,
            std::span<const uint8_t> aad_tail, uint8_t* data, size_t size,
            const uint8_t* tag) const;

  // Prefetch hint for a fan-out that protects with many cold keys.
  void Prefetch() const {
    for (size_t offset = 0; offset < sizeof(state_); offset += 64)
      __builtin_prefetch(reinterpret_cast<const uint8_t*>(&state_) + offset);
  }

 private:
  // Round keys, then H, H^2, H^3, H^4 byte-reflected for GHASH: 16-byte aligned blocks.
  struct alignas(16) State {
    std::array<uint8_t, 11 * 16> round_keys;
    std::array<uint8_t, 4 * 16> h_powers;
  };
  State state_;
};

}  // namespace auralink::rtc
