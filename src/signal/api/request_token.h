// The access token of an HTTP request to the control plane, verified. LiveKit's auth middleware
// takes it from "Authorization: Bearer <token>" (RoomService clients) or, when that header is
// absent, from the access_token query parameter (livekit-client's /rtc and /rtc/validate).
#pragma once

#include <cstdint>

#include "signal/auth/access_token_verifier.h"
#include "signal/auth/auth_error.h"
#include "signal/auth/claim_grants.h"
#include "signal/http/http_request.h"

namespace auralink::signal {

// Seconds since the Unix epoch, the clock tokens' nbf and exp are in.
int64_t UnixTimeSeconds();

AuthResult<ClaimGrants> VerifyRequestToken(const http::HttpRequest& request,
                                           const AccessTokenVerifier& verifier, int64_t now_s);

}  // namespace auralink::signal
