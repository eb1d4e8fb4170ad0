// The `join_request` query parameter of LiveKit's /rtc/v1 signalling: a WrappedJoinRequest
// (compression NONE or GZIP, RFC 1952) in base64 with the URL-safe alphabet (RFC 4648 §5), which
// livekit-client writes with '=' padding and AuraLink also accepts without. It carries what /rtc
// puts in separate query parameters (client info, auto-subscribe, reconnect and the participant
// sid), plus metadata, attributes, AddTrackRequests and the client's first publisher offer.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/status.h"
#include "signal/protocol/livekit_rtc.pb.h"

namespace auralink::signal {

// Neither the base64 text nor the inflated JoinRequest may exceed this: a GZIP body that inflates
// beyond it is refused rather than allocated (a compression bomb costs the server nothing).
inline constexpr size_t kMaxJoinRequestBytes = 1 << 20;

// Decodes the parameter's value (already percent-decoded). Errors name the layer that failed
// (base64, WrappedJoinRequest, compression, JoinRequest) so /rtc/v1/validate can show them. An
// empty value is the encoding of an empty JoinRequest (every field at its default).
StatusOr<livekit::JoinRequest> DecodeJoinRequestParameter(std::string_view base64);

// The reverse, for tests and the native client: `gzip` as livekit-client does where the browser
// has CompressionStream.
std::string EncodeJoinRequestParameter(const livekit::JoinRequest& request, bool gzip);

}  // namespace auralink::signal
