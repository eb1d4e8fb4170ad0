// SRTP and SRTCP (RFC 3711) for one direction of one DTLS-SRTP association: every SSRC the peer
// sends (inbound) or that we send (outbound) shares the master key, as with libsrtp's
// ssrc_any_inbound / ssrc_any_outbound. Packets are transformed in place without allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "common/status.h"
#include "rtc/srtp/srtp_profile.h"

namespace auralink::rtc {

enum class SrtpDirection {
  kInbound,   // unprotects what the peer sends
  kOutbound,  // protects what we send
};

enum class SrtpImplementation {
  kAuto,     // AEAD_AES_128_GCM: kCpuAes where the CPU can, else kOpenSsl; AES-CM: libsrtp2
  kLibsrtp,  // libsrtp2 (Debian builds it on NSS, slow for AES-CM: see MEASURED.md)
  kOpenSsl,  // AEAD_AES_128_GCM (RFC 7714) on OpenSSL EVP; the GCM profile only
  kCpuAes,   // AEAD_AES_128_GCM on the CPU's AES-NI and PCLMULQDQ (rtc/srtp/aes_gcm.h); GCM only
};

struct SrtpSessionOptions {
  SrtpImplementation implementation = SrtpImplementation::kAuto;
  // How far behind the newest packet an index is still accepted once (RFC 3711 §3.3.2). NACK
  // retransmissions arrive late, so this is well above RFC 3711's minimum of 64.
  uint32_t replay_window = 1024;
};

struct SrtpCounters {
  uint64_t packets = 0;                  // protected or unprotected successfully
  uint64_t replayed = 0;                 // index seen before, or older than the window
  uint64_t authentication_failures = 0;  // tag mismatch: tampered, or wrong key
  uint64_t malformed = 0;                // too short, bad header, no room for the tag
  uint64_t other_failures = 0;
};

class SrtpSession {
 public:
  // `master_key_salt` is key || salt as DtlsSrtpKeys carries it (SrtpMasterKeySaltLength bytes).
  static StatusOr<std::unique_ptr<SrtpSession>> Create(SrtpProfile profile,
                                                       std::span<const uint8_t> master_key_salt,
                                                       SrtpDirection direction,
                                                       SrtpSessionOptions options = {});
  virtual ~SrtpSession() = default;

  // Outbound only. Protects the `length`-byte packet at `buffer` in place and returns the new
  // length; `capacity` must leave room for SrtpRtpOverhead / SrtpRtcpOverhead more bytes.
  // Protecting an index again (an RTX/NACK resend, libsrtp's allow_repeat_tx) reuses the same
  // nonce, so the repeated packet must be byte-identical.
  virtual StatusOr<size_t> ProtectRtp(uint8_t* buffer, size_t length, size_t capacity) = 0;
  virtual StatusOr<size_t> ProtectRtcp(uint8_t* buffer, size_t length, size_t capacity) = 0;
  // Inbound only. Verifies and decrypts in place; returns the plain packet's length.
  virtual StatusOr<size_t> UnprotectRtp(uint8_t* buffer, size_t length) = 0;
  virtual StatusOr<size_t> UnprotectRtcp(uint8_t* buffer, size_t length) = 0;

  SrtpProfile profile() const { return profile_; }
  SrtpDirection direction() const { return direction_; }
  virtual SrtpImplementation implementation() const = 0;
  // Asks the CPU to fetch what protecting the next RTP packet reads first (a fan-out protects with
  // one cold session per subscriber). A hint: does nothing by default.
  virtual void PrefetchForProtect() const {}
  const SrtpCounters& counters() const { return counters_; }

 protected:
  SrtpSession(SrtpProfile profile, SrtpDirection direction)
      : profile_(profile), direction_(direction) {}

  enum class Failure { kReplay, kAuthentication, kMalformed, kOther };
  // Counts the failure and returns it as a Status.
  Status Fail(Failure failure, const char* message);
  // Shared argument checks; nullopt when the call may proceed.
  std::optional<Status> CheckProtect(size_t length, size_t capacity, size_t overhead,
                                     size_t minimum_length);
  std::optional<Status> CheckUnprotect(size_t length, size_t minimum_length);

  SrtpCounters counters_;

 private:
  const SrtpProfile profile_;
  const SrtpDirection direction_;
};

}  // namespace auralink::rtc
