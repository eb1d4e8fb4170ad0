#include "signal/auth/access_token_issuer.h"

#include <nlohmann/json.hpp>

#include "signal/auth/base64_url.h"
#include "signal/auth/hmac_sha256.h"

namespace auralink::signal {

StatusOr<std::unique_ptr<AccessTokenIssuer>> AccessTokenIssuer::Create(std::string api_key,
                                                                       std::string secret) {
  if (api_key.empty() || secret.empty()) return Status::Error("api-key and api-secret must be set");
  return std::unique_ptr<AccessTokenIssuer>(
      new AccessTokenIssuer(std::move(api_key), std::move(secret)));
}

StatusOr<std::string> AccessTokenIssuer::Issue(ClaimGrants grants, int64_t now_s,
                                               int64_t ttl_s) const {
  if (ttl_s <= 0) return Status::Error("token time to live must be positive");
  if (grants.identity.empty() && grants.video && grants.video->room_join) {
    return Status::Error("identity is required for join but not set");
  }
  grants.api_key = api_key_;
  grants.not_before_s = now_s;
  grants.expires_at_s = now_s + ttl_s;
  const nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  // Replace rather than throw on invalid UTF-8 in caller-supplied strings.
  const auto dump = [](const nlohmann::json& json) {
    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  const std::string signing_input =
      Base64UrlEncode(dump(header)) + "." + Base64UrlEncode(dump(ClaimGrantsToJwtPayload(grants)));
  const auto signature = HmacSha256(secret_, signing_input);
  if (!signature) return Status::Error("HMAC-SHA-256 failed in OpenSSL");
  return signing_input + "." + Base64UrlEncode(*signature);
}

}  // namespace auralink::signal
