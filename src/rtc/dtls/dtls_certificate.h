// The identity a server presents in every DTLS handshake: an ECDSA P-256 key and a self-signed
// certificate made at start-up (RFC 8827 §6.5: WebRTC endpoints authenticate by the fingerprint
// in SDP, not by a CA), plus one SSL_CTX per role configured with them for DTLS-SRTP.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/status.h"
#include "rtc/dtls/dtls_fingerprint.h"
#include "rtc/dtls/dtls_role.h"

namespace auralink::rtc {

class DtlsCertificate {
 public:
  // Generates the key and a certificate with a random serial, valid for 30 days. This is the one
  // place in the DTLS library that reads the wall clock (the certificate's validity period).
  static StatusOr<std::shared_ptr<const DtlsCertificate>> Create();
  ~DtlsCertificate();
  DtlsCertificate(const DtlsCertificate&) = delete;
  DtlsCertificate& operator=(const DtlsCertificate&) = delete;

  // SHA-256 fingerprint for a=fingerprint; ToSdp() gives "sha-256 AB:CD:...".
  const DtlsFingerprint& fingerprint() const { return fingerprint_; }
  std::span<const uint8_t> der() const { return der_; }
  // Shared by every transport of the server; each SSL made from it sets its own callbacks.
  SSL_CTX* context(DtlsRole role) const {
    return role == DtlsRole::kClient ? client_context_ : server_context_;
  }

 private:
  DtlsCertificate() = default;

  EVP_PKEY* key_ = nullptr;
  X509* certificate_ = nullptr;
  SSL_CTX* client_context_ = nullptr;
  SSL_CTX* server_context_ = nullptr;
  std::vector<uint8_t> der_;
  DtlsFingerprint fingerprint_;
};

}  // namespace auralink::rtc
