// A certificate fingerprint as SDP carries it in a=fingerprint (RFC 8122 §5).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace auralink::rtc {

struct DtlsFingerprint {
  std::string algorithm;        // lower case: "sha-1", "sha-256", "sha-384" or "sha-512"
  std::vector<uint8_t> digest;  // hash of the certificate's DER encoding

  // Parses "sha-256 AB:CD:...". The algorithm name is case-insensitive (RFC 8122 §5).
  static StatusOr<DtlsFingerprint> Parse(std::string_view sdp_value);
  // Hashes a DER-encoded certificate with `algorithm`.
  static StatusOr<DtlsFingerprint> OfCertificate(std::span<const uint8_t> der,
                                                 std::string_view algorithm);

  // "sha-256 AB:CD:..." with upper-case hex, as browsers write it.
  std::string ToSdp() const;

  bool operator==(const DtlsFingerprint&) const = default;
};

}  // namespace auralink::rtc
