#include "sfu/webrtc_transport.h"

#include <gtest/gtest.h>

#include <cstring>

#include "rtc/ice/stun_packet.h"
#include "rtc/sctp/sctp_association.h"

namespace auralink::sfu {
namespace {

// A browser-like peer made of the same parts: ICE controlling (it sends the checks), DTLS client,
// SRTP both ways. Packets between the two are passed by hand.
struct Peer {
  std::shared_ptr<const rtc::DtlsCertificate> certificate;
  std::unique_ptr<rtc::DtlsTransport> dtls;
  std::unique_ptr<rtc::SrtpSession> srtp_out;
  std::unique_ptr<rtc::SrtpSession> srtp_in;
  std::vector<std::vector<uint8_t>> to_server;
  std::vector<std::vector<uint8_t>> received_rtp;
  // Data channels, when a test brings them up: SCTP packets wait here for DTLS.
  std::unique_ptr<rtc::SctpAssociation> sctp;
  std::vector<std::vector<uint8_t>> sctp_out;
};

class WebRtcTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto peer_certificate = rtc::DtlsCertificate::Create();
    ASSERT_TRUE(peer_certificate.ok());
    peer_.certificate = *peer_certificate;
    browser_address_ = *net::SocketAddress::FromIp("127.0.0.1", 40000);
    CreateServer(/*data_channels=*/false);
  }

  void CreateServer(bool data_channels) {
    auto server_certificate = rtc::DtlsCertificate::Create();
    ASSERT_TRUE(server_certificate.ok());
    WebRtcTransportConfig config;
    config.certificate = *server_certificate;
    config.local_ufrag = "srvU";
    config.local_pwd = "serverpassword0123456789";
    config.data_channels = data_channels;
    WebRtcTransportCallbacks callbacks;
    callbacks.send_packet = [this](std::span<const uint8_t> bytes, const net::SocketAddress& to) {
      EXPECT_TRUE(to == browser_address_);
      to_peer_.emplace_back(bytes.begin(), bytes.end());
    };
    callbacks.on_rtp = [this](uint8_t* data, size_t size, int64_t) {
      server_rtp_.emplace_back(data, data + size);
    };
    callbacks.on_rtcp = [this](uint8_t* data, size_t size, int64_t) {
      server_rtcp_.emplace_back(data, data + size);
    };
    callbacks.on_state_change = [this](WebRtcTransportState state) { states_.push_back(state); };
    callbacks.on_data = [this](uint16_t, std::span<const uint8_t> bytes, bool) {
      server_data_.emplace_back(bytes.begin(), bytes.end());
    };
    auto transport = WebRtcTransport::Create(config, callbacks);
    ASSERT_TRUE(transport.ok()) << transport.status().message();
    server_ = std::move(*transport);
    server_fingerprint_ = (*server_certificate)->fingerprint();
  }

  // A check with the first credentials, or with those of an ICE restart.
  void SendCheck(bool nominate, std::string username = "srvU:brwU",
                 std::string password = "serverpassword0123456789") {
    rtc::StunBindingRequest request;
    request.transaction_id[0] = static_cast<uint8_t>(++checks_);
    request.username = std::move(username);
    request.password = std::move(password);
    request.priority = 12345;
    request.ice_controlling_tie_breaker = 42;
    request.use_candidate = nominate;
    std::vector<uint8_t> bytes = rtc::BuildStunBindingRequest(request);
    server_->HandlePacket(bytes.data(), bytes.size(), browser_address_, now_ms_);
  }

  // Moves packets both ways until nothing is in flight.
  void Pump() {
    for (int round = 0; round < 50; ++round) {
      bool moved = false;
      auto from_server = std::move(to_peer_);
      to_peer_.clear();
      for (auto& datagram : from_server) {
        moved = true;
        if (rtc::IsDtlsPacket(datagram)) {
          peer_.dtls->HandleDatagram(datagram, now_ms_);
        } else if (!datagram.empty() && datagram[0] >= 128 && peer_.srtp_in) {
          auto plain = peer_.srtp_in->UnprotectRtp(datagram.data(), datagram.size());
          if (plain.ok())
            peer_.received_rtp.emplace_back(datagram.begin(), datagram.begin() + *plain);
        }
      }
      auto sctp_out = std::move(peer_.sctp_out);
      peer_.sctp_out.clear();
      for (auto& packet : sctp_out) {
        moved = true;
        ASSERT_TRUE(peer_.dtls->SendApplicationData(packet).ok());
      }
      auto from_peer = std::move(peer_.to_server);
      peer_.to_server.clear();
      for (auto& datagram : from_peer) {
        moved = true;
        server_->HandlePacket(datagram.data(), datagram.size(), browser_address_, now_ms_);
      }
      if (!moved) return;
    }
  }

