// Verifies LiveKit access tokens: JWS compact serialization (RFC 7515 section 7.1) of a JWT
// (RFC 7519) signed with HS256 under the secret of the API key named in `iss`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/status.h"
#include "signal/auth/api_key_provider.h"
#include "signal/auth/auth_error.h"
#include "signal/auth/claim_grants.h"

namespace auralink::signal {

// Larger than any token livekit-server-sdk issues, roomConfig included; bounds the JSON we parse.
inline constexpr size_t kMaxAccessTokenBytes = 16 * 1024;
// livekit-server-sdk's TokenVerifier tolerates 10 s of clock skew.
inline constexpr int64_t kDefaultClockLeewaySeconds = 10;

class AccessTokenVerifier {
 public:
  static StatusOr<std::unique_ptr<AccessTokenVerifier>> Create(
      std::shared_ptr<const ApiKeyProvider> keys,
      int64_t clock_leeway_s = kDefaultClockLeewaySeconds);

  // Checks, in order: size and shape, header (alg must be HS256; "crit" is refused), that `iss`
  // names a known key, the signature (constant-time), then exp (required) and nbf against
  // `now_s` (seconds since the epoch) with the leeway. Never throws on any input.
  AuthResult<ClaimGrants> Verify(std::string_view token, int64_t now_s) const;

 private:
  AccessTokenVerifier(std::shared_ptr<const ApiKeyProvider> keys, int64_t clock_leeway_s)
      : keys_(std::move(keys)), clock_leeway_s_(clock_leeway_s) {}

  std::shared_ptr<const ApiKeyProvider> keys_;
  int64_t clock_leeway_s_;
};

// The token of an "Authorization: Bearer <token>" header value (RFC 6750 section 2.1), as the
// RoomService clients send it; kMissingToken when the header is empty or not a Bearer credential.
AuthResult<std::string_view> BearerToken(std::string_view authorization_header);

}  // namespace auralink::signal
