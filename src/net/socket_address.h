// An IPv4 or IPv6 transport address (IP + port), comparable and hashable so that media paths can be
// keyed by the remote address a packet came from (ICE-lite learns peers this way, RFC 8445 §7.3).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace auralink::net {

class SocketAddress {
 public:
  // The most a kernel call may write through mutable_sockaddr_ptr(): an IPv6 address. Other
  // families are cut short there and refused (family() is neither).
  static constexpr socklen_t kMaxLength = sizeof(sockaddr_in6);

  SocketAddress() { std::memset(&storage_, 0, sizeof(storage_)); }

  // Parses "1.2.3.4" or "::1" (no brackets) with a port; nullopt when the text is not an IP
  // literal.
  static std::optional<SocketAddress> FromIp(std::string_view ip, uint16_t port);
  // From a kernel-filled sockaddr (recvfrom, accept); nullopt for families other than IPv4/IPv6.
  static std::optional<SocketAddress> FromSockaddr(const sockaddr* address, socklen_t length);

  bool is_ipv4() const { return storage_.any.sa_family == AF_INET; }
  bool is_ipv6() const { return storage_.any.sa_family == AF_INET6; }
  int family() const { return storage_.any.sa_family; }
  uint16_t port() const;
  std::string ip() const;        // "1.2.3.4" or "::1"
  std::string ToString() const;  // "1.2.3.4:5" or "[::1]:5"

  const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* mutable_sockaddr_ptr() { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t length() const;

  bool operator==(const SocketAddress& other) const;
  size_t Hash() const;

 private:
  // 28 bytes rather than sockaddr_storage's 128: addresses sit in every transport, ICE candidate
  // pair and queued datagram, and a fan-out reads hundreds of them.
  union Storage {
    sockaddr any;
    sockaddr_in v4;
    sockaddr_in6 v6;
  };
  Storage storage_;
};

struct SocketAddressHash {
  size_t operator()(const SocketAddress& address) const { return address.Hash(); }
};

}  // namespace auralink::net
