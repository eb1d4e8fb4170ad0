#include "signal/protocol/twirp_error.h"

#include <nlohmann/json.hpp>

namespace auralink::signal {

std::string_view TwirpErrorCodeName(TwirpErrorCode code) {
  switch (code) {
    case TwirpErrorCode::kCanceled:
      return "canceled";
    case TwirpErrorCode::kUnknown:
      return "unknown";
    case TwirpErrorCode::kInvalidArgument:
      return "invalid_argument";
    case TwirpErrorCode::kMalformed:
      return "malformed";
    case TwirpErrorCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case TwirpErrorCode::kNotFound:
      return "not_found";
    case TwirpErrorCode::kBadRoute:
      return "bad_route";
    case TwirpErrorCode::kAlreadyExists:
      return "already_exists";
    case TwirpErrorCode::kPermissionDenied:
      return "permission_denied";
    case TwirpErrorCode::kUnauthenticated:
      return "unauthenticated";
    case TwirpErrorCode::kResourceExhausted:
      return "resource_exhausted";
    case TwirpErrorCode::kFailedPrecondition:
      return "failed_precondition";
    case TwirpErrorCode::kAborted:
      return "aborted";
    case TwirpErrorCode::kOutOfRange:
      return "out_of_range";
    case TwirpErrorCode::kUnimplemented:
      return "unimplemented";
    case TwirpErrorCode::kInternal:
      return "internal";
    case TwirpErrorCode::kUnavailable:
      return "unavailable";
    case TwirpErrorCode::kDataLoss:
      return "dataloss";
  }
  return "internal";
}

int TwirpErrorHttpStatus(TwirpErrorCode code) {
  switch (code) {
    case TwirpErrorCode::kCanceled:
      return 408;
    case TwirpErrorCode::kUnknown:
      return 500;
    case TwirpErrorCode::kInvalidArgument:
      return 400;
    case TwirpErrorCode::kMalformed:
      return 400;
    case TwirpErrorCode::kDeadlineExceeded:
      return 408;
    case TwirpErrorCode::kNotFound:
      return 404;
    case TwirpErrorCode::kBadRoute:
      return 404;
    case TwirpErrorCode::kAlreadyExists:
      return 409;
    case TwirpErrorCode::kPermissionDenied:
      return 403;
    case TwirpErrorCode::kUnauthenticated:
      return 401;
    case TwirpErrorCode::kResourceExhausted:
      return 429;
    case TwirpErrorCode::kFailedPrecondition:
      return 412;
    case TwirpErrorCode::kAborted:
      return 409;
    case TwirpErrorCode::kOutOfRange:
      return 400;
    case TwirpErrorCode::kUnimplemented:
      return 501;
    case TwirpErrorCode::kInternal:
      return 500;
    case TwirpErrorCode::kUnavailable:
      return 503;
    case TwirpErrorCode::kDataLoss:
      return 500;
  }
  return 500;
}

std::string TwirpError::ToJson() const {
  nlohmann::json body = {{"code", TwirpErrorCodeName(code)}, {"msg", message}};
  if (!meta.empty()) body["meta"] = meta;
  // Replace invalid UTF-8 rather than throw: messages may quote client input.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace auralink::signal
