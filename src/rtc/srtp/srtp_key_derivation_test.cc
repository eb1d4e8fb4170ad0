#include "rtc/srtp/srtp_key_derivation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace auralink::rtc {
namespace {

std::vector<uint8_t> FromHex(const std::string& hex) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

// RFC 3711 Appendix B.3.
TEST(SrtpKeyDerivationTest, MatchesRfc3711AppendixB3) {
  const auto master_key = FromHex("E1F97A0D3E018BE0D64FA32C06DE4139");
  const auto master_salt = FromHex("0EC675AD498AFEEBB6960B3AABE6");
  std::vector<uint8_t> cipher_key(16);
  std::vector<uint8_t> cipher_salt(14);
  std::vector<uint8_t> auth_key(20);
  ASSERT_TRUE(
      DeriveSrtpSessionKey(master_key, master_salt, SrtpKeyLabel::kRtpEncryption, cipher_key).ok());
  ASSERT_TRUE(
      DeriveSrtpSessionKey(master_key, master_salt, SrtpKeyLabel::kRtpSalt, cipher_salt).ok());
  ASSERT_TRUE(
      DeriveSrtpSessionKey(master_key, master_salt, SrtpKeyLabel::kRtpAuthentication, auth_key)
          .ok());
  EXPECT_EQ(cipher_key, FromHex("C61E7A93744F39EE10734AFE3FF7A087"));
  EXPECT_EQ(cipher_salt, FromHex("30CBBC08863D8C85D49DB34A9AE1"));
  EXPECT_EQ(auth_key, FromHex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
}

TEST(SrtpKeyDerivationTest, RejectsWrongSizes) {
  std::vector<uint8_t> out(16);
  const std::vector<uint8_t> key(16, 1);
  const std::vector<uint8_t> short_key(15, 1);
  const std::vector<uint8_t> salt(14, 2);
  const std::vector<uint8_t> odd_salt(13, 2);
  EXPECT_FALSE(DeriveSrtpSessionKey(short_key, salt, SrtpKeyLabel::kRtpEncryption, out).ok());
  EXPECT_FALSE(DeriveSrtpSessionKey(key, odd_salt, SrtpKeyLabel::kRtpEncryption, out).ok());
}

}  // namespace
}  // namespace auralink::rtc
