#include "rtc/sdp/session_description.h"

#include <charconv>

namespace auralink::rtc {
namespace {

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

// Splits at runs of spaces, dropping empty fields.
std::vector<std::string_view> Fields(std::string_view text) {
  std::vector<std::string_view> fields;
  for (std::string_view part : Split(text, ' ')) {
    if (!part.empty()) fields.push_back(part);
  }
  return fields;
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

template <typename T>
bool ParseNumber(std::string_view text, T* value) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

// Splits "first rest..." at the first space.
std::pair<std::string_view, std::string_view> SplitFirstField(std::string_view text) {
  const size_t space = text.find(' ');
  if (space == std::string_view::npos) return {text, {}};
  return {text.substr(0, space), TrimSpaces(text.substr(space + 1))};
}

std::string JoinFields(const std::vector<std::string>& fields, char separator) {
  std::string text;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) text += separator;
    text += fields[i];
  }
  return text;
}

StatusOr<SdpFingerprint> ParseFingerprint(std::string_view value) {
  const auto fields = Fields(value);
  if (fields.size() != 2) return Status::Error("fingerprint needs '<algorithm> <hex>'");
  return SdpFingerprint{std::string(fields[0]), std::string(fields[1])};
}

StatusOr<HeaderExtension> ParseExtmap(std::string_view value) {
  const auto fields = Fields(value);
  if (fields.size() < 2) return Status::Error("extmap needs '<id> <uri>'");
  HeaderExtension extension;
  std::string_view id = fields[0];
  const size_t slash = id.find('/');
  if (slash != std::string_view::npos) {
    extension.direction = ParseMediaDirection(id.substr(slash + 1));
    if (!extension.direction) return Status::Error("extmap direction is unknown");
    id = id.substr(0, slash);
  }
  // RFC 8285 §5: 1-14 for one-byte headers, up to 255 for two-byte headers.
  if (!ParseNumber(id, &extension.id) || extension.id < 1 || extension.id > 255) {
    return Status::Error("extmap id is not 1..255");
  }
  extension.uri = std::string(fields[1]);
  const size_t uri_end = static_cast<size_t>(fields[1].data() - value.data()) + fields[1].size();
  extension.attributes = std::string(TrimSpaces(value.substr(uri_end)));
  return extension;
}

StatusOr<RidDescription> ParseRid(std::string_view value) {
  const auto fields = Fields(value);
  if (fields.size() < 2 || fields.size() > 3) return Status::Error("rid needs '<id> <send|recv>'");
  RidDescription rid;
  rid.id = std::string(fields[0]);
  if (fields[1] == "send") {
    rid.direction = RidDirection::kSend;
  } else if (fields[1] == "recv") {
    rid.direction = RidDirection::kRecv;
  } else {
    return Status::Error("rid direction is not send/recv");
  }
  if (fields.size() == 3) {
    for (std::string_view param : Split(fields[2], ';')) {
      if (param.empty()) continue;
      const size_t equals = param.find('=');
      const std::string_view key = param.substr(0, equals);
      const std::string_view param_value =
          equals == std::string_view::npos ? std::string_view() : param.substr(equals + 1);
      if (key == "pt") {
        for (std::string_view pt : Split(param_value, ',')) {
          int payload_type = 0;
          if (!ParseNumber(pt, &payload_type) || payload_type < 0 || payload_type > 127) {
            return Status::Error("rid pt is not a payload type");
          }
          rid.payload_types.push_back(payload_type);
        }
      } else {
        rid.restrictions.emplace_back(std::string(key), std::string(param_value));
      }
    }
  }
  return rid;
}

StatusOr<std::vector<SimulcastStream>> ParseSimulcastList(std::string_view list) {
  std::vector<SimulcastStream> streams;
  for (std::string_view stream_text : Split(list, ';')) {
    SimulcastStream stream;
    for (std::string_view id : Split(stream_text, ',')) {
      SimulcastRid rid;
      if (id.starts_with('~')) {
        rid.paused = true;
        id.remove_prefix(1);
      }
      if (id.empty()) return Status::Error("simulcast has an empty rid");
      rid.rid = std::string(id);
      stream.push_back(std::move(rid));
    }
    streams.push_back(std::move(stream));
  }
  return streams;
}

// RFC 8853 §5.1: "send <list> [recv <list>]" or "recv <list> [send <list>]".
StatusOr<SimulcastDescription> ParseSimulcast(std::string_view value) {
  const auto fields = Fields(value);
  if (fields.size() != 2 && fields.size() != 4) {
    return Status::Error("simulcast needs 'send|recv <list>' once or twice");
  }
  SimulcastDescription simulcast;
  bool seen_send = false;
  bool seen_recv = false;
  for (size_t i = 0; i < fields.size(); i += 2) {
    auto streams = ParseSimulcastList(fields[i + 1]);
    if (!streams.ok()) return streams.status();
    if (fields[i] == "send" && !seen_send) {
      seen_send = true;
      simulcast.send = std::move(*streams);
      if (i == 0) simulcast.send_first = true;
    } else if (fields[i] == "recv" && !seen_recv) {
      seen_recv = true;
      simulcast.recv = std::move(*streams);
      if (i == 0) simulcast.send_first = false;
    } else {
      return Status::Error("simulcast direction is not send/recv or is repeated");
    }
  }
  return simulcast;
}

std::string SimulcastListToString(const std::vector<SimulcastStream>& streams) {
  std::string text;
  for (size_t i = 0; i < streams.size(); ++i) {
    if (i > 0) text += ';';
    for (size_t j = 0; j < streams[i].size(); ++j) {
      if (j > 0) text += ',';
      if (streams[i][j].paused) text += '~';
      text += streams[i][j].rid;
    }
  }
  return text;
}

SdpAttribute MakeAttribute(std::string_view name, std::optional<std::string_view> value) {
  SdpAttribute attribute{std::string(name), std::nullopt};
  if (value) attribute.value = std::string(*value);
  return attribute;
}

RtpCodec* CodecFor(MediaSection* section, int payload_type) {
  if (RtpCodec* codec = section->FindCodec(payload_type)) return codec;
  section->codecs.push_back(RtpCodec{});
  section->codecs.back().payload_type = payload_type;
  return &section->codecs.back();
}

Status ParsePayloadType(std::string_view text, int* payload_type) {
  if (!ParseNumber(text, payload_type) || *payload_type < 0 || *payload_type > 127) {
    return Status::Error("payload type is not 0..127");
  }
  return Status::Ok();
}

// Attributes that may appear at either level (RFC 8839 §5, RFC 8122 §5, RFC 4145 §4).
// Returns true when `name` was one of them.
StatusOr<bool> ParseTransportAttribute(std::string_view name, std::optional<std::string_view> value,
                                       std::optional<std::string>* ice_ufrag,
                                       std::optional<std::string>* ice_pwd,
                                       std::vector<std::string>* ice_options,
                                       std::vector<SdpFingerprint>* fingerprints,
                                       std::optional<std::string>* setup) {
  if (name == "ice-ufrag") {
    *ice_ufrag = std::string(value.value_or(""));
  } else if (name == "ice-pwd") {
    *ice_pwd = std::string(value.value_or(""));
  } else if (name == "ice-options") {
    for (std::string_view option : Fields(value.value_or(""))) ice_options->emplace_back(option);
  } else if (name == "fingerprint") {
    auto fingerprint = ParseFingerprint(value.value_or(""));
    if (!fingerprint.ok()) return fingerprint.status();
    fingerprints->push_back(std::move(*fingerprint));
  } else if (name == "setup") {
    *setup = std::string(value.value_or(""));
  } else {
    return false;
  }
  return true;
}

Status ParseMediaAttribute(std::string_view name, std::optional<std::string_view> value,
                           MediaSection* section) {
  auto transport =
      ParseTransportAttribute(name, value, &section->ice_ufrag, &section->ice_pwd,
                              &section->ice_options, &section->fingerprints, &section->setup);
  if (!transport.ok()) return transport.status();
  if (*transport) return Status::Ok();

  if (auto direction = ParseMediaDirection(name); direction && !value) {
    section->direction = direction;
    return Status::Ok();
  }
  if (!value) {
    if (name == "rtcp-mux") {
      section->rtcp_mux = true;
    } else if (name == "rtcp-mux-only") {
      section->rtcp_mux_only = true;
    } else if (name == "rtcp-rsize") {
      section->rtcp_rsize = true;
    } else if (name == "extmap-allow-mixed") {
      section->extmap_allow_mixed = true;
    } else if (name == "end-of-candidates") {
      section->end_of_candidates = true;
    } else {
      section->other_attributes.push_back(MakeAttribute(name, value));
    }
    return Status::Ok();
  }

  const std::string_view text = *value;
  if (name == "mid") {
    section->mid = std::string(text);
  } else if (name == "rtcp") {
    section->rtcp = std::string(text);
  } else if (name == "extmap") {
    auto extension = ParseExtmap(text);
    if (!extension.ok()) return extension.status();
    section->header_extensions.push_back(std::move(*extension));
  } else if (name == "msid") {
    const auto fields = Fields(text);
    if (fields.empty() || fields.size() > 2) return Status::Error("msid needs 1 or 2 fields");
    section->msids.push_back(
        {std::string(fields[0]), fields.size() == 2 ? std::string(fields[1]) : std::string()});
  } else if (name == "rtpmap") {
    // <payload type> <encoding name>/<clock rate>[/<channels>] (RFC 8866 §6.6)
    const auto fields = Fields(text);
    if (fields.size() != 2) return Status::Error("rtpmap needs '<pt> <name>/<rate>'");
    int payload_type = 0;
    AURALINK_RETURN_IF_ERROR(ParsePayloadType(fields[0], &payload_type));
    const auto parts = Split(fields[1], '/');
    if (parts.size() < 2 || parts.size() > 3 || parts[0].empty()) {
      return Status::Error("rtpmap encoding is not '<name>/<rate>[/<channels>]'");
    }
    RtpCodec* codec = CodecFor(section, payload_type);
    if (!codec->name.empty()) return Status::Error("rtpmap repeats a payload type");
    codec->name = std::string(parts[0]);
    if (!ParseNumber(parts[1], &codec->clock_rate) || codec->clock_rate == 0) {
      return Status::Error("rtpmap clock rate is not a positive number");
    }
    if (parts.size() == 3 && (!ParseNumber(parts[2], &codec->channels) || codec->channels == 0 ||
                              codec->channels > 255)) {
      return Status::Error("rtpmap channels is not 1..255");
    }
  } else if (name == "fmtp") {
    const auto [pt_text, parameters] = SplitFirstField(text);
    int payload_type = 0;
    AURALINK_RETURN_IF_ERROR(ParsePayloadType(pt_text, &payload_type));
    CodecFor(section, payload_type)->fmtp = std::string(parameters);
  } else if (name == "rtcp-fb") {
    const auto [pt_text, feedback] = SplitFirstField(text);
    if (feedback.empty()) return Status::Error("rtcp-fb needs '<pt> <feedback>'");
    if (pt_text == "*") {
      section->wildcard_rtcp_feedback.emplace_back(feedback);
    } else {
      int payload_type = 0;
      AURALINK_RETURN_IF_ERROR(ParsePayloadType(pt_text, &payload_type));
      CodecFor(section, payload_type)->rtcp_feedback.emplace_back(feedback);
    }
  } else if (name == "ssrc") {
    // <ssrc> <attribute>[:<value>] (RFC 5576 §4.1)
    const auto [ssrc_text, attribute] = SplitFirstField(text);
    uint32_t ssrc = 0;
    if (!ParseNumber(ssrc_text, &ssrc)) return Status::Error("ssrc is not a 32-bit number");
    if (attribute.empty()) return Status::Error("ssrc needs an attribute");
    SsrcDescription* description = nullptr;
    for (auto& existing : section->ssrcs) {
      if (existing.ssrc == ssrc) description = &existing;
    }
    if (description == nullptr) {
      section->ssrcs.push_back(SsrcDescription{ssrc, {}});
      description = &section->ssrcs.back();
    }
    const size_t colon = attribute.find(':');
    if (colon == std::string_view::npos) {
      description->attributes.push_back(MakeAttribute(attribute, std::nullopt));
    } else {
      description->attributes.push_back(
          MakeAttribute(attribute.substr(0, colon), attribute.substr(colon + 1)));
    }
  } else if (name == "ssrc-group") {
    const auto fields = Fields(text);
    if (fields.size() < 2) return Status::Error("ssrc-group needs '<semantics> <ssrc>...'");
    SsrcGroup group{std::string(fields[0]), {}};
    for (size_t i = 1; i < fields.size(); ++i) {
      uint32_t ssrc = 0;
      if (!ParseNumber(fields[i], &ssrc)) return Status::Error("ssrc-group member is not a ssrc");
      group.ssrcs.push_back(ssrc);
    }
    section->ssrc_groups.push_back(std::move(group));
  } else if (name == "rid") {
    auto rid = ParseRid(text);
    if (!rid.ok()) return rid.status();
    section->rids.push_back(std::move(*rid));
  } else if (name == "simulcast") {
    if (section->simulcast) return Status::Error("simulcast appears twice");
    auto simulcast = ParseSimulcast(text);
    if (!simulcast.ok()) return simulcast.status();
    section->simulcast = std::move(*simulcast);
  } else if (name == "sctp-port") {
    uint16_t port = 0;
    if (!ParseNumber(text, &port)) return Status::Error("sctp-port is not a port");
    section->sctp_port = port;
  } else if (name == "max-message-size") {
    uint64_t size = 0;
    if (!ParseNumber(text, &size)) return Status::Error("max-message-size is not a number");
    section->max_message_size = size;
  } else if (name == "candidate") {
    section->candidates.push_back("candidate:" + std::string(text));
  } else {
    section->other_attributes.push_back(MakeAttribute(name, value));
  }
  return Status::Ok();
}

Status ParseSessionAttribute(std::string_view name, std::optional<std::string_view> value,
                             SessionDescription* session) {
  auto transport =
      ParseTransportAttribute(name, value, &session->ice_ufrag, &session->ice_pwd,
                              &session->ice_options, &session->fingerprints, &session->setup);
  if (!transport.ok()) return transport.status();
  if (*transport) return Status::Ok();
  if (name == "group" && value) {
    const auto fields = Fields(*value);
    if (fields.empty()) return Status::Error("group needs a semantics");
    SdpGroup group{std::string(fields[0]), {}};
    for (size_t i = 1; i < fields.size(); ++i) group.mids.emplace_back(fields[i]);
    session->groups.push_back(std::move(group));
  } else if (name == "extmap-allow-mixed" && !value) {
    session->extmap_allow_mixed = true;
  } else if (name == "ice-lite" && !value) {
    session->ice_lite = true;
  } else if (name == "msid-semantic" && value) {
    session->msid_semantic = std::string(TrimSpaces(*value));
  } else {
    session->other_attributes.push_back(MakeAttribute(name, value));
  }
  return Status::Ok();
}

StatusOr<SdpOrigin> ParseOrigin(std::string_view value) {
  const auto fields = Fields(value);
  if (fields.size() != 6) return Status::Error("o= needs 6 fields");
  SdpOrigin origin;
  origin.username = std::string(fields[0]);
  origin.session_id = std::string(fields[1]);
  if (!ParseNumber(fields[2], &origin.session_version)) {
    return Status::Error("o= session version is not a number");
  }
  origin.network_type = std::string(fields[3]);
  origin.address_type = std::string(fields[4]);
  origin.address = std::string(fields[5]);
  return origin;
}

StatusOr<MediaSection> ParseMediaLine(std::string_view value) {
  const auto fields = Fields(value);
  if (fields.size() < 3) return Status::Error("m= needs '<media> <port> <proto> <fmt>...'");
  MediaSection section;
  section.media = std::string(fields[0]);
  std::string_view port = fields[1];
  const size_t slash = port.find('/');
  if (slash != std::string_view::npos) {
    int count = 0;
    if (!ParseNumber(port.substr(slash + 1), &count) || count < 1) {
      return Status::Error("m= port count is not a positive number");
    }
    section.port_count = count;
    port = port.substr(0, slash);
  }
  if (!ParseNumber(port, &section.port)) return Status::Error("m= port is not 0..65535");
  section.protocol = std::string(fields[2]);
  for (size_t i = 3; i < fields.size(); ++i) section.formats.emplace_back(fields[i]);
  return section;
}

void AppendLine(std::string* out, std::string_view line) {
  out->append(line);
  out->append("\r\n");
}

void AppendAttribute(std::string* out, const SdpAttribute& attribute) {
  out->append("a=");
  out->append(attribute.name);
  if (attribute.value) {
    out->push_back(':');
    out->append(*attribute.value);
  }
  out->append("\r\n");
}

void AppendTransportAttributes(std::string* out, const std::optional<std::string>& ice_ufrag,
                               const std::optional<std::string>& ice_pwd,
                               const std::vector<std::string>& ice_options,
                               const std::vector<SdpFingerprint>& fingerprints,
                               const std::optional<std::string>& setup) {
  if (ice_ufrag) AppendLine(out, "a=ice-ufrag:" + *ice_ufrag);
  if (ice_pwd) AppendLine(out, "a=ice-pwd:" + *ice_pwd);
  if (!ice_options.empty()) AppendLine(out, "a=ice-options:" + JoinFields(ice_options, ' '));
  for (const auto& fingerprint : fingerprints) {
    AppendLine(out, "a=fingerprint:" + fingerprint.algorithm + " " + fingerprint.value);
  }
  if (setup) AppendLine(out, "a=setup:" + *setup);
}

// Chromium's own order (webrtc_sdp.cc), so a round trip of a browser offer is byte-identical.
void AppendMediaSection(std::string* out, const MediaSection& section) {
  std::string m_line = "m=" + section.media + " " + std::to_string(section.port);
  if (section.port_count) m_line += "/" + std::to_string(*section.port_count);
  m_line += " " + section.protocol;
  for (const auto& format : section.formats) m_line += " " + format;
  AppendLine(out, m_line);
  if (section.connection) AppendLine(out, "c=" + *section.connection);
  for (const auto& line : section.other_lines) AppendLine(out, line);
  if (section.rtcp) AppendLine(out, "a=rtcp:" + *section.rtcp);
  for (const auto& candidate : section.candidates) AppendLine(out, "a=" + candidate);
  if (section.end_of_candidates) AppendLine(out, "a=end-of-candidates");
  AppendTransportAttributes(out, section.ice_ufrag, section.ice_pwd, section.ice_options,
                            section.fingerprints, section.setup);
  if (section.mid) AppendLine(out, "a=mid:" + *section.mid);
  if (section.extmap_allow_mixed) AppendLine(out, "a=extmap-allow-mixed");
  for (const auto& extension : section.header_extensions) {
    std::string line = "a=extmap:" + std::to_string(extension.id);
    if (extension.direction) line += "/" + std::string(MediaDirectionName(*extension.direction));
    line += " " + extension.uri;
    if (!extension.attributes.empty()) line += " " + extension.attributes;
    AppendLine(out, line);
  }
  if (section.direction) {
    out->append("a=");
    AppendLine(out, MediaDirectionName(*section.direction));
  }
  for (const auto& msid : section.msids) {
    AppendLine(out,
               "a=msid:" + msid.stream_id + (msid.track_id.empty() ? "" : " " + msid.track_id));
  }
  if (section.rtcp_mux) AppendLine(out, "a=rtcp-mux");
  if (section.rtcp_mux_only) AppendLine(out, "a=rtcp-mux-only");
  if (section.rtcp_rsize) AppendLine(out, "a=rtcp-rsize");
  for (const auto& attribute : section.other_attributes) AppendAttribute(out, attribute);
  for (const auto& feedback : section.wildcard_rtcp_feedback) {
    AppendLine(out, "a=rtcp-fb:* " + feedback);
  }
  for (const auto& codec : section.codecs) {
    const std::string pt = std::to_string(codec.payload_type);
    if (!codec.name.empty()) {
      std::string line =
          "a=rtpmap:" + pt + " " + codec.name + "/" + std::to_string(codec.clock_rate);
      if (codec.channels > 0) line += "/" + std::to_string(codec.channels);
      AppendLine(out, line);
    }
    for (const auto& feedback : codec.rtcp_feedback)
      AppendLine(out, "a=rtcp-fb:" + pt + " " + feedback);
    if (!codec.fmtp.empty()) AppendLine(out, "a=fmtp:" + pt + " " + codec.fmtp);
  }
  for (const auto& group : section.ssrc_groups) {
    std::string line = "a=ssrc-group:" + group.semantics;
    for (uint32_t ssrc : group.ssrcs) {
      line += ' ';
      line += std::to_string(ssrc);
    }
    AppendLine(out, line);
  }
  for (const auto& ssrc : section.ssrcs) {
    for (const auto& attribute : ssrc.attributes) {
      std::string line = "a=ssrc:" + std::to_string(ssrc.ssrc) + " " + attribute.name;
      if (attribute.value) line += ":" + *attribute.value;
      AppendLine(out, line);
    }
  }
  for (const auto& rid : section.rids) {
    std::string line =
        "a=rid:" + rid.id + (rid.direction == RidDirection::kSend ? " send" : " recv");
    std::string params;
    if (!rid.payload_types.empty()) {
      params = "pt=";
      for (size_t i = 0; i < rid.payload_types.size(); ++i) {
        if (i > 0) params += ",";
        params += std::to_string(rid.payload_types[i]);
      }
    }
    for (const auto& [key, value] : rid.restrictions) {
      if (!params.empty()) params += ";";
      params += key;
      if (!value.empty()) params += "=" + value;
    }
    if (!params.empty()) line += " " + params;
    AppendLine(out, line);
  }
  if (section.simulcast) {
    const auto& simulcast = *section.simulcast;
    std::string send =
        simulcast.send.empty() ? "" : "send " + SimulcastListToString(simulcast.send);
    std::string recv =
        simulcast.recv.empty() ? "" : "recv " + SimulcastListToString(simulcast.recv);
    std::string first = simulcast.send_first ? send : recv;
    std::string second = simulcast.send_first ? recv : send;
    if (first.empty()) std::swap(first, second);
    AppendLine(out, "a=simulcast:" + first + (second.empty() ? "" : " " + second));
  }
  if (section.sctp_port) AppendLine(out, "a=sctp-port:" + std::to_string(*section.sctp_port));
  if (section.max_message_size) {
    AppendLine(out, "a=max-message-size:" + std::to_string(*section.max_message_size));
  }
}

}  // namespace

