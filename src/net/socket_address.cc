#include "net/socket_address.h"

#include <arpa/inet.h>

namespace auralink::net {

std::optional<SocketAddress> SocketAddress::FromIp(std::string_view ip, uint16_t port) {
  // inet_pton stops at a NUL, so "1.2.3.4\0junk" would otherwise parse.
  if (ip.find('\0') != std::string_view::npos) return std::nullopt;
  std::string text(ip);
  SocketAddress address;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage_);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return address;
  }
  SocketAddress address6;
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address6.storage_);
  if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return address6;
  }
  return std::nullopt;
}

std::optional<SocketAddress> SocketAddress::FromSockaddr(const sockaddr* source, socklen_t length) {
  SocketAddress address;
  if (source == nullptr) return std::nullopt;
  if (source->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    std::memcpy(&address.storage_, source, sizeof(sockaddr_in));
    return address;
  }
  if (source->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    std::memcpy(&address.storage_, source, sizeof(sockaddr_in6));
    return address;
  }
  return std::nullopt;
}

uint16_t SocketAddress::port() const {
  if (is_ipv4()) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (is_ipv6()) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

std::string SocketAddress::ip() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (is_ipv4()) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, text,
              sizeof(text));
  } else if (is_ipv6()) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, text,
              sizeof(text));
  }
  return text;
}

std::string SocketAddress::ToString() const {
  // Appended piecewise: g++ 12 warns falsely (-Wrestrict) on "[" + std::string temporaries.
  std::string text;
  if (is_ipv6()) text.push_back('[');
  text.append(ip());
  if (is_ipv6()) text.push_back(']');
  text.push_back(':');
  text.append(std::to_string(port()));
  return text;
}

socklen_t SocketAddress::length() const {
  if (is_ipv4()) return sizeof(sockaddr_in);
  if (is_ipv6()) return sizeof(sockaddr_in6);
  return 0;
}

bool SocketAddress::operator==(const SocketAddress& other) const {
  if (family() != other.family()) return false;
  if (is_ipv4()) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&storage_);
    const auto* b = reinterpret_cast<const sockaddr_in*>(&other.storage_);
    return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
  }
  if (is_ipv6()) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&storage_);
    const auto* b = reinterpret_cast<const sockaddr_in6*>(&other.storage_);
    return a->sin6_port == b->sin6_port &&
           std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(in6_addr)) == 0;
  }
  return true;
}

size_t SocketAddress::Hash() const {
  // FNV-1a over the address bytes and port: cheap and good enough for per-peer hash maps.
  uint64_t hash = 1469598103934665603ull;
  auto mix = [&hash](const void* data, size_t size) {
    const auto* bytes = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * 1099511628211ull;
  };
  if (is_ipv4()) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&storage_);
    mix(&a->sin_addr, sizeof(a->sin_addr));
    mix(&a->sin_port, sizeof(a->sin_port));
  } else if (is_ipv6()) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&storage_);
    mix(&a->sin6_addr, sizeof(a->sin6_addr));
    mix(&a->sin6_port, sizeof(a->sin6_port));
  }
  return static_cast<size_t>(hash);
}

}  // namespace auralink::net
