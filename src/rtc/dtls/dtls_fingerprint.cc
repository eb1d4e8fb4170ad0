#include "rtc/dtls/dtls_fingerprint.h"

#include <openssl/evp.h>

#include <cctype>

namespace auralink::rtc {
namespace {

const EVP_MD* DigestFor(std::string_view algorithm) {
  if (algorithm == "sha-1") return EVP_sha1();
  if (algorithm == "sha-256") return EVP_sha256();
  if (algorithm == "sha-384") return EVP_sha384();
  if (algorithm == "sha-512") return EVP_sha512();
  return nullptr;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

StatusOr<DtlsFingerprint> DtlsFingerprint::Parse(std::string_view sdp_value) {
  const size_t space = sdp_value.find(' ');
  if (space == std::string_view::npos) {
    return Status::Error("a=fingerprint needs '<hash> <hex>'");
  }
  DtlsFingerprint fingerprint;
  for (char c : sdp_value.substr(0, space)) {
    fingerprint.algorithm.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  const EVP_MD* md = DigestFor(fingerprint.algorithm);
  if (md == nullptr) {
    return Status::Error("unsupported fingerprint hash '" + fingerprint.algorithm + "'");
  }
  std::string_view hex = sdp_value.substr(space + 1);
  while (!hex.empty() && (hex.back() == ' ' || hex.back() == '\r')) hex.remove_suffix(1);
  // Pairs of hex digits separated by colons: "AB:CD:EF".
  for (size_t i = 0; i < hex.size(); i += 3) {
    if (i + 2 > hex.size() || (i + 2 < hex.size() && hex[i + 2] != ':')) {
      return Status::Error("a=fingerprint digest is not colon-separated hex pairs");
    }
    const int high = HexValue(hex[i]);
    const int low = HexValue(hex[i + 1]);
    if (high < 0 || low < 0) return Status::Error("a=fingerprint digest has a non-hex digit");
    fingerprint.digest.push_back(static_cast<uint8_t>(high * 16 + low));
  }
  if (fingerprint.digest.size() != static_cast<size_t>(EVP_MD_get_size(md))) {
    return Status::Error("a=fingerprint digest has the wrong length for " + fingerprint.algorithm);
  }
  return fingerprint;
}

StatusOr<DtlsFingerprint> DtlsFingerprint::OfCertificate(std::span<const uint8_t> der,
                                                         std::string_view algorithm) {
  const EVP_MD* md = DigestFor(algorithm);
  if (md == nullptr) {
    return Status::Error("unsupported fingerprint hash '" + std::string(algorithm) + "'");
  }
  DtlsFingerprint fingerprint;
  fingerprint.algorithm = std::string(algorithm);
  fingerprint.digest.resize(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  if (EVP_Digest(der.data(), der.size(), fingerprint.digest.data(), &size, md, nullptr) != 1) {
    return Status::Error("hashing the certificate failed");
  }
  fingerprint.digest.resize(size);
  return fingerprint;
}

std::string DtlsFingerprint::ToSdp() const {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string text = algorithm;
  text.push_back(' ');
  for (size_t i = 0; i < digest.size(); ++i) {
    if (i > 0) text.push_back(':');
    text.push_back(kHex[digest[i] >> 4]);
    text.push_back(kHex[digest[i] & 0xF]);
  }
  return text;
}

}  // namespace auralink::rtc
