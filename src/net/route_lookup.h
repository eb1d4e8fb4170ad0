// Asks the kernel (rtnetlink, RFC 3549) where an IPv4 datagram to a given address would leave:
// the device, the source address it would carry, and the link-layer addresses of the frame that
// would carry it. RawUdpEgress uses this to write frames the kernel would have written itself.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"

namespace auralink::net {

using MacAddress = std::array<uint8_t, 6>;

// The way out to one destination. Addresses are in network byte order.
struct Ipv4NextHop {
  int ifindex = 0;
  uint32_t source = 0;        // the route's preferred source, or the one asked for
  MacAddress source_mac{};    // the device's own address (zero on loopback)
  MacAddress next_hop_mac{};  // the gateway's, the destination's, or the device's own without ARP
  uint32_t mtu = 0;           // the route's MTU if it sets one, else the device's
  uint8_t ttl = 0;            // the route's hop limit if it sets one, else 0 (the system default)
  bool local = false;         // a local address: the frame goes out on loopback
};

class RouteLookup {
 public:
  static StatusOr<std::unique_ptr<RouteLookup>> Open();
  ~RouteLookup();
  RouteLookup(const RouteLookup&) = delete;
  RouteLookup& operator=(const RouteLookup&) = delete;

  // The way to `destination` from `source` (0: any). nullopt when no frame can be written for it:
  // no route, a route that is not unicast or local, a device that is not Ethernet or loopback or is
  // down, a neighbour not (yet) resolved; `why` then says which. An error only when the kernel
  // could not be asked.
  StatusOr<std::optional<Ipv4NextHop>> Lookup(uint32_t destination, uint32_t source,
                                              std::string* why = nullptr);

 private:
  RouteLookup(int netlink_fd, int ioctl_fd) : netlink_fd_(netlink_fd), ioctl_fd_(ioctl_fd) {}
  // Sends `request` (a complete netlink message) and returns the reply's payload bytes, or an
  // empty string with `*error_number` set for a netlink error reply.
  StatusOr<std::string> Ask(std::string request, int* error_number);

  int netlink_fd_;
  int ioctl_fd_;  // a UDP socket for the device ioctls
  uint32_t sequence_ = 0;
};

}  // namespace auralink::net
