#include "signal/auth/access_token_verifier.h"

#include <nlohmann/json.hpp>
#include <string>

#include "signal/auth/base64_url.h"
#include "signal/auth/hmac_sha256.h"

namespace auralink::signal {
namespace {

AuthError Refuse(AuthErrorKind kind, const std::string& reason) {
  return AuthError{kind, "invalid token: " + reason};
}

// Decodes a base64url segment holding a JSON object; `what` names it in errors.
AuthResult<nlohmann::json> DecodeJsonSegment(std::string_view segment, const char* what) {
  const auto bytes = Base64UrlDecode(segment);
  if (!bytes)
    return Refuse(AuthErrorKind::kMalformedToken, std::string(what) + " is not base64url");
  auto json = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return Refuse(AuthErrorKind::kMalformedToken, std::string(what) + " is not a JSON object");
  }
  return json;
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

StatusOr<std::unique_ptr<AccessTokenVerifier>> AccessTokenVerifier::Create(
    std::shared_ptr<const ApiKeyProvider> keys, int64_t clock_leeway_s) {
  if (keys == nullptr) return Status::Error("access token verifier needs an API key provider");
  if (clock_leeway_s < 0 || clock_leeway_s > 3600) {
    return Status::Error("clock leeway of " + std::to_string(clock_leeway_s) +
                         " s is outside 0..3600");
  }
  return std::unique_ptr<AccessTokenVerifier>(
      new AccessTokenVerifier(std::move(keys), clock_leeway_s));
}

AuthResult<ClaimGrants> AccessTokenVerifier::Verify(std::string_view token, int64_t now_s) const {
  if (token.empty()) return AuthError{AuthErrorKind::kMissingToken, "missing access token"};
  if (token.size() > kMaxAccessTokenBytes) {
    return Refuse(AuthErrorKind::kMalformedToken,
                  "longer than " + std::to_string(kMaxAccessTokenBytes) + " bytes");
  }
  const size_t first_dot = token.find('.');
  const size_t second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    return Refuse(AuthErrorKind::kMalformedToken, "not three dot-separated segments");
  }
  const std::string_view header_segment = token.substr(0, first_dot);
  const std::string_view payload_segment = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::string_view signature_segment = token.substr(second_dot + 1);

  // RFC 7515 section 4.1.1: the algorithm is the header's; we accept exactly HS256, so neither
  // "none" nor an asymmetric algorithm can be substituted (RFC 8725 section 2.1).
  auto header = DecodeJsonSegment(header_segment, "header");
  if (!header.ok()) return header.error();
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string()) {
    return Refuse(AuthErrorKind::kMalformedToken, "header has no \"alg\"");
  }
  if (alg->get<std::string>() != "HS256") {
    return Refuse(AuthErrorKind::kUnsupportedAlgorithm,
                  "algorithm \"" + alg->get<std::string>().substr(0, 32) + "\" is not HS256");
  }
  // RFC 7515 section 4.1.11: extensions we do not understand must make the token invalid.
  if (header->contains("crit")) {
    return Refuse(AuthErrorKind::kUnsupportedAlgorithm, "header lists critical extensions");
  }
  if (const auto typ = header->find("typ");
      typ != header->end() &&
      (!typ->is_string() || !EqualsIgnoringAsciiCase(typ->get<std::string>(), "JWT"))) {
    return Refuse(AuthErrorKind::kMalformedToken, "header \"typ\" is not JWT");
  }

  auto payload = DecodeJsonSegment(payload_segment, "payload");
  if (!payload.ok()) return payload.error();
  const auto iss = payload->find("iss");
  if (iss == payload->end() || !iss->is_string() || iss->get<std::string>().empty()) {
    return Refuse(AuthErrorKind::kMalformedToken, "no issuer (API key)");
  }
  const std::string api_key = iss->get<std::string>();
  const auto secret = keys_->SecretFor(api_key);
  if (!secret) return Refuse(AuthErrorKind::kUnknownApiKey, "unknown API key");

  const auto signature = Base64UrlDecode(signature_segment);
  if (!signature) return Refuse(AuthErrorKind::kMalformedToken, "signature is not base64url");
  const auto expected = HmacSha256(*secret, token.substr(0, second_dot));
  if (!expected || signature->size() != expected->size() ||
      !ConstantTimeEquals(signature->data(), expected->data(), expected->size())) {
    return Refuse(AuthErrorKind::kBadSignature, "signature does not match");
  }

  auto grants = ClaimGrantsFromJwtPayload(*payload);
  if (!grants.ok()) return Refuse(AuthErrorKind::kMalformedToken, grants.status().message());
  // exp is required: without it a leaked token would be valid forever (livekit/protocol#1706).
  if (!payload->contains("exp") || (*payload)["exp"].is_null()) {
    return Refuse(AuthErrorKind::kExpired, "no expiry (\"exp\")");
  }
  if (now_s >= grants->expires_at_s + clock_leeway_s_) {
    return Refuse(AuthErrorKind::kExpired, "token is expired");
  }
  if (grants->not_before_s != 0 && now_s + clock_leeway_s_ < grants->not_before_s) {
    return Refuse(AuthErrorKind::kNotYetValid, "token is not valid yet");
  }
  return std::move(grants).value();
}

AuthResult<std::string_view> BearerToken(std::string_view authorization_header) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization_header.size() <= kScheme.size() ||
      !EqualsIgnoringAsciiCase(authorization_header.substr(0, kScheme.size()), kScheme)) {
    return AuthError{AuthErrorKind::kMissingToken,
                     "invalid authorization header. Must start with Bearer"};
  }
  std::string_view token = authorization_header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return AuthError{AuthErrorKind::kMissingToken, "missing access token"};
  return token;
}

}  // namespace auralink::signal
