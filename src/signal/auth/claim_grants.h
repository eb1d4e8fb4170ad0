// The claims of a LiveKit access token (RFC 7519 registered claims plus LiveKit's own), as
// livekit-server-sdk's AccessToken writes them: iss = API key, sub = participant identity, nbf/exp
// in seconds since the epoch, then name, metadata, attributes, kind, sha256, roomPreset, roomConfig
// and the `video` grant.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/status.h"
#include "signal/auth/video_grant.h"

namespace auralink::signal {

struct ClaimGrants {
  std::string api_key;   // iss
  std::string identity;  // sub
  std::string name;
  std::string metadata;
  std::map<std::string, std::string> attributes;
  std::string kind;    // participant kind: "standard", "agent", "ingress", "egress", "sip", ...
  std::string sha256;  // hash of the body a webhook carries
  std::string room_preset;
  nlohmann::json room_config;  // RoomConfiguration in proto3 JSON, passed through; null when absent
  std::optional<VideoGrant> video;
  int64_t not_before_s = 0;  // nbf; 0 when absent
  int64_t expires_at_s = 0;  // exp

  bool operator==(const ClaimGrants&) const = default;
};

// The JWT payload for `grants` (iss, sub, nbf, exp and the LiveKit claims; empty strings and unset
// grant fields left out, as livekit-server-sdk does).
nlohmann::json ClaimGrantsToJwtPayload(const ClaimGrants& grants);

// Reads a verified payload. Unknown claims are ignored (tokens carry sip, inference, jti, ...);
// a known claim of the wrong JSON type is an error naming it, as in LiveKit's Go decoder.
StatusOr<ClaimGrants> ClaimGrantsFromJwtPayload(const nlohmann::json& payload);

}  // namespace auralink::signal
