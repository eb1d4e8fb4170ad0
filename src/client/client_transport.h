// One WebRTC peer connection from the client's side, the mirror of sfu::WebRtcTransport: ICE
// controlling (RFC 8445 §7.2.4: it sends Binding requests with USE-CANDIDATE to the server's
// candidate and keeps sending them as consent, RFC 7675), DTLS client (a=setup:active) and SRTP
// both ways. Data channels are not negotiated. The core is I/O-free: bytes leave through
// `send_datagram` and come in through HandleDatagram; CreateOnLoop() adds a UDP socket of its own
// and a timer on an event loop for real use.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "common/status.h"
#include "net/event_loop.h"
#include "net/socket_address.h"
#include "net/udp_socket.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/dtls/dtls_fingerprint.h"
#include "rtc/dtls/dtls_transport.h"
#include "rtc/ice/stun_packet.h"
#include "rtc/srtp/srtp_session.h"

namespace auralink::client {

enum class ClientTransportState { kNew, kChecking, kDtls, kConnected, kFailed, kClosed };
const char* ClientTransportStateName(ClientTransportState state);

struct ClientTransportConfig {
  // Shared by many clients of one load generator: key generation is the expensive part.
  std::shared_ptr<const rtc::DtlsCertificate> certificate;
  std::string local_ufrag;  // generated when empty
  std::string local_pwd;
  int64_t check_interval_ms = 50;      // Binding requests until the first response
  int64_t consent_interval_ms = 2000;  // then consent freshness, each time x0.8-1.2 (RFC 7675)
  // No response for this long after connecting: failed (RFC 7675 §5.1 uses 30 s).
  int64_t consent_timeout_ms = 30000;
  // RFC 8445 §6.1.1: the controlling agent nominates. Against an ICE-lite server we must be; a
  // full-ICE server that made the offer (Janus's subscriber connection) controls, and we follow.
  bool ice_controlling = true;
  // False: incoming SRTP is handed over still encrypted (header in the clear, RFC 3711 §3.1), for
  // load generators that count packets without paying for decryption.
  bool decrypt_rtp = true;
};

struct ClientTransportCallbacks {
  // Required: one datagram to the remote candidate.
  std::function<void(std::span<const uint8_t>)> send_datagram;
  // RTP from the server; `decrypted` is false when config.decrypt_rtp is off.
  std::function<void(uint8_t* data, size_t size, bool decrypted, int64_t now_us)> on_rtp;
  std::function<void(uint8_t* data, size_t size, int64_t now_us)> on_rtcp;
  std::function<void(ClientTransportState)> on_state_change;
};

struct ClientTransportCounters {
  uint64_t checks_sent = 0;
  uint64_t check_responses = 0;
  uint64_t checks_answered = 0;  // Binding requests from a full-ICE peer we answered
  uint64_t rtp_received = 0;
  uint64_t rtcp_received = 0;
  uint64_t srtp_failures = 0;
  uint64_t dropped = 0;  // not STUN/DTLS/RTP, or media before keys
  uint64_t rtp_sent = 0;
  uint64_t rtcp_sent = 0;
  uint64_t bytes_sent = 0;
};

class ClientTransport {
 public:
  static StatusOr<std::unique_ptr<ClientTransport>> Create(ClientTransportConfig config,
                                                           ClientTransportCallbacks callbacks);
  // With a UDP socket bound on `bind_ip` (any port) and a timer driving Tick() on `loop`; the
  // callbacks' send_datagram is supplied by the socket. Sends go to SetRemoteAddress().
  static StatusOr<std::unique_ptr<ClientTransport>> CreateOnLoop(
      net::EventLoop* loop, const std::string& bind_ip, ClientTransportConfig config,
      ClientTransportCallbacks callbacks);
  ~ClientTransport();
  ClientTransport(const ClientTransport&) = delete;
  ClientTransport& operator=(const ClientTransport&) = delete;

  const std::string& local_ufrag() const { return config_.local_ufrag; }
  const std::string& local_pwd() const { return config_.local_pwd; }
  const rtc::DtlsFingerprint& local_fingerprint() const {
    return config_.certificate->fingerprint();
  }
  // The socket's address (CreateOnLoop only), for a host candidate in our SDP.
  std::optional<net::SocketAddress> local_address() const;