std::string_view MediaDirectionName(MediaDirection direction) {
  switch (direction) {
    case MediaDirection::kSendRecv:
      return "sendrecv";
    case MediaDirection::kSendOnly:
      return "sendonly";
    case MediaDirection::kRecvOnly:
      return "recvonly";
    case MediaDirection::kInactive:
      return "inactive";
  }
  return "sendrecv";
}

std::optional<MediaDirection> ParseMediaDirection(std::string_view name) {
  if (name == "sendrecv") return MediaDirection::kSendRecv;
  if (name == "sendonly") return MediaDirection::kSendOnly;
  if (name == "recvonly") return MediaDirection::kRecvOnly;
  if (name == "inactive") return MediaDirection::kInactive;
  return std::nullopt;
}

MediaDirection ReverseMediaDirection(MediaDirection direction) {
  if (direction == MediaDirection::kSendOnly) return MediaDirection::kRecvOnly;
  if (direction == MediaDirection::kRecvOnly) return MediaDirection::kSendOnly;
  return direction;
}

std::map<std::string, std::string> RtpCodec::FmtpParameters() const {
  std::map<std::string, std::string> parameters;
  for (std::string_view part : Split(fmtp, ';')) {
    part = TrimSpaces(part);
    if (part.empty()) continue;
    const size_t equals = part.find('=');
    if (equals == std::string_view::npos) {
      parameters.emplace(std::string(part), std::string());
    } else {
      parameters.emplace(std::string(part.substr(0, equals)), std::string(part.substr(equals + 1)));
    }
  }
  return parameters;
}

