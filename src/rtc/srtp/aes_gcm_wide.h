// AesGcm128's 64-byte-register path (VAES, VPCLMULQDQ, AVX-512), apart from aes_gcm.cc because it
// is compiled for those instructions: nothing here may run before AesGcm128::Available() says the
// CPU has them. Internal to AesGcm128.
#pragma once

#include <cstddef>
#include <cstdint>

namespace auralink::rtc::aes_gcm_wide {

// Powers of H kept per key, H^16 first: sixteen blocks hashed per reduction here, the last four
// on 16-byte registers.
inline constexpr size_t kPowers = 16;
// x^63 + x^62 + x^57 of the reflected GHASH polynomial y^128 + y^127 + y^126 + y^121 + 1, in one
// 64-bit half: the constant both widths reduce with (aes_gcm.cc explains the form).
inline constexpr int64_t kReflectedPolynomial = static_cast<int64_t>(0xC200000000000000ULL);

// Whether the CPU has AVX-512 F, BW and VL, VAES and VPCLMULQDQ.
bool Available();

// CTR over `size` bytes of `data` in place from counter 2 of `counter_block` (the IV followed by
// four zero bytes), and GHASH over the ciphertext: after encrypting when `sealing`, before
// decrypting otherwise. `x` is GHASH's running value (16 bytes, byte-reflected), updated in place;
// `round_keys` is the AES-128 key schedule (11 blocks) and `h_powers` H^16..H^1 in the form
// aes_gcm.cc keeps them.
void CryptAndHash(const uint8_t* round_keys, const uint8_t* h_powers, const uint8_t* counter_block,
                  uint8_t* data, size_t size, bool sealing, uint8_t* x);

}  // namespace auralink::rtc::aes_gcm_wide