  // The browser's SRTP sessions from the keys its DTLS handshake exported.
  void KeyPeerSrtp() {
    const auto& keys = *peer_.dtls->srtp_keys();
    peer_.srtp_out =
        rtc::SrtpSession::Create(keys.profile, keys.local_key_salt, rtc::SrtpDirection::kOutbound)
            .value();
    peer_.srtp_in =
        rtc::SrtpSession::Create(keys.profile, keys.remote_key_salt, rtc::SrtpDirection::kInbound)
            .value();
  }

  void ConnectDtls() {
    rtc::DtlsTransportCallbacks callbacks;
    callbacks.send_datagram = [this](std::span<const uint8_t> bytes) {
      peer_.to_server.emplace_back(bytes.begin(), bytes.end());
    };
    callbacks.on_application_data = [this](std::span<const uint8_t> bytes) {
      if (peer_.sctp) peer_.sctp->HandlePacket(bytes);
    };
    callbacks.on_state_change = [](rtc::DtlsState) {};
    auto dtls = rtc::DtlsTransport::Create(peer_.certificate, rtc::DtlsRole::kClient,
                                           server_fingerprint_, callbacks);
    ASSERT_TRUE(dtls.ok()) << dtls.status().message();
    peer_.dtls = std::move(*dtls);
    ASSERT_TRUE(peer_.dtls->Start(now_ms_).ok());
  }

  std::vector<uint8_t> RtpPacket(uint16_t seq, size_t payload) {
    std::vector<uint8_t> packet(12 + payload + 64, 0);
    packet[0] = 0x80;
    packet[1] = 96;
    packet[2] = static_cast<uint8_t>(seq >> 8);
    packet[3] = static_cast<uint8_t>(seq);
    packet[11] = 7;  // SSRC 7
    for (size_t i = 0; i < payload; ++i) packet[12 + i] = static_cast<uint8_t>(i);
    return packet;
  }

  int64_t now_ms_ = 1000;
  int checks_ = 0;
  net::SocketAddress browser_address_;
  std::unique_ptr<WebRtcTransport> server_;
  rtc::DtlsFingerprint server_fingerprint_;
  Peer peer_;
  std::vector<std::vector<uint8_t>> to_peer_;
  std::vector<std::vector<uint8_t>> server_rtp_;
  std::vector<std::vector<uint8_t>> server_rtcp_;
  std::vector<WebRtcTransportState> states_;
  std::vector<std::vector<uint8_t>> server_data_;
};

TEST_F(WebRtcTransportTest, IceDtlsSrtpEndToEnd) {
  SendCheck(/*nominate=*/true);
  ASSERT_EQ(to_peer_.size(), 1u);  // the Binding success response
  auto response = rtc::StunPacket::Parse(to_peer_[0]);
  ASSERT_TRUE(response.ok());
  EXPECT_TRUE(response->VerifyMessageIntegrity("serverpassword0123456789"));
  to_peer_.clear();
  ASSERT_TRUE(server_->selected_address().has_value());

  // The browser starts DTLS before its description reached us: the hello is held, then replayed.
  ConnectDtls();
  Pump();
  EXPECT_EQ(server_->state(), WebRtcTransportState::kNew);
  ASSERT_TRUE(server_
                  ->SetRemoteParameters("brwU", "browserpassword0123456789",
                                        peer_.certificate->fingerprint(), now_ms_)
                  .ok());
  Pump();
  ASSERT_EQ(server_->state(), WebRtcTransportState::kConnected);
  ASSERT_EQ(peer_.dtls->state(), rtc::DtlsState::kConnected);

  KeyPeerSrtp();

  // Browser -> server RTP arrives decrypted.
  std::vector<uint8_t> packet = RtpPacket(100, 500);
  auto length = peer_.srtp_out->ProtectRtp(packet.data(), 12 + 500, packet.size());
  ASSERT_TRUE(length.ok());
  server_->HandlePacket(packet.data(), *length, browser_address_, now_ms_);
  ASSERT_EQ(server_rtp_.size(), 1u);
  EXPECT_EQ(server_rtp_[0].size(), 512u);
  EXPECT_EQ(server_rtp_[0][12 + 17], 17);

  // Server -> browser RTP is protected on the way out.
  std::vector<uint8_t> out = RtpPacket(5, 300);
  ASSERT_TRUE(server_->SendRtp(out.data(), 12 + 300, out.size()).ok());
  Pump();
  ASSERT_EQ(peer_.received_rtp.size(), 1u);
  EXPECT_EQ(peer_.received_rtp[0].size(), 312u);
  EXPECT_EQ(server_->counters().rtp_sent, 1u);
}

