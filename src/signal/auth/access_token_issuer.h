// Issues LiveKit access tokens the way livekit-server-sdk's AccessToken.toJwt() does: header
// {"alg":"HS256","typ":"JWT"}, iss = API key, sub = identity, nbf = now, exp = now + ttl. For tests
// and for AuraLink's native client; the server only verifies.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "signal/auth/claim_grants.h"

namespace auralink::signal {

// livekit-server-sdk's default time to live.
inline constexpr int64_t kDefaultTokenTtlSeconds = 6 * 3600;

class AccessTokenIssuer {
 public:
  static StatusOr<std::unique_ptr<AccessTokenIssuer>> Create(std::string api_key,
                                                             std::string secret);

  // Signs `grants` (their api_key, not_before_s and expires_at_s are replaced by this issuer's key,
  // now_s and now_s + ttl_s). Fails when a join is granted without an identity, as the SDK does.
  StatusOr<std::string> Issue(ClaimGrants grants, int64_t now_s,
                              int64_t ttl_s = kDefaultTokenTtlSeconds) const;

  const std::string& api_key() const { return api_key_; }

 private:
  AccessTokenIssuer(std::string api_key, std::string secret)
      : api_key_(std::move(api_key)), secret_(std::move(secret)) {}

  std::string api_key_;
  std::string secret_;
};

}  // namespace auralink::signal
