// Sends UDP/IPv4 datagrams as whole frames through an AF_PACKET socket: the Ethernet, IPv4 and UDP
// headers are written here, from the way out the kernel's own route and neighbour tables give
// (RouteLookup), so the kernel skips its UDP socket, route, IP output and neighbour work for each
// datagram. On a 2-vCPU VM, a fan-out of 100-byte datagrams to 1,000 destinations costs ~1.1 µs a
// datagram this way, headers and checksums included, against ~2.4 µs with sendmmsg on a UDP
// socket (bench/rtp/udp_fanout_bench --sink 10.77.0.2 --watched 1 --raw 1, against --raw 0).
//
// What a server gives up, and why it is off by default (rtc.raw_udp_send):
// - Netfilter's OUTPUT and POSTROUTING hooks do not see these frames: no SNAT or masquerading
//   (a server behind Docker's or Kubernetes' NAT must not use it), no firewall rules on output.
//   Traffic control on the device still applies: frames go through its qdisc.
// - It needs CAP_NET_RAW. Create() says so when the process lacks it, and the server keeps sending
//   through its UDP sockets.
// What it keeps: the destination's path is the kernel's (route, preferred source, next hop's
// link address), looked up again every path_lifetime_us; each lookup's first datagram still goes
// through the UDP socket, so the kernel's neighbour entry is used and kept confirmed as it would
// be. Destinations it cannot write a frame for (IPv6, a route through a device that is neither
// Ethernet nor loopback, an unresolved neighbour, a datagram above the MTU, this machine's own
// addresses) are left to the socket. The UDP checksum is left to the device, as the kernel does
// for its own datagrams: each frame carries a virtio-net header (PACKET_VNET_HDR) that asks for
// it, and the kernel computes it in software where the device cannot. A kernel without
// PACKET_VNET_HDR gets frames with the checksum computed here.
#pragma once

#include <linux/if_packet.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "net/route_lookup.h"
#include "net/socket_address.h"

namespace auralink::net {

struct OutgoingMessage;

struct RawUdpEgressOptions {
  int send_buffer_bytes = 4 << 20;
  // A destination's route and next hop are looked up again after this long.
  int64_t path_lifetime_us = 5'000'000;
  // After a lookup that found no way to write a frame, the socket carries that destination's
  // datagrams for this long before the next lookup.
  int64_t unresolved_retry_us = 1'000'000;
};

struct RawUdpEgressCounters {
  uint64_t datagrams_sent = 0;  // frames the kernel took
  uint64_t bytes_sent = 0;      // their UDP payloads
  uint64_t path_lookups = 0;
  uint64_t unresolved = 0;     // lookups that found no way to write a frame
  uint64_t lookup_errors = 0;  // lookups the kernel did not answer
  uint64_t handed_back = 0;    // datagrams left to the socket (unresolved, refresh, too large)
  uint64_t would_block = 0;    // dropped: the packet socket's buffer or the device queue was full
  uint64_t send_errors = 0;
};

// Where a datagram's frame goes and what its headers hold, for one (source, destination) address
// pair. Public for tests.
struct RawUdpPath {
  sockaddr_ll link{};  // the device, for sendmmsg
  uint32_t mtu = 0;
  // Ethernet header, IPv4 header (checksum, length and id zero) and UDP header (zero): written once
  // per path, copied and completed per datagram.
  uint8_t header[42] = {};
  uint64_t pseudo_header_sum = 0;  // source and destination addresses and protocol, for the UDP sum
  int64_t expires_us = 0;
  bool usable = false;
  // Send() calls whose datagrams to this destination go through the socket: the one that looked
  // the path up, so that the kernel's neighbour entry sees use (and is kept confirmed) as it would
  // without this class. Every datagram of that call, so the destination's order holds.
  uint64_t through_socket_call = 0;
};

class RawUdpEgress {
 public:
  static constexpr size_t kHeaderBytes = 14 + 20 + 8;  // Ethernet, IPv4, UDP

  // Fails (with the reason) without CAP_NET_RAW or rtnetlink.
  static StatusOr<std::unique_ptr<RawUdpEgress>> Create(RawUdpEgressOptions options = {});
  ~RawUdpEgress();
  RawUdpEgress(const RawUdpEgress&) = delete;
  RawUdpEgress& operator=(const RawUdpEgress&) = delete;

  // Sends those of `messages` (each one datagram or a GSO run of them, see OutgoingMessage) from
  // `local` (an IPv4 address and port; 0.0.0.0 takes each route's preferred source) that it can
  // write frames for, and appends the others to `rest`, in their order, for the caller's UDP
  // socket. Returns the datagrams the kernel took; drops are counted.
  size_t Send(const SocketAddress& local, std::span<const OutgoingMessage> messages,
              std::vector<OutgoingMessage>* rest);

  const RawUdpEgressCounters& counters() const { return counters_; }
  size_t cached_paths() const { return paths_.size(); }
  // Whether frames leave the UDP checksum to the device (PACKET_VNET_HDR).
  bool checksum_by_device() const { return checksum_by_device_; }

  // Writes the frame header for `payload` into `frame` (kHeaderBytes): the path's template with
  // the ports (host order), lengths, IPv4 id and both checksums filled in. With
  // `checksum_by_device`, the UDP checksum field holds only the pseudo-header's sum, for the
  // device (or the kernel) to complete over the datagram (CHECKSUM_PARTIAL).
  static void WriteHeader(const RawUdpPath& path, uint16_t source_port, uint16_t destination_port,
                          uint16_t ip_id, std::span<const uint8_t> payload, uint8_t* frame,
                          bool checksum_by_device = false);
  // The path's template for `hop` to `destination` (network order, as in `hop`).
  static RawUdpPath MakePath(const Ipv4NextHop& hop, uint32_t destination, uint8_t default_ttl);

 private:
  RawUdpEgress(int fd, std::unique_ptr<RouteLookup> routes, RawUdpEgressOptions options,
               uint8_t default_ttl);
  RawUdpPath& PathFor(uint32_t source, uint32_t destination, int64_t now_us);

  int fd_;
  std::unique_ptr<RouteLookup> routes_;
  RawUdpEgressOptions options_;
  uint8_t default_ttl_;
  uint16_t next_ip_id_ = 0;
  // By source and destination address. Node-based: references stay valid.
  std::unordered_map<uint64_t, RawUdpPath> paths_;
  size_t prune_at_ = 1024;  // drop expired paths when the map reaches this size
  RawUdpEgressCounters counters_;
  // sendmmsg scratch, grown on demand and then reused.
  static constexpr size_t kVirtioHeaderBytes = 10;  // struct virtio_net_hdr
  struct alignas(16) FrameHeader {
    uint8_t bytes[kVirtioHeaderBytes + kHeaderBytes];
  };
  bool checksum_by_device_ = false;  // PACKET_VNET_HDR is on: frames start with a virtio header
  std::vector<FrameHeader> headers_;
  std::vector<iovec> iovecs_;  // two per frame: its header, its payload
  std::vector<mmsghdr> messages_;
  uint64_t call_ = 0;  // Send() calls so far
  bool logged_unresolved_ = false;
  bool logged_error_ = false;
};

}  // namespace auralink::net
