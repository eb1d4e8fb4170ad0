// One WebRTC peer connection as the SFU sees it: ICE-lite answers the browser's checks, DTLS
// (always the server: we answer offers with a=setup:passive and offer actpass, so browsers take
// the client role) keys SRTP and carries SCTP data channels, and SRTP/SRTCP protect media. Packets
// arrive through HandlePacket and are demultiplexed per RFC 7983; the owner supplies the socket
// through `send_packet` and the clock through the `now_ms` arguments.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/media_path_memory.h"
#include "common/status.h"
#include "net/socket_address.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/dtls/dtls_fingerprint.h"
#include "rtc/dtls/dtls_transport.h"
#include "rtc/ice/ice_lite_agent.h"
#include "rtc/sctp/sctp_association.h"
#include "rtc/srtp/srtp_session.h"

namespace auralink::sfu {

enum class WebRtcTransportState { kNew, kConnecting, kConnected, kFailed, kClosed };
const char* WebRtcTransportStateName(WebRtcTransportState state);

struct WebRtcTransportConfig {
  std::shared_ptr<const rtc::DtlsCertificate> certificate;
  std::string local_ufrag;  // unique per transport: the router finds new peers by it
  std::string local_pwd;
  int64_t consent_timeout_ms = 30000;
  // Data channels: the SCTP association starts once DTLS is up.
  bool data_channels = false;
};

struct WebRtcTransportCallbacks {
  // Raw bytes to the network (already protected).
  std::function<void(std::span<const uint8_t>, const net::SocketAddress&)> send_packet;
  // Decrypted RTP / RTCP, in a buffer the callee may modify in place (forwarding rewrites headers).
  std::function<void(uint8_t* data, size_t size, int64_t now_ms)> on_rtp;
  std::function<void(uint8_t* data, size_t size, int64_t now_ms)> on_rtcp;
  std::function<void(WebRtcTransportState)> on_state_change;
  std::function<void(const rtc::DataChannelInfo&)> on_data_channel_open;
  std::function<void(uint16_t channel, std::span<const uint8_t> bytes, bool binary)> on_data;
  // A remote address was nominated (first time or after a network change).
  std::function<void(const net::SocketAddress&)> on_selected_address;
};

// Inputs that were dropped, by reason (malformed outside input is counted, never fatal).
struct WebRtcTransportCounters {
  uint64_t stun_packets = 0;
  uint64_t dtls_packets = 0;
  uint64_t rtp_packets = 0;
  uint64_t rtcp_packets = 0;
  uint64_t unknown_packets = 0;      // first byte outside every RFC 7983 range
  uint64_t unauthorized_source = 0;  // media from an address ICE never validated
  uint64_t before_keys = 0;          // SRTP before DTLS finished
  uint64_t srtp_failures = 0;        // authentication, replay, malformed
  uint64_t send_without_path = 0;    // nothing nominated yet
  uint64_t rtp_sent = 0;
  uint64_t rtcp_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
};

class WebRtcTransport : public MediaPathAllocated {
 public:
  static StatusOr<std::unique_ptr<WebRtcTransport>> Create(WebRtcTransportConfig config,
                                                           WebRtcTransportCallbacks callbacks);
  ~WebRtcTransport();
  WebRtcTransport(const WebRtcTransport&) = delete;
  WebRtcTransport& operator=(const WebRtcTransport&) = delete;

  // From the remote description: its ICE credentials and DTLS fingerprint. DTLS datagrams that
  // arrive before (a browser answering our offer may start DTLS before its answer reaches us) are
  // held and replayed.
  Status SetRemoteParameters(const std::string& ice_ufrag, const std::string& ice_pwd,
                             const rtc::DtlsFingerprint& fingerprint, int64_t now_ms,
                             uint16_t sctp_port = 5000, size_t remote_max_message_size = 65536,
                             bool remote_data_channel = true);

  // One datagram (or RFC 4571 frame) from `from`. `data` is decrypted in place.
  void HandlePacket(uint8_t* data, size_t size, const net::SocketAddress& from, int64_t now_ms);
  // Consent freshness, DTLS retransmissions, SCTP timers. Call every 10-50 ms.
  void Tick(int64_t now_ms);

