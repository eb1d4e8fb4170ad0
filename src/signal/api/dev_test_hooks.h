// HTTP hooks that let end-to-end tests shape what the SFU does, registered only in development
// mode (`auralink serve --dev`). Each needs a roomAdmin token for the room it touches.
//
//   POST /debug/limit-subscriber-bandwidth
//     Authorization: Bearer <token with roomAdmin for `room`>
//     {"room": "r", "identity": "bob", "kbps": 300}     (kbps 0 lifts the cap)
//   -> 200 {"room": "r", "identity": "bob", "kbps": 300}, or a Twirp-style JSON error.
#pragma once

#include <functional>

#include "common/status.h"
#include "sfu/room_control.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/http/http_request.h"
#include "signal/http/http_response.h"
#include "signal/http/http_server.h"

namespace auralink::signal {

inline constexpr std::string_view kLimitSubscriberBandwidthPath =
    "/debug/limit-subscriber-bandwidth";
// 10 Gbit/s: far above any downlink the SFU meets, and within int.
inline constexpr int kMaxSubscriberBandwidthKbps = 10'000'000;

// Answers one POST /debug/limit-subscriber-bandwidth request.
http::HttpResponse HandleLimitSubscriberBandwidth(const http::HttpRequest& request,
                                                  sfu::RoomControl& rooms,
                                                  const AccessTokenVerifier& verifier,
                                                  int64_t now_s);

// Registers the hooks. `rooms` and `verifier` must outlive `server`'s handlers. `now_s` (seconds
// since the Unix epoch) defaults to the system clock.
Status RegisterDevTestHooks(http::HttpServer* server, sfu::RoomControl* rooms,
                            const AccessTokenVerifier* verifier,
                            std::function<int64_t()> now_s = {});

}  // namespace auralink::signal
