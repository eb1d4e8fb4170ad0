#include "net/route_lookup.h"

#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace auralink::net {
namespace {

// Appends a netlink attribute (header, value, padding to 4 bytes).
void AppendAttribute(std::string* message, uint16_t type, const void* value, size_t length) {
  rtattr attribute{};
  attribute.rta_type = type;
  attribute.rta_len = static_cast<unsigned short>(RTA_LENGTH(length));
  message->append(reinterpret_cast<const char*>(&attribute), sizeof(attribute));
  message->append(static_cast<const char*>(value), length);
  message->append(RTA_ALIGN(length) - length, '\0');
}

// A request: header, family header, then attributes appended by the caller; the length is set by
// Finish().
template <typename FamilyHeader>
std::string StartRequest(uint16_t type, const FamilyHeader& family) {
  nlmsghdr header{};
  header.nlmsg_type = type;
  header.nlmsg_flags = NLM_F_REQUEST;
  std::string message(reinterpret_cast<const char*>(&header), sizeof(header));
  message.append(reinterpret_cast<const char*>(&family), sizeof(family));
  message.append(NLMSG_ALIGN(sizeof(family)) - sizeof(family), '\0');
  return message;
}

// Calls `visit(type, value, length)` for each attribute after the family header of `payload`.
template <typename FamilyHeader, typename Visit>
void ForEachAttribute(const std::string& payload, Visit visit) {
  const size_t start = NLMSG_ALIGN(sizeof(FamilyHeader));
  size_t offset = start;
  while (offset + sizeof(rtattr) <= payload.size()) {
    rtattr attribute;
    std::memcpy(&attribute, payload.data() + offset, sizeof(attribute));
    if (attribute.rta_len < sizeof(rtattr) || offset + attribute.rta_len > payload.size()) return;
    visit(attribute.rta_type, payload.data() + offset + RTA_LENGTH(0),
          attribute.rta_len - RTA_LENGTH(0));
    offset += RTA_ALIGN(attribute.rta_len);
  }
}

void SetWhy(std::string* why, std::string text) {
  if (why != nullptr) *why = std::move(text);
}

}  // namespace

StatusOr<std::unique_ptr<RouteLookup>> RouteLookup::Open() {
  const int netlink_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (netlink_fd < 0) return Status::Error(ErrnoText("socket(NETLINK_ROUTE)", errno));
  // A kernel that never answers must not stall the caller's event loop for long.
  timeval timeout{0, 200000};
  setsockopt(netlink_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (bind(netlink_fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
    const int error = errno;
    close(netlink_fd);
    return Status::Error(ErrnoText("bind(NETLINK_ROUTE)", error));
  }
  const int ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (ioctl_fd < 0) {
    const int error = errno;
    close(netlink_fd);
    return Status::Error(ErrnoText("socket(UDP) for device queries", error));
  }
  return std::unique_ptr<RouteLookup>(new RouteLookup(netlink_fd, ioctl_fd));
}

RouteLookup::~RouteLookup() {
  close(netlink_fd_);
  close(ioctl_fd_);
}

StatusOr<std::string> RouteLookup::Ask(std::string request, int* error_number) {
  *error_number = 0;
  const uint32_t sequence = ++sequence_;
  nlmsghdr header;
  std::memcpy(&header, request.data(), sizeof(header));
  header.nlmsg_len = static_cast<uint32_t>(request.size());
  header.nlmsg_seq = sequence;
  std::memcpy(request.data(), &header, sizeof(header));
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(netlink_fd_, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
             sizeof(kernel)) < 0) {
    return Status::Error(ErrnoText("netlink send", errno));
  }
  alignas(nlmsghdr) char buffer[8192];
  for (;;) {
    const ssize_t received = recv(netlink_fd_, buffer, sizeof(buffer), 0);
    if (received < 0) {
      if (errno == EINTR) continue;
      return Status::Error(ErrnoText("netlink receive", errno));
    }
    size_t remaining = static_cast<size_t>(received);
    for (auto* reply = reinterpret_cast<nlmsghdr*>(buffer);
         NLMSG_OK(reply, static_cast<unsigned>(remaining)); reply = NLMSG_NEXT(reply, remaining)) {
      if (reply->nlmsg_seq != sequence) continue;  // the answer to an earlier, timed-out request
      if (reply->nlmsg_type == NLMSG_ERROR) {
        if (reply->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr)))
          return Status::Error("netlink: short error reply");
        nlmsgerr error;
        std::memcpy(&error, NLMSG_DATA(reply), sizeof(error));
        *error_number = -error.error;
        return std::string();
      }
      return std::string(static_cast<const char*>(NLMSG_DATA(reply)),
                         reply->nlmsg_len - NLMSG_LENGTH(0));
    }
  }
}

