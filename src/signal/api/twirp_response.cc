#include "signal/api/twirp_response.h"

#include <google/protobuf/message.h>

#include "signal/http/http_request.h"
#include "signal/protocol/twirp_json.h"

namespace auralink::signal {

std::optional<TwirpEncoding> TwirpEncodingOf(std::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  std::string_view media_type = content_type.substr(0, semicolon);
  while (!media_type.empty() && (media_type.back() == ' ' || media_type.back() == '\t')) {
    media_type.remove_suffix(1);
  }
  if (http::EqualsIgnoreCase(media_type, "application/json")) return TwirpEncoding::kJson;
  if (http::EqualsIgnoreCase(media_type, kProtobufContentType)) return TwirpEncoding::kProtobuf;
  return std::nullopt;
}

http::HttpResponse TwirpResultResponse(const google::protobuf::Message& message,
                                       TwirpEncoding encoding) {
  if (encoding == TwirpEncoding::kJson) {
    return http::HttpResponse::Json(200, MessageToTwirpJson(message));
  }
  http::HttpResponse response;
  response.status = 200;
  response.body = message.SerializeAsString();
  response.SetHeader("Content-Type", kProtobufContentType);
  return response;
}

http::HttpResponse TwirpErrorResponse(TwirpErrorCode code, std::string message) {
  TwirpError error;
  error.code = code;
  error.message = std::move(message);
  // livekit-server-sdk parses the error body only when Content-Type is exactly
  // "application/json", which HttpResponse::Json sets.
  return http::HttpResponse::Json(error.HttpStatus(), error.ToJson());
}

TwirpErrorCode TwirpErrorCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return TwirpErrorCode::kInvalidArgument;
    case StatusCode::kNotFound:
      return TwirpErrorCode::kNotFound;
    case StatusCode::kAlreadyExists:
      return TwirpErrorCode::kAlreadyExists;
    case StatusCode::kPermissionDenied:
      return TwirpErrorCode::kPermissionDenied;
    case StatusCode::kUnauthenticated:
      return TwirpErrorCode::kUnauthenticated;
    case StatusCode::kResourceExhausted:
      return TwirpErrorCode::kResourceExhausted;
    case StatusCode::kUnavailable:
      return TwirpErrorCode::kUnavailable;
    case StatusCode::kOk:
    case StatusCode::kUnknown:
      break;
  }
  return TwirpErrorCode::kInternal;
}

http::HttpResponse TwirpErrorResponse(const Status& status) {
  return TwirpErrorResponse(TwirpErrorCodeFor(status.code()), status.message());
}

http::HttpResponse TwirpErrorResponse(const AuthError& error) {
  return TwirpErrorResponse(error.HttpStatus() == 403 ? TwirpErrorCode::kPermissionDenied
                                                      : TwirpErrorCode::kUnauthenticated,
                            error.message);
}

}  // namespace auralink::signal
