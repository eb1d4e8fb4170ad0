// ICE candidates as SDP carries them (RFC 8839 §5.1, RFC 6544 §4.5 for TCP):
//   candidate:<foundation> <component> <udp|tcp> <priority> <address> <port> typ <type>
//       [raddr <ip> rport <port>] [tcptype <active|passive|so>] *(<name> <value>)
// The address may be an mDNS hostname (browsers hide host IPs behind "<uuid>.local").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace auralink::rtc {

enum class IceCandidateType { kHost, kServerReflexive, kPeerReflexive, kRelay };
enum class IceTransportProtocol { kUdp, kTcp };
enum class IceTcpType { kNone, kActive, kPassive, kSimultaneousOpen };

struct IceCandidate {
  std::string foundation;
  int component = 1;
  IceTransportProtocol protocol = IceTransportProtocol::kUdp;
  uint32_t priority = 0;
  std::string address;  // IP literal or hostname
  uint16_t port = 0;
  IceCandidateType type = IceCandidateType::kHost;
  std::optional<std::string> related_address;
  std::optional<uint16_t> related_port;
  IceTcpType tcp_type = IceTcpType::kNone;
  // Extension attributes in order (generation, ufrag, network-id, network-cost, ...).
  std::vector<std::pair<std::string, std::string>> extensions;

  // Accepts "candidate:...", "a=candidate:..." or the value alone; trailing CR/LF is ignored.
  static StatusOr<IceCandidate> Parse(std::string_view line);
  // "candidate:..." without "a=", as both SDP and trickle ICE carry it.
  std::string ToString() const;
};

// RFC 8445 §5.1.2.2 recommended type preferences.
int IceTypePreference(IceCandidateType type);

// RFC 8445 §5.1.2.1: (2^24)*type_preference + (2^8)*local_preference + (256 - component_id).
uint32_t ComputeIcePriority(int type_preference, int local_preference, int component_id);

// RFC 6544 §4.2: local preference of a TCP candidate, (2^13)*direction_preference +
// other_preference, with direction preferences for host candidates active 6, passive 4, so 2.
int IceTcpLocalPreference(IceTcpType tcp_type, int other_preference);

}  // namespace auralink::rtc
