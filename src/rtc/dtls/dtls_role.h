// Which side of the DTLS handshake a transport plays, decided by the SDP a=setup attribute.
#pragma once

#include <string_view>

#include "common/status.h"

namespace auralink::rtc {

enum class DtlsRole { kClient, kServer };

// Our role given the a=setup value in the remote description (RFC 4145 §4, RFC 5763 §5):
// "active" makes us the server, "passive" the client, and for "actpass" we answer "active"
// (client), which RFC 5763 §5 recommends because the handshake then starts with the answer.
StatusOr<DtlsRole> DtlsRoleForRemoteSetup(std::string_view remote_setup);

// The a=setup value to put in our own description for `role` ("active" or "passive").
std::string_view SdpSetupForRole(DtlsRole role);

}  // namespace auralink::rtc
