// Plugs the SFU into `auralink serve`: the RTC server on the configured UDP port with host
// candidates for the ICE addresses, and the /rtc signalling on every HTTP server.
#pragma once

#include "common/status.h"
#include "signal/api/serve_context.h"

namespace auralink::signal {

Status AttachRtcServer(ServeContext& context);

}  // namespace auralink::signal
