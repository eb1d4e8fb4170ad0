#include "net/raw_udp_egress.h"

#include <arpa/inet.h>
#include <endian.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "common/log.h"
#include "net/event_loop.h"
#include "net/udp_socket.h"

namespace auralink::net {
namespace {

constexpr size_t kEthernetBytes = 14;
constexpr size_t kIpv4Bytes = 20;
constexpr size_t kUdpBytes = 8;
constexpr size_t kIpOffset = kEthernetBytes;
constexpr size_t kUdpOffset = kEthernetBytes + kIpv4Bytes;
static_assert(RawUdpEgress::kHeaderBytes == kEthernetBytes + kIpv4Bytes + kUdpBytes);

// Adds one word of `bytes`, read in memory order, to a ones' complement sum kept in 64 bits, with
// the end-around carry.
template <typename Word>
uint64_t AddWord(uint64_t sum, const uint8_t* bytes) {
  Word word;
  std::memcpy(&word, bytes, sizeof(word));
  sum += word;
  return sum + (sum < word);
}

// Adds `bytes` to a ones' complement sum (RFC 1071) kept in 64 bits, reading them in memory order:
// the folded result, stored back in memory order, is the checksum in network order whatever the
// host's byte order (RFC 1071 §2(B)). `bytes` must start at an even offset of the summed data.
uint64_t AddToSum(uint64_t sum, const uint8_t* bytes, size_t length) {
  for (; length >= 8; bytes += 8, length -= 8) sum = AddWord<uint64_t>(sum, bytes);
  if (length >= 4) {
    sum = AddWord<uint32_t>(sum, bytes);
    bytes += 4;
    length -= 4;
  }
  if (length >= 2) {
    sum = AddWord<uint16_t>(sum, bytes);
    bytes += 2;
    length -= 2;
  }
  if (length == 1) {
    const uint8_t padded[2] = {bytes[0], 0};  // the odd byte, with a zero after it
    sum = AddWord<uint16_t>(sum, padded);
  }
  return sum;
}

uint16_t Fold(uint64_t sum) {
  sum = (sum & 0xffffffffu) + (sum >> 32);
  sum = (sum & 0xffffffffu) + (sum >> 32);
  sum = (sum & 0xffffu) + (sum >> 16);
  sum = (sum & 0xffffu) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

void Store16(uint8_t* at, uint16_t host_order) {
  const uint16_t network = htons(host_order);
  std::memcpy(at, &network, 2);
}

// struct virtio_net_hdr of linux/virtio_net.h, which C++ cannot include (a field is named
// `class`). Packet sockets read its fields little-endian (vio_le()).
struct VirtioNetHeader {
  uint8_t flags;
  uint8_t gso_type;
  uint16_t header_bytes;
  uint16_t gso_size;
  uint16_t checksum_start;
  uint16_t checksum_offset;
};
constexpr uint8_t kVirtioNeedsChecksum = 1;  // VIRTIO_NET_HDR_F_NEEDS_CSUM
constexpr uint8_t kVirtioGsoNone = 0;        // VIRTIO_NET_HDR_GSO_NONE

uint8_t SystemDefaultTtl() {
  std::ifstream file("/proc/sys/net/ipv4/ip_default_ttl");
  int ttl = 0;
  if (file >> ttl && ttl > 0 && ttl < 256) return static_cast<uint8_t>(ttl);
  return 64;
}

}  // namespace

StatusOr<std::unique_ptr<RawUdpEgress>> RawUdpEgress::Create(RawUdpEgressOptions options) {
  if (options.path_lifetime_us <= 0 || options.unresolved_retry_us <= 0)
    return Status::Error("raw UDP send: path lifetimes must be positive");
  // Protocol 0: the socket sends and never receives.
  const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    const int error = errno;
    std::string message = "raw UDP send: socket(AF_PACKET): ";
    message += std::strerror(error);
    if (error == EPERM || error == EACCES) message += " (it needs CAP_NET_RAW)";
    return Status::Error(std::move(message));
  }
  // Above net.core.wmem_max only with CAP_NET_ADMIN (SO_SNDBUFFORCE); else the kernel clamps it.
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &options.send_buffer_bytes,
                 sizeof(options.send_buffer_bytes)) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &options.send_buffer_bytes,
               sizeof(options.send_buffer_bytes));
  }
  auto routes = RouteLookup::Open();
  if (!routes.ok()) {
    close(fd);
    return routes.status().WithContext("raw UDP send");
  }
  std::unique_ptr<RawUdpEgress> egress(
      new RawUdpEgress(fd, std::move(*routes), options, SystemDefaultTtl()));
  const int on = 1;
  egress->checksum_by_device_ = setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &on, sizeof(on)) == 0;
  return egress;
}

RawUdpEgress::RawUdpEgress(int fd, std::unique_ptr<RouteLookup> routes, RawUdpEgressOptions options,
                           uint8_t default_ttl)
    : fd_(fd), routes_(std::move(routes)), options_(options), default_ttl_(default_ttl) {}

RawUdpEgress::~RawUdpEgress() { close(fd_); }

