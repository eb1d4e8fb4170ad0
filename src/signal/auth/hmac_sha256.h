// HMAC-SHA-256 (RFC 2104, FIPS 180-4) through OpenSSL: the JWS "HS256" algorithm (RFC 7518
// section 3.2).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace auralink::signal {

using Sha256Digest = std::array<uint8_t, 32>;

// nullopt only when OpenSSL itself fails (allocation); never a digest of zeros.
std::optional<Sha256Digest> HmacSha256(std::string_view key, std::string_view data);

// Compares in time independent of where the inputs differ (OpenSSL CRYPTO_memcmp), so a forger
// cannot learn a valid signature byte by byte from response times.
bool ConstantTimeEquals(const uint8_t* a, const uint8_t* b, size_t size);

}  // namespace auralink::signal