  // Protect in place (capacity must leave room for the SRTP tag) and send on the selected path.
  Status SendRtp(uint8_t* buffer, size_t length, size_t capacity);
  Status SendRtcp(uint8_t* buffer, size_t length, size_t capacity);

  StatusOr<uint16_t> OpenDataChannel(const rtc::DataChannelOptions& options);
  Status SendData(uint16_t channel, std::span<const uint8_t> bytes, bool binary);
  // The channel id of an open channel with this label, if any.
  std::optional<uint16_t> FindDataChannel(const std::string& label) const;

  // ICE restart (RFC 8445 §9) with new local credentials; DTLS, SRTP and SCTP carry on, and so
  // does media on the selected address. The previous credentials stay accepted until a check with
  // the new ones succeeds (IceLiteAgent::RestartWithLocalCredentials). The owner registers the
  // transport under its new ufrag and keeps the old one routed meanwhile.
  Status RestartIce(const std::string& local_ufrag, const std::string& local_pwd);
  // The ufrag a restart replaced while the peer may still use it; empty otherwise.
  const std::string& previous_local_ufrag() const { return ice_->previous_local_ufrag(); }

  void Close();

  // For a server that gives this transport a socket of its own (a port from a range): where its
  // datagrams go from now on, and the host candidates that name that port in its SDP.
  void SetPacketSender(
      std::function<void(std::span<const uint8_t>, const net::SocketAddress&)> send_packet);
  void SetLocalCandidates(std::vector<std::string> candidates) {
    local_candidates_ = std::move(candidates);
  }
  // Empty: the server's shared candidates apply.
  const std::vector<std::string>& local_candidates() const { return local_candidates_; }

  WebRtcTransportState state() const { return state_; }
  const std::string& local_ufrag() const { return config_.local_ufrag; }
  const std::string& local_pwd() const { return config_.local_pwd; }
  const std::optional<net::SocketAddress>& selected_address() const;
  // Asks the CPU to fetch what SendRtp() reads, in two steps: `step` 0 the transport's own fields,
  // 1 what they point to (the path and the SRTP session).
  void PrefetchForSend(int step) const;
  const WebRtcTransportCounters& counters() const { return counters_; }
  const rtc::IceLiteAgent& ice() const { return *ice_; }
  size_t srtp_overhead() const;
  bool data_channels_ready() const { return sctp_connected_; }

 private:
  WebRtcTransport(WebRtcTransportConfig config, WebRtcTransportCallbacks callbacks);
  void HandleStun(std::span<const uint8_t> bytes, const net::SocketAddress& from, int64_t now_ms);
  void HandleDtls(std::span<const uint8_t> bytes, int64_t now_ms);
  void OnDtlsState(rtc::DtlsState state);
  Status StartSrtpAndSctp();
  Status StartSctp();
  void SetState(WebRtcTransportState state);
  void SendToPeer(std::span<const uint8_t> bytes);

  WebRtcTransportConfig config_;
  WebRtcTransportCallbacks callbacks_;
  std::unique_ptr<rtc::IceLiteAgent> ice_;
  std::unique_ptr<rtc::DtlsTransport> dtls_;
  std::unique_ptr<rtc::SrtpSession> srtp_in_;
  std::unique_ptr<rtc::SrtpSession> srtp_out_;
  std::unique_ptr<rtc::SctpAssociation> sctp_;
  uint16_t sctp_remote_port_ = 5000;
  size_t remote_max_message_size_ = 65536;
  bool sctp_connected_ = false;
  bool remote_data_channel_ = true;
  std::vector<rtc::DataChannelInfo> channels_;
  std::optional<net::SocketAddress> dtls_source_;
  std::deque<std::vector<uint8_t>> early_dtls_;  // held until the remote fingerprint is known
  WebRtcTransportState state_ = WebRtcTransportState::kNew;
  int64_t now_ms_ = 0;
  int64_t last_consent_check_ms_ = std::numeric_limits<int64_t>::min() / 2;
  WebRtcTransportCounters counters_;
  std::vector<uint8_t> scratch_;  // RTCP protect copy for callers with tight buffers
  std::vector<std::string> local_candidates_;
};

}  // namespace auralink::sfu