// RFC 8445 §9: an ICE restart does not restart DTLS. Media protected with the keys of the first
// handshake keeps flowing both ways while the peer still uses the old ICE credentials and after
// it switched, and no DTLS record is exchanged again.
TEST_F(WebRtcTransportTest, IceRestartKeepsDtlsAndSrtp) {
  SendCheck(/*nominate=*/true);
  ConnectDtls();
  ASSERT_TRUE(server_
                  ->SetRemoteParameters("brwU", "browserpassword0123456789",
                                        peer_.certificate->fingerprint(), now_ms_)
                  .ok());
  Pump();
  ASSERT_EQ(server_->state(), WebRtcTransportState::kConnected);
  KeyPeerSrtp();
  const uint64_t dtls_records = server_->counters().dtls_packets;
  uint16_t sequence = 1;
  auto exchange = [&]() {
    std::vector<uint8_t> in = RtpPacket(sequence, 200);
    auto length = peer_.srtp_out->ProtectRtp(in.data(), 12 + 200, in.size());
    ASSERT_TRUE(length.ok());
    server_->HandlePacket(in.data(), *length, browser_address_, now_ms_);
    std::vector<uint8_t> out = RtpPacket(sequence, 100);
    ASSERT_TRUE(server_->SendRtp(out.data(), 12 + 100, out.size()).ok());
    Pump();
    ++sequence;
  };
  exchange();

  ASSERT_TRUE(server_->RestartIce("srvV", "restartedserverpassword1").ok());
  EXPECT_EQ(server_->local_ufrag(), "srvV");
  EXPECT_EQ(server_->previous_local_ufrag(), "srvU");
  SendCheck(/*nominate=*/true);  // the old credentials, still answered
  ASSERT_EQ(to_peer_.size(), 1u);
  auto old_response = rtc::StunPacket::Parse(to_peer_[0]);
  ASSERT_TRUE(old_response.ok());
  EXPECT_EQ(old_response->message_class(), rtc::StunClass::kSuccessResponse);
  to_peer_.clear();
  exchange();

  SendCheck(/*nominate=*/true, "srvV:brwV", "restartedserverpassword1");
  EXPECT_TRUE(server_->previous_local_ufrag().empty());
  to_peer_.clear();
  exchange();

  EXPECT_EQ(server_rtp_.size(), 3u);
  EXPECT_EQ(peer_.received_rtp.size(), 3u);
  EXPECT_EQ(server_->counters().srtp_failures, 0u);
  EXPECT_EQ(server_->counters().dtls_packets, dtls_records);
  EXPECT_EQ(server_->state(), WebRtcTransportState::kConnected);
}

TEST_F(WebRtcTransportTest, MediaFromUnvalidatedAddressIsDropped) {
  std::vector<uint8_t> packet = RtpPacket(1, 100);
  server_->HandlePacket(packet.data(), 112, browser_address_, now_ms_);
  EXPECT_EQ(server_->counters().unauthorized_source, 1u);
  EXPECT_TRUE(server_rtp_.empty());
}

TEST_F(WebRtcTransportTest, GarbageIsCountedNotFatal) {
  SendCheck(true);
  to_peer_.clear();
  std::vector<uint8_t> junk = {0x50, 0x01, 0x02};  // 64..127: TURN channels, unused here
  server_->HandlePacket(junk.data(), junk.size(), browser_address_, now_ms_);
  std::vector<uint8_t> early_rtp = RtpPacket(2, 50);
  server_->HandlePacket(early_rtp.data(), 62, browser_address_, now_ms_);
  std::vector<uint8_t> bad_stun = {0x00, 0x01, 0x00, 0x00};
  server_->HandlePacket(bad_stun.data(), bad_stun.size(), browser_address_, now_ms_);
  EXPECT_EQ(server_->counters().unknown_packets, 1u);
  EXPECT_EQ(server_->counters().before_keys, 1u);
  EXPECT_TRUE(server_rtp_.empty());
}

