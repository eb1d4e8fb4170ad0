#include "rtc/sdp/transport_parameters.h"

#include <algorithm>
#include <cctype>

namespace auralink::rtc {
namespace {

bool IsSha256(const std::string& algorithm) {
  std::string lower = algorithm;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "sha-256";
}

}  // namespace

StatusOr<SdpTransportParameters> ReadTransportParameters(const SessionDescription& description) {
  SdpTransportParameters transport;
  std::optional<std::string> ufrag = description.ice_ufrag;
  std::optional<std::string> pwd = description.ice_pwd;
  std::vector<SdpFingerprint> fingerprints = description.fingerprints;
  auto take_credentials = [&](const MediaSection& section) {
    if (!ufrag && section.ice_ufrag) ufrag = section.ice_ufrag;
    if (!pwd && section.ice_pwd) pwd = section.ice_pwd;
    if (fingerprints.empty()) fingerprints = section.fingerprints;
  };
  for (const MediaSection& section : description.media) {
    if (section.port == 0) continue;
    take_credentials(section);
    transport.candidates.insert(transport.candidates.end(), section.candidates.begin(),
                                section.candidates.end());
    if (section.media == "application" && section.sctp_port && !transport.sctp_port) {
      transport.sctp_port = *section.sctp_port;
      transport.max_message_size = section.max_message_size.value_or(65536);
    }
  }
  for (const MediaSection& section : description.media) take_credentials(section);

  if (!ufrag || !pwd) return Status::Error("SDP has no ICE credentials");
  const SdpFingerprint* chosen = nullptr;
  for (const SdpFingerprint& fingerprint : fingerprints) {
    if (chosen == nullptr || (IsSha256(fingerprint.algorithm) && !IsSha256(chosen->algorithm))) {
      chosen = &fingerprint;
    }
  }
  if (chosen == nullptr) return Status::Error("SDP has no a=fingerprint");
  transport.ice_ufrag = *ufrag;
  transport.ice_pwd = *pwd;
  transport.fingerprint = *chosen;
  return transport;
}

}  // namespace auralink::rtc
