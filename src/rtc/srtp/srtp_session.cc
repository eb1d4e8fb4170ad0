#include "rtc/srtp/srtp_session.h"

#include <string>

#include "rtc/srtp/aead_gcm_srtp_session.h"
#include "rtc/srtp/aes_gcm.h"
#include "rtc/srtp/libsrtp_session.h"

namespace auralink::rtc {

StatusOr<std::unique_ptr<SrtpSession>> SrtpSession::Create(SrtpProfile profile,
                                                           std::span<const uint8_t> master_key_salt,
                                                           SrtpDirection direction,
                                                           SrtpSessionOptions options) {
  if (profile != SrtpProfile::kAeadAes128Gcm && profile != SrtpProfile::kAes128CmHmacSha1_80) {
    return Status::Error("unsupported SRTP profile");
  }
  if (master_key_salt.size() != SrtpMasterKeySaltLength(profile)) {
    return Status::Error(std::string(SrtpProfileName(profile)) + " needs " +
                         std::to_string(SrtpMasterKeySaltLength(profile)) +
                         " bytes of master key and salt, got " +
                         std::to_string(master_key_salt.size()));
  }
  // libsrtp2 accepts windows of 64..32767 packets (RFC 3711 §3.3.2 sets the minimum).
  if (options.replay_window < 64 || options.replay_window > 32767) {
    return Status::Error("SRTP replay window must be within 64..32767 packets");
  }
  SrtpImplementation implementation = options.implementation;
  if (implementation == SrtpImplementation::kAuto) {
    if (profile != SrtpProfile::kAeadAes128Gcm) {
      implementation = SrtpImplementation::kLibsrtp;
    } else {
      implementation =
          AesGcm128::Available() ? SrtpImplementation::kCpuAes : SrtpImplementation::kOpenSsl;
    }
  }
  if (implementation == SrtpImplementation::kOpenSsl ||
      implementation == SrtpImplementation::kCpuAes) {
    if (profile != SrtpProfile::kAeadAes128Gcm) {
      return Status::Error(
          "the OpenSSL and CPU SRTP implementations support AEAD_AES_128_GCM only");
    }
    if (implementation == SrtpImplementation::kCpuAes && !AesGcm128::Available())
      return Status::Error("this CPU has no AES-NI and PCLMULQDQ for SRTP");
    return AeadGcmSrtpSession::Create(master_key_salt, direction, options,
                                      implementation == SrtpImplementation::kCpuAes);
  }
  return LibsrtpSession::Create(profile, master_key_salt, direction, options);
}

Status SrtpSession::Fail(Failure failure, const char* message) {
  switch (failure) {
    case Failure::kReplay:
      ++counters_.replayed;
      break;
    case Failure::kAuthentication:
      ++counters_.authentication_failures;
      break;
    case Failure::kMalformed:
      ++counters_.malformed;
      break;
    case Failure::kOther:
      ++counters_.other_failures;
      break;
  }
  return Status::Error(message);
}

std::optional<Status> SrtpSession::CheckProtect(size_t length, size_t capacity, size_t overhead,
                                                size_t minimum_length) {
  if (direction_ != SrtpDirection::kOutbound) {
    return Fail(Failure::kOther, "SRTP: protect on an inbound session");
  }
  if (length < minimum_length) return Fail(Failure::kMalformed, "SRTP: packet too short");
  // libsrtp2 takes the length as an int.
  if (length > 65535) return Fail(Failure::kMalformed, "SRTP: packet too long");
  if (capacity < length + overhead) {
    return Fail(Failure::kMalformed, "SRTP: no room for the authentication tag");
  }
  return std::nullopt;
}

std::optional<Status> SrtpSession::CheckUnprotect(size_t length, size_t minimum_length) {
  if (direction_ != SrtpDirection::kInbound) {
    return Fail(Failure::kOther, "SRTP: unprotect on an outbound session");
  }
  if (length < minimum_length) return Fail(Failure::kMalformed, "SRTP: packet too short");
  if (length > 65535) return Fail(Failure::kMalformed, "SRTP: packet too long");
  return std::nullopt;
}

}  // namespace auralink::rtc