RawUdpPath RawUdpEgress::MakePath(const Ipv4NextHop& hop, uint32_t destination,
                                  uint8_t default_ttl) {
  RawUdpPath path;
  path.link.sll_family = AF_PACKET;
  path.link.sll_protocol = htons(ETH_P_IP);
  path.link.sll_ifindex = hop.ifindex;
  path.link.sll_halen = static_cast<unsigned char>(hop.next_hop_mac.size());
  std::memcpy(path.link.sll_addr, hop.next_hop_mac.data(), hop.next_hop_mac.size());
  path.mtu = hop.mtu;
  uint8_t* header = path.header;
  std::memcpy(header, hop.next_hop_mac.data(), 6);
  std::memcpy(header + 6, hop.source_mac.data(), 6);
  Store16(header + 12, ETH_P_IP);
  uint8_t* ip = header + kIpOffset;
  ip[0] = 0x45;             // version 4, 5 words
  ip[1] = 0;                // DSCP and ECN, as the server's sockets leave them
  Store16(ip + 6, 0x4000);  // don't fragment, as Linux sets for UDP under path MTU discovery
  ip[8] = hop.ttl != 0 ? hop.ttl : default_ttl;
  ip[9] = IPPROTO_UDP;
  std::memcpy(ip + 12, &hop.source, 4);
  std::memcpy(ip + 16, &destination, 4);
  // The pseudo-header's addresses and protocol (RFC 768); its length is added per datagram.
  const uint8_t protocol[2] = {0, IPPROTO_UDP};
  path.pseudo_header_sum = AddToSum(AddToSum(0, ip + 12, 8), protocol, 2);
  path.usable = true;
  return path;
}

void RawUdpEgress::WriteHeader(const RawUdpPath& path, uint16_t source_port,
                               uint16_t destination_port, uint16_t ip_id,
                               std::span<const uint8_t> payload, uint8_t* frame,
                               bool checksum_by_device) {
  std::memcpy(frame, path.header, kHeaderBytes);
  uint8_t* ip = frame + kIpOffset;
  Store16(ip + 2, static_cast<uint16_t>(kIpv4Bytes + kUdpBytes + payload.size()));
  Store16(ip + 4, ip_id);
  const uint16_t ip_checksum = static_cast<uint16_t>(~Fold(AddToSum(0, ip, kIpv4Bytes)));
  std::memcpy(ip + 10, &ip_checksum, 2);
  uint8_t* udp = frame + kUdpOffset;
  Store16(udp, source_port);
  Store16(udp + 2, destination_port);
  Store16(udp + 4, static_cast<uint16_t>(kUdpBytes + payload.size()));
  uint64_t sum = AddToSum(path.pseudo_header_sum, udp + 4, 2);  // the pseudo-header's length
  if (checksum_by_device) {
    // What Linux leaves for a device to finish (udp4_hwcsum): the pseudo-header's sum, not
    // complemented; the device adds the header and payload and stores the complement.
    const uint16_t partial = Fold(sum);
    std::memcpy(udp + 6, &partial, 2);
    return;
  }
  // Then the header (checksum zero) and the payload.
  sum = AddToSum(sum, udp, kUdpBytes);
  sum = AddToSum(sum, payload.data(), payload.size());
  uint16_t udp_checksum = static_cast<uint16_t>(~Fold(sum));
  if (udp_checksum == 0) udp_checksum = 0xffff;  // zero would mean "none" (RFC 768)
  std::memcpy(udp + 6, &udp_checksum, 2);
}

RawUdpPath& RawUdpEgress::PathFor(uint32_t source, uint32_t destination, int64_t now_us) {
  const uint64_t key = (static_cast<uint64_t>(source) << 32) | destination;
  auto [entry, inserted] = paths_.try_emplace(key);
  RawUdpPath& path = entry->second;
  if (!inserted && path.expires_us > now_us) return path;
  ++counters_.path_lookups;
  std::string why;
  auto hop = routes_->Lookup(destination, source, &why);
  if (hop.ok() && hop->has_value() && (*hop)->local) {
    // A frame carries no route of its own, so the kernel routes it on loopback as if it came from
    // outside and drops it: a source address of its own (IP_LOCAL_SOURCE), 127/8 (IP_LOCALNET).
    // Its own datagrams keep the route they left with.
    why = "one of this machine's addresses, which the kernel drops in frames on loopback";
    hop = std::optional<Ipv4NextHop>();
  }
  if (!hop.ok() || !hop->has_value()) {
    path = RawUdpPath{};
    path.expires_us = now_us + options_.unresolved_retry_us;
    char text[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &destination, text, sizeof(text));
    if (!hop.ok()) {
      ++counters_.lookup_errors;
      if (!logged_error_) {
        logged_error_ = true;
        AURALINK_LOG(kWarning) << "raw UDP send: could not look up the way to " << text << ": "
                               << hop.status().message() << "; the UDP socket sends instead";
      }
    } else {
      ++counters_.unresolved;
      if (!logged_unresolved_) {
        logged_unresolved_ = true;
        AURALINK_LOG(kInfo) << "raw UDP send: no frame can be written to " << text << " (" << why
                            << "); the UDP socket sends to it (logged once)";
      }
    }
    return path;
  }
  path = MakePath(**hop, destination, default_ttl_);
  path.expires_us = now_us + options_.path_lifetime_us;
  path.through_socket_call = call_;
  return path;
}

