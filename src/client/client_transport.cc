#include "client/client_transport.h"

#include <random>

#include "common/log.h"
#include "rtc/ice/stun_packet.h"
#include "rtc/packet_demux.h"

namespace auralink::client {
namespace {

constexpr int64_t kHandshakeTickMs = 20;
constexpr int64_t kConnectedTickMs = 250;
// RFC 8445 §5.1.2.1 priority of a host candidate (type preference 126, local 65535, component 1).
constexpr uint32_t kHostPriority = (126u << 24) | (65535u << 8) | 255u;

std::string RandomIceChars(std::mt19937_64& random, size_t length) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text(length, 'a');
  for (char& c : text) c = kChars[random() % 64];
  return text;
}

std::mt19937_64& Random() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return random;
}

}  // namespace

const char* ClientTransportStateName(ClientTransportState state) {
  switch (state) {
    case ClientTransportState::kNew:
      return "new";
    case ClientTransportState::kChecking:
      return "checking";
    case ClientTransportState::kDtls:
      return "dtls";
    case ClientTransportState::kConnected:
      return "connected";
    case ClientTransportState::kFailed:
      return "failed";
    case ClientTransportState::kClosed:
      return "closed";
  }
  return "unknown";
}

StatusOr<std::unique_ptr<ClientTransport>> ClientTransport::Create(
    ClientTransportConfig config, ClientTransportCallbacks callbacks) {
  if (!config.certificate) return Status::Error("client transport: no DTLS certificate");
  if (config.local_ufrag.empty()) config.local_ufrag = RandomIceChars(Random(), 8);
  if (config.local_pwd.empty()) config.local_pwd = RandomIceChars(Random(), 24);
  // RFC 8839 §5.4: ufrag 4-256, pwd 22-256 ice-chars.
  if (config.local_ufrag.size() < 4 || config.local_pwd.size() < 22)
    return Status::Error("client transport: ICE ufrag needs 4+ and pwd 22+ characters");
  std::unique_ptr<ClientTransport> transport(
      new ClientTransport(std::move(config), std::move(callbacks)));
  return transport;
}

StatusOr<std::unique_ptr<ClientTransport>> ClientTransport::CreateOnLoop(
    net::EventLoop* loop, const std::string& bind_ip, ClientTransportConfig config,
    ClientTransportCallbacks callbacks) {
  if (loop == nullptr) return Status::Error("client transport: no event loop");
  auto local = net::SocketAddress::FromIp(bind_ip, 0);
  if (!local) return Status::Error("client transport: bad bind address " + bind_ip);
  net::UdpSocketOptions options;
  // Many clients share a machine: modest kernel buffers, small batches.
  options.receive_buffer_bytes = 1 << 20;
  options.send_buffer_bytes = 256 << 10;
  options.receive_batch = 16;
  // The one-way delay through the server is measured to the kernel's arrival time, not to when
  // this process, busy with its other clients, got round to the datagram.
  options.receive_timestamps = config.decrypt_rtp;
  auto socket = net::UdpSocket::Bind(*local, options);
  if (!socket.ok()) return socket.status().WithContext("client transport");
  callbacks.send_datagram = nullptr;  // replaced by the socket below
  auto created = Create(std::move(config), std::move(callbacks));
  if (!created.ok()) return created.status();
  std::unique_ptr<ClientTransport> transport = std::move(*created);
  ClientTransport* raw = transport.get();
  transport->loop_ = loop;
  transport->socket_ = std::move(*socket);
  transport->callbacks_.send_datagram = [raw](std::span<const uint8_t> bytes) {
    if (raw->remote_address_) raw->socket_->SendTo(bytes, *raw->remote_address_);
  };
  Status receiving = transport->socket_->StartReceiving(
      loop, [raw](std::span<const uint8_t> data, const net::SocketAddress& from) {
        // The span points into the socket's own (mutable) receive buffers; SRTP decrypts there.
        raw->HandleDatagram(const_cast<uint8_t*>(data.data()), data.size(), &from,
                            net::EventLoop::NowMs(), raw->socket_->last_receive_time_us());
      });
  if (!receiving.ok()) return receiving.WithContext("client transport");
  transport->ScheduleTick();
  return transport;
}

ClientTransport::ClientTransport(ClientTransportConfig config, ClientTransportCallbacks callbacks)
    : config_(std::move(config)), callbacks_(std::move(callbacks)), local_key_(config_.local_pwd) {
  tie_breaker_ = Random()();
}