std::optional<std::string> RtpCodec::FmtpParameter(std::string_view key) const {
  const auto parameters = FmtpParameters();
  const auto it = parameters.find(std::string(key));
  if (it == parameters.end()) return std::nullopt;
  return it->second;
}

void RtpCodec::SetFmtpParameters(const std::map<std::string, std::string>& parameters) {
  fmtp.clear();
  for (const auto& [key, value] : parameters) {
    if (!fmtp.empty()) fmtp += ';';
    fmtp += key;
    if (!value.empty()) fmtp += "=" + value;
  }
}

bool RtpCodec::HasFeedback(std::string_view feedback) const {
  for (const auto& entry : rtcp_feedback) {
    if (entry == feedback) return true;
  }
  return false;
}

std::optional<std::string> SsrcDescription::Attribute(std::string_view name) const {
  for (const auto& attribute : attributes) {
    if (attribute.name == name) return attribute.value.value_or("");
  }
  return std::nullopt;
}

const RtpCodec* MediaSection::FindCodec(int payload_type) const {
  for (const auto& codec : codecs) {
    if (codec.payload_type == payload_type) return &codec;
  }
  return nullptr;
}

RtpCodec* MediaSection::FindCodec(int payload_type) {
  for (auto& codec : codecs) {
    if (codec.payload_type == payload_type) return &codec;
  }
  return nullptr;
}

