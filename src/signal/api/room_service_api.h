// LiveKit's RoomService over Twirp (https://twitchtv.github.io/twirp/docs/spec_v7.html), as
// livekit-server-sdk's RoomServiceClient calls it: POST /twirp/livekit.RoomService/<Method> with
// "Authorization: Bearer <token>" and a proto3 JSON body (the SDK) or a binary protobuf body
// (Go and other Twirp clients); the answer uses the request's encoding.
//
// Permissions follow LiveKit's service layer: CreateRoom and DeleteRoom need the roomCreate grant,
// ListRooms needs roomList, and every method on one room (participants, tracks, data, metadata)
// needs roomAdmin for that very room. Errors are Twirp JSON errors: 401 unauthenticated (missing
// or invalid token), 403 permission_denied, 404 not_found / bad_route, 400 invalid_argument /
// malformed, 501 unimplemented. See docs/server-api.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "common/status.h"
#include "sfu/room_control.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/config/server_config.h"
#include "signal/http/http_request.h"
#include "signal/http/http_response.h"
#include "signal/http/http_server.h"

namespace auralink::signal {

struct RoomServiceApiOptions {
  // Name, identity and metadata sizes, as livekit-server's `limit` section bounds them.
  LimitConfig limits;
  // Seconds since the Unix epoch, for token expiry; the system clock when empty.
  std::function<int64_t()> now_s;
};

class RoomServiceApi {
 public:
  // `rooms` and `verifier` must outlive the API object.
  static StatusOr<std::unique_ptr<RoomServiceApi>> Create(sfu::RoomControl* rooms,
                                                          const AccessTokenVerifier* verifier,
                                                          RoomServiceApiOptions options = {});

  // Answers one request to a path under /twirp/. Never throws on any input.
  http::HttpResponse Handle(const http::HttpRequest& request) const;

 private:
  RoomServiceApi(sfu::RoomControl* rooms, const AccessTokenVerifier* verifier,
                 RoomServiceApiOptions options)
      : rooms_(rooms), verifier_(verifier), options_(std::move(options)) {}

  sfu::RoomControl* rooms_;
  const AccessTokenVerifier* verifier_;
  RoomServiceApiOptions options_;
};

// Routes every method under /twirp to a RoomServiceApi (methods of other services answer Twirp
// bad_route). Call on the server's loop thread; RoomControl is then called on that thread too.
Status RegisterRoomServiceApi(http::HttpServer* server, sfu::RoomControl* rooms,
                              const AccessTokenVerifier* verifier,
                              RoomServiceApiOptions options = {});

}  // namespace auralink::signal
