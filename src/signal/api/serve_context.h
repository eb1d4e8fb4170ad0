// What `auralink serve` hands the RTC server when it attaches it: the event loop, the HTTP
// servers (one per bind address), the configuration and the token verifier. The RTC server's
// factory registers the /rtc WebSocket signalling on every HTTP server, binds the ICE ports and
// stores the RoomControl the RoomService API and /rtc/validate act on.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "net/event_loop.h"
#include "sfu/room_control.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/config/server_config.h"
#include "signal/http/http_server.h"

namespace auralink::signal {

struct ServeContext {
  net::EventLoop* loop = nullptr;
  const ServerConfig* config = nullptr;
  // Every listening HTTP server; routes must be registered on each of them.
  std::vector<http::HttpServer*> http_servers;
  const AccessTokenVerifier* verifier = nullptr;
  // The addresses ICE candidates are gathered on (from rtc.node_ip, the bind addresses or the
  // machine's addresses). The factory may replace them with what it really bound; serve logs them.
  std::vector<std::string> ice_addresses;

  // Set by the factory. The RoomControl is called on the loop thread (HTTP handlers run there).
  sfu::RoomControl* room_control = nullptr;
  // Owned here so the RTC server lives until the loop stops. When it stops, serve destroys the
  // HTTP servers first (closing their WebSockets, whose callbacks may still reach the RTC server),
  // then this, then the loop.
  std::shared_ptr<void> rtc_server;
};

// Attaches the RTC server (ICE/DTLS/SRTP ports, the SFU, /rtc signalling) to a starting server.
// An error stops `auralink serve` with that message.
using RtcServerFactory = std::function<Status(ServeContext& context)>;

}  // namespace auralink::signal
