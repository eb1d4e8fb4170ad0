// The opening handshake of RFC 6455 §4: the Sec-WebSocket-Key/Accept pair and the checks a server
// makes on an upgrade request before handing it to a route.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "signal/http/http_request.h"

namespace auralink::signal::http {

// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), §4.2.2 step 5.4.
std::string ComputeWebSocketAccept(std::string_view key);
// A fresh random Sec-WebSocket-Key: 16 random bytes in base64 (§4.1).
std::string GenerateWebSocketKey();
// Four unpredictable bytes for masking a client frame (§5.3).
std::array<uint8_t, 4> GenerateWebSocketMask();

// True when the request asks for a WebSocket (Upgrade: websocket and Connection: upgrade).
bool IsWebSocketUpgradeRequest(const HttpRequest& request);
// Checks the rest of §4.2.1 (GET, HTTP/1.1, version 13, a key that decodes to 16 bytes).
Status ValidateWebSocketUpgrade(const HttpRequest& request);

}  // namespace auralink::signal::http
