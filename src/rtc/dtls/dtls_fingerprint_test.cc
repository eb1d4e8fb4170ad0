#include "rtc/dtls/dtls_fingerprint.h"

#include <gtest/gtest.h>

namespace auralink::rtc {
namespace {

// SHA-256 of the empty string (FIPS 180-4 test value).
constexpr char kEmptySha256[] =
    "sha-256 E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:"
    "78:52:B8:55";

TEST(DtlsFingerprintTest, HashesCertificateBytes) {
  auto fingerprint = DtlsFingerprint::OfCertificate({}, "sha-256");
  ASSERT_TRUE(fingerprint.ok()) << fingerprint.status().message();
  EXPECT_EQ(fingerprint->ToSdp(), kEmptySha256);
}

TEST(DtlsFingerprintTest, ParsesWhatItWrites) {
  auto parsed = DtlsFingerprint::Parse(kEmptySha256);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->algorithm, "sha-256");
  ASSERT_EQ(parsed->digest.size(), 32u);
  EXPECT_EQ(parsed->digest[0], 0xE3);
  EXPECT_EQ(parsed->digest[31], 0x55);
  EXPECT_EQ(parsed->ToSdp(), kEmptySha256);
}

TEST(DtlsFingerprintTest, AcceptsAnyCaseAndOtherHashes) {
  std::string lower =
      "SHA-256 e3:b0:c4:42:98:fc:1c:14:9a:fb:f4:c8:99:6f:b9:24:27:ae:41:e4:64:9b:"
      "93:4c:a4:95:99:1b:78:52:b8:55";
  auto parsed = DtlsFingerprint::Parse(lower);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->ToSdp(), kEmptySha256);

  for (const char* algorithm : {"sha-1", "sha-384", "sha-512"}) {
    auto made = DtlsFingerprint::OfCertificate({}, algorithm);
    ASSERT_TRUE(made.ok()) << algorithm;
    auto reparsed = DtlsFingerprint::Parse(made->ToSdp());
    ASSERT_TRUE(reparsed.ok()) << algorithm << ": " << reparsed.status().message();
    EXPECT_EQ(*reparsed, *made);
  }
}

TEST(DtlsFingerprintTest, RejectsMalformedValues) {
  EXPECT_FALSE(DtlsFingerprint::Parse("").ok());
  EXPECT_FALSE(DtlsFingerprint::Parse("sha-256").ok());
  EXPECT_FALSE(DtlsFingerprint::Parse("md5 00:11").ok());
  EXPECT_FALSE(DtlsFingerprint::Parse("sha-256 E3:B0").ok());  // too short
  EXPECT_FALSE(DtlsFingerprint::Parse("sha-1 zz:" + std::string(56, '0')).ok());
  EXPECT_FALSE(DtlsFingerprint::Parse("sha-256 E3B0C4").ok());
  EXPECT_FALSE(DtlsFingerprint::Parse("sha-256 E3:B0:").ok());
  EXPECT_FALSE(DtlsFingerprint::OfCertificate({}, "sha-3").ok());
}

}  // namespace
}  // namespace auralink::rtc
