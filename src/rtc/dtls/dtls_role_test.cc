#include "rtc/dtls/dtls_role.h"

#include <gtest/gtest.h>

namespace auralink::rtc {
namespace {

TEST(DtlsRoleTest, RemoteSetupDecidesOurRole) {
  ASSERT_TRUE(DtlsRoleForRemoteSetup("active").ok());
  EXPECT_EQ(*DtlsRoleForRemoteSetup("active"), DtlsRole::kServer);
  EXPECT_EQ(*DtlsRoleForRemoteSetup("passive"), DtlsRole::kClient);
  EXPECT_EQ(*DtlsRoleForRemoteSetup("actpass"), DtlsRole::kClient);
}

TEST(DtlsRoleTest, RejectsOtherSetupValues) {
  EXPECT_FALSE(DtlsRoleForRemoteSetup("holdconn").ok());
  EXPECT_FALSE(DtlsRoleForRemoteSetup("").ok());
  EXPECT_FALSE(DtlsRoleForRemoteSetup("ACTIVE ").ok());
}

TEST(DtlsRoleTest, OurSetupAttributeMatchesRole) {
  EXPECT_EQ(SdpSetupForRole(DtlsRole::kClient), "active");
  EXPECT_EQ(SdpSetupForRole(DtlsRole::kServer), "passive");
}

}  // namespace
}  // namespace auralink::rtc
