#include "rtc/ice/ice_candidate.h"

#include <charconv>

namespace auralink::rtc {
namespace {

std::vector<std::string_view> SplitSpaces(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

template <typename T>
bool ParseNumber(std::string_view text, T* value) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] + 32) : a[i];
    const char y = (b[i] >= 'A' && b[i] <= 'Z') ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

const char* TypeName(IceCandidateType type) {
  switch (type) {
    case IceCandidateType::kHost:
      return "host";
    case IceCandidateType::kServerReflexive:
      return "srflx";
    case IceCandidateType::kPeerReflexive:
      return "prflx";
    case IceCandidateType::kRelay:
      return "relay";
  }
  return "host";
}

const char* TcpTypeName(IceTcpType type) {
  switch (type) {
    case IceTcpType::kActive:
      return "active";
    case IceTcpType::kPassive:
      return "passive";
    case IceTcpType::kSimultaneousOpen:
      return "so";
    case IceTcpType::kNone:
      break;
  }
  return "";
}

}  // namespace

StatusOr<IceCandidate> IceCandidate::Parse(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.size() > 1024) return Status::Error("ICE candidate line longer than 1024 bytes");
  if (line.starts_with("a=")) line.remove_prefix(2);
  if (line.starts_with("candidate:")) line.remove_prefix(10);
  const auto fields = SplitSpaces(line);
  if (fields.size() < 8) return Status::Error("ICE candidate has fewer than 8 fields");

  IceCandidate candidate;
  candidate.foundation = std::string(fields[0]);
  if (candidate.foundation.size() > 32) return Status::Error("ICE candidate foundation too long");
  if (!ParseNumber(fields[1], &candidate.component) || candidate.component < 1 ||
      candidate.component > 256) {
    return Status::Error("ICE candidate component is not 1..256");
  }
  if (EqualsIgnoreCase(fields[2], "udp")) {
    candidate.protocol = IceTransportProtocol::kUdp;
  } else if (EqualsIgnoreCase(fields[2], "tcp")) {
    candidate.protocol = IceTransportProtocol::kTcp;
  } else {
    return Status::Error("ICE candidate transport '" + std::string(fields[2]) + "' is not udp/tcp");
  }
  if (!ParseNumber(fields[3], &candidate.priority)) {
    return Status::Error("ICE candidate priority is not a 32-bit number");
  }
  candidate.address = std::string(fields[4]);
  if (!ParseNumber(fields[5], &candidate.port)) {
    return Status::Error("ICE candidate port is not a 16-bit number");
  }
  if (fields[6] != "typ") return Status::Error("ICE candidate lacks 'typ'");
  if (fields[7] == "host") {
    candidate.type = IceCandidateType::kHost;
  } else if (fields[7] == "srflx") {
    candidate.type = IceCandidateType::kServerReflexive;
  } else if (fields[7] == "prflx") {
    candidate.type = IceCandidateType::kPeerReflexive;
  } else if (fields[7] == "relay") {
    candidate.type = IceCandidateType::kRelay;
  } else {
    return Status::Error("ICE candidate type '" + std::string(fields[7]) + "' is unknown");
  }

  for (size_t i = 8; i < fields.size(); i += 2) {
    if (i + 1 >= fields.size()) {
      return Status::Error("ICE candidate attribute '" + std::string(fields[i]) +
                           "' lacks a value");
    }
    const std::string_view name = fields[i];
    const std::string_view value = fields[i + 1];
    if (name == "raddr") {
      candidate.related_address = std::string(value);
    } else if (name == "rport") {
      uint16_t port = 0;
      if (!ParseNumber(value, &port)) return Status::Error("ICE candidate rport is not a port");
      candidate.related_port = port;
    } else if (name == "tcptype") {
      if (value == "active") {
        candidate.tcp_type = IceTcpType::kActive;
      } else if (value == "passive") {
        candidate.tcp_type = IceTcpType::kPassive;
      } else if (value == "so") {
        candidate.tcp_type = IceTcpType::kSimultaneousOpen;
      } else {
        return Status::Error("ICE candidate tcptype '" + std::string(value) + "' is unknown");
      }
    } else if (candidate.extensions.size() < 16) {
      candidate.extensions.emplace_back(std::string(name), std::string(value));
    }
  }
  if (candidate.protocol == IceTransportProtocol::kTcp && candidate.tcp_type == IceTcpType::kNone) {
    return Status::Error("ICE TCP candidate lacks tcptype (RFC 6544 §4.5)");
  }
  return candidate;
}

std::string IceCandidate::ToString() const {
  std::string text = "candidate:" + foundation + " " + std::to_string(component) +
                     (protocol == IceTransportProtocol::kUdp ? " udp " : " tcp ") +
                     std::to_string(priority) + " " + address + " " + std::to_string(port) +
                     " typ " + TypeName(type);
  if (related_address) text += " raddr " + *related_address;
  if (related_port) text += " rport " + std::to_string(*related_port);
  if (tcp_type != IceTcpType::kNone) text += std::string(" tcptype ") + TcpTypeName(tcp_type);
  for (const auto& [name, value] : extensions) text += " " + name + " " + value;
  return text;
}

int IceTypePreference(IceCandidateType type) {
  switch (type) {
    case IceCandidateType::kHost:
      return 126;
    case IceCandidateType::kPeerReflexive:
      return 110;
    case IceCandidateType::kServerReflexive:
      return 100;
    case IceCandidateType::kRelay:
      return 0;
  }
  return 0;
}

uint32_t ComputeIcePriority(int type_preference, int local_preference, int component_id) {
  return (static_cast<uint32_t>(type_preference & 0x7F) << 24) +
         (static_cast<uint32_t>(local_preference & 0xFFFF) << 8) +
         static_cast<uint32_t>(256 - component_id);
}

int IceTcpLocalPreference(IceTcpType tcp_type, int other_preference) {
  int direction_preference = 0;
  switch (tcp_type) {
    case IceTcpType::kActive:
      direction_preference = 6;
      break;
    case IceTcpType::kPassive:
      direction_preference = 4;
      break;
    case IceTcpType::kSimultaneousOpen:
      direction_preference = 2;
      break;
    case IceTcpType::kNone:
      break;
  }
  return (direction_preference << 13) + (other_preference & 0x1FFF);
}

}  // namespace auralink::rtc
