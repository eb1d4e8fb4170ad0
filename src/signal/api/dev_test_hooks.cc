#include "signal/api/dev_test_hooks.h"

#include <nlohmann/json.hpp>
#include <string>

#include "signal/api/request_token.h"
#include "signal/api/twirp_response.h"

namespace auralink::signal {

http::HttpResponse HandleLimitSubscriberBandwidth(const http::HttpRequest& request,
                                                  sfu::RoomControl& rooms,
                                                  const AccessTokenVerifier& verifier,
                                                  int64_t now_s) {
  if (request.method != "POST") {
    return TwirpErrorResponse(TwirpErrorCode::kBadRoute, "only POST is allowed");
  }
  AuthResult<ClaimGrants> grants = VerifyRequestToken(request, verifier, now_s);
  if (!grants.ok()) return TwirpErrorResponse(grants.error());

  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return TwirpErrorResponse(TwirpErrorCode::kMalformed, "the body is not a JSON object");
  }
  const auto room = body.find("room");
  const auto identity = body.find("identity");
  const auto kbps = body.find("kbps");
  if (room == body.end() || !room->is_string() || room->get<std::string>().empty()) {
    return TwirpErrorResponse(TwirpErrorCode::kInvalidArgument,
                              "\"room\" must be a non-empty string");
  }
  if (identity == body.end() || !identity->is_string() || identity->get<std::string>().empty()) {
    return TwirpErrorResponse(TwirpErrorCode::kInvalidArgument,
                              "\"identity\" must be a non-empty string");
  }
  if (kbps == body.end() || !kbps->is_number_integer() || kbps->get<int64_t>() < 0 ||
      kbps->get<int64_t>() > kMaxSubscriberBandwidthKbps) {
    return TwirpErrorResponse(TwirpErrorCode::kInvalidArgument,
                              "\"kbps\" must be an integer in 0.." +
                                  std::to_string(kMaxSubscriberBandwidthKbps) +
                                  " (0 lifts the cap)");
  }
  const std::string room_name = room->get<std::string>();
  if (!grants->video || !grants->video->CanAdminister(room_name)) {
    return TwirpErrorResponse(TwirpErrorCode::kPermissionDenied,
                              "permissions denied: the token has no roomAdmin grant for room \"" +
                                  room_name.substr(0, 256) + "\"");
  }
  const int limit = static_cast<int>(kbps->get<int64_t>());
  if (Status limited =
          rooms.LimitSubscriberBandwidth(room_name, identity->get<std::string>(), limit);
      !limited.ok()) {
    return TwirpErrorResponse(limited);
  }
  const nlohmann::json answer = {
      {"room", room_name}, {"identity", identity->get<std::string>()}, {"kbps", limit}};
  return http::HttpResponse::Json(200, answer.dump());
}

Status RegisterDevTestHooks(http::HttpServer* server, sfu::RoomControl* rooms,
                            const AccessTokenVerifier* verifier, std::function<int64_t()> now_s) {
  if (server == nullptr || rooms == nullptr || verifier == nullptr) {
    return Status::Error("dev test hooks need an HTTP server, a RoomControl and a token verifier");
  }
  if (!now_s) now_s = UnixTimeSeconds;
  server->Handle(
      "", std::string(kLimitSubscriberBandwidthPath),
      [rooms, verifier, now_s](const http::HttpRequest& request, http::HttpResponder respond) {
        respond(HandleLimitSubscriberBandwidth(request, *rooms, *verifier, now_s()));
      });
  return Status::Ok();
}

}  // namespace auralink::signal
