#include "net/socket_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <unordered_set>

namespace auralink::net {
namespace {

TEST(SocketAddressTest, ParsesIpv4) {
  auto address = SocketAddress::FromIp("192.0.2.7", 5004);
  ASSERT_TRUE(address.has_value());
  EXPECT_TRUE(address->is_ipv4());
  EXPECT_EQ(address->port(), 5004);
  EXPECT_EQ(address->ip(), "192.0.2.7");
  EXPECT_EQ(address->ToString(), "192.0.2.7:5004");
  EXPECT_EQ(address->length(), sizeof(sockaddr_in));
}

TEST(SocketAddressTest, ParsesIpv6) {
  auto address = SocketAddress::FromIp("2001:db8::1", 443);
  ASSERT_TRUE(address.has_value());
  EXPECT_TRUE(address->is_ipv6());
  EXPECT_EQ(address->ip(), "2001:db8::1");
  EXPECT_EQ(address->ToString(), "[2001:db8::1]:443");
  EXPECT_EQ(address->length(), sizeof(sockaddr_in6));
}

TEST(SocketAddressTest, RejectsNonLiterals) {
  EXPECT_FALSE(SocketAddress::FromIp("localhost", 1).has_value());
  EXPECT_FALSE(SocketAddress::FromIp("", 1).has_value());
  EXPECT_FALSE(SocketAddress::FromIp("1.2.3.256", 1).has_value());
  EXPECT_FALSE(SocketAddress::FromIp("[::1]", 1).has_value());
  EXPECT_FALSE(SocketAddress::FromIp(std::string_view("1.2.3.4\0junk", 12), 1).has_value());
}

TEST(SocketAddressTest, FromSockaddrChecksFamilyAndLength) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(9);
  inet_pton(AF_INET, "10.0.0.1", &v4.sin_addr);
  auto address = SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&v4), sizeof(v4));
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(address->ToString(), "10.0.0.1:9");
  EXPECT_FALSE(SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&v4), sizeof(v4) - 1));
  EXPECT_FALSE(SocketAddress::FromSockaddr(nullptr, 0));
  sockaddr_storage unix_family{};
  unix_family.ss_family = AF_UNIX;
  EXPECT_FALSE(
      SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&unix_family), sizeof(unix_family)));
}

TEST(SocketAddressTest, EqualityAndHashFollowIpAndPort) {
  const auto a = *SocketAddress::FromIp("127.0.0.1", 1000);
  const auto same = *SocketAddress::FromIp("127.0.0.1", 1000);
  const auto other_port = *SocketAddress::FromIp("127.0.0.1", 1001);
  const auto other_ip = *SocketAddress::FromIp("127.0.0.2", 1000);
  const auto v6 = *SocketAddress::FromIp("::1", 1000);
  EXPECT_EQ(a, same);
  EXPECT_EQ(a.Hash(), same.Hash());
  EXPECT_FALSE(a == other_port);
  EXPECT_FALSE(a == other_ip);
  EXPECT_FALSE(a == v6);
  std::unordered_set<SocketAddress, SocketAddressHash> set{a, same, other_port, other_ip, v6};
  EXPECT_EQ(set.size(), 4u);
}

TEST(SocketAddressTest, DefaultIsEmpty) {
  SocketAddress empty;
  EXPECT_FALSE(empty.is_ipv4());
  EXPECT_FALSE(empty.is_ipv6());
  EXPECT_EQ(empty.port(), 0);
  EXPECT_EQ(empty.length(), 0u);
}

}  // namespace
}  // namespace auralink::net
