// Whether a token may join a room over /rtc or /rtc/v1, with the HTTP status and text LiveKit
// answers. The WebSocket upgrades and GET /rtc/validate and /rtc/v1/validate share it:
// livekit-client calls the validate path after a failed upgrade and shows the body (401/403, and
// 404 "requested room does not exist", become ConnectionError.notAllowed; any other 404 from
// /rtc/v1/validate makes it fall back to /rtc).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/auth/claim_grants.h"
#include "signal/http/http_server.h"

namespace auralink::signal {

inline constexpr std::string_view kRoomNotFoundMessage = "requested room does not exist";

struct RtcJoinAdmission {
  int http_status = 200;  // 200, 400 (no identity), 401, 403, 404 (room missing)
  std::string message;    // "success", or why not (one line, safe to show the client)
  ClaimGrants grants;     // the verified token (identity, name, metadata, grant) when admitted
  std::string room;       // the room the token grants joining

  bool admitted() const { return http_status == 200; }
};

struct RtcJoinPolicy {
  // room.auto_create: when false, joining a room that does not exist is refused with 404.
  bool auto_create_rooms = true;
  // Asked only when auto_create_rooms is false.
  std::function<bool(const std::string& room)> room_exists;
};

// Checks the access_token of /rtc?access_token=...: 401 (with the verifier's reason) for a missing,
// malformed, badly signed, expired or not-yet-valid token or an unknown API key; 403 when the
// token has no roomJoin grant or names no room; 400 when it has no identity; 404
// kRoomNotFoundMessage when rooms are not auto-created and the room does not exist.
RtcJoinAdmission CheckRtcJoin(std::string_view access_token, const AccessTokenVerifier& verifier,
                              const RtcJoinPolicy& policy, int64_t now_s);

// GET /rtc/validate and GET /rtc/v1/validate: 200 "success" or the refusal as text/plain; the
// v1 path also decodes its join_request, if any, and answers 400 with the decoder's error when it
// is malformed. `verifier` must outlive the server's handlers; `now_s` defaults to the system
// clock.
Status RegisterRtcValidateRoutes(http::HttpServer* server, const AccessTokenVerifier* verifier,
                                 RtcJoinPolicy policy, std::function<int64_t()> now_s = {});

}  // namespace auralink::signal
