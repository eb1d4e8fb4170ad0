// The media server's configuration: one typed struct with documented defaults
// (docs/server-config.md), read from a YAML file whose keys follow livekit-server's config.yaml
// where the two overlap, so a LiveKit config for the settings below works unchanged. Unknown keys
// are errors, not silently ignored.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace auralink::signal {

struct RtcConfig {
  uint16_t udp_port = 7882;  // rtc.udp_port: every ICE/DTLS/SRTP flow muxed on one UDP port
  uint16_t tcp_port = 7881;  // rtc.tcp_port: ICE-TCP (RFC 6544 passive, RFC 4571 framing); 0 = off
  // rtc.port_range_start/end: per-peer UDP ports, used only when udp_port is 0.
  uint16_t port_range_start = 50000;
  uint16_t port_range_end = 60000;
  bool use_external_ip = false;  // rtc.use_external_ip: advertise the address STUN discovers
  std::string node_ip;           // rtc.node_ip: advertise this address instead of local ones
  // rtc.interfaces.includes/excludes: network interface names to gather candidates on / skip.
  std::vector<std::string> interface_includes;
  std::vector<std::string> interface_excludes;
  bool enable_loopback_candidate = false;  // rtc.enable_loopback_candidate
  // rtc.workers: SFU threads, each with its own event loop, rooms and media port (udp_port + i,
  // tcp_port + i). Not a livekit-server key.
  uint32_t workers = 1;
  // rtc.measure_hop_latency: each worker records every datagram's time from arrival to the send of
  // what it caused, and logs p50/p99 when it stops. Not a livekit-server key.
  bool measure_hop_latency = false;
  // rtc.raw_udp_send: media to IPv4 peers leaves as frames written by the server through a packet
  // socket (net::RawUdpEgress), skipping the kernel's per-datagram UDP and IP work. Needs
  // CAP_NET_RAW, and bypasses netfilter's output hooks (no NAT). Not a livekit-server key.
  bool raw_udp_send = false;

  bool operator==(const RtcConfig&) const = default;
};

struct RoomConfig {
  bool auto_create = true;            // room.auto_create: a join creates the room
  uint32_t empty_timeout_s = 300;     // room.empty_timeout: close a room nobody joined, seconds
  uint32_t departure_timeout_s = 20;  // room.departure_timeout: close after the last one left
  uint32_t max_participants = 0;      // room.max_participants: 0 = unlimited

  bool operator==(const RoomConfig&) const = default;
};

struct LoggingConfig {
  std::string level = "info";  // logging.level: debug, info, warn, error
  bool json = false;           // logging.json

  bool operator==(const LoggingConfig&) const = default;
};

// livekit-server calls this section `limit`.
struct LimitConfig {
  int32_t num_tracks = -1;                // limit.num_tracks: per node, -1 = unlimited
  uint64_t bytes_per_sec = 0;             // limit.bytes_per_sec: per node, 0 = unlimited
  uint32_t subscription_limit_video = 0;  // limit.subscription_limit_video: per participant
  uint32_t subscription_limit_audio = 0;  // limit.subscription_limit_audio
  uint32_t max_metadata_size = 64000;     // limit.max_metadata_size: bytes
  uint32_t max_attributes_size = 64000;   // limit.max_attributes_size: bytes
  uint32_t max_room_name_length = 256;    // limit.max_room_name_length
  uint32_t max_participant_identity_length = 256;  // limit.max_participant_identity_length
  uint32_t max_participant_name_length = 256;      // limit.max_participant_name_length

  bool operator==(const LimitConfig&) const = default;
};

struct ServerConfig {
  uint16_t port = 7880;  // port: HTTP (signalling WebSocket, /rtc/validate, Twirp RoomService)
  // bind_addresses: where the HTTP port and the RTC ports listen; empty = every address.
  std::vector<std::string> bind_addresses;
  RtcConfig rtc;
  std::map<std::string, std::string> keys;  // keys: API key -> secret
  LoggingConfig logging;
  RoomConfig room;
  LimitConfig limit;
  bool development = false;  // development: set by --dev

  bool operator==(const ServerConfig&) const = default;

  // Port clashes, an empty or inverted port range, an unknown log level, keys with empty secrets,
  // no keys at all: each an error naming the setting.
  Status Validate() const;
};

// The defaults overlaid with `yaml`. Errors name the key (dotted, e.g. "rtc.udp_port") and the
// line.
StatusOr<ServerConfig> ParseServerConfig(std::string_view yaml);
StatusOr<ServerConfig> LoadServerConfigFile(const std::string& path);

// What `livekit-server --dev` sets: API key "devkey" with secret "secret" when no keys are
// configured; when no bind addresses are configured, loopback (127.0.0.1, ::1) plus
// `machine_addresses` (see ListMachineAddresses); loopback ICE candidates; development = true.
void ApplyDevelopmentDefaults(ServerConfig* config,
                              const std::vector<std::string>& machine_addresses);

// LIVEKIT_KEYS="key1: secret1, key2: secret2" (or one pair per line) replaces `keys`, as in
// livekit-server. `getenv` is injectable for tests.
Status ApplyEnvironment(
    ServerConfig* config,
    const std::function<const char*(const char*)>& getenv = [](const char* name) {
      return static_cast<const char*>(std::getenv(name));
    });

// The parsed form of LIVEKIT_KEYS.
StatusOr<std::map<std::string, std::string>> ParseKeyList(std::string_view text);

}  // namespace auralink::signal
