// LiveKit's WebSocket signalling (the `/rtc` path livekit-client connects to): the access token
// in the query joins a room, then protobuf SignalRequest/SignalResponse messages drive the two
// peer connections, track publication, subscriptions, mute, data and leave. Each WebSocket is one
// RtcSession, the SFU's SignalSink for its participant.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "sfu/rtc_server.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/http/http_server.h"

namespace auralink::signal {

struct RtcSignallingOptions {
  std::string server_version = "1.9.0";  // what LiveKit server version we behave like
  std::string node_id = "auralink";
  int ping_interval_s = 5;
  int ping_timeout_s = 15;
};

// Registers GET /rtc (WebSocket). The verifier and server must outlive the HTTP server.
Status RegisterRtcSignalling(http::HttpServer* server, sfu::RtcServer* rtc,
                             const AccessTokenVerifier* verifier,
                             const RtcSignallingOptions& options = {});

}  // namespace auralink::signal
