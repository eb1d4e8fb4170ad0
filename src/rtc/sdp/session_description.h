// SDP session descriptions (RFC 8866) as WebRTC offer/answer uses them (JSEP, RFC 8829): the
// session-level lines, one MediaSection per m= line with typed accessors for what an SFU needs
// (codecs, header extensions, RIDs and simulcast, SSRCs, ICE and DTLS parameters), and every
// attribute it does not model kept verbatim so that writing loses nothing. ToString() writes CRLF
// text in the order Chromium writes it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace auralink::rtc {

inline constexpr size_t kMaxSessionDescriptionSize = 512 * 1024;
inline constexpr size_t kMaxSdpLineSize = 8192;
inline constexpr size_t kMaxMediaSections = 256;

enum class MediaDirection { kSendRecv, kSendOnly, kRecvOnly, kInactive };

std::string_view MediaDirectionName(MediaDirection direction);
std::optional<MediaDirection> ParseMediaDirection(std::string_view name);
// The direction seen from the other side (sendonly <-> recvonly).
MediaDirection ReverseMediaDirection(MediaDirection direction);

// An attribute the parser does not model: "a=name" (no value) or "a=name:value".
struct SdpAttribute {
  std::string name;
  std::optional<std::string> value;

  bool operator==(const SdpAttribute&) const = default;
};

// One payload type of an RTP media section: a=rtpmap, a=fmtp and a=rtcp-fb gathered.
struct RtpCodec {
  int payload_type = 0;
  std::string name;  // "opus", "VP8", "rtx"... as written
  uint32_t clock_rate = 0;
  uint32_t channels = 0;  // 0 when the rtpmap gives none
  std::string fmtp;       // the a=fmtp parameter text, verbatim ("minptime=10;useinbandfec=1")
  std::vector<std::string> rtcp_feedback;  // "nack", "nack pli", "transport-cc"...

  // fmtp split at ';' into key=value pairs (RFC 8866 §6.15 leaves the format to the codec; every
  // WebRTC codec uses this form; a part without '=' maps to an empty value, e.g. RED's "111/111").
  std::map<std::string, std::string> FmtpParameters() const;
  std::optional<std::string> FmtpParameter(std::string_view key) const;
  void SetFmtpParameters(const std::map<std::string, std::string>& parameters);
  bool HasFeedback(std::string_view feedback) const;

  bool operator==(const RtpCodec&) const = default;
};

// a=extmap:<id>[/<direction>] <uri> [<attributes>] (RFC 8285 §8).
struct HeaderExtension {
  int id = 0;
  std::string uri;
  std::optional<MediaDirection> direction;
  std::string attributes;

  bool operator==(const HeaderExtension&) const = default;
};

// a=ssrc:<ssrc> <attribute>[:<value>] lines of one SSRC, in order (RFC 5576 §4.1).
struct SsrcDescription {
  uint32_t ssrc = 0;
  std::vector<SdpAttribute> attributes;

  std::optional<std::string> Attribute(std::string_view name) const;
  std::optional<std::string> cname() const { return Attribute("cname"); }
  std::optional<std::string> msid() const { return Attribute("msid"); }

  bool operator==(const SsrcDescription&) const = default;
};

// a=ssrc-group:<semantics> <ssrc>... (RFC 5576 §4.2): FID pairs media with RTX, SIM lists layers.
struct SsrcGroup {
  std::string semantics;
  std::vector<uint32_t> ssrcs;

  bool operator==(const SsrcGroup&) const = default;
};

// a=msid:<stream id> [<track id>] (RFC 8830 §2).
struct MediaStreamId {
  std::string stream_id;
  std::string track_id;

  bool operator==(const MediaStreamId&) const = default;
};

enum class RidDirection { kSend, kRecv };

// a=rid:<id> <send|recv> [pt=<fmt>,...;<restriction>=<value>;...] (RFC 8851 §10).
struct RidDescription {
  std::string id;
  RidDirection direction = RidDirection::kSend;
  std::vector<int> payload_types;
  std::vector<std::pair<std::string, std::string>> restrictions;  // max-width=1280, ...

  bool operator==(const RidDescription&) const = default;
};

// a=simulcast (RFC 8853 §5.1): each stream is a list of alternative RIDs; '~' marks paused.
struct SimulcastRid {
  std::string rid;
  bool paused = false;

  bool operator==(const SimulcastRid&) const = default;
};
using SimulcastStream = std::vector<SimulcastRid>;

struct SimulcastDescription {
  std::vector<SimulcastStream> send;
  std::vector<SimulcastStream> recv;
  bool send_first = true;  // which direction was written first

  bool operator==(const SimulcastDescription&) const = default;
};

