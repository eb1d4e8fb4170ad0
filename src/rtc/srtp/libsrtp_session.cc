#include "rtc/srtp/libsrtp_session.h"

#include <srtp2/srtp.h>

#include <mutex>
#include <string>
#include <vector>

namespace auralink::rtc {
namespace {

constexpr size_t kRtpHeaderSize = 12;
constexpr size_t kRtcpHeaderSize = 8;

// srtp_init() is not thread-safe and is never undone: libsrtp2 keeps process-wide tables.
srtp_err_status_t InitializeLibsrtpOnce() {
  static std::once_flag once;
  static srtp_err_status_t status = srtp_err_status_ok;
  std::call_once(once, [] { status = srtp_init(); });
  return status;
}

}  // namespace

StatusOr<std::unique_ptr<SrtpSession>> LibsrtpSession::Create(
    SrtpProfile profile, std::span<const uint8_t> master_key_salt, SrtpDirection direction,
    const SrtpSessionOptions& options) {
  if (InitializeLibsrtpOnce() != srtp_err_status_ok) {
    return Status::Error("libsrtp2 initialisation failed");
  }
  srtp_policy_t policy{};
  if (profile == SrtpProfile::kAeadAes128Gcm) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  }
  policy.ssrc.type = direction == SrtpDirection::kInbound ? ssrc_any_inbound : ssrc_any_outbound;
  // libsrtp2 reads the key but declares it non-const.
  std::vector<unsigned char> key(master_key_salt.begin(), master_key_salt.end());
  policy.key = key.data();
  policy.window_size = options.replay_window;
  policy.allow_repeat_tx = direction == SrtpDirection::kOutbound ? 1 : 0;
  policy.next = nullptr;

  srtp_t session = nullptr;
  const srtp_err_status_t status = srtp_create(&session, &policy);
  std::fill(key.begin(), key.end(), 0);
  if (status != srtp_err_status_ok) {
    return Status::Error("srtp_create failed with libsrtp2 status " +
                         std::to_string(static_cast<int>(status)));
  }
  return std::unique_ptr<SrtpSession>(new LibsrtpSession(profile, direction, session));
}

LibsrtpSession::~LibsrtpSession() { srtp_dealloc(session_); }

StatusOr<size_t> LibsrtpSession::Finish(int status, int length) {
  switch (static_cast<srtp_err_status_t>(status)) {
    case srtp_err_status_ok:
      ++counters_.packets;
      return static_cast<size_t>(length);
    case srtp_err_status_replay_fail:
      return Fail(Failure::kReplay, "SRTP: replayed packet");
    case srtp_err_status_replay_old:
      return Fail(Failure::kReplay, "SRTP: packet older than the replay window");
    case srtp_err_status_auth_fail:
      return Fail(Failure::kAuthentication, "SRTP: authentication failed");
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
      return Fail(Failure::kMalformed, "SRTP: malformed packet");
    default:
      return Fail(Failure::kOther, "SRTP: libsrtp2 failure");
  }
}

StatusOr<size_t> LibsrtpSession::ProtectRtp(uint8_t* buffer, size_t length, size_t capacity) {
  if (auto error = CheckProtect(length, capacity, SrtpRtpOverhead(profile()), kRtpHeaderSize)) {
    return *error;
  }
  int size = static_cast<int>(length);
  const srtp_err_status_t status = srtp_protect(session_, buffer, &size);
  return Finish(status, size);
}

StatusOr<size_t> LibsrtpSession::ProtectRtcp(uint8_t* buffer, size_t length, size_t capacity) {
  if (auto error = CheckProtect(length, capacity, SrtpRtcpOverhead(profile()), kRtcpHeaderSize)) {
    return *error;
  }
  int size = static_cast<int>(length);
  const srtp_err_status_t status = srtp_protect_rtcp(session_, buffer, &size);
  return Finish(status, size);
}

StatusOr<size_t> LibsrtpSession::UnprotectRtp(uint8_t* buffer, size_t length) {
  if (auto error = CheckUnprotect(length, kRtpHeaderSize + SrtpRtpOverhead(profile()))) {
    return *error;
  }
  int size = static_cast<int>(length);
  const srtp_err_status_t status = srtp_unprotect(session_, buffer, &size);
  return Finish(status, size);
}

StatusOr<size_t> LibsrtpSession::UnprotectRtcp(uint8_t* buffer, size_t length) {
  if (auto error = CheckUnprotect(length, kRtcpHeaderSize + SrtpRtcpOverhead(profile()))) {
    return *error;
  }
  int size = static_cast<int>(length);
  const srtp_err_status_t status = srtp_unprotect_rtcp(session_, buffer, &size);
  return Finish(status, size);
}

}  // namespace auralink::rtc
