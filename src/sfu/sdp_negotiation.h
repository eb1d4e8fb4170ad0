// What the SFU says in SDP, for LiveKit's two peer connections per participant (RFC 8829 JSEP,
// RFC 8853 simulcast): the publisher connection, where the browser offers what it sends and we
// answer with what we can receive and forward; and the subscriber connection, where we offer one
// send-only media section per subscribed track and read the browser's answer. We are ICE-lite and
// always the DTLS server (a=setup:passive in answers, actpass in offers that browsers answer
// with active).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "rtc/dtls/dtls_fingerprint.h"
#include "rtc/sdp/session_description.h"

namespace auralink::sfu {

enum class MediaKind { kAudio, kVideo };

// Header extensions the SFU reads or writes, by URI.
namespace rtp_extension_uri {
inline constexpr const char* kMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
inline constexpr const char* kRid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
inline constexpr const char* kRepairedRid =
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
inline constexpr const char* kAbsSendTime =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
inline constexpr const char* kTransportWideCc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
inline constexpr const char* kAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
inline constexpr const char* kDependencyDescriptor =
    "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension";
inline constexpr const char* kAicMetadata = "urn:auralink:rtp-hdrext:aic-metadata";
}  // namespace rtp_extension_uri

struct LocalTransportDescription {
  std::string ice_ufrag;
  std::string ice_pwd;
  std::string fingerprint;              // "sha-256 AB:CD:..."
  std::vector<std::string> candidates;  // "candidate:..." values
};

struct NegotiatedCodec {
  int payload_type = 0;
  std::string name;  // "opus", "VP8", ...
  uint32_t clock_rate = 0;
  uint32_t channels = 0;
  std::string fmtp;
  std::vector<std::string> feedback;
  int rtx_payload_type = -1;  // -1: none
};

// One media section of a publisher's offer, as accepted.
struct PublishedMedia {
  std::string mid;
  MediaKind kind = MediaKind::kAudio;
  bool sending = false;                      // the browser sends on it (sendonly / sendrecv)
  bool receiving = false;                    // it offers to receive on it (recvonly / sendrecv)
  std::vector<NegotiatedCodec> codecs;       // what we accepted, in the browser's order
  std::map<std::string, int> extensions;     // uri -> id, the ones we accepted
  std::vector<std::string> rids;             // simulcast layers, in the order offered
  std::vector<uint32_t> ssrcs;               // signalled media SSRCs (no rids: one)
  std::map<uint32_t, uint32_t> rtx_ssrc_of;  // media SSRC -> RTX SSRC (FID groups)
  std::string stream_id;                     // msid
  std::string track_id;
};

struct RemoteTransportDescription {
  std::string ice_ufrag;
  std::string ice_pwd;
  rtc::DtlsFingerprint fingerprint;
  bool data_channel = false;
  uint16_t sctp_port = 5000;
  uint64_t max_message_size = 65536;
};

struct PublisherNegotiation {
  rtc::SessionDescription answer;
  RemoteTransportDescription remote;
  std::vector<PublishedMedia> media;
};

// Answers a publisher's offer. Codecs, feedback and extensions outside what the SFU forwards are
// left out; sections we cannot use are rejected (port 0) rather than failing the negotiation.
StatusOr<PublisherNegotiation> AnswerPublisherOffer(const rtc::SessionDescription& offer,
                                                    const LocalTransportDescription& local);

// One media section of a subscriber offer: a track we send to this subscriber.
struct SubscribedMedia {
  std::string mid;
  MediaKind kind = MediaKind::kAudio;
  bool active = true;                   // false: the track went away; the section stays, inactive
  std::vector<NegotiatedCodec> codecs;  // the publisher's, with their payload types
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;  // 0: no RTX
  std::string stream_id;  // LiveKit: "<participant sid>|<track sid>"
  std::string track_id;   // the track sid
  std::string cname;
};

// The extension ids we use towards subscribers (fixed, so forwarding rewrites to known ids).
const std::map<std::string, int>& SubscriberExtensionIds();

rtc::SessionDescription BuildSubscriberOffer(const LocalTransportDescription& local,
                                             const std::vector<SubscribedMedia>& media,
                                             bool data_channel, uint64_t session_version);

// LiveKit's single peer connection (/rtc/v1): the browser's own offers carry recvonly media
// sections for what it will receive (livekit-client adds them up front and when the server asks
// with MediaSectionsRequirement), so the SFU sends subscribed tracks by answering. Each entry of
// `tracks` names, in `mid`, the browser's receive section it goes on; that section of `answer`
// (made by AnswerPublisherOffer from `offer`) becomes sendonly with the track's msid, SSRCs and
// the codecs both sides have, under the browser's payload types. A section whose kind does not
// match or that shares no codec with the track stays inactive and is left out of the result.
struct SentSection {
  std::string mid;
  std::map<int, int> payload_type_of;      // the publisher's payload type -> the browser's
  std::map<int, int> rtx_payload_type_of;  // the browser's media payload type -> its RTX type
};
std::vector<SentSection> AnswerReceiveSections(const rtc::SessionDescription& offer,
                                               const std::vector<SubscribedMedia>& tracks,
                                               rtc::SessionDescription* answer);

// The header extension ids the browser offered on its receive sections, for the extensions the
// SFU writes towards subscribers (the single peer connection's counterpart of
// SubscriberExtensionIds; a browser uses one id per URI across a BUNDLE group).
std::map<std::string, int> ReceiveExtensionIds(const std::vector<PublishedMedia>& media);

struct SubscriberAnswer {
  RemoteTransportDescription remote;
  std::vector<std::string> accepted_mids;  // sections the browser will receive on
};

StatusOr<SubscriberAnswer> ReadSubscriberAnswer(const rtc::SessionDescription& answer);

// ICE credentials and fingerprint of any description (the first media section's, or session's).
StatusOr<RemoteTransportDescription> ReadRemoteTransport(const rtc::SessionDescription& remote);

}  // namespace auralink::sfu
