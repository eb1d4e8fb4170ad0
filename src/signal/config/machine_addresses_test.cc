#include "signal/config/machine_addresses.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace auralink::signal {
namespace {

TEST(MachineAddressesTest, ListsParseableNonLoopbackAddresses) {
  for (const std::string& address : ListMachineAddresses()) {
    in_addr v4;
    in6_addr v6;
    const bool ipv4 = inet_pton(AF_INET, address.c_str(), &v4) == 1;
    const bool ipv6 = inet_pton(AF_INET6, address.c_str(), &v6) == 1;
    EXPECT_TRUE(ipv4 || ipv6) << address;
    EXPECT_NE(address, "127.0.0.1");
    EXPECT_NE(address, "::1");
    if (ipv6) {
      EXPECT_FALSE(IN6_IS_ADDR_LINKLOCAL(&v6)) << address;
    }
  }
}

}  // namespace
}  // namespace auralink::signal