std::optional<int> MediaSection::HeaderExtensionId(std::string_view uri) const {
  for (const auto& extension : header_extensions) {
    if (extension.uri == uri) return extension.id;
  }
  return std::nullopt;
}

const SsrcDescription* MediaSection::FindSsrc(uint32_t ssrc) const {
  for (const auto& description : ssrcs) {
    if (description.ssrc == ssrc) return &description;
  }
  return nullptr;
}

const MediaSection* SessionDescription::FindMedia(std::string_view mid) const {
  for (const auto& section : media) {
    if (section.mid == mid) return &section;
  }
  return nullptr;
}

MediaSection* SessionDescription::FindMedia(std::string_view mid) {
  for (auto& section : media) {
    if (section.mid == mid) return &section;
  }
  return nullptr;
}

const SdpGroup* SessionDescription::FindGroup(std::string_view semantics) const {
  for (const auto& group : groups) {
    if (group.semantics == semantics) return &group;
  }
  return nullptr;
}

StatusOr<SessionDescription> SessionDescription::Parse(std::string_view text) {
  if (text.size() > kMaxSessionDescriptionSize) {
    return Status::Error("SDP larger than " + std::to_string(kMaxSessionDescriptionSize) +
                         " bytes");
  }
  SessionDescription session;
  bool seen_origin = false;
  bool seen_name = false;
  bool seen_timing = false;
  size_t line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;

    auto error = [&](std::string_view message) {
      std::string excerpt(line.substr(0, 48));
      for (char& c : excerpt) {
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
      }
      return Status::Error("SDP line " + std::to_string(line_number) + " (" + excerpt +
                           (line.size() > 48 ? "..." : "") + "): " + std::string(message));
    };
    if (line.size() > kMaxSdpLineSize) return error("line too long");
    if (line.size() < 2 || line[1] != '=') return error("not '<type>=<value>'");
    const char type = line[0];
    const std::string_view value = line.substr(2);
    if (line_number == 1 && type != 'v') return error("SDP must start with v=");
    if (type == 'v') {
      if (line_number != 1 || value != "0") return error("only one v=0, first");
      continue;
    }

    if (type == 'm') {
      if (!seen_origin || !seen_name || !seen_timing) return error("m= before o=, s= and t=");
      if (session.media.size() >= kMaxMediaSections) return error("too many media sections");
      auto section = ParseMediaLine(value);
      if (!section.ok()) return error(section.status().message());
      session.media.push_back(std::move(*section));
      continue;
    }

    std::optional<std::string_view> attribute_value;
    std::string_view attribute_name;
    if (type == 'a') {
      const size_t colon = value.find(':');
      attribute_name = value.substr(0, colon);
      if (colon != std::string_view::npos) attribute_value = value.substr(colon + 1);
      if (attribute_name.empty()) return error("attribute without a name");
    }

    if (session.media.empty()) {
      switch (type) {
        case 'o': {
          if (seen_origin) return error("second o=");
          auto origin = ParseOrigin(value);
          if (!origin.ok()) return error(origin.status().message());
          session.origin = std::move(*origin);
          seen_origin = true;
          break;
        }
        case 's':
          if (seen_name) return error("second s=");
          session.session_name = std::string(value);
          seen_name = true;
          break;
        case 't':
          // RFC 8866 §5.9 allows several t= lines; WebRTC uses exactly "t=0 0".
          if (seen_timing) return error("second t=");
          session.timing = std::string(value);
          seen_timing = true;
          break;
        case 'a': {
          Status status = ParseSessionAttribute(attribute_name, attribute_value, &session);
          if (!status.ok()) return error(status.message());
          break;
        }
        case 'i':
        case 'u':
        case 'e':
        case 'p':
        case 'c':
        case 'b':
        case 'r':
        case 'z':
        case 'k':
          session.other_lines.emplace_back(line);
          break;
        default:
          return error("unknown session-level line type");
      }
      continue;
    }

    MediaSection& section = session.media.back();
    switch (type) {
      case 'c':
        if (section.connection) return error("second c= in a media section");
        section.connection = std::string(value);
        break;
      case 'i':
      case 'b':
      case 'k':
        section.other_lines.emplace_back(line);
        break;
      case 'a': {
        Status status = ParseMediaAttribute(attribute_name, attribute_value, &section);
        if (!status.ok()) return error(status.message());
        break;
      }
      default:
        return error("line type not allowed in a media section");
    }
  }
  if (line_number == 0) return Status::Error("SDP is empty");
  if (!seen_origin) return Status::Error("SDP lacks o=");
  if (!seen_name) return Status::Error("SDP lacks s=");
  if (!seen_timing) return Status::Error("SDP lacks t=");
  return session;
}