StatusOr<std::optional<Ipv4NextHop>> RouteLookup::Lookup(uint32_t destination, uint32_t source,
                                                         std::string* why) {
  // The route, as ip_route_output would choose it for a datagram.
  rtmsg route_request{};
  route_request.rtm_family = AF_INET;
  route_request.rtm_dst_len = 32;
  route_request.rtm_src_len = source != 0 ? 32 : 0;
  std::string request = StartRequest(RTM_GETROUTE, route_request);
  AppendAttribute(&request, RTA_DST, &destination, sizeof(destination));
  if (source != 0) AppendAttribute(&request, RTA_SRC, &source, sizeof(source));
  int error = 0;
  auto route = Ask(std::move(request), &error);
  if (!route.ok()) return route.status();
  if (error != 0) {
    SetWhy(why, ErrnoText("no route", error));
    return std::optional<Ipv4NextHop>();
  }
  if (route->size() < sizeof(rtmsg)) return Status::Error("netlink: short route reply");
  rtmsg route_header;
  std::memcpy(&route_header, route->data(), sizeof(route_header));
  if (route_header.rtm_type != RTN_UNICAST && route_header.rtm_type != RTN_LOCAL) {
    SetWhy(why, "route type " + std::to_string(route_header.rtm_type) + " is not unicast or local");
    return std::optional<Ipv4NextHop>();
  }
  Ipv4NextHop hop;
  hop.local = route_header.rtm_type == RTN_LOCAL;
  uint32_t gateway = 0;
  bool other_family_gateway = false;
  ForEachAttribute<rtmsg>(*route, [&](uint16_t type, const char* value, size_t length) {
    if (type == RTA_OIF && length >= 4) std::memcpy(&hop.ifindex, value, 4);
    if (type == RTA_PREFSRC && length >= 4) std::memcpy(&hop.source, value, 4);
    if (type == RTA_GATEWAY && length >= 4) std::memcpy(&gateway, value, 4);
    if (type == RTA_VIA) other_family_gateway = true;  // an IPv6 next hop (RFC 5549)
    if (type == RTA_METRICS) {
      size_t offset = 0;
      while (offset + sizeof(rtattr) <= length) {
        rtattr metric;
        std::memcpy(&metric, value + offset, sizeof(metric));
        if (metric.rta_len < sizeof(rtattr) || offset + metric.rta_len > length) break;
        uint32_t number = 0;
        if (metric.rta_len >= RTA_LENGTH(4))
          std::memcpy(&number, value + offset + RTA_LENGTH(0), 4);
        if (metric.rta_type == RTAX_MTU) hop.mtu = number;
        if (metric.rta_type == RTAX_HOPLIMIT) hop.ttl = static_cast<uint8_t>(number);
        offset += RTA_ALIGN(metric.rta_len);
      }
    }
  });
  if (source != 0) hop.source = source;
  if (hop.ifindex == 0 || hop.source == 0 || other_family_gateway) {
    SetWhy(why, "the route names no device, source address or IPv4 next hop");
    return std::optional<Ipv4NextHop>();
  }

  // The device: Ethernet or loopback, up, and its address and MTU.
  ifreq device{};
  device.ifr_ifindex = hop.ifindex;
  if (ioctl(ioctl_fd_, SIOCGIFNAME, &device) != 0) {
    SetWhy(why, ErrnoText("device " + std::to_string(hop.ifindex), errno));
    return std::optional<Ipv4NextHop>();
  }
  const std::string name = device.ifr_name;
  if (ioctl(ioctl_fd_, SIOCGIFFLAGS, &device) != 0) {
    SetWhy(why, ErrnoText("flags of " + name, errno));
    return std::optional<Ipv4NextHop>();
  }
  const unsigned flags = static_cast<unsigned short>(device.ifr_flags);
  if (!(flags & IFF_UP)) {
    SetWhy(why, name + " is down");
    return std::optional<Ipv4NextHop>();
  }
  if (ioctl(ioctl_fd_, SIOCGIFHWADDR, &device) != 0) {
    SetWhy(why, ErrnoText("address of " + name, errno));
    return std::optional<Ipv4NextHop>();
  }
  const int link_type = device.ifr_hwaddr.sa_family;
  if (link_type != ARPHRD_ETHER && link_type != ARPHRD_LOOPBACK) {
    SetWhy(why, name + " is not an Ethernet or loopback device (type " + std::to_string(link_type) +
                    ")");
    return std::optional<Ipv4NextHop>();
  }
  std::memcpy(hop.source_mac.data(), device.ifr_hwaddr.sa_data, hop.source_mac.size());
  if (ioctl(ioctl_fd_, SIOCGIFMTU, &device) != 0) {
    SetWhy(why, ErrnoText("MTU of " + name, errno));
    return std::optional<Ipv4NextHop>();
  }
  const uint32_t device_mtu = static_cast<uint32_t>(device.ifr_mtu);
  if (hop.mtu == 0 || hop.mtu > device_mtu) hop.mtu = device_mtu;

  // The next hop's link address. Devices without ARP (loopback among them) take their own address,
  // as the kernel's neighbour table does for them.
  if (link_type == ARPHRD_LOOPBACK || (flags & (IFF_NOARP | IFF_LOOPBACK))) {
    hop.next_hop_mac = hop.source_mac;
    return std::optional<Ipv4NextHop>(hop);
  }
  const uint32_t next_hop = gateway != 0 ? gateway : destination;
  ndmsg neighbour_request{};
  neighbour_request.ndm_family = AF_INET;
  neighbour_request.ndm_ifindex = hop.ifindex;
  request = StartRequest(RTM_GETNEIGH, neighbour_request);
  AppendAttribute(&request, NDA_DST, &next_hop, sizeof(next_hop));
  auto neighbour = Ask(std::move(request), &error);
  if (!neighbour.ok()) return neighbour.status();
  if (error != 0) {
    SetWhy(why, ErrnoText("next hop on " + name + " not in the neighbour table", error));
    return std::optional<Ipv4NextHop>();
  }
  if (neighbour->size() < sizeof(ndmsg)) return Status::Error("netlink: short neighbour reply");
  ndmsg neighbour_header;
  std::memcpy(&neighbour_header, neighbour->data(), sizeof(neighbour_header));
  constexpr unsigned kValid =
      NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY;
  bool have_address = false;
  ForEachAttribute<ndmsg>(*neighbour, [&](uint16_t type, const char* value, size_t length) {
    if (type == NDA_LLADDR && length == hop.next_hop_mac.size()) {
      std::memcpy(hop.next_hop_mac.data(), value, length);
      have_address = true;
    }
  });
  if (!(neighbour_header.ndm_state & kValid) || !have_address) {
    SetWhy(why, "next hop on " + name + " is not resolved (state " +
                    std::to_string(neighbour_header.ndm_state) + ")");
    return std::optional<Ipv4NextHop>();
  }
  return std::optional<Ipv4NextHop>(hop);
}

}  // namespace auralink::net
