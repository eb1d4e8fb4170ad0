#include "sfu/webrtc_transport.h"

#include <algorithm>

#include "common/log.h"
#include "rtc/packet_demux.h"

namespace auralink::sfu {
namespace {

constexpr size_t kMaxEarlyDtls = 16;
// Consent lasts 30 s (RFC 7675 §5.1): checking its expiry every 100 ms rather than on every server
// tick (20 ms) is precise enough and spares a walk of the ICE agent per transport per tick.
constexpr int64_t kConsentCheckIntervalMs = 100;

}  // namespace

const char* WebRtcTransportStateName(WebRtcTransportState state) {
  switch (state) {
    case WebRtcTransportState::kNew:
      return "new";
    case WebRtcTransportState::kConnecting:
      return "connecting";
    case WebRtcTransportState::kConnected:
      return "connected";
    case WebRtcTransportState::kFailed:
      return "failed";
    case WebRtcTransportState::kClosed:
      return "closed";
  }
  return "unknown";
}

StatusOr<std::unique_ptr<WebRtcTransport>> WebRtcTransport::Create(
    WebRtcTransportConfig config, WebRtcTransportCallbacks callbacks) {
  if (!config.certificate) return Status::Error("WebRTC transport: no DTLS certificate");
  if (!callbacks.send_packet) return Status::Error("WebRTC transport: no packet sender");
  rtc::IceLiteAgentConfig ice_config;
  ice_config.local_ufrag = config.local_ufrag;
  ice_config.local_pwd = config.local_pwd;
  ice_config.consent_timeout_ms = config.consent_timeout_ms;
  auto ice = rtc::IceLiteAgent::Create(ice_config);
  if (!ice.ok()) return ice.status().WithContext("WebRTC transport");
  std::unique_ptr<WebRtcTransport> transport(
      new WebRtcTransport(std::move(config), std::move(callbacks)));
  transport->ice_ = std::move(*ice);
  return transport;
}

WebRtcTransport::WebRtcTransport(WebRtcTransportConfig config, WebRtcTransportCallbacks callbacks)
    : config_(std::move(config)), callbacks_(std::move(callbacks)) {}

WebRtcTransport::~WebRtcTransport() = default;

const std::optional<net::SocketAddress>& WebRtcTransport::selected_address() const {
  return ice_->selected_address();
}

void WebRtcTransport::PrefetchForSend(int step) const {
  if (step == 0) {
    __builtin_prefetch(&srtp_out_);
    __builtin_prefetch(&callbacks_.send_packet);
    __builtin_prefetch(&counters_, 1);
    return;
  }
  if (ice_) __builtin_prefetch(&ice_->selected_address());
  if (srtp_out_) {
    __builtin_prefetch(srtp_out_.get(), 1);
    srtp_out_->PrefetchForProtect();
  }
}

size_t WebRtcTransport::srtp_overhead() const {
  return srtp_out_ ? rtc::SrtpRtcpOverhead(srtp_out_->profile()) : 0;
}

Status WebRtcTransport::SetRemoteParameters(const std::string& ice_ufrag,
                                            const std::string& ice_pwd,
                                            const rtc::DtlsFingerprint& fingerprint, int64_t now_ms,
                                            uint16_t sctp_port, size_t remote_max_message_size,
                                            bool remote_data_channel) {
  remote_data_channel_ = remote_data_channel;
  now_ms_ = now_ms;
  ice_->SetRemoteCredentials(ice_ufrag, ice_pwd);
  sctp_remote_port_ = sctp_port;
  remote_max_message_size_ = remote_max_message_size;
  if (dtls_) {
    // Renegotiation keeps the DTLS association. A data channel section that arrives only now
    // (livekit-client adds its channels to a publisher connection on its first publishData)
    // starts the SCTP association over it (RFC 8841: a later offer may add the section).
    if (remote_data_channel_ && config_.data_channels && !sctp_ && srtp_in_) return StartSctp();
    return Status::Ok();
  }
  rtc::DtlsTransportCallbacks dtls_callbacks;
  dtls_callbacks.send_datagram = [this](std::span<const uint8_t> bytes) { SendToPeer(bytes); };
  dtls_callbacks.on_application_data = [this](std::span<const uint8_t> bytes) {
    if (sctp_) sctp_->HandlePacket(bytes);
  };
  dtls_callbacks.on_state_change = [this](rtc::DtlsState state) { OnDtlsState(state); };
  auto dtls = rtc::DtlsTransport::Create(config_.certificate, rtc::DtlsRole::kServer, fingerprint,
                                         std::move(dtls_callbacks));
  if (!dtls.ok()) return dtls.status().WithContext("WebRTC transport");
  dtls_ = std::move(*dtls);
  AURALINK_RETURN_IF_ERROR(dtls_->Start(now_ms));
  if (state_ == WebRtcTransportState::kNew) SetState(WebRtcTransportState::kConnecting);
  while (!early_dtls_.empty() && dtls_) {
    std::vector<uint8_t> datagram = std::move(early_dtls_.front());
    early_dtls_.pop_front();
    dtls_->HandleDatagram(datagram, now_ms);
  }
  return Status::Ok();
}

void WebRtcTransport::HandlePacket(uint8_t* data, size_t size, const net::SocketAddress& from,
                                   int64_t now_ms) {
  now_ms_ = now_ms;
  if (size == 0 || state_ == WebRtcTransportState::kClosed) return;
  counters_.bytes_received += size;
  const uint8_t first = data[0];
  if (rtc::IsStunFirstByte(first)) {
    ++counters_.stun_packets;
    HandleStun({data, size}, from, now_ms);
    return;
  }
  // Everything but STUN must come from an address that passed an authenticated check.
  if (!ice_->IsValidAddress(from, now_ms)) {
    ++counters_.unauthorized_source;
    return;
  }
  if (rtc::IsDtlsFirstByte(first)) {
    ++counters_.dtls_packets;
    dtls_source_ = from;
    HandleDtls({data, size}, now_ms);
    return;
  }
  if (!rtc::IsRtpOrRtcpFirstByte(first)) {
    ++counters_.unknown_packets;
    return;
  }
  if (!srtp_in_) {
    ++counters_.before_keys;
    return;
  }
  if (rtc::IsRtcpPacket(data, size)) {
    auto plain = srtp_in_->UnprotectRtcp(data, size);
    if (!plain.ok()) {
      ++counters_.srtp_failures;
      return;
    }
    ++counters_.rtcp_packets;
    if (callbacks_.on_rtcp) callbacks_.on_rtcp(data, *plain, now_ms);
    return;
  }
  auto plain = srtp_in_->UnprotectRtp(data, size);
  if (!plain.ok()) {
    ++counters_.srtp_failures;
    return;
  }
  ++counters_.rtp_packets;
  if (callbacks_.on_rtp) callbacks_.on_rtp(data, *plain, now_ms);
}

void WebRtcTransport::HandleStun(std::span<const uint8_t> bytes, const net::SocketAddress& from,
                                 int64_t now_ms) {
  rtc::IceStunResult result = ice_->HandleStun(bytes, from, now_ms);
  if (!result.response.empty()) callbacks_.send_packet(result.response, from);
  if (result.restart_completed) {
    AURALINK_LOG(kInfo) << "transport " << config_.local_ufrag << ": ICE restart completed";
  }
  if (result.selected_address_changed && callbacks_.on_selected_address && selected_address())
    callbacks_.on_selected_address(*selected_address());
  if (result.state_change == rtc::IceConnectionState::kDisconnected) {
    SetState(WebRtcTransportState::kFailed);
  }
}

void WebRtcTransport::HandleDtls(std::span<const uint8_t> bytes, int64_t now_ms) {
  if (!dtls_) {
    if (early_dtls_.size() < kMaxEarlyDtls) early_dtls_.emplace_back(bytes.begin(), bytes.end());
    return;
  }
  dtls_->HandleDatagram(bytes, now_ms);
}

void WebRtcTransport::OnDtlsState(rtc::DtlsState state) {
  switch (state) {
    case rtc::DtlsState::kConnected: {
      Status started = StartSrtpAndSctp();
      if (!started.ok()) {
        AURALINK_LOG(kWarning) << "transport " << config_.local_ufrag << ": " << started.message();
        SetState(WebRtcTransportState::kFailed);
        return;
      }
      SetState(WebRtcTransportState::kConnected);
      break;
    }
    case rtc::DtlsState::kFailed:
      AURALINK_LOG(kInfo) << "transport " << config_.local_ufrag
                          << ": DTLS failed: " << dtls_->failure_reason();
      SetState(WebRtcTransportState::kFailed);
      break;
    case rtc::DtlsState::kClosed:
      SetState(WebRtcTransportState::kClosed);
      break;
    default:
      break;
  }
}

Status WebRtcTransport::StartSrtpAndSctp() {
  const auto& keys = dtls_->srtp_keys();
  if (!keys) return Status::Error("DTLS finished without SRTP keys");
  auto in =
      rtc::SrtpSession::Create(keys->profile, keys->remote_key_salt, rtc::SrtpDirection::kInbound);
  if (!in.ok()) return in.status();
  auto out =
      rtc::SrtpSession::Create(keys->profile, keys->local_key_salt, rtc::SrtpDirection::kOutbound);
  if (!out.ok()) return out.status();
  srtp_in_ = std::move(*in);
  srtp_out_ = std::move(*out);
  // The peer may have declined the data channel section: then there is no SCTP peer to talk to.
  if (!config_.data_channels || !remote_data_channel_) return Status::Ok();
  return StartSctp();
}

Status WebRtcTransport::StartSctp() {
  rtc::SctpAssociationConfig sctp_config;
  sctp_config.remote_port = sctp_remote_port_;
  sctp_config.is_dtls_client = false;
  sctp_config.remote_max_message_size = remote_max_message_size_;
  rtc::SctpAssociation::Callbacks sctp_callbacks;
  sctp_callbacks.on_packet = [this](std::span<const uint8_t> packet) {
    if (dtls_) (void)dtls_->SendApplicationData(packet);
  };
  sctp_callbacks.on_connected = [this]() { sctp_connected_ = true; };
  sctp_callbacks.on_channel_opened = [this](const rtc::DataChannelInfo& channel) {
    channels_.push_back(channel);
    if (callbacks_.on_data_channel_open) callbacks_.on_data_channel_open(channel);
  };
  sctp_callbacks.on_message = [this](uint16_t channel, std::span<const uint8_t> bytes,
                                     bool binary) {
    if (callbacks_.on_data) callbacks_.on_data(channel, bytes, binary);
  };
  sctp_callbacks.on_channel_closed = [this](uint16_t channel) {
    channels_.erase(std::remove_if(channels_.begin(), channels_.end(),
                                   [&](const rtc::DataChannelInfo& c) { return c.id == channel; }),
                    channels_.end());
  };
  sctp_callbacks.on_closed = [this](const Status&) { sctp_connected_ = false; };
  auto sctp = rtc::SctpAssociation::Create(sctp_config, std::move(sctp_callbacks));
  if (!sctp.ok()) return sctp.status();
  sctp_ = std::move(*sctp);
  sctp_->Tick(now_ms_);
  return sctp_->Connect();
}

void WebRtcTransport::Tick(int64_t now_ms) {
  now_ms_ = now_ms;
  if (state_ == WebRtcTransportState::kClosed) return;
  if (now_ms - last_consent_check_ms_ >= kConsentCheckIntervalMs) {
    last_consent_check_ms_ = now_ms;
    if (auto change = ice_->Tick(now_ms); change == rtc::IceConnectionState::kDisconnected) {
      SetState(WebRtcTransportState::kFailed);
    }
  }
  if (dtls_) {
    if (auto next = dtls_->NextTimeoutMs(); next && *next <= now_ms) dtls_->OnTimer(now_ms);
  }
  if (sctp_) sctp_->Tick(now_ms);
}

Status WebRtcTransport::SendRtp(uint8_t* buffer, size_t length, size_t capacity) {
  if (!srtp_out_) return Status::Error("SRTP is not keyed yet");
  if (!selected_address()) {
    ++counters_.send_without_path;
    return Status::Error("no nominated path");
  }
  auto protected_length = srtp_out_->ProtectRtp(buffer, length, capacity);
  if (!protected_length.ok()) return protected_length.status();
  ++counters_.rtp_sent;
  counters_.bytes_sent += *protected_length;
  callbacks_.send_packet({buffer, *protected_length}, *selected_address());
  return Status::Ok();
}

Status WebRtcTransport::SendRtcp(uint8_t* buffer, size_t length, size_t capacity) {
  if (!srtp_out_) return Status::Error("SRTP is not keyed yet");
  if (!selected_address()) {
    ++counters_.send_without_path;
    return Status::Error("no nominated path");
  }
  const size_t needed = length + rtc::SrtpRtcpOverhead(srtp_out_->profile());
  uint8_t* target = buffer;
  if (capacity < needed) {
    scratch_.assign(buffer, buffer + length);
    scratch_.resize(needed);
    target = scratch_.data();
    capacity = scratch_.size();
  }
  auto protected_length = srtp_out_->ProtectRtcp(target, length, capacity);
  if (!protected_length.ok()) return protected_length.status();
  ++counters_.rtcp_sent;
  counters_.bytes_sent += *protected_length;
  callbacks_.send_packet({target, *protected_length}, *selected_address());
  return Status::Ok();
}

StatusOr<uint16_t> WebRtcTransport::OpenDataChannel(const rtc::DataChannelOptions& options) {
  if (!sctp_) return Status::Error("data channels are not negotiated or not connected");
  return sctp_->OpenChannel(options);
}

Status WebRtcTransport::SendData(uint16_t channel, std::span<const uint8_t> bytes, bool binary) {
  if (!sctp_) return Status::Error("data channels are not connected");
  return sctp_->Send(channel, bytes, binary);
}

std::optional<uint16_t> WebRtcTransport::FindDataChannel(const std::string& label) const {
  for (const rtc::DataChannelInfo& channel : channels_) {
    if (channel.label == label) return channel.id;
  }
  return std::nullopt;
}

Status WebRtcTransport::RestartIce(const std::string& local_ufrag, const std::string& local_pwd) {
  AURALINK_RETURN_IF_ERROR(ice_->RestartWithLocalCredentials(local_ufrag, local_pwd));
  config_.local_ufrag = local_ufrag;
  config_.local_pwd = local_pwd;
  return Status::Ok();
}

void WebRtcTransport::SetPacketSender(
    std::function<void(std::span<const uint8_t>, const net::SocketAddress&)> send_packet) {
  if (send_packet) callbacks_.send_packet = std::move(send_packet);
}

void WebRtcTransport::Close() {
  if (state_ == WebRtcTransportState::kClosed) return;
  if (sctp_) sctp_->Abort();
  if (dtls_) dtls_->Close();
  SetState(WebRtcTransportState::kClosed);
}

void WebRtcTransport::SetState(WebRtcTransportState state) {
  if (state_ == state) return;
  state_ = state;
  if (callbacks_.on_state_change) callbacks_.on_state_change(state);
}

void WebRtcTransport::SendToPeer(std::span<const uint8_t> bytes) {
  // DTLS may start on a validated pair before the browser nominates one: answer where it came from.
  const std::optional<net::SocketAddress>& to =
      selected_address() ? selected_address() : dtls_source_;
  if (!to) {
    ++counters_.send_without_path;
    return;
  }
  counters_.bytes_sent += bytes.size();
  callbacks_.send_packet(bytes, *to);
}

}  // namespace auralink::sfu
