// Why a request was refused, and the HTTP status LiveKit answers with. livekit-client reads the
// status of GET /rtc/validate after a failed WebSocket upgrade: 401 or 403 become
// ConnectionError.notAllowed carrying the body text; 404 whose body says "requested room does not
// exist" also becomes notAllowed.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "common/status.h"

namespace auralink::signal {

enum class AuthErrorKind {
  kMissingToken,          // 401: no access_token / Authorization: Bearer
  kMalformedToken,        // 401: not three base64url segments of JSON, or a claim of the wrong type
  kUnsupportedAlgorithm,  // 401: alg other than HS256 ("none", RS256, ...) or unknown "crit"
  kUnknownApiKey,         // 401: iss names no configured key
  kBadSignature,          // 401
  kExpired,               // 401: exp (plus leeway) has passed, or exp is missing
  kNotYetValid,           // 401: nbf (minus leeway) is in the future
  kPermissionDenied,      // 403: a valid token whose grants do not allow the request
};

struct AuthError {
  AuthErrorKind kind;
  std::string message;  // one line, safe to return to the client (never echoes the secret)

  int HttpStatus() const { return kind == AuthErrorKind::kPermissionDenied ? 403 : 401; }
  Status ToStatus() const {
    return Status::Error(kind == AuthErrorKind::kPermissionDenied ? StatusCode::kPermissionDenied
                                                                  : StatusCode::kUnauthenticated,
                         message);
  }
};

// The grants of a verified token, or why it was refused.
template <typename T>
class [[nodiscard]] AuthResult {
 public:
  AuthResult(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  AuthResult(AuthError error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const AuthError& error() const { return *error_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T* operator->() const { return &*value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  std::optional<AuthError> error_;
};

}  // namespace auralink::signal
