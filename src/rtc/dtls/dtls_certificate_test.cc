#include "rtc/dtls/dtls_certificate.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace auralink::rtc {
namespace {

TEST(DtlsCertificateTest, IsSelfSignedP256WithThirtyDayValidity) {
  auto certificate = DtlsCertificate::Create();
  ASSERT_TRUE(certificate.ok()) << certificate.status().message();
  std::span<const uint8_t> der = (*certificate)->der();
  const unsigned char* in = der.data();
  X509* x509 = d2i_X509(nullptr, &in, static_cast<long>(der.size()));
  ASSERT_NE(x509, nullptr);

  EVP_PKEY* key = X509_get0_pubkey(x509);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
  char group[64] = {};
  size_t group_size = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(key, group, sizeof(group), &group_size), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_verify(x509, key), 1);  // signed by its own key

  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(x509), X509_get0_notAfter(x509)),
            1);
  EXPECT_GE(days, 30);
  EXPECT_LE(days, 31);
  X509_free(x509);

  EXPECT_EQ((*certificate)->fingerprint().algorithm, "sha-256");
  EXPECT_EQ((*certificate)->fingerprint(), *DtlsFingerprint::OfCertificate(der, "sha-256"));
  EXPECT_NE((*certificate)->context(DtlsRole::kClient), nullptr);
  EXPECT_NE((*certificate)->context(DtlsRole::kServer), nullptr);
}

TEST(DtlsCertificateTest, EachCertificateIsDifferent) {
  auto first = DtlsCertificate::Create();
  auto second = DtlsCertificate::Create();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE((*first)->fingerprint(), (*second)->fingerprint());
}

}  // namespace
}  // namespace auralink::rtc