size_t RawUdpEgress::Send(const SocketAddress& local, std::span<const OutgoingMessage> messages,
                          std::vector<OutgoingMessage>* rest) {
  if (messages.empty()) return 0;
  ++call_;
  const int64_t now_us = EventLoop::NowUs();
  if (paths_.size() >= prune_at_) {
    // Before any path of this call is referenced: every erased one has expired.
    std::erase_if(paths_,
                  [now_us](const auto& entry) { return entry.second.expires_us <= now_us; });
    prune_at_ = std::max<size_t>(1024, paths_.size() * 2);
  }
  const auto* local_v4 = reinterpret_cast<const sockaddr_in*>(local.sockaddr_ptr());
  const uint32_t source = local.is_ipv4() ? local_v4->sin_addr.s_addr : 0;
  const uint16_t source_port = local.port();
  size_t frames = 0;
  for (const OutgoingMessage& message : messages) frames += message.segments.size();
  if (headers_.size() < frames) {
    headers_.resize(frames);
    iovecs_.resize(frames * 2);
    messages_.resize(frames);
  }

  frames = 0;
  RawUdpPath* path = nullptr;
  uint32_t path_destination = 0;
  for (const OutgoingMessage& message : messages) {
    if (!local.is_ipv4() || message.to == nullptr || !message.to->is_ipv4()) {
      rest->push_back(message);
      counters_.handed_back += message.segments.size();
      continue;
    }
    const auto* to = reinterpret_cast<const sockaddr_in*>(message.to->sockaddr_ptr());
    const uint32_t destination = to->sin_addr.s_addr;
    if (path == nullptr || destination != path_destination) {
      path = &PathFor(source, destination, now_us);
      path_destination = destination;
    }
    bool fits = path->usable && path->through_socket_call != call_;
    for (size_t i = 0; fits && i < message.segments.size(); ++i)
      fits = kIpv4Bytes + kUdpBytes + message.segments[i].size() <= path->mtu;
    if (!fits) {
      rest->push_back(message);
      counters_.handed_back += message.segments.size();
      continue;
    }
    const uint16_t destination_port = ntohs(to->sin_port);
    for (std::span<const uint8_t> payload : message.segments) {
      uint8_t* header = headers_[frames].bytes;
      size_t header_bytes = kHeaderBytes;
      if (checksum_by_device_) {
        // CHECKSUM_PARTIAL from the UDP header on; no segmentation.
        VirtioNetHeader virtio{};
        virtio.flags = kVirtioNeedsChecksum;
        virtio.gso_type = kVirtioGsoNone;
        virtio.header_bytes = htole16(kHeaderBytes);
        virtio.checksum_start = htole16(kUdpOffset);
        virtio.checksum_offset = htole16(6);
        static_assert(sizeof(virtio) == kVirtioHeaderBytes);
        std::memcpy(header, &virtio, sizeof(virtio));
        header += kVirtioHeaderBytes;
        header_bytes += kVirtioHeaderBytes;
      }
      WriteHeader(*path, source_port, destination_port, next_ip_id_++, payload, header,
                  checksum_by_device_);
      iovecs_[2 * frames] = iovec{headers_[frames].bytes, header_bytes};
      iovecs_[2 * frames + 1] = iovec{const_cast<uint8_t*>(payload.data()), payload.size()};
      msghdr& frame = messages_[frames].msg_hdr;
      std::memset(&frame, 0, sizeof(frame));
      frame.msg_name = &path->link;
      frame.msg_namelen = sizeof(path->link);
      frame.msg_iov = &iovecs_[2 * frames];
      frame.msg_iovlen = 2;
      ++frames;
    }
  }

  size_t done = 0;
  size_t delivered = 0;
  while (done < frames) {
    const int result =
        sendmmsg(fd_, messages_.data() + done, static_cast<unsigned>(frames - done), MSG_DONTWAIT);
    if (result < 0) {
      const int error = errno;
      if (error == EINTR) continue;
      if (error == EAGAIN || error == EWOULDBLOCK) {
        counters_.would_block += frames - done;
        break;
      }
      // This frame failed on its own: the device's queue was full (ENOBUFS), the device went down.
      if (error == ENOBUFS) {
        ++counters_.would_block;
      } else {
        ++counters_.send_errors;
        if (!logged_error_) {
          logged_error_ = true;
          AURALINK_LOG(kWarning) << "raw UDP send: " << std::strerror(error);
        }
      }
      ++done;
      continue;
    }
    for (size_t i = done; i < done + static_cast<size_t>(result); ++i)
      counters_.bytes_sent += iovecs_[2 * i + 1].iov_len;
    done += static_cast<size_t>(result);
    delivered += static_cast<size_t>(result);
  }
  counters_.datagrams_sent += delivered;
  return delivered;
}

}  // namespace auralink::net
