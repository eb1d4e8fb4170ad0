// Twirp errors (https://twitchtv.github.io/twirp/docs/spec_v7.html#error-codes): a JSON body
// {"code": "...", "msg": "..."} with the HTTP status the spec assigns to each code.
// livekit-server-sdk reads `code`, `msg` and `meta` from it when the Content-Type is exactly
// "application/json".
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace auralink::signal {

enum class TwirpErrorCode {
  kCanceled,
  kUnknown,
  kInvalidArgument,
  kMalformed,
  kDeadlineExceeded,
  kNotFound,
  kBadRoute,
  kAlreadyExists,
  kPermissionDenied,
  kUnauthenticated,
  kResourceExhausted,
  kFailedPrecondition,
  kAborted,
  kOutOfRange,
  kUnimplemented,
  kInternal,
  kUnavailable,
  kDataLoss,
};

// The wire name, e.g. "permission_denied".
std::string_view TwirpErrorCodeName(TwirpErrorCode code);
int TwirpErrorHttpStatus(TwirpErrorCode code);

struct TwirpError {
  TwirpErrorCode code = TwirpErrorCode::kInternal;
  std::string message;
  std::map<std::string, std::string> meta;

  int HttpStatus() const { return TwirpErrorHttpStatus(code); }
  // {"code":"not_found","msg":"room does not exist"} (plus "meta" when present).
  std::string ToJson() const;
};

}  // namespace auralink::signal
