// The SDP our client writes and reads on LiveKit's two peer connections (JSEP, RFC 8829): the
// publisher offer (one send-only section per published track, BUNDLEd, a=setup:actpass so the
// ICE-lite server answers passive and we become the DTLS client, RFC 5763 §5), the answer to the
// server's subscriber offer (recv-only, a=setup:active, data channel declined), and the server's
// transport parameters and tracks read from either.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/emulated_stream.h"
#include "common/status.h"
#include "net/socket_address.h"
#include "rtc/dtls/dtls_fingerprint.h"
#include "rtc/sdp/session_description.h"

namespace auralink::client {

inline constexpr uint8_t kOpusPayloadType = 111;
inline constexpr uint8_t kVp8PayloadType = 96;
inline constexpr uint8_t kVp8RtxPayloadType = 97;

struct LocalIceParameters {
  std::string ufrag;
  std::string pwd;
  rtc::DtlsFingerprint fingerprint;
  // Our host candidate; a full-ICE server (Janus) needs it, an ICE-lite one learns us from checks.
  std::optional<net::SocketAddress> host_candidate;
};

enum class PublishedKind { kAudio, kVideo };

// One track of the publisher offer.
struct PublishedSection {
  PublishedKind kind = PublishedKind::kAudio;
  std::string mid;
  std::string track_id;  // LiveKit: the AddTrackRequest cid (the MediaStreamTrack id)
  // Audio or single-layer video: one SSRC, signalled with a=ssrc. Simulcast: rids instead
  // (a=rid / a=simulcast, RFC 8853), lowest layer first, SSRCs learned by the server from packets.
  uint32_t ssrc = 0;
  std::vector<std::string> rids;
};

// `setup` is "actpass" for LiveKit-style servers (which answer passive) or "active" for servers
// that would otherwise take the DTLS client role themselves (Janus answers actpass with active).
rtc::SessionDescription BuildPublisherOffer(const LocalIceParameters& local,
                                            const std::vector<PublishedSection>& sections,
                                            const std::string& stream_id,
                                            const PublisherExtensionIds& extension_ids,
                                            uint64_t session_version,
                                            const std::string& setup = "actpass");

// What we need from the server's side of either connection.
struct ServerTransport {
  std::string ice_ufrag;
  std::string ice_pwd;
  rtc::DtlsFingerprint fingerprint;
  std::optional<net::SocketAddress> candidate;  // the first UDP IPv4/IPv6 host candidate
};
StatusOr<ServerTransport> ReadServerTransport(const rtc::SessionDescription& description);

// One track the server sends us, from a section of its subscriber offer.
struct OfferedTrack {
  std::string mid;
  bool video = false;
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;
  uint32_t clock_rate = 0;
  std::string participant_sid;  // from msid "<participant sid>|<track sid> <track sid>"
  std::string track_sid;
};

struct SubscriberAnswer {
  rtc::SessionDescription answer;
  ServerTransport server;
  std::vector<OfferedTrack> tracks;  // active sections only
};

// Accepts every active audio/video section as recv-only with the offered codecs and extensions;
// declines the data channel (port 0).
StatusOr<SubscriberAnswer> AnswerSubscriberOffer(const rtc::SessionDescription& offer,
                                                 const LocalIceParameters& local);

}  // namespace auralink::client
