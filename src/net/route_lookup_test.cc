#include "net/route_lookup.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>

namespace auralink::net {
namespace {

// Network byte order, as the kernel's tables hold addresses.
uint32_t Ipv4(const char* text) { return inet_addr(text); }

TEST(RouteLookupTest, LoopbackIsLocalThroughLo) {
  auto routes = RouteLookup::Open();
  ASSERT_TRUE(routes.ok()) << routes.status().message();
  std::string why;
  auto hop = (*routes)->Lookup(Ipv4("127.0.0.1"), 0, &why);
  ASSERT_TRUE(hop.ok()) << hop.status().message();
  ASSERT_TRUE(hop->has_value()) << why;
  const Ipv4NextHop& way = **hop;
  EXPECT_TRUE(way.local);
  EXPECT_EQ(way.ifindex, static_cast<int>(if_nametoindex("lo")));
  EXPECT_EQ(way.source, Ipv4("127.0.0.1"));
  EXPECT_EQ(way.next_hop_mac, way.source_mac);  // loopback has no ARP: its own (zero) address
  EXPECT_GE(way.mtu, 1500u);
}

TEST(RouteLookupTest, AskedSourceIsKept) {
  auto routes = std::move(RouteLookup::Open()).value();
  auto hop = routes->Lookup(Ipv4("127.0.0.2"), Ipv4("127.0.0.1"));
  ASSERT_TRUE(hop.ok()) << hop.status().message();
  ASSERT_TRUE(hop->has_value());
  EXPECT_EQ((*hop)->source, Ipv4("127.0.0.1"));
}

// Broadcast is routed, but not as unicast: no frame is written for it.
TEST(RouteLookupTest, BroadcastIsRefusedWithAReason) {
  auto routes = std::move(RouteLookup::Open()).value();
  std::string why;
  auto hop = routes->Lookup(Ipv4("255.255.255.255"), 0, &why);
  ASSERT_TRUE(hop.ok()) << hop.status().message();
  EXPECT_FALSE(hop->has_value());
  EXPECT_FALSE(why.empty());
}

// A source address the machine does not have: the kernel refuses the route.
TEST(RouteLookupTest, ForeignSourceIsRefused) {
  auto routes = std::move(RouteLookup::Open()).value();
  std::string why;
  auto hop = routes->Lookup(Ipv4("127.0.0.1"), Ipv4("203.0.113.77"), &why);
  ASSERT_TRUE(hop.ok()) << hop.status().message();
  EXPECT_FALSE(hop->has_value());
  EXPECT_NE(why.find("no route"), std::string::npos) << why;
}

// Many lookups on one netlink socket: each answer is matched to its own request.
TEST(RouteLookupTest, RepeatedLookupsStayInStep) {
  auto routes = std::move(RouteLookup::Open()).value();
  for (int i = 0; i < 200; ++i) {
    const bool broadcast = i % 3 == 0;
    auto hop = routes->Lookup(Ipv4(broadcast ? "255.255.255.255" : "127.0.0.1"), 0);
    ASSERT_TRUE(hop.ok()) << hop.status().message();
    EXPECT_EQ(hop->has_value(), !broadcast) << i;
  }
}

}  // namespace
}  // namespace auralink::net