ClientTransport::~ClientTransport() {
  if (loop_ != nullptr && tick_timer_ != 0) loop_->Cancel(tick_timer_);
  if (socket_) socket_->StopReceiving();
}

std::optional<net::SocketAddress> ClientTransport::local_address() const {
  if (!socket_) return std::nullopt;
  return socket_->local_address();
}

void ClientTransport::SetRemoteAddress(const net::SocketAddress& address) {
  remote_address_ = address;
}

void ClientTransport::ScheduleTick() {
  if (loop_ == nullptr) return;
  const int64_t delay =
      state_ == ClientTransportState::kConnected ? kConnectedTickMs : kHandshakeTickMs;
  tick_timer_ = loop_->RunAfter(delay, [this]() {
    tick_timer_ = 0;
    Tick(net::EventLoop::NowMs());
    if (state_ != ClientTransportState::kClosed && state_ != ClientTransportState::kFailed)
      ScheduleTick();
  });
}

Status ClientTransport::SetRemoteParameters(const std::string& ice_ufrag,
                                            const std::string& ice_pwd,
                                            const rtc::DtlsFingerprint& fingerprint,
                                            int64_t now_ms) {
  if (ice_ufrag.empty() || ice_pwd.empty())
    return Status::Error("client transport: remote ICE credentials missing");
  if (remote_fingerprint_) {
    if (!(fingerprint == *remote_fingerprint_))
      return Status::Error("client transport: a new remote certificate is unsupported");
    if (ice_ufrag == remote_ufrag_ && ice_pwd == remote_key_.password()) return Status::Ok();
    remote_ufrag_ = ice_ufrag;
    remote_key_ = rtc::StunIntegrityKey(ice_pwd);
    SendCheck(now_ms);
    return Status::Ok();
  }
  remote_ufrag_ = ice_ufrag;
  remote_key_ = rtc::StunIntegrityKey(ice_pwd);
  remote_fingerprint_ = fingerprint;
  SetState(ClientTransportState::kChecking);
  next_check_ms_ = now_ms;
  last_response_ms_ = now_ms;
  SendCheck(now_ms);
  return Status::Ok();
}

void ClientTransport::RestartIce() {
  config_.local_ufrag = RandomIceChars(Random(), 8);
  config_.local_pwd = RandomIceChars(Random(), 24);
  local_key_ = rtc::StunIntegrityKey(config_.local_pwd);
}

Status ClientTransport::DivertTo(const std::string& sink_ip) {
  if (loop_ == nullptr || !remote_address_) return Status::Error("client transport: no socket");
  if (!connected()) return Status::Error("client transport: divert needs a connected transport");
  auto local = net::SocketAddress::FromIp(sink_ip, 0);
  if (!local) return Status::Error("client transport: bad sink address " + sink_ip);
  net::UdpSocketOptions options;
  options.transparent = true;
  options.receive_buffer_bytes = 64 << 10;
  options.send_buffer_bytes = 256 << 10;
  auto socket = net::UdpSocket::Bind(*local, options);
  if (!socket.ok()) return socket.status().WithContext("client transport: sink socket");
  sink_socket_ = std::move(*socket);
  callbacks_.send_datagram = [this](std::span<const uint8_t> bytes) {
    sink_socket_->SendTo(bytes, *remote_address_);
  };
  // A nominating check from the new address moves the server's selected pair (RFC 8445 §8.1.1).
  SendCheck(net::EventLoop::NowMs());
  return Status::Ok();
}

int64_t ClientTransport::ConsentDelayMs() {
  // RFC 7675 §5.1: uniformly between 0.8 and 1.2 times the interval, so that connections set up
  // (or moved) together do not all check at once.
  const int64_t interval = config_.consent_interval_ms;
  return std::uniform_int_distribution<int64_t>(interval * 4 / 5, interval * 6 / 5)(Random());
}

