#include "signal/api/request_token.h"

#include <chrono>
#include <optional>
#include <string>

namespace auralink::signal {

int64_t UnixTimeSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

AuthResult<ClaimGrants> VerifyRequestToken(const http::HttpRequest& request,
                                           const AccessTokenVerifier& verifier, int64_t now_s) {
  if (std::optional<std::string_view> authorization = request.Header("Authorization")) {
    AuthResult<std::string_view> token = BearerToken(*authorization);
    if (!token.ok()) return token.error();
    return verifier.Verify(*token, now_s);
  }
  const std::optional<std::string> token = request.QueryParameter("access_token");
  if (!token || token->empty()) {
    return AuthError{AuthErrorKind::kMissingToken, "missing access token"};
  }
  return verifier.Verify(*token, now_s);
}

}  // namespace auralink::signal
