#include "signal/auth/hmac_sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace auralink::signal {
namespace {

std::string Hex(const Sha256Digest& digest) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (uint8_t b : digest) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

// RFC 4231 section 4.2 and 4.3 (test cases 1 and 2).
TEST(HmacSha256Test, Rfc4231Vectors) {
  const auto case1 = HmacSha256(std::string(20, '\x0b'), "Hi There");
  ASSERT_TRUE(case1);
  EXPECT_EQ(Hex(*case1), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  const auto case2 = HmacSha256("Jefe", "what do ya want for nothing?");
  ASSERT_TRUE(case2);
  EXPECT_EQ(Hex(*case2), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256Test, ConstantTimeEquals) {
  const uint8_t a[] = {1, 2, 3, 4};
  const uint8_t b[] = {1, 2, 3, 5};
  EXPECT_TRUE(ConstantTimeEquals(a, a, sizeof a));
  EXPECT_FALSE(ConstantTimeEquals(a, b, sizeof a));
  EXPECT_TRUE(ConstantTimeEquals(a, b, 3));
}

}  // namespace
}  // namespace auralink::signal