void ClientTransport::SendCheck(int64_t now_ms) {
  if (!callbacks_.send_datagram) return;
  rtc::StunTransactionId transaction_id;
  std::mt19937_64& random = Random();
  for (auto& byte : transaction_id) byte = static_cast<uint8_t>(random());
  rtc::StunMessageBuilder builder(rtc::StunClass::kRequest, rtc::kStunMethodBinding,
                                  transaction_id);
  // RFC 8445 §7.2.2: USERNAME is "remote ufrag:local ufrag", keyed with the remote password.
  builder.AddUsername(remote_ufrag_ + ":" + config_.local_ufrag);
  builder.AddPriority(kHostPriority);
  if (config_.ice_controlling) {
    builder.AddIceControlling(tie_breaker_);
    // Aggressive nomination: every check nominates; the server has one candidate.
    builder.AddUseCandidate();
  } else {
    builder.AddIceControlled(tie_breaker_);
  }
  const std::vector<uint8_t> bytes = builder.Finish(remote_key_);
  ++counters_.checks_sent;
  Send(bytes);
  next_check_ms_ = now_ms + (ice_connected_ ? ConsentDelayMs() : config_.check_interval_ms);
}

void ClientTransport::HandleDatagram(uint8_t* data, size_t size, const net::SocketAddress* from,
                                     int64_t now_ms, int64_t arrival_us) {
  if (size == 0 || state_ == ClientTransportState::kClosed) return;
  const uint8_t first = data[0];
  if (rtc::IsStunFirstByte(first)) {
    HandleStun({data, size}, from, now_ms);
    return;
  }
  if (rtc::IsDtlsFirstByte(first)) {
    if (dtls_) {
      dtls_->HandleDatagram({data, size}, now_ms);
    } else {
      ++counters_.dropped;
    }
    return;
  }
  if (!rtc::IsRtpOrRtcpFirstByte(first) || !srtp_in_) {
    ++counters_.dropped;
    return;
  }
  const int64_t now_us = arrival_us != 0 ? arrival_us : net::EventLoop::NowUs();
  if (rtc::IsRtcpPacket(data, size)) {
    auto plain = srtp_in_->UnprotectRtcp(data, size);
    if (!plain.ok()) {
      ++counters_.srtp_failures;
      return;
    }
    ++counters_.rtcp_received;
    if (callbacks_.on_rtcp) callbacks_.on_rtcp(data, *plain, now_us);
    return;
  }
  ++counters_.rtp_received;
  if (!config_.decrypt_rtp) {
    if (callbacks_.on_rtp) callbacks_.on_rtp(data, size, false, now_us);
    return;
  }
  auto plain = srtp_in_->UnprotectRtp(data, size);
  if (!plain.ok()) {
    ++counters_.srtp_failures;
    return;
  }
  if (callbacks_.on_rtp) callbacks_.on_rtp(data, *plain, true, now_us);
}

void ClientTransport::HandleStun(std::span<const uint8_t> bytes, const net::SocketAddress* from,
                                 int64_t now_ms) {
  auto packet = rtc::StunPacket::Parse(bytes);
  if (!packet.ok() || packet->method() != rtc::kStunMethodBinding) {
    ++counters_.dropped;
    return;
  }
  if (packet->message_class() == rtc::StunClass::kRequest) {
    // A full-ICE peer (Janus) checks us too (RFC 8445 §7.3): answer with our password.
    if (from == nullptr || !packet->VerifyMessageIntegrity(local_key_)) {
      ++counters_.dropped;
      return;
    }
    ++counters_.checks_answered;
    Send(rtc::BuildStunBindingSuccessResponse(packet->transaction_id(), *from, local_key_));
    return;
  }
  if (packet->message_class() != rtc::StunClass::kSuccessResponse ||
      !packet->VerifyMessageIntegrity(remote_key_)) {
    ++counters_.dropped;
    return;
  }
  ++counters_.check_responses;
  last_response_ms_ = now_ms;
  if (!ice_connected_) {
    ice_connected_ = true;
    next_check_ms_ = now_ms + ConsentDelayMs();
    StartDtls(now_ms);
  }
}

void ClientTransport::StartDtls(int64_t now_ms) {
  rtc::DtlsTransportCallbacks callbacks;
  callbacks.send_datagram = [this](std::span<const uint8_t> bytes) { Send(bytes); };
  callbacks.on_application_data = [](std::span<const uint8_t>) {};  // no data channels
  callbacks.on_state_change = [this](rtc::DtlsState state) { OnDtlsState(state); };
  auto dtls = rtc::DtlsTransport::Create(config_.certificate, rtc::DtlsRole::kClient,
                                         *remote_fingerprint_, std::move(callbacks));
  if (!dtls.ok()) {
    Fail(dtls.status().message());
    return;
  }
  dtls_ = std::move(*dtls);
  SetState(ClientTransportState::kDtls);
  Status started = dtls_->Start(now_ms);
  if (!started.ok()) Fail(started.message());
}