struct SdpFingerprint {
  std::string algorithm;  // "sha-256"
  std::string value;      // colon-separated upper-case hex

  bool operator==(const SdpFingerprint&) const = default;
};

struct MediaSection {
  // m=<media> <port>[/<count>] <proto> <fmt>...
  std::string media;  // audio, video, application
  uint16_t port = 9;
  std::optional<int> port_count;
  std::string protocol;              // UDP/TLS/RTP/SAVPF, UDP/DTLS/SCTP
  std::vector<std::string> formats;  // payload types, or "webrtc-datachannel"

  std::optional<std::string> connection;  // c= value ("IN IP4 0.0.0.0")
  std::vector<std::string> other_lines;   // i=, b=, k= lines verbatim ("b=AS:30")
  std::optional<std::string> rtcp;        // a=rtcp value ("9 IN IP4 0.0.0.0")
  std::optional<std::string> mid;
  std::optional<std::string> ice_ufrag;
  std::optional<std::string> ice_pwd;
  std::vector<std::string> ice_options;  // "trickle", "renomination"
  std::vector<SdpFingerprint> fingerprints;
  std::optional<std::string> setup;  // actpass, active, passive, holdconn
  std::optional<MediaDirection> direction;
  bool rtcp_mux = false;
  bool rtcp_mux_only = false;
  bool rtcp_rsize = false;
  bool extmap_allow_mixed = false;
  std::vector<HeaderExtension> header_extensions;
  std::vector<MediaStreamId> msids;
  std::vector<RtpCodec> codecs;                     // in rtpmap order, then payload types only seen
  std::vector<std::string> wildcard_rtcp_feedback;  // a=rtcp-fb:* ...
  std::vector<SsrcGroup> ssrc_groups;
  std::vector<SsrcDescription> ssrcs;  // in order of first appearance
  std::vector<RidDescription> rids;
  std::optional<SimulcastDescription> simulcast;
  std::optional<uint16_t> sctp_port;
  std::optional<uint64_t> max_message_size;
  std::vector<std::string> candidates;  // "candidate:..." values; see rtc/ice/ice_candidate.h
  bool end_of_candidates = false;
  std::vector<SdpAttribute> other_attributes;  // unmodelled a= lines, in order

  bool is_rtp() const { return protocol.find("RTP/") != std::string::npos; }
  // direction, or sendrecv when none is given (RFC 8866 §6.7).
  MediaDirection EffectiveDirection() const {
    return direction.value_or(MediaDirection::kSendRecv);
  }
  const RtpCodec* FindCodec(int payload_type) const;
  RtpCodec* FindCodec(int payload_type);
  // The header extension ID negotiated for `uri`, if any.
  std::optional<int> HeaderExtensionId(std::string_view uri) const;
  const SsrcDescription* FindSsrc(uint32_t ssrc) const;

  bool operator==(const MediaSection&) const = default;
};

struct SdpGroup {
  std::string semantics;  // BUNDLE, LS
  std::vector<std::string> mids;

  bool operator==(const SdpGroup&) const = default;
};

// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
struct SdpOrigin {
  std::string username = "-";
  std::string session_id = "0";  // kept as text: up to 64-bit decimal, often larger in the wild
  uint64_t session_version = 0;
  std::string network_type = "IN";
  std::string address_type = "IP4";
  std::string address = "127.0.0.1";

  bool operator==(const SdpOrigin&) const = default;
};

class SessionDescription {
 public:
  // Parses CRLF or LF text. Errors name the line ("line 12 (m=audio x): bad port").
  static StatusOr<SessionDescription> Parse(std::string_view text);
  std::string ToString() const;

  SdpOrigin origin;
  std::string session_name = "-";
  std::string timing = "0 0";
  std::vector<std::string> other_lines;  // session-level i=, u=, e=, p=, c=, b=, r=, z=, k=
  std::vector<SdpGroup> groups;
  bool extmap_allow_mixed = false;
  std::optional<std::string> msid_semantic;  // "WMS" or "WMS stream-a stream-b"
  bool ice_lite = false;
  // Session-level ICE/DTLS parameters; JSEP writes them per media section, others at the top.
  std::optional<std::string> ice_ufrag;
  std::optional<std::string> ice_pwd;
  std::vector<std::string> ice_options;
  std::vector<SdpFingerprint> fingerprints;
  std::optional<std::string> setup;
  std::vector<SdpAttribute> other_attributes;
  std::vector<MediaSection> media;

  const MediaSection* FindMedia(std::string_view mid) const;
  MediaSection* FindMedia(std::string_view mid);
  const SdpGroup* FindGroup(std::string_view semantics) const;

  bool operator==(const SessionDescription&) const = default;
};

}  // namespace auralink::rtc
