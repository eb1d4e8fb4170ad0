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
// Two widths: AES-NI and PCLMULQDQ on 16-byte registers, and, where the CPU has AVX-512 with VAES
// and VPCLMULQDQ, the same work four blocks per instruction on 64-byte registers, sixteen blocks
// hashed per reduction (aes_gcm_wide.cc). Available() says whether this CPU runs a width; without
// either, AeadGcmSrtpSession uses OpenSSL. The tests check every result of both against OpenSSL's.
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

  enum class Width {
    k128,  // AES-NI, PCLMULQDQ and SSE4.1
    k512,  // and AVX-512 (F, BW, VL) with VAES and VPCLMULQDQ
  };

  // Whether this CPU runs `width`.
  static bool Available(Width width = Width::k128);
  // The widest width this CPU runs; only when Available().
  static Width Widest();

  // Only when Available(width).
  explicit AesGcm128(std::span<const uint8_t, kKeySize> key, Width width = Widest());
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

  Width width() const { return width_; }

  // Prefetch hint for a fan-out that protects with many cold keys.
  void Prefetch() const {
    for (size_t offset = 0; offset < sizeof(state_); offset += 64)
      __builtin_prefetch(reinterpret_cast<const uint8_t*>(&state_) + offset);
  }

 private:
  // Round keys, then H^16, H^15, ..., H^1 for GHASH, byte-reflected and in the Montgomery form
  // aes_gcm.cc describes.
  struct alignas(64) State {
    std::array<uint8_t, 11 * 16> round_keys;
    std::array<uint8_t, 16 * 16> h_powers;
  };
  State state_;
  Width width_;
};

}  // namespace auralink::rtc
