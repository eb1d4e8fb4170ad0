// HTTP responses of the Twirp RoomService: results in the request's encoding (proto3 JSON or
// binary protobuf) and errors as Twirp's JSON error object with the status its code implies.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "signal/auth/auth_error.h"
#include "signal/http/http_response.h"
#include "signal/protocol/twirp_error.h"

namespace google::protobuf {
class Message;
}

namespace auralink::signal {

// Twirp request and response bodies share one Content-Type (spec v7, "Content-Type").
enum class TwirpEncoding { kJson, kProtobuf };

inline constexpr std::string_view kProtobufContentType = "application/protobuf";

// "application/json" (parameters such as ";charset=UTF-8" allowed) or "application/protobuf";
// nullopt for anything else, which Twirp answers with bad_route.
std::optional<TwirpEncoding> TwirpEncodingOf(std::string_view content_type);

http::HttpResponse TwirpResultResponse(const google::protobuf::Message& message,
                                       TwirpEncoding encoding);
http::HttpResponse TwirpErrorResponse(TwirpErrorCode code, std::string message);
// The Twirp code of a Status from RoomControl or the API layer (kNotFound -> not_found, ...).
TwirpErrorCode TwirpErrorCodeFor(StatusCode code);
http::HttpResponse TwirpErrorResponse(const Status& status);
http::HttpResponse TwirpErrorResponse(const AuthError& error);

}  // namespace auralink::signal
