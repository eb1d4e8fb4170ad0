// `auralink serve`: the media server. Loads the configuration (YAML file, LIVEKIT_KEYS, flags,
// and `--dev` defaults as livekit-server --dev sets them), listens for HTTP on the configured port
// (LiveKit's 7880), serves the RoomService API, /rtc/validate and the health check, attaches the
// RTC server (SFU, ICE ports, /rtc signalling) through the factory the SFU registers, and runs
// until SIGINT or SIGTERM.
#pragma once

#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "signal/api/serve_context.h"
#include "signal/config/server_config.h"

namespace auralink::cli {

// The SFU registers itself here (from main(), before commands run); without a factory, serve
// refuses to start.
void SetRtcServerFactory(signal::RtcServerFactory factory);

struct ServeSettings {
  signal::ServerConfig config;
  // True when no bind address was configured and --dev chose them (loopback and the machine's
  // addresses): an address that cannot be bound is then skipped with a warning, not fatal.
  bool bind_addresses_defaulted = false;
};

// The configuration serve would run with: --config FILE (or the defaults), then LIVEKIT_KEYS,
// then --keys/--bind/--port, then the --dev defaults for what is still unset; validated.
StatusOr<ServeSettings> ServeSettingsFromArguments(
    const std::vector<std::string>& args,
    const std::function<const char*(const char*)>& getenv = [](const char* name) {
      return static_cast<const char*>(std::getenv(name));
    });

// Returns the exit status: 0 after a clean stop, 2 with a one-line error on stderr otherwise.
int RunServeCommand(const std::vector<std::string>& args);

}  // namespace auralink::cli
