// SrtpSession on libsrtp2, for both profiles.
#pragma once

#include "rtc/srtp/srtp_session.h"

struct srtp_ctx_t_;

namespace auralink::rtc {

class LibsrtpSession final : public SrtpSession {
 public:
  static StatusOr<std::unique_ptr<SrtpSession>> Create(SrtpProfile profile,
                                                       std::span<const uint8_t> master_key_salt,
                                                       SrtpDirection direction,
                                                       const SrtpSessionOptions& options);
  ~LibsrtpSession() override;

  StatusOr<size_t> ProtectRtp(uint8_t* buffer, size_t length, size_t capacity) override;
  StatusOr<size_t> ProtectRtcp(uint8_t* buffer, size_t length, size_t capacity) override;
  StatusOr<size_t> UnprotectRtp(uint8_t* buffer, size_t length) override;
  StatusOr<size_t> UnprotectRtcp(uint8_t* buffer, size_t length) override;
  SrtpImplementation implementation() const override { return SrtpImplementation::kLibsrtp; }

 private:
  LibsrtpSession(SrtpProfile profile, SrtpDirection direction, srtp_ctx_t_* session)
      : SrtpSession(profile, direction), session_(session) {}
  StatusOr<size_t> Finish(int status, int length);

  srtp_ctx_t_* session_;
};

}  // namespace auralink::rtc
