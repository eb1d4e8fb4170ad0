// SRTP protection profiles that DTLS-SRTP negotiates (RFC 5764 §4.1.2) and their key sizes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace auralink::rtc {

// Values are the DTLS-SRTP profile identifiers from the IANA registry.
enum class SrtpProfile : uint16_t {
  kAes128CmHmacSha1_80 = 0x0001,  // RFC 5764 §4.1.2
  kAeadAes128Gcm = 0x0007,        // RFC 7714 §14.2
};

constexpr size_t SrtpMasterKeyLength(SrtpProfile) { return 16; }

// RFC 3711 §8.2 keeps a 112-bit master salt; RFC 7714 §12 uses a 96-bit one for AES-GCM.
constexpr size_t SrtpMasterSaltLength(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? 12 : 14;
}

constexpr size_t SrtpMasterKeySaltLength(SrtpProfile profile) {
  return SrtpMasterKeyLength(profile) + SrtpMasterSaltLength(profile);
}

// Bytes SRTP adds to an RTP packet: the 80-bit HMAC tag, or the 16-byte GCM tag.
constexpr size_t SrtpRtpOverhead(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? 16 : 10;
}

// SRTCP adds the E flag + 31-bit SRTCP index (RFC 3711 §3.4) to the tag.
constexpr size_t SrtpRtcpOverhead(SrtpProfile profile) { return 4 + SrtpRtpOverhead(profile); }

// The profile's name in RFC 5764 / RFC 7714 ("SRTP_AEAD_AES_128_GCM").
constexpr std::string_view SrtpProfileName(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? "SRTP_AEAD_AES_128_GCM"
                                                : "SRTP_AES128_CM_SHA1_80";
}

constexpr std::optional<SrtpProfile> SrtpProfileFromId(uint16_t id) {
  switch (id) {
    case static_cast<uint16_t>(SrtpProfile::kAes128CmHmacSha1_80):
      return SrtpProfile::kAes128CmHmacSha1_80;
    case static_cast<uint16_t>(SrtpProfile::kAeadAes128Gcm):
      return SrtpProfile::kAeadAes128Gcm;
    default:
      return std::nullopt;
  }
}

}  // namespace auralink::rtc