void ClientTransport::OnDtlsState(rtc::DtlsState state) {
  if (state == rtc::DtlsState::kFailed) {
    Fail("DTLS failed: " + dtls_->failure_reason());
    return;
  }
  if (state == rtc::DtlsState::kClosed) {
    SetState(ClientTransportState::kClosed);
    return;
  }
  if (state != rtc::DtlsState::kConnected) return;
  const auto& keys = dtls_->srtp_keys();
  if (!keys) {
    Fail("DTLS finished without SRTP keys");
    return;
  }
  auto in =
      rtc::SrtpSession::Create(keys->profile, keys->remote_key_salt, rtc::SrtpDirection::kInbound);
  auto out =
      rtc::SrtpSession::Create(keys->profile, keys->local_key_salt, rtc::SrtpDirection::kOutbound);
  if (!in.ok() || !out.ok()) {
    Fail("SRTP: " + (!in.ok() ? in.status().message() : out.status().message()));
    return;
  }
  srtp_in_ = std::move(*in);
  srtp_out_ = std::move(*out);
  SetState(ClientTransportState::kConnected);
}

void ClientTransport::Tick(int64_t now_ms) {
  if (state_ == ClientTransportState::kNew || state_ == ClientTransportState::kClosed ||
      state_ == ClientTransportState::kFailed)
    return;
  if (now_ms >= next_check_ms_) SendCheck(now_ms);
  if (ice_connected_ && !diverted() && now_ms - last_response_ms_ > config_.consent_timeout_ms) {
    Fail("consent expired: no Binding response for " + std::to_string(now_ms - last_response_ms_) +
         " ms");
    return;
  }
  if (dtls_) {
    if (auto next = dtls_->NextTimeoutMs(); next && *next <= now_ms) dtls_->OnTimer(now_ms);
  }
}

Status ClientTransport::SendRtp(uint8_t* buffer, size_t length, size_t capacity) {
  if (!srtp_out_) return Status::Error("client transport: SRTP is not keyed yet");
  auto protected_length = srtp_out_->ProtectRtp(buffer, length, capacity);
  if (!protected_length.ok()) return protected_length.status();
  ++counters_.rtp_sent;
  Send({buffer, *protected_length});
  return Status::Ok();
}

Status ClientTransport::SendRtcp(uint8_t* buffer, size_t length, size_t capacity) {
  if (!srtp_out_) return Status::Error("client transport: SRTP is not keyed yet");
  const size_t needed = length + rtc::SrtpRtcpOverhead(srtp_out_->profile());
  uint8_t* target = buffer;
  if (capacity < needed) {
    rtcp_scratch_.assign(buffer, buffer + length);
    rtcp_scratch_.resize(needed);
    target = rtcp_scratch_.data();
    capacity = rtcp_scratch_.size();
  }
  auto protected_length = srtp_out_->ProtectRtcp(target, length, capacity);
  if (!protected_length.ok()) return protected_length.status();
  ++counters_.rtcp_sent;
  Send({target, *protected_length});
  return Status::Ok();
}

void ClientTransport::Close() {
  if (state_ == ClientTransportState::kClosed) return;
  if (dtls_ && dtls_->state() == rtc::DtlsState::kConnected) dtls_->Close();
  SetState(ClientTransportState::kClosed);
  if (loop_ != nullptr && tick_timer_ != 0) {
    loop_->Cancel(tick_timer_);
    tick_timer_ = 0;
  }
}

void ClientTransport::Send(std::span<const uint8_t> bytes) {
  counters_.bytes_sent += bytes.size();
  if (callbacks_.send_datagram) callbacks_.send_datagram(bytes);
}

void ClientTransport::Fail(std::string reason) {
  if (state_ == ClientTransportState::kFailed) return;
  failure_reason_ = std::move(reason);
  AURALINK_LOG(kInfo) << "client transport " << config_.local_ufrag << ": " << failure_reason_;
  SetState(ClientTransportState::kFailed);
}

void ClientTransport::SetState(ClientTransportState state) {
  if (state_ == state) return;
  state_ = state;
  if (callbacks_.on_state_change) callbacks_.on_state_change(state);
}

}  // namespace auralink::client
