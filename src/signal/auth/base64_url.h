// base64url without padding (RFC 4648 section 5), the encoding of every JWS segment (RFC 7515
// section 2).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace auralink::signal {

std::string Base64UrlEncode(std::span<const uint8_t> bytes);
std::string Base64UrlEncode(std::string_view text);

// Strict: only the URL-safe alphabet, no padding, no whitespace, and no non-zero bits left over in
// the last character (so each byte string has exactly one encoding). nullopt on anything else.
std::optional<std::vector<uint8_t>> Base64UrlDecode(std::string_view text);

}  // namespace auralink::signal
