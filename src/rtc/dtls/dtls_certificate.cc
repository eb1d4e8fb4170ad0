#include "rtc/dtls/dtls_certificate.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <string>

namespace auralink::rtc {
namespace {

constexpr long kValiditySeconds = 30L * 24 * 3600;
// Backdating tolerates peers whose clocks run behind ours.
constexpr long kBackdateSeconds = 24L * 3600;

// ECDHE with AEAD first; the ECDSA suites serve our own certificate, the RSA ones let us be the
// client of a peer that presents an RSA certificate.
constexpr char kCipherList[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA";

// Server preference order decides (RFC 5764 §4.1.1): GCM first, it is the cheaper profile.
constexpr char kSrtpProfiles[] = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";

std::string OpenSslError(const char* what) {
  char text[256];
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return what;
  ERR_error_string_n(code, text, sizeof(text));
  return std::string(what) + ": " + text;
}

SSL_CTX* MakeContext(const SSL_METHOD* method, X509* certificate, EVP_PKEY* key,
                     std::string* error) {
  SSL_CTX* context = SSL_CTX_new(method);
  if (context == nullptr) {
    *error = OpenSslError("SSL_CTX_new");
    return nullptr;
  }
  const bool ok = SSL_CTX_set_min_proto_version(context, DTLS1_2_VERSION) == 1 &&
                  SSL_CTX_set_max_proto_version(context, DTLS1_2_VERSION) == 1 &&
                  SSL_CTX_use_certificate(context, certificate) == 1 &&
                  SSL_CTX_use_PrivateKey(context, key) == 1 &&
                  SSL_CTX_check_private_key(context) == 1 &&
                  SSL_CTX_set_cipher_list(context, kCipherList) == 1 &&
                  SSL_CTX_set1_groups_list(context, "X25519:P-256:P-384") == 1 &&
                  // Unlike every other setter here, use_srtp returns 0 on success.
                  SSL_CTX_set_tlsext_use_srtp(context, kSrtpProfiles) == 0;
  if (!ok) {
    *error = OpenSslError("configuring the DTLS context");
    SSL_CTX_free(context);
    return nullptr;
  }
  // Each WebRTC session runs one handshake: no resumption, no renegotiation (RFC 8827 §6.5).
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(context, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                                   SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_QUERY_MTU);
  return context;
}

}  // namespace

StatusOr<std::shared_ptr<const DtlsCertificate>> DtlsCertificate::Create() {
  std::shared_ptr<DtlsCertificate> result(new DtlsCertificate());
  ERR_clear_error();

  result->key_ = EVP_EC_gen("P-256");
  if (result->key_ == nullptr) return Status::Error(OpenSslError("generating a P-256 key"));

  X509* x509 = X509_new();
  result->certificate_ = x509;
  if (x509 == nullptr) return Status::Error(OpenSslError("X509_new"));

  // A random 63-bit positive serial, so that certificates of restarted servers differ.
  uint8_t serial_bytes[8];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1) {
    return Status::Error(OpenSslError("RAND_bytes"));
  }
  serial_bytes[0] &= 0x7F;
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr);
  const bool serial_ok =
      serial != nullptr && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x509)) != nullptr;
  BN_free(serial);

  X509_NAME* name = X509_get_subject_name(x509);
  const bool ok = serial_ok && X509_set_version(x509, 2) == 1 &&
                  X509_gmtime_adj(X509_getm_notBefore(x509), -kBackdateSeconds) != nullptr &&
                  X509_gmtime_adj(X509_getm_notAfter(x509), kValiditySeconds) != nullptr &&
                  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                             reinterpret_cast<const unsigned char*>("AuraLink"), -1,
                                             -1, 0) == 1 &&
                  X509_set_issuer_name(x509, name) == 1 &&
                  X509_set_pubkey(x509, result->key_) == 1 &&
                  X509_sign(x509, result->key_, EVP_sha256()) > 0;
  if (!ok) return Status::Error(OpenSslError("building the self-signed certificate"));

  const int der_size = i2d_X509(x509, nullptr);
  if (der_size <= 0) return Status::Error(OpenSslError("encoding the certificate"));
  result->der_.resize(static_cast<size_t>(der_size));
  unsigned char* out = result->der_.data();
  i2d_X509(x509, &out);

  auto fingerprint = DtlsFingerprint::OfCertificate(result->der_, "sha-256");
  if (!fingerprint.ok()) return fingerprint.status();
  result->fingerprint_ = std::move(fingerprint).value();

  std::string error;
  result->client_context_ = MakeContext(DTLS_client_method(), x509, result->key_, &error);
  if (result->client_context_ == nullptr) return Status::Error(error);
  result->server_context_ = MakeContext(DTLS_server_method(), x509, result->key_, &error);
  if (result->server_context_ == nullptr) return Status::Error(error);
  return std::shared_ptr<const DtlsCertificate>(std::move(result));
}

DtlsCertificate::~DtlsCertificate() {
  SSL_CTX_free(client_context_);
  SSL_CTX_free(server_context_);
  X509_free(certificate_);
  EVP_PKEY_free(key_);
}

}  // namespace auralink::rtc
