// The SRTP key derivation function (RFC 3711 §4.3) with the AES-CM PRF (§4.3.3), which
// RFC 7714 §11 reuses for AEAD_AES_128_GCM. Key derivation rate 0: keys never change.
#pragma once

#include <cstdint>
#include <span>

#include "common/status.h"

namespace auralink::rtc {

// RFC 3711 §4.3.2 labels.
enum class SrtpKeyLabel : uint8_t {
  kRtpEncryption = 0x00,
  kRtpAuthentication = 0x01,
  kRtpSalt = 0x02,
  kRtcpEncryption = 0x03,
  kRtcpAuthentication = 0x04,
  kRtcpSalt = 0x05,
};

// Fills `out` with the session key for `label`. `master_key` is 16 bytes; `master_salt` 14
// bytes, or 12 for GCM, which takes the salt as the first 12 of 14 bytes with the rest zero
// (the layout libsrtp2 and therefore browsers use).
Status DeriveSrtpSessionKey(std::span<const uint8_t> master_key,
                            std::span<const uint8_t> master_salt, SrtpKeyLabel label,
                            std::span<uint8_t> out);

}  // namespace auralink::rtc
