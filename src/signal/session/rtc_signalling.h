// LiveKit's WebSocket signalling (the `/rtc` path livekit-client connects to): the access token
// in the query joins a room, then protobuf SignalRequest/SignalResponse messages drive the two
// peer connections, track publication, subscriptions, mute, data and leave. `/rtc/v1`, which
// livekit-client tries first, is the same with the join parameters in one `join_request`
// (signal/protocol/wrapped_join_request.h) and a single peer connection: the client's first offer
// comes with the join, and the server asks for receive sections with MediaSectionsRequirement. Each
// WebSocket is one RtcSession, the SFU's SignalSink for its participant. A WebSocket that closes
// without a leave request leaves its participant in the room, where `reconnect=1&sid=<participant
// sid>` with a token for the same room and identity resumes it (ReconnectResponse, ICE restart)
// until the signalling timeout removes it; a resume for a participant that is gone is answered with
// a LeaveRequest whose action (RECONNECT) makes the client join afresh.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "sfu/rtc_server.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/http/http_server.h"
#include "signal/session/rtc_worker_pool.h"

namespace auralink::signal {

struct RtcSignallingOptions {
  std::string server_version = "1.9.0";  // what LiveKit server version we behave like
  std::string node_id = "auralink";
  int ping_interval_s = 5;
  int ping_timeout_s = 15;
};

// Registers GET /rtc and GET /rtc/v1 (WebSocket). The verifier and server must outlive the HTTP
// server.
Status RegisterRtcSignalling(http::HttpServer* server, sfu::RtcServer* rtc,
                             const AccessTokenVerifier* verifier,
                             const RtcSignallingOptions& options = {});
// The same, with each session on its room's worker (the pool must outlive the HTTP server).
Status RegisterRtcSignalling(http::HttpServer* server, RtcWorkerPool* pool,
                             const AccessTokenVerifier* verifier,
                             const RtcSignallingOptions& options = {});

}  // namespace auralink::signal
