#include "sfu/webrtc_transport.h"

#include <gtest/gtest.h>

#include <cstring>

#include "rtc/ice/stun_packet.h"
#include "rtc/sctp/sctp_association.h"
#include "sfu/webrtc_transport_test_fixture.h"

namespace auralink::sfu {
namespace {

using test::WebRtcTransportTest;

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
  Connect();
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
