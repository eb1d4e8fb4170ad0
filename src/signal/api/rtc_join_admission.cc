#include "signal/api/rtc_join_admission.h"

#include <utility>

#include "signal/api/request_token.h"
#include "signal/protocol/wrapped_join_request.h"

namespace auralink::signal {

RtcJoinAdmission CheckRtcJoin(std::string_view access_token, const AccessTokenVerifier& verifier,
                              const RtcJoinPolicy& policy, int64_t now_s) {
  RtcJoinAdmission admission;
  const auto refuse = [&](int status, std::string message) {
    admission.http_status = status;
    admission.message = std::move(message);
    return std::move(admission);
  };
  AuthResult<ClaimGrants> grants = verifier.Verify(access_token, now_s);
  if (!grants.ok()) return refuse(grants.error().HttpStatus(), grants.error().message);
  // LiveKit's EnsureJoinPermission ("permissions denied"), and a join needs the room it names.
  if (!grants->video || !grants->video->room_join) {
    return refuse(403, "permissions denied: the token has no roomJoin grant");
  }
  if (grants->video->room.empty()) {
    return refuse(403, "permissions denied: the token's roomJoin grant names no room");
  }
  if (grants->identity.empty()) return refuse(400, "identity cannot be empty");
  if (!policy.auto_create_rooms &&
      !(policy.room_exists && policy.room_exists(grants->video->room))) {
    return refuse(404, std::string(kRoomNotFoundMessage));
  }
  admission.http_status = 200;
  admission.message = "success";
  admission.room = grants->video->room;
  admission.grants = std::move(grants).value();
  return admission;
}

Status RegisterRtcValidateRoutes(http::HttpServer* server, const AccessTokenVerifier* verifier,
                                 RtcJoinPolicy policy, std::function<int64_t()> now_s) {
  if (server == nullptr || verifier == nullptr) {
    return Status::Error("/rtc/validate needs an HTTP server and a token verifier");
  }
  if (!now_s) now_s = UnixTimeSeconds;
  for (const bool v1 : {false, true}) {
    server->Handle(
        "GET", v1 ? "/rtc/v1/validate" : "/rtc/validate",
        [verifier, policy, now_s, v1](const http::HttpRequest& request,
                                      http::HttpResponder respond) {
          const RtcJoinAdmission admission = CheckRtcJoin(
              request.QueryParameter("access_token").value_or(""), *verifier, policy, now_s());
          if (admission.admitted() && v1) {
            const std::optional<std::string> parameter = request.QueryParameter("join_request");
            if (parameter) {
              auto decoded = DecodeJoinRequestParameter(*parameter);
              if (!decoded.ok()) {
                respond(http::HttpResponse::Text(400, decoded.status().message()));
                return;
              }
            }
          }
          respond(http::HttpResponse::Text(admission.http_status, admission.message));
        });
  }
  return Status::Ok();
}

}  // namespace auralink::signal
