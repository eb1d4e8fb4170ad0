#include "sfu/sdp_negotiation.h"

#include <algorithm>
#include <set>

#include "rtc/sdp/transport_parameters.h"

namespace auralink::sfu {
namespace {

using rtc::MediaDirection;
using rtc::MediaSection;
using rtc::RtpCodec;

constexpr uint64_t kOurMaxMessageSize = 256 * 1024;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool IsSupportedMediaCodec(MediaKind kind, const RtpCodec& codec) {
  const std::string name = Lower(codec.name);
  if (kind == MediaKind::kAudio) {
    return (name == "opus" || name == "red") && codec.clock_rate == 48000;
  }
  if (codec.clock_rate != 90000) return false;
  if (name == "vp8" || name == "av1") return true;
  if (name == "vp9") {
    const auto profile = codec.FmtpParameter("profile-id");
    return !profile || *profile == "0";
  }
  if (name == "h264") {
    // Browsers decode packetization-mode 1 everywhere; mode 0 adds nothing for an SFU.
    const auto mode = codec.FmtpParameter("packetization-mode");
    return mode && *mode == "1";
  }
  return false;
}

std::vector<std::string> AcceptedFeedback(MediaKind kind, const RtpCodec& codec) {
  static const std::set<std::string> kVideo = {"transport-cc", "ccm fir", "nack", "nack pli"};
  static const std::set<std::string> kAudio = {"transport-cc"};
  const auto& allowed = kind == MediaKind::kVideo ? kVideo : kAudio;
  std::vector<std::string> accepted;
  for (const std::string& feedback : codec.rtcp_feedback) {
    if (allowed.count(feedback)) accepted.push_back(feedback);
  }
  return accepted;
}

bool IsAcceptedExtension(MediaKind kind, const std::string& uri) {
  namespace uri_ns = rtp_extension_uri;
  static const std::set<std::string> kAudio = {uri_ns::kMid, uri_ns::kAudioLevel,
                                               uri_ns::kAbsSendTime, uri_ns::kTransportWideCc};
  static const std::set<std::string> kVideo = {uri_ns::kMid,
                                               uri_ns::kRid,
                                               uri_ns::kRepairedRid,
                                               uri_ns::kAbsSendTime,
                                               uri_ns::kTransportWideCc,
                                               uri_ns::kDependencyDescriptor,
                                               uri_ns::kAicMetadata};
  return (kind == MediaKind::kAudio ? kAudio : kVideo).count(uri) != 0;
}

StatusOr<rtc::SdpFingerprint> LocalFingerprint(const std::string& text) {
  const size_t space = text.find(' ');
  if (space == std::string::npos) return Status::Error("local fingerprint needs 'algorithm value'");
  return rtc::SdpFingerprint{text.substr(0, space), text.substr(space + 1)};
}

void AddTransport(const LocalTransportDescription& local, const rtc::SdpFingerprint& fingerprint,
                  const char* setup, MediaSection* section) {
  section->connection = "IN IP4 0.0.0.0";
  section->ice_ufrag = local.ice_ufrag;
  section->ice_pwd = local.ice_pwd;
  section->fingerprints = {fingerprint};
  section->setup = setup;
  section->candidates = local.candidates;
  section->end_of_candidates = true;
}

std::optional<MediaKind> KindOf(const MediaSection& section) {
  if (section.media == "audio") return MediaKind::kAudio;
  if (section.media == "video") return MediaKind::kVideo;
  return std::nullopt;
}

}  // namespace

StatusOr<RemoteTransportDescription> ReadRemoteTransport(const rtc::SessionDescription& remote) {
  auto parameters = rtc::ReadTransportParameters(remote);
  if (!parameters.ok()) return parameters.status();
  auto fingerprint = rtc::DtlsFingerprint::Parse(parameters->fingerprint.algorithm + " " +
                                                 parameters->fingerprint.value);
  if (!fingerprint.ok()) return fingerprint.status();
  RemoteTransportDescription transport;
  transport.ice_ufrag = parameters->ice_ufrag;
  transport.ice_pwd = parameters->ice_pwd;
  transport.fingerprint = *fingerprint;
  transport.data_channel = parameters->sctp_port.has_value();
  transport.sctp_port = parameters->sctp_port.value_or(5000);
  transport.max_message_size = parameters->max_message_size;
  return transport;
}

StatusOr<PublisherNegotiation> AnswerPublisherOffer(const rtc::SessionDescription& offer,
                                                    const LocalTransportDescription& local) {
  auto remote = ReadRemoteTransport(offer);
  if (!remote.ok()) return remote.status().WithContext("publisher offer");
  auto fingerprint = LocalFingerprint(local.fingerprint);
  if (!fingerprint.ok()) return fingerprint.status();

  PublisherNegotiation result;
  result.remote = *remote;
  rtc::SessionDescription& answer = result.answer;
  answer.origin.session_id = "1";
  answer.origin.session_version = offer.origin.session_version;
  answer.extmap_allow_mixed = offer.extmap_allow_mixed;
  answer.msid_semantic = "WMS";
  answer.ice_lite = true;
  rtc::SdpGroup bundle{"BUNDLE", {}};

  for (const MediaSection& offered : offer.media) {
    MediaSection section;
    section.media = offered.media;
    section.protocol = offered.protocol;
    section.mid = offered.mid;
    section.rtcp_mux = true;
    section.rtcp_rsize = offered.rtcp_rsize;
    section.extmap_allow_mixed = offered.extmap_allow_mixed;
    AddTransport(local, *fingerprint, "passive", &section);
    const bool rejected_by_peer = offered.port == 0 || !offered.mid;

    if (offered.media == "application") {
      section.formats = offered.formats;
      if (!rejected_by_peer && offered.sctp_port) {
        section.sctp_port = 5000;
        section.max_message_size = kOurMaxMessageSize;
        bundle.mids.push_back(*offered.mid);
      } else {
        section.port = 0;
      }
      answer.media.push_back(std::move(section));
      continue;
    }
    const std::optional<MediaKind> kind = KindOf(offered);
    PublishedMedia published;
    if (kind && !rejected_by_peer) {
      published.kind = *kind;
      published.mid = *offered.mid;
      // Media codecs first, then the RTX entries that repair an accepted one.
      std::map<int, size_t> accepted_index;
      for (const RtpCodec& codec : offered.codecs) {
        if (!IsSupportedMediaCodec(*kind, codec)) continue;
        RtpCodec ours = codec;
        ours.rtcp_feedback = AcceptedFeedback(*kind, codec);
        accepted_index[codec.payload_type] = section.codecs.size();
        section.codecs.push_back(ours);
        NegotiatedCodec negotiated{
            codec.payload_type, codec.name, codec.clock_rate, codec.channels, codec.fmtp,
            ours.rtcp_feedback, -1};
        published.codecs.push_back(negotiated);
      }
      for (const RtpCodec& codec : offered.codecs) {
        if (Lower(codec.name) != "rtx") continue;
        const auto apt = codec.FmtpParameter("apt");
        if (!apt) continue;
        int repaired = -1;
        try {
          repaired = std::stoi(*apt);
        } catch (...) {
          continue;
        }
        if (!accepted_index.count(repaired)) continue;
        section.codecs.push_back(codec);
        for (NegotiatedCodec& negotiated : published.codecs) {
          if (negotiated.payload_type == repaired) negotiated.rtx_payload_type = codec.payload_type;
        }
      }
    }
    if (!kind || rejected_by_peer || published.codecs.empty()) {
      section.port = 0;
      section.formats = offered.formats.empty() ? std::vector<std::string>{"0"}
                                                : std::vector<std::string>{offered.formats[0]};
      section.direction = MediaDirection::kInactive;
      section.codecs.clear();
      answer.media.push_back(std::move(section));
      continue;
    }
    for (const RtpCodec& codec : section.codecs)
      section.formats.push_back(std::to_string(codec.payload_type));
    for (const rtc::HeaderExtension& extension : offered.header_extensions) {
      if (!IsAcceptedExtension(*kind, extension.uri)) continue;
      rtc::HeaderExtension ours = extension;
      ours.direction.reset();
      section.header_extensions.push_back(ours);
      published.extensions[extension.uri] = extension.id;
    }
    const MediaDirection direction = offered.EffectiveDirection();
    published.sending =
        direction == MediaDirection::kSendOnly || direction == MediaDirection::kSendRecv;
    published.receiving =
        direction == MediaDirection::kRecvOnly || direction == MediaDirection::kSendRecv;
    section.direction = published.sending ? MediaDirection::kRecvOnly : MediaDirection::kInactive;

    // RFC 8853: the rids the browser sends become rids we receive.
    if (offered.simulcast && !offered.simulcast->send.empty()) {
      rtc::SimulcastDescription simulcast;
      for (const rtc::SimulcastStream& stream : offered.simulcast->send) {
        if (stream.empty()) continue;
        simulcast.recv.push_back(stream);
        for (const rtc::SimulcastRid& rid : stream) {
          published.rids.push_back(rid.rid);
          rtc::RidDescription description;
          description.id = rid.rid;
          description.direction = rtc::RidDirection::kRecv;
          section.rids.push_back(description);
        }
      }
      simulcast.send_first = false;
      if (!simulcast.recv.empty()) section.simulcast = simulcast;
    }
    for (const rtc::SsrcGroup& group : offered.ssrc_groups) {
      if (group.semantics == "FID" && group.ssrcs.size() == 2)
        published.rtx_ssrc_of[group.ssrcs[0]] = group.ssrcs[1];
    }
    for (const rtc::SsrcDescription& ssrc : offered.ssrcs) {
      bool is_rtx = false;
      for (const auto& [media, rtx] : published.rtx_ssrc_of) is_rtx |= rtx == ssrc.ssrc;
      if (!is_rtx) published.ssrcs.push_back(ssrc.ssrc);
    }
    if (!offered.msids.empty()) {
      published.stream_id = offered.msids[0].stream_id;
      published.track_id = offered.msids[0].track_id;
    }
    bundle.mids.push_back(published.mid);
    answer.media.push_back(std::move(section));
    result.media.push_back(std::move(published));
  }
  if (bundle.mids.empty()) return Status::Error("publisher offer: no usable media section");
  answer.groups.push_back(bundle);
  return result;
}

const std::map<std::string, int>& SubscriberExtensionIds() {
  static const std::map<std::string, int> kIds = {
      {rtp_extension_uri::kAudioLevel, 1},           {rtp_extension_uri::kAbsSendTime, 2},
      {rtp_extension_uri::kTransportWideCc, 3},      {rtp_extension_uri::kMid, 4},
      {rtp_extension_uri::kDependencyDescriptor, 5}, {rtp_extension_uri::kAicMetadata, 6},
  };
  return kIds;
}

namespace {

// The extensions a subscriber's section carries, by the ids `ids` gives them.
std::vector<rtc::HeaderExtension> SubscriberSectionExtensions(
    MediaKind kind, const std::string& primary_codec, const std::map<std::string, int>& ids) {
  std::vector<rtc::HeaderExtension> extensions;
  for (const auto& [uri, id] : ids) {
    if (!IsAcceptedExtension(kind, uri) || uri == rtp_extension_uri::kAicMetadata) continue;
    if (uri == rtp_extension_uri::kRid || uri == rtp_extension_uri::kRepairedRid) continue;
    // Dependency descriptors only make sense for codecs that carry them.
    if (uri == rtp_extension_uri::kDependencyDescriptor && Lower(primary_codec) != "av1") continue;
    extensions.push_back({id, uri, std::nullopt, ""});
  }
  std::sort(
      extensions.begin(), extensions.end(),
      [](const rtc::HeaderExtension& a, const rtc::HeaderExtension& b) { return a.id < b.id; });
  return extensions;
}

void AddSendingTrack(const SubscribedMedia& track, MediaSection* section) {
  section->msids.push_back({track.stream_id, track.track_id});
  auto describe = [&](uint32_t ssrc) {
    rtc::SsrcDescription description;
    description.ssrc = ssrc;
    description.attributes.push_back({"cname", track.cname});
    description.attributes.push_back({"msid", track.stream_id + " " + track.track_id});
    section->ssrcs.push_back(description);
  };
  describe(track.ssrc);
  if (track.rtx_ssrc != 0) {
    describe(track.rtx_ssrc);
    section->ssrc_groups.push_back({"FID", {track.ssrc, track.rtx_ssrc}});
  }
}

// Whether the browser's `offered` codec decodes what the publisher negotiated as `published`
// (RFC 8829 §5.3.1 matches by name, clock rate, channels and the format parameters that change
// the bitstream).
bool SameCodec(const NegotiatedCodec& published, const RtpCodec& offered) {
  if (Lower(published.name) != Lower(offered.name) || published.clock_rate != offered.clock_rate)
    return false;
  if (published.channels != 0 && offered.channels != 0 && published.channels != offered.channels)
    return false;
  RtpCodec publisher_codec;
  publisher_codec.fmtp = published.fmtp;
  const std::string name = Lower(published.name);
  if (name == "vp9" || name == "av1") {
    const char* key = name == "vp9" ? "profile-id" : "profile";
    return publisher_codec.FmtpParameter(key).value_or("0") ==
           offered.FmtpParameter(key).value_or("0");
  }
  if (name == "h264") {
    for (const char* key : {"packetization-mode", "profile-level-id"}) {
      std::string ours = publisher_codec.FmtpParameter(key).value_or("");
      std::string theirs = offered.FmtpParameter(key).value_or("");
      if (std::string(key) == "profile-level-id") {
        // The level (last byte) may differ; profile_idc and profile-iop must not.
        ours = Lower(ours.substr(0, 4));
        theirs = Lower(theirs.substr(0, 4));
      }
      if (ours != theirs) return false;
    }
  }
  return true;
}

}  // namespace

std::vector<SentSection> AnswerReceiveSections(const rtc::SessionDescription& offer,
                                               const std::vector<SubscribedMedia>& tracks,
                                               rtc::SessionDescription* answer) {
  std::vector<SentSection> sent;
  for (const SubscribedMedia& track : tracks) {
    const MediaSection* offered = nullptr;
    for (const MediaSection& candidate : offer.media) {
      if (candidate.mid && *candidate.mid == track.mid) offered = &candidate;
    }
    MediaSection* section = nullptr;
    for (MediaSection& candidate : answer->media) {
      if (candidate.mid && *candidate.mid == track.mid) section = &candidate;
    }
    if (offered == nullptr || section == nullptr || offered->port == 0 || section->port == 0 ||
        KindOf(*offered) != track.kind)
      continue;
    const MediaDirection direction = offered->EffectiveDirection();
    if (direction != MediaDirection::kRecvOnly && direction != MediaDirection::kSendRecv) continue;

    SentSection result;
    result.mid = track.mid;
    std::vector<RtpCodec> codecs;
    for (const NegotiatedCodec& published : track.codecs) {
      for (const RtpCodec& candidate : offered->codecs) {
        if (!SameCodec(published, candidate)) continue;
        RtpCodec ours = candidate;
        ours.rtcp_feedback = AcceptedFeedback(track.kind, candidate);
        result.payload_type_of[published.payload_type] = candidate.payload_type;
        codecs.push_back(ours);
        break;
      }
    }
    if (codecs.empty()) continue;
    // RTX (RFC 4588) where we repair and the browser offered a repair type for the same codec.
    if (track.rtx_ssrc != 0) {
      const size_t media_codecs = codecs.size();
      for (size_t i = 0; i < media_codecs; ++i) {
        for (const RtpCodec& candidate : offered->codecs) {
          if (Lower(candidate.name) != "rtx") continue;
          if (candidate.FmtpParameter("apt").value_or("") != std::to_string(codecs[i].payload_type))
            continue;
          result.rtx_payload_type_of[codecs[i].payload_type] = candidate.payload_type;
          codecs.push_back(candidate);
          break;
        }
      }
    }
    std::map<std::string, int> offered_ids;
    for (const rtc::HeaderExtension& extension : offered->header_extensions)
      offered_ids[extension.uri] = extension.id;

    section->codecs = codecs;
    section->formats.clear();
    for (const RtpCodec& codec : codecs)
      section->formats.push_back(std::to_string(codec.payload_type));
    section->header_extensions = SubscriberSectionExtensions(
        track.kind, track.codecs.empty() ? "" : track.codecs[0].name, offered_ids);
    // The SFU writes no RID towards the browser, but the answer keeps RID and repaired RID:
    // Chromium offers a later section only the extensions the last answer kept, and a simulcast
    // section without RID fails its setLocalDescription (seen when the browser publishes after
    // its first track arrived).
    for (const char* uri : {rtp_extension_uri::kRid, rtp_extension_uri::kRepairedRid}) {
      if (auto offered_id = offered_ids.find(uri); offered_id != offered_ids.end())
        section->header_extensions.push_back({offered_id->second, uri, std::nullopt, ""});
    }
    std::sort(
        section->header_extensions.begin(), section->header_extensions.end(),
        [](const rtc::HeaderExtension& a, const rtc::HeaderExtension& b) { return a.id < b.id; });
    section->direction = MediaDirection::kSendOnly;
    section->rtcp_rsize = offered->rtcp_rsize;
    section->msids.clear();
    section->ssrcs.clear();
    section->ssrc_groups.clear();
    section->rids.clear();
    section->simulcast.reset();
    SubscribedMedia answered = track;
    if (result.rtx_payload_type_of.empty()) answered.rtx_ssrc = 0;
    AddSendingTrack(answered, section);
    sent.push_back(std::move(result));
  }
  return sent;
}

std::map<std::string, int> ReceiveExtensionIds(const std::vector<PublishedMedia>& media) {
  std::map<std::string, int> ids;
  for (const PublishedMedia& section : media) {
    if (!section.receiving) continue;
    for (const auto& [uri, id] : section.extensions) {
      if (uri == rtp_extension_uri::kRid || uri == rtp_extension_uri::kRepairedRid ||
          uri == rtp_extension_uri::kAicMetadata)
        continue;
      ids.emplace(uri, id);
    }
  }
  return ids;
}

rtc::SessionDescription BuildSubscriberOffer(const LocalTransportDescription& local,
                                             const std::vector<SubscribedMedia>& media,
                                             bool data_channel, uint64_t session_version) {
  rtc::SessionDescription offer;
  offer.origin.session_id = "2";
  offer.origin.session_version = session_version;
  offer.extmap_allow_mixed = true;
  offer.msid_semantic = "WMS";
  offer.ice_lite = true;
  auto parsed_fingerprint = LocalFingerprint(local.fingerprint);
  const rtc::SdpFingerprint fingerprint =
      parsed_fingerprint.ok() ? *parsed_fingerprint : rtc::SdpFingerprint{"sha-256", ""};
  rtc::SdpGroup bundle{"BUNDLE", {}};

  if (data_channel) {
    MediaSection section;
    section.media = "application";
    section.protocol = "UDP/DTLS/SCTP";
    section.formats = {"webrtc-datachannel"};
    section.mid = "dc";
    AddTransport(local, fingerprint, "actpass", &section);
    section.sctp_port = 5000;
    section.max_message_size = kOurMaxMessageSize;
    bundle.mids.push_back("dc");
    offer.media.push_back(std::move(section));
  }
  for (const SubscribedMedia& track : media) {
    MediaSection section;
    section.media = track.kind == MediaKind::kAudio ? "audio" : "video";
    section.protocol = "UDP/TLS/RTP/SAVPF";
    section.mid = track.mid;
    AddTransport(local, fingerprint, "actpass", &section);
    section.rtcp_mux = true;
    section.rtcp_rsize = true;
    section.direction = track.active ? MediaDirection::kSendOnly : MediaDirection::kInactive;
    for (const NegotiatedCodec& negotiated : track.codecs) {
      RtpCodec codec;
      codec.payload_type = negotiated.payload_type;
      codec.name = negotiated.name;
      codec.clock_rate = negotiated.clock_rate;
      codec.channels = negotiated.channels;
      codec.fmtp = negotiated.fmtp;
      codec.rtcp_feedback = negotiated.feedback;
      section.codecs.push_back(codec);
      section.formats.push_back(std::to_string(codec.payload_type));
    }
    for (const NegotiatedCodec& negotiated : track.codecs) {
      if (negotiated.rtx_payload_type < 0) continue;
      RtpCodec rtx;
      rtx.payload_type = negotiated.rtx_payload_type;
      rtx.name = "rtx";
      rtx.clock_rate = negotiated.clock_rate;
      rtx.fmtp = "apt=" + std::to_string(negotiated.payload_type);
      section.codecs.push_back(rtx);
      section.formats.push_back(std::to_string(rtx.payload_type));
    }
    section.header_extensions = SubscriberSectionExtensions(
        track.kind, track.codecs.empty() ? "" : track.codecs[0].name, SubscriberExtensionIds());
    if (track.active) AddSendingTrack(track, &section);
    bundle.mids.push_back(track.mid);
    offer.media.push_back(std::move(section));
  }
  if (!bundle.mids.empty()) offer.groups.push_back(bundle);
  return offer;
}

StatusOr<SubscriberAnswer> ReadSubscriberAnswer(const rtc::SessionDescription& answer) {
  auto remote = ReadRemoteTransport(answer);
  if (!remote.ok()) return remote.status().WithContext("subscriber answer");
  SubscriberAnswer result;
  result.remote = *remote;
  for (const MediaSection& section : answer.media) {
    if (section.port == 0 || !section.mid) continue;
    const MediaDirection direction = section.EffectiveDirection();
    if (section.media == "application" || direction == MediaDirection::kRecvOnly ||
        direction == MediaDirection::kSendRecv) {
      result.accepted_mids.push_back(*section.mid);
    }
  }
  return result;
}

}  // namespace auralink::sfu