  // Where checks and media go (CreateOnLoop only; the I/O-free core sends to its callback).
  void SetRemoteAddress(const net::SocketAddress& address);
  // From the server's description: starts the checks, then DTLS as client once one succeeds.
  // Calling again with the same credentials (renegotiation) keeps the association; new ICE
  // credentials with the same certificate are an ICE restart (RFC 8445 §9): checks start again
  // with them at once and DTLS/SRTP carry on.
  Status SetRemoteParameters(const std::string& ice_ufrag, const std::string& ice_pwd,
                             const rtc::DtlsFingerprint& fingerprint, int64_t now_ms);

  // ICE restart from our side: new local credentials, for the next offer or answer we make.
  void RestartIce();

  // Load tests only (CreateOnLoop, connected): from now on checks and media leave from a socket
  // bound to `sink_ip` (IP_TRANSPARENT, so root), an address routed to a device that discards
  // what it is given (an ifb device). The server follows the nomination and sends there, so its
  // packets cost it the send path a NIC would, and nothing here receives them. Consent is then
  // no longer judged: the answers are discarded too.
  Status DivertTo(const std::string& sink_ip);
  bool diverted() const { return sink_socket_ != nullptr; }

  // One datagram from the peer (`from` is only used to answer a full-ICE peer's checks). Media is
  // decrypted in place.
  // `arrival_us`: when the datagram reached this machine (EventLoop::NowUs() time), 0 for now.
  void HandleDatagram(uint8_t* data, size_t size, const net::SocketAddress* from, int64_t now_ms,
                      int64_t arrival_us = 0);
  // Checks, consent and DTLS retransmissions; call every 10-50 ms (CreateOnLoop does it).
  void Tick(int64_t now_ms);

  // Protect in place (capacity must leave room for the SRTP tag) and send.
  Status SendRtp(uint8_t* buffer, size_t length, size_t capacity);
  Status SendRtcp(uint8_t* buffer, size_t length, size_t capacity);

  void Close();

  ClientTransportState state() const { return state_; }
  bool connected() const { return state_ == ClientTransportState::kConnected; }
  const ClientTransportCounters& counters() const { return counters_; }
  const net::UdpSocket* socket() const { return socket_.get(); }
  std::string failure_reason() const { return failure_reason_; }

 private:
  ClientTransport(ClientTransportConfig config, ClientTransportCallbacks callbacks);
  void SendCheck(int64_t now_ms);
  int64_t ConsentDelayMs();
  void HandleStun(std::span<const uint8_t> bytes, const net::SocketAddress* from, int64_t now_ms);
  void StartDtls(int64_t now_ms);
  void OnDtlsState(rtc::DtlsState state);
  void SetState(ClientTransportState state);
  void Fail(std::string reason);
  void Send(std::span<const uint8_t> bytes);
  void ScheduleTick();

  ClientTransportConfig config_;
  ClientTransportCallbacks callbacks_;
  ClientTransportState state_ = ClientTransportState::kNew;
  std::string failure_reason_;
  std::string remote_ufrag_;
  // MESSAGE-INTEGRITY keys (HMAC-SHA1 keyed once per password): the server's password signs our
  // checks and its answers; ours, a full-ICE peer's checks and our answers.
  rtc::StunIntegrityKey remote_key_;
  rtc::StunIntegrityKey local_key_;
  std::optional<rtc::DtlsFingerprint> remote_fingerprint_;
  uint64_t tie_breaker_ = 0;
  uint32_t transaction_counter_ = 0;
  int64_t next_check_ms_ = 0;
  int64_t last_response_ms_ = 0;
  bool ice_connected_ = false;
  std::unique_ptr<rtc::DtlsTransport> dtls_;
  std::unique_ptr<rtc::SrtpSession> srtp_in_;
  std::unique_ptr<rtc::SrtpSession> srtp_out_;
  std::vector<uint8_t> rtcp_scratch_;
  ClientTransportCounters counters_;

  // CreateOnLoop only.
  net::EventLoop* loop_ = nullptr;
  std::unique_ptr<net::UdpSocket> socket_;
  std::unique_ptr<net::UdpSocket> sink_socket_;  // DivertTo()
  std::optional<net::SocketAddress> remote_address_;
  net::TimerId tick_timer_ = 0;
  std::vector<uint8_t> receive_copy_;
};

}  // namespace auralink::client