TEST_F(WebRtcTransportTest, ConsentExpiryFailsTheTransport) {
  WebRtcTransportConfig config;
  auto certificate = rtc::DtlsCertificate::Create();
  config.certificate = *certificate;
  config.local_ufrag = "srvU";
  config.local_pwd = "serverpassword0123456789";
  config.consent_timeout_ms = 500;
  std::vector<WebRtcTransportState> states;
  WebRtcTransportCallbacks callbacks;
  callbacks.send_packet = [](std::span<const uint8_t>, const net::SocketAddress&) {};
  callbacks.on_state_change = [&](WebRtcTransportState state) { states.push_back(state); };
  auto created = WebRtcTransport::Create(config, callbacks);
  ASSERT_TRUE(created.ok());
  server_ = std::move(*created);
  SendCheck(true);
  server_->Tick(now_ms_ + 100);
  EXPECT_TRUE(states.empty());
  server_->Tick(now_ms_ + 1000);
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.back(), WebRtcTransportState::kFailed);
}

}  // namespace
}  // namespace auralink::sfu

namespace auralink::sfu {
namespace {

// livekit-client adds its data channels to a publisher connection only on its first publishData,
// so the offer with the m=application section renegotiates a connection whose DTLS is already up:
// SCTP starts over that association then.
TEST_F(WebRtcTransportTest, DataChannelSectionAddedByRenegotiationStartsSctp) {
  CreateServer(/*data_channels=*/true);
  SendCheck(/*nominate=*/true);
  ConnectDtls();
  ASSERT_TRUE(server_
                  ->SetRemoteParameters("brwU", "browserpassword0123456789",
                                        peer_.certificate->fingerprint(), now_ms_, 5000, 65536,
                                        /*remote_data_channel=*/false)
                  .ok());
  Pump();
  ASSERT_EQ(server_->state(), WebRtcTransportState::kConnected);
  EXPECT_FALSE(server_->data_channels_ready());

  // The next offer has the data channel section.
  ASSERT_TRUE(server_
                  ->SetRemoteParameters("brwU", "browserpassword0123456789",
                                        peer_.certificate->fingerprint(), now_ms_, 5000, 65536,
                                        /*remote_data_channel=*/true)
                  .ok());
  rtc::SctpAssociationConfig config;
  config.is_dtls_client = true;
  rtc::SctpAssociation::Callbacks callbacks;
  callbacks.on_packet = [this](std::span<const uint8_t> packet) {
    peer_.sctp_out.emplace_back(packet.begin(), packet.end());
  };
  bool peer_connected = false;
  callbacks.on_connected = [&] { peer_connected = true; };
  auto sctp = rtc::SctpAssociation::Create(config, callbacks);
  ASSERT_TRUE(sctp.ok()) << sctp.status().message();
  peer_.sctp = std::move(*sctp);
  ASSERT_TRUE(peer_.sctp->Connect().ok());
  const auto run_until = [&](const std::function<bool()>& done) {
    for (int step = 0; step < 3000 && !done(); ++step) {
      Pump();
      now_ms_ += 10;
      server_->Tick(now_ms_);
      peer_.sctp->Tick(now_ms_);
    }
    return done();
  };
  ASSERT_TRUE(run_until([&] { return peer_connected && server_->data_channels_ready(); }));

  rtc::DataChannelOptions reliable;
  reliable.label = "_reliable";
  auto channel = peer_.sctp->OpenChannel(reliable);
  ASSERT_TRUE(channel.ok()) << channel.status().message();
  ASSERT_TRUE(run_until([&] { return server_->FindDataChannel("_reliable").has_value(); }));
  const std::string hello = "hello over the renegotiated section";
  ASSERT_TRUE(peer_.sctp
                  ->Send(*channel,
                         std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(hello.data()),
                                                  hello.size()),
                         /*binary=*/true)
                  .ok());
  ASSERT_TRUE(run_until([&] { return !server_data_.empty(); }));
  EXPECT_EQ(std::string(server_data_[0].begin(), server_data_[0].end()), hello);
}

}  // namespace
}  // namespace auralink::sfu
