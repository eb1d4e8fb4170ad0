// DTLS 1.2 (RFC 6347) for one ICE connection, with DTLS-SRTP key export (RFC 5764). No sockets:
// datagrams come in through HandleDatagram() and leave through Callbacks::send_datagram; the
// SCTP association of data channels rides on the application data (RFC 8261).
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/media_path_memory.h"
#include "common/status.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/dtls/dtls_fingerprint.h"
#include "rtc/dtls/dtls_role.h"
#include "rtc/srtp/srtp_profile.h"

namespace auralink::rtc {

enum class DtlsState { kNew, kConnecting, kConnected, kFailed, kClosed };
std::string_view DtlsStateName(DtlsState state);

// RFC 7983 §7: on a port shared with STUN, RTP and TURN, DTLS records start with 20..63.
bool IsDtlsPacket(std::span<const uint8_t> datagram);

// SRTP master keys exported after the handshake (RFC 5764 §4.2), each "master key || salt".
struct DtlsSrtpKeys {
  SrtpProfile profile = SrtpProfile::kAeadAes128Gcm;
  std::vector<uint8_t> local_key_salt;   // protects what we send
  std::vector<uint8_t> remote_key_salt;  // unprotects what the peer sends
};

struct DtlsTransportCallbacks {
  // One datagram of at most DtlsTransportOptions::mtu bytes (one handshake record larger than
  // that is sent whole; OpenSSL fragments handshake messages to fit).
  std::function<void(std::span<const uint8_t>)> send_datagram;
  // Decrypted application data, one record at a time.
  std::function<void(std::span<const uint8_t>)> on_application_data;
  std::function<void(DtlsState)> on_state_change;
};

struct DtlsTransportOptions {
  // Largest datagram we send; 1200 keeps DTLS inside the smallest IPv6 path with TURN headers.
  size_t mtu = 1200;
  // First retransmission timeout, doubled per retry up to the maximum (RFC 6347 §4.2.4.1 starts
  // at 1 s; ICE has already measured the path, so WebRTC stacks start lower).
  int initial_retransmit_timeout_ms = 100;
  int max_retransmit_timeout_ms = 3000;
};

struct DtlsTransportCounters {
  uint64_t datagrams_received = 0;
  // Not a DTLS 1.2 record sequence, or arriving before Start() / after the transport ended.
  uint64_t datagrams_rejected = 0;
  uint64_t datagrams_sent = 0;
  uint64_t application_records_received = 0;
};

// Callbacks run synchronously from the calls below and must not destroy the transport.
//
// Time: OpenSSL 3.0 keeps the DTLS retransmission timer on its own clock (gettimeofday) and
// offers no way to inject one. now_ms places that timer on the caller's timeline:
// NextTimeoutMs() is the now_ms of the last call that could have set OpenSSL's timer plus the time
// it had left then, and OnTimer() lets OpenSSL retransmit if its timer has run out. The timer only
// changes inside those calls, so NextTimeoutMs() asks OpenSSL nothing: after the handshake a
// server ticking every transport costs no OpenSSL call. The transport lives in media-path memory:
// a server's tick reads it for every connection.
class DtlsTransport : public MediaPathAllocated {
 public:
  static StatusOr<std::unique_ptr<DtlsTransport>> Create(
      std::shared_ptr<const DtlsCertificate> certificate, DtlsRole role,
      DtlsFingerprint remote_fingerprint, DtlsTransportCallbacks callbacks,
      DtlsTransportOptions options = {});
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // The client sends its ClientHello; the server starts waiting for one.
  Status Start(int64_t now_ms);
  // A datagram from the peer (already demultiplexed by IsDtlsPacket). Bad input is counted in
  // counters().datagrams_rejected and dropped; protocol failures move the state to kFailed.
  void HandleDatagram(std::span<const uint8_t> datagram, int64_t now_ms);
  // Retransmits the last flight when its timer has expired (RFC 6347 §4.2.4).
  void OnTimer(int64_t now_ms);
  // When OnTimer() should next run, or nullopt while no retransmission is pending.
  std::optional<int64_t> NextTimeoutMs() const;

  // One record of application data; at most max_application_data_size() bytes.
  Status SendApplicationData(std::span<const uint8_t> data);
  size_t max_application_data_size() const;
  // Sends close_notify (RFC 5246 §7.2.1) and moves to kClosed.
  void Close();

  DtlsRole role() const { return role_; }
  DtlsState state() const { return state_; }
  // Why the state is kFailed; empty otherwise.
  const std::string& failure_reason() const { return failure_reason_; }
  // Set once connected.
  const std::optional<DtlsSrtpKeys>& srtp_keys() const { return srtp_keys_; }
  const DtlsTransportCounters& counters() const { return counters_; }

 private:
  DtlsTransport(std::shared_ptr<const DtlsCertificate> certificate, DtlsRole role,
                DtlsFingerprint remote_fingerprint, DtlsTransportCallbacks callbacks,
                DtlsTransportOptions options);

  // Entry points from OpenSSL's callbacks.
  friend struct DtlsTransportOpenSsl;
  void OnRecordWritten(const uint8_t* data, size_t size);
  void FinishDatagram();
  bool PeerCertificateMatches(X509* certificate);
  unsigned int NextRetransmitTimeoutUs(unsigned int previous_us) const;

  void AdvanceHandshake();
  void ReadApplicationData();
  void CompleteHandshake();
  void SendPendingDatagrams();
  void Fail(std::string reason);
  void SetState(DtlsState state);
  // Re-reads OpenSSL's retransmission timer after a call that may have started or stopped it.
  void RefreshTimer();
  std::string DescribeOpenSslFailure(const char* what);

  std::shared_ptr<const DtlsCertificate> certificate_;
  const DtlsRole role_;
  const DtlsFingerprint remote_fingerprint_;
  DtlsTransportCallbacks callbacks_;
  const DtlsTransportOptions options_;

  SSL* ssl_ = nullptr;
  BIO* incoming_ = nullptr;  // memory BIO holding the datagram being processed; owned by ssl_

  DtlsState state_ = DtlsState::kNew;
  std::string failure_reason_;
  std::string peer_alert_;  // the fatal alert the peer sent, if any
  bool fingerprint_mismatch_ = false;
  std::optional<DtlsSrtpKeys> srtp_keys_;
  DtlsTransportCounters counters_;
  int64_t last_now_ms_ = 0;
  std::optional<int64_t> timer_deadline_ms_;

  // Records OpenSSL wrote are packed into datagrams up to the MTU (RFC 6347 §4.1.1 allows several
  // records per datagram) and sent once the OpenSSL call has returned.
  std::vector<uint8_t> open_datagram_;
  std::vector<std::vector<uint8_t>> finished_datagrams_;
  std::vector<uint8_t> read_buffer_;
};

}  // namespace auralink::rtc