std::string SessionDescription::ToString() const {
  std::string out;
  out.reserve(4096);
  AppendLine(&out, "v=0");
  AppendLine(&out, "o=" + origin.username + " " + origin.session_id + " " +
                       std::to_string(origin.session_version) + " " + origin.network_type + " " +
                       origin.address_type + " " + origin.address);
  AppendLine(&out, "s=" + session_name);
  // RFC 8866 §5: i u e p c b come before t=; r z k after it.
  for (const auto& line : other_lines) {
    if (std::string_view("iuepcb").find(line[0]) != std::string_view::npos) AppendLine(&out, line);
  }
  AppendLine(&out, "t=" + timing);
  for (const auto& line : other_lines) {
    if (std::string_view("rzk").find(line[0]) != std::string_view::npos) AppendLine(&out, line);
  }
  if (ice_lite) AppendLine(&out, "a=ice-lite");
  AppendTransportAttributes(&out, ice_ufrag, ice_pwd, ice_options, fingerprints, setup);
  for (const auto& group : groups) {
    std::string line = "a=group:" + group.semantics;
    for (const auto& mid : group.mids) line += " " + mid;
    AppendLine(&out, line);
  }
  if (extmap_allow_mixed) AppendLine(&out, "a=extmap-allow-mixed");
  if (msid_semantic) AppendLine(&out, "a=msid-semantic: " + *msid_semantic);
  for (const auto& attribute : other_attributes) AppendAttribute(&out, attribute);
  for (const auto& section : media) AppendMediaSection(&out, section);
  return out;
}

}  // namespace auralink::rtc
