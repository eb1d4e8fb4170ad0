// The transport a session description describes, read once for both ends of our stack: with
// BUNDLE (RFC 9143) every section in use shares one ICE ufrag/pwd, one DTLS fingerprint and one
// set of candidates, but each of them may be written at session level or in any section.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "rtc/sdp/session_description.h"

namespace auralink::rtc {

struct SdpTransportParameters {
  std::string ice_ufrag;
  std::string ice_pwd;
  SdpFingerprint fingerprint;           // sha-256 when offered (every browser writes it)
  std::vector<std::string> candidates;  // a=candidate values of the sections in use, in order
  // From an m=application section in use (RFC 8841): the peer takes data channels.
  std::optional<uint16_t> sctp_port;
  uint64_t max_message_size = 65536;  // RFC 8841 §6: 64 KiB when the attribute is absent
};

// Sections with port 0 are skipped, except that ICE credentials and fingerprints are still taken
// from them when every section was declined (JSEP, RFC 8829 §5.2.1, keeps them there).
StatusOr<SdpTransportParameters> ReadTransportParameters(const SessionDescription& description);

}  // namespace auralink::rtc
