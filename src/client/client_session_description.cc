#include "client/client_session_description.h"

#include <algorithm>

#include "rtc/ice/ice_candidate.h"
#include "rtc/sdp/transport_parameters.h"

namespace auralink::client {
namespace {

using rtc::MediaDirection;
using rtc::MediaSection;

constexpr const char* kMidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
constexpr const char* kRidUri = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
constexpr const char* kAudioLevelUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
constexpr const char* kTransportCcUri =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

rtc::SdpFingerprint SdpFingerprintOf(const rtc::DtlsFingerprint& fingerprint) {
  const std::string text = fingerprint.ToSdp();
  const size_t space = text.find(' ');
  return {text.substr(0, space), space == std::string::npos ? "" : text.substr(space + 1)};
}

void AddTransport(const LocalIceParameters& local, const std::string& setup,
                  MediaSection* section) {
  section->connection = "IN IP4 0.0.0.0";
  section->ice_ufrag = local.ufrag;
  section->ice_pwd = local.pwd;
  section->fingerprints = {SdpFingerprintOf(local.fingerprint)};
  section->setup = setup;
  if (local.host_candidate) {
    rtc::IceCandidate candidate;
    candidate.foundation = "1";
    candidate.component = 1;
    candidate.priority =
        rtc::ComputeIcePriority(rtc::IceTypePreference(rtc::IceCandidateType::kHost), 65535, 1);
    candidate.address = local.host_candidate->ip();
    candidate.port = local.host_candidate->port();
    section->candidates.push_back(candidate.ToString());
    section->end_of_candidates = true;
  }
}

}  // namespace

rtc::SessionDescription BuildPublisherOffer(const LocalIceParameters& local,
                                            const std::vector<PublishedSection>& sections,
                                            const std::string& stream_id,
                                            const PublisherExtensionIds& ids,
                                            uint64_t session_version, const std::string& setup) {
  rtc::SessionDescription offer;
  offer.origin.session_id = "3";
  offer.origin.session_version = session_version;
  offer.extmap_allow_mixed = true;
  offer.msid_semantic = "WMS";
  rtc::SdpGroup bundle{"BUNDLE", {}};
  for (const PublishedSection& published : sections) {
    const bool video = published.kind == PublishedKind::kVideo;
    MediaSection section;
    section.media = video ? "video" : "audio";
    section.protocol = "UDP/TLS/RTP/SAVPF";
    section.mid = published.mid;
    AddTransport(local, setup, &section);
    section.direction = MediaDirection::kSendOnly;
    section.rtcp_mux = true;
    section.rtcp_rsize = true;
    rtc::RtpCodec codec;
    if (video) {
      codec.payload_type = kVp8PayloadType;
      codec.name = "VP8";
      codec.clock_rate = 90000;
      codec.rtcp_feedback = {"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"};
    } else {
      codec.payload_type = kOpusPayloadType;
      codec.name = "opus";
      codec.clock_rate = 48000;
      codec.channels = 2;
      codec.fmtp = "minptime=10;useinbandfec=1";
      codec.rtcp_feedback = {"transport-cc"};
    }
    section.codecs.push_back(codec);
    section.formats.push_back(std::to_string(codec.payload_type));
    if (video) {
      // RTX (RFC 4588) as Chrome offers it: the SFU then keeps what it sends each subscriber
      // repairable, as it does for browsers. This client resends nothing itself (on loopback
      // nothing is lost).
      rtc::RtpCodec rtx;
      rtx.payload_type = kVp8RtxPayloadType;
      rtx.name = "rtx";
      rtx.clock_rate = 90000;
      rtx.fmtp = "apt=" + std::to_string(kVp8PayloadType);
      section.codecs.push_back(rtx);
      section.formats.push_back(std::to_string(rtx.payload_type));
    }
    if (!video) section.header_extensions.push_back({ids.audio_level, kAudioLevelUri, {}, ""});
    section.header_extensions.push_back({ids.transport_cc, kTransportCcUri, {}, ""});
    section.header_extensions.push_back({ids.mid, kMidUri, {}, ""});
    if (video && !published.rids.empty())
      section.header_extensions.push_back({ids.rid, kRidUri, {}, ""});
    section.msids.push_back({stream_id, published.track_id});
    if (video && !published.rids.empty()) {
      rtc::SimulcastDescription simulcast;
      rtc::SimulcastStream stream;
      for (const std::string& rid : published.rids) {
        rtc::RidDescription description;
        description.id = rid;
        description.direction = rtc::RidDirection::kSend;
        section.rids.push_back(description);
        stream.push_back({rid, false});
      }
      // RFC 8853 §5.1: one stream per layer, separated by ';'.
      for (const rtc::SimulcastRid& rid : stream) simulcast.send.push_back({rid});
      simulcast.send_first = true;
      section.simulcast = simulcast;
    } else if (published.ssrc != 0) {
      rtc::SsrcDescription ssrc;
      ssrc.ssrc = published.ssrc;
      ssrc.attributes.push_back({"cname", stream_id});
      ssrc.attributes.push_back({"msid", stream_id + " " + published.track_id});
      section.ssrcs.push_back(ssrc);
    }
    bundle.mids.push_back(published.mid);
    offer.media.push_back(std::move(section));
  }
  if (!bundle.mids.empty()) offer.groups.push_back(bundle);
  return offer;
}

StatusOr<ServerTransport> ReadServerTransport(const rtc::SessionDescription& description) {
  auto parameters = rtc::ReadTransportParameters(description);
  if (!parameters.ok()) return parameters.status().WithContext("server description");
  auto fingerprint = rtc::DtlsFingerprint::Parse(parameters->fingerprint.algorithm + " " +
                                                 parameters->fingerprint.value);
  if (!fingerprint.ok()) return fingerprint.status().WithContext("server fingerprint");
  ServerTransport server;
  server.ice_ufrag = parameters->ice_ufrag;
  server.ice_pwd = parameters->ice_pwd;
  server.fingerprint = *fingerprint;
  for (const std::string& line : parameters->candidates) {
    auto candidate = rtc::IceCandidate::Parse(line);
    if (!candidate.ok() || candidate->protocol != rtc::IceTransportProtocol::kUdp) continue;
    server.candidate = net::SocketAddress::FromIp(candidate->address, candidate->port);
    break;
  }
  return server;
}

StatusOr<SubscriberAnswer> AnswerSubscriberOffer(const rtc::SessionDescription& offer,
                                                 const LocalIceParameters& local) {
  auto server = ReadServerTransport(offer);
  if (!server.ok()) return server.status().WithContext("subscriber offer");
  SubscriberAnswer result;
  result.server = *server;
  rtc::SessionDescription& answer = result.answer;
  answer.origin.session_id = "4";
  answer.origin.session_version = offer.origin.session_version;
  answer.extmap_allow_mixed = offer.extmap_allow_mixed;
  answer.msid_semantic = "WMS";
  // Also at session level (RFC 8839 §5.4, RFC 8122 §5): when every section is declined (a first
  // offer holding only the data channel) the server still learns our credentials.
  answer.ice_ufrag = local.ufrag;
  answer.ice_pwd = local.pwd;
  answer.fingerprints = {SdpFingerprintOf(local.fingerprint)};
  rtc::SdpGroup bundle{"BUNDLE", {}};
  for (const MediaSection& offered : offer.media) {
    MediaSection section;
    section.media = offered.media;
    section.protocol = offered.protocol;
    section.mid = offered.mid;
    section.formats = offered.formats;
    AddTransport(local, "active", &section);
    const bool rtp = offered.media == "audio" || offered.media == "video";
    if (!rtp || offered.port == 0 || !offered.mid) {
      // Data channels are not implemented by this client: decline the section (RFC 8829 §5.3.1).
      section.port = 0;
      section.candidates.clear();
      section.end_of_candidates = false;
      answer.media.push_back(std::move(section));
      continue;
    }
    section.rtcp_mux = true;
    section.rtcp_rsize = offered.rtcp_rsize;
    section.codecs = offered.codecs;
    section.header_extensions = offered.header_extensions;
    for (rtc::HeaderExtension& extension : section.header_extensions) extension.direction.reset();
    const MediaDirection direction = offered.EffectiveDirection();
    const bool sending =
        direction == MediaDirection::kSendOnly || direction == MediaDirection::kSendRecv;
    section.direction = sending ? MediaDirection::kRecvOnly : MediaDirection::kInactive;
    bundle.mids.push_back(*offered.mid);
    if (sending && !offered.ssrcs.empty()) {
      OfferedTrack track;
      track.mid = *offered.mid;
      track.video = offered.media == "video";
      track.clock_rate = offered.codecs.empty() ? 0 : offered.codecs[0].clock_rate;
      track.ssrc = offered.ssrcs[0].ssrc;
      for (const rtc::SsrcGroup& group : offered.ssrc_groups) {
        if (group.semantics == "FID" && group.ssrcs.size() == 2 && group.ssrcs[0] == track.ssrc)
          track.rtx_ssrc = group.ssrcs[1];
      }
      if (!offered.msids.empty()) {
        const std::string& stream = offered.msids[0].stream_id;
        const size_t bar = stream.find('|');
        track.participant_sid = stream.substr(0, bar);
        track.track_sid = offered.msids[0].track_id;
      }
      result.tracks.push_back(track);
    }
    answer.media.push_back(std::move(section));
  }
  if (!bundle.mids.empty()) answer.groups.push_back(bundle);
  return result;
}

}  // namespace auralink::client
