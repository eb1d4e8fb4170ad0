#include "signal/auth/base64_url.h"

#include <gtest/gtest.h>

namespace auralink::signal {
namespace {

std::string Decoded(std::string_view text) {
  const auto bytes = Base64UrlDecode(text);
  return bytes ? std::string(bytes->begin(), bytes->end()) : "<invalid>";
}

// RFC 4648 section 10 test vectors, without padding (RFC 7515 section 2).
TEST(Base64UrlTest, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64UrlEncode(std::string_view(plain)), encoded);
    EXPECT_EQ(Decoded(encoded), plain);
  }
}

TEST(Base64UrlTest, UsesTheUrlSafeAlphabet) {
  const uint8_t bytes[] = {0xfb, 0xff, 0xbf};  // "+/+/" in standard base64
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  const auto decoded = Base64UrlDecode("-_-_");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, std::vector<uint8_t>(std::begin(bytes), std::end(bytes)));
}

TEST(Base64UrlTest, RejectsNonCanonicalInput) {
  for (const char* bad :
       {"+/8", "Zg==", "Zm9v\n", "Zm 9v", "Z", "Zm9vY", "Zh", "Zm9", "\xff\xff"}) {
    EXPECT_FALSE(Base64UrlDecode(bad)) << bad;
  }
  EXPECT_TRUE(Base64UrlDecode("Zm8"));  // the canonical spelling of "fo"
}

}  // namespace
}  // namespace auralink::signal
