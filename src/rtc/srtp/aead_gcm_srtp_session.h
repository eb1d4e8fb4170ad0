// SrtpSession for AEAD_AES_128_GCM (RFC 7714) directly on OpenSSL EVP, or on the CPU's AES and
// carry-less multiply instructions (AesGcm128): byte-for-byte compatible with Debian's libsrtp2
// (srtp_session_test checks both ways) and, on EVP, about twice as fast; on the CPU's
// instructions, faster again in a fan-out (see aes_gcm.h).
#pragma once

#include <openssl/types.h>

#include <array>
#include <optional>
#include <vector>

#include "common/media_path_memory.h"
#include "rtc/srtp/aes_gcm.h"
#include "rtc/srtp/srtp_replay_window.h"
#include "rtc/srtp/srtp_session.h"

namespace auralink::rtc {

class AeadGcmSrtpSession final : public SrtpSession, public MediaPathAllocated {
 public:
  static StatusOr<std::unique_ptr<SrtpSession>> Create(std::span<const uint8_t> master_key_salt,
                                                       SrtpDirection direction,
                                                       const SrtpSessionOptions& options,
                                                       bool cpu_aes = false);
  ~AeadGcmSrtpSession() override;

  StatusOr<size_t> ProtectRtp(uint8_t* buffer, size_t length, size_t capacity) override;
  StatusOr<size_t> ProtectRtcp(uint8_t* buffer, size_t length, size_t capacity) override;
  // On failure the buffer's payload bytes are unspecified (decryption runs before the tag check).
  StatusOr<size_t> UnprotectRtp(uint8_t* buffer, size_t length) override;
  StatusOr<size_t> UnprotectRtcp(uint8_t* buffer, size_t length) override;
  SrtpImplementation implementation() const override {
    return rtp_gcm_ ? SrtpImplementation::kCpuAes : SrtpImplementation::kOpenSsl;
  }
  void PrefetchForProtect() const override {
    if (rtp_gcm_) {
      rtp_gcm_->Prefetch();
    } else {
      __builtin_prefetch(rtp_cipher_);
    }
    if (!rtp_streams_.empty()) __builtin_prefetch(rtp_streams_.data());
  }

 private:
  using Iv = std::array<uint8_t, 12>;
  struct RtpStream {
    uint32_t ssrc;
    // On receive, the indices accepted. A sender only needs the newest index it used, for the
    // rollover counter and to refuse what is older than a receiver's window; it allows repeats as
    // libsrtp2's allow_repeat_tx does.
    std::optional<SrtpReplayWindow> window;
    uint64_t newest_sent = 0;
    bool sent_any = false;
  };
  struct RtcpStream {
    uint32_t ssrc;
    uint32_t sent_index;  // last SRTCP index sent (RFC 3711 §3.4)
    SrtpReplayWindow window;
  };

  AeadGcmSrtpSession(SrtpDirection direction, uint32_t replay_window);

  RtpStream* FindRtpStream(uint32_t ssrc);
  RtcpStream* FindRtcpStream(uint32_t ssrc);
  // On `gcm` when set, else on `cipher`.
  bool Seal(const std::optional<AesGcm128>& gcm, EVP_CIPHER_CTX* cipher, const Iv& iv,
            std::span<const uint8_t> aad, std::span<const uint8_t> aad_tail, uint8_t* data,
            size_t size, uint8_t* tag);
  bool Open(const std::optional<AesGcm128>& gcm, EVP_CIPHER_CTX* cipher, const Iv& iv,
            std::span<const uint8_t> aad, std::span<const uint8_t> aad_tail, uint8_t* data,
            size_t size, const uint8_t* tag);

  const uint32_t replay_window_;
  // Either the CPU's ciphers or OpenSSL's.
  std::optional<AesGcm128> rtp_gcm_;
  std::optional<AesGcm128> rtcp_gcm_;
  EVP_CIPHER_CTX* rtp_cipher_ = nullptr;
  EVP_CIPHER_CTX* rtcp_cipher_ = nullptr;
  std::array<uint8_t, 12> rtp_salt_{};
  std::array<uint8_t, 12> rtcp_salt_{};
  std::vector<RtpStream, MediaPathAllocator<RtpStream>> rtp_streams_;
  std::vector<RtcpStream> rtcp_streams_;
  size_t last_rtp_stream_ = 0;  // most packets in a row share an SSRC
};

}  // namespace auralink::rtc
