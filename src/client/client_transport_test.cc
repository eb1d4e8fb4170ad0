#include "client/client_transport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "rtc/ice/stun_packet.h"
#include "rtc/rtcp/receiver_report.h"
#include "sfu/webrtc_transport.h"

namespace auralink::client {
namespace {

// Our client against the SFU's own transport, packets passed by hand: ICE checks, the DTLS
// handshake with the client role, then SRTP and SRTCP both ways.
class ClientTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server_certificate = rtc::DtlsCertificate::Create();
    ASSERT_TRUE(server_certificate.ok());
    server_fingerprint_ = (*server_certificate)->fingerprint();
    client_address_ = *net::SocketAddress::FromIp("127.0.0.1", 40000);

    sfu::WebRtcTransportConfig server_config;
    server_config.certificate = *server_certificate;
    server_config.local_ufrag = "srvU";
    server_config.local_pwd = "serverpassword0123456789";
    sfu::WebRtcTransportCallbacks server_callbacks;
    server_callbacks.send_packet = [this](std::span<const uint8_t> bytes,
                                          const net::SocketAddress& to) {
      EXPECT_TRUE(to == client_address_);
      to_client_.emplace_back(bytes.begin(), bytes.end());
    };
    server_callbacks.on_rtp = [this](uint8_t* data, size_t size, int64_t) {
      server_rtp_.emplace_back(data, data + size);
    };
    server_callbacks.on_rtcp = [this](uint8_t* data, size_t size, int64_t) {
      server_rtcp_.emplace_back(data, data + size);
    };
    auto server = sfu::WebRtcTransport::Create(server_config, server_callbacks);
    ASSERT_TRUE(server.ok());
    server_ = std::move(*server);

    auto client_certificate = rtc::DtlsCertificate::Create();
    ASSERT_TRUE(client_certificate.ok());
    ClientTransportConfig config;
    config.certificate = *client_certificate;
    config.decrypt_rtp = decrypt_;
    ClientTransportCallbacks callbacks;
    callbacks.send_datagram = [this](std::span<const uint8_t> bytes) {
      to_server_.emplace_back(bytes.begin(), bytes.end());
    };
    callbacks.on_rtp = [this](uint8_t* data, size_t size, bool decrypted, int64_t) {
      client_rtp_.emplace_back(data, data + size);
      client_rtp_decrypted_ = decrypted;
    };
    callbacks.on_rtcp = [this](uint8_t* data, size_t size, int64_t) {
      client_rtcp_.emplace_back(data, data + size);
    };
    callbacks.on_state_change = [this](ClientTransportState state) { states_.push_back(state); };
    auto client = ClientTransport::Create(config, callbacks);
    ASSERT_TRUE(client.ok()) << client.status().message();
    client_ = std::move(*client);
  }

  // The offer/answer exchange, as signalling would carry it.
  void ExchangeParameters() {
    ASSERT_TRUE(server_
                    ->SetRemoteParameters(client_->local_ufrag(), client_->local_pwd(),
                                          client_->local_fingerprint(), now_ms_)
                    .ok());
    ASSERT_TRUE(
        client_
            ->SetRemoteParameters("srvU", "serverpassword0123456789", server_fingerprint_, now_ms_)
            .ok());
  }

  void Pump() {
    for (int round = 0; round < 50; ++round) {
      bool moved = false;
      auto to_server = std::move(to_server_);
      to_server_.clear();
      for (auto& datagram : to_server) {
        moved = true;
        server_->HandlePacket(datagram.data(), datagram.size(), client_address_, now_ms_);
      }
      auto to_client = std::move(to_client_);
      to_client_.clear();
      for (auto& datagram : to_client) {
        moved = true;
        client_->HandleDatagram(datagram.data(), datagram.size(), nullptr, now_ms_);
      }
      if (!moved) return;
    }
  }

  static std::vector<uint8_t> RtpPacket(uint16_t seq, uint32_t ssrc, size_t payload) {
    std::vector<uint8_t> packet(12 + payload + 64, 0);
    packet[0] = 0x80;
    packet[1] = 96;
    packet[2] = static_cast<uint8_t>(seq >> 8);
    packet[3] = static_cast<uint8_t>(seq);
    packet[11] = static_cast<uint8_t>(ssrc);
    for (size_t i = 0; i < payload; ++i) packet[12 + i] = static_cast<uint8_t>(i);
    return packet;
  }

  bool decrypt_ = true;
  int64_t now_ms_ = 1000;
  rtc::DtlsFingerprint server_fingerprint_;
  net::SocketAddress client_address_;
  std::unique_ptr<sfu::WebRtcTransport> server_;
  std::unique_ptr<ClientTransport> client_;
  std::vector<std::vector<uint8_t>> to_server_, to_client_;
  std::vector<std::vector<uint8_t>> server_rtp_, server_rtcp_, client_rtp_, client_rtcp_;
  bool client_rtp_decrypted_ = false;
  std::vector<ClientTransportState> states_;
};

TEST_F(ClientTransportTest, ConnectsToSfuTransportAndCarriesMediaBothWays) {
  ExchangeParameters();
  ASSERT_EQ(to_server_.size(), 1u);  // the first check goes out at once
  auto check = rtc::StunPacket::Parse(to_server_[0]);
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(*check->username(), "srvU:" + client_->local_ufrag());
  EXPECT_TRUE(check->use_candidate());
  EXPECT_TRUE(check->ice_controlling().has_value());
  EXPECT_TRUE(check->VerifyMessageIntegrity("serverpassword0123456789"));
  Pump();
  ASSERT_EQ(client_->state(), ClientTransportState::kConnected) << client_->failure_reason();
  ASSERT_EQ(server_->state(), sfu::WebRtcTransportState::kConnected);
  EXPECT_TRUE(server_->selected_address().has_value());
  EXPECT_EQ(states_, (std::vector<ClientTransportState>{ClientTransportState::kChecking,
                                                        ClientTransportState::kDtls,
                                                        ClientTransportState::kConnected}));

  // Client -> server: protected by us, unprotected by the SFU.
  std::vector<uint8_t> packet = RtpPacket(7, 42, 400);
  ASSERT_TRUE(client_->SendRtp(packet.data(), 12 + 400, packet.size()).ok());
  Pump();
  ASSERT_EQ(server_rtp_.size(), 1u);
  EXPECT_EQ(server_rtp_[0].size(), 412u);
  EXPECT_EQ(server_rtp_[0][12 + 99], 99);

  // Server -> client.
  std::vector<uint8_t> out = RtpPacket(9, 43, 300);
  ASSERT_TRUE(server_->SendRtp(out.data(), 12 + 300, out.size()).ok());
  Pump();
  ASSERT_EQ(client_rtp_.size(), 1u);
  EXPECT_TRUE(client_rtp_decrypted_);
  EXPECT_EQ(client_rtp_[0].size(), 312u);
  EXPECT_EQ(client_rtp_[0][12 + 200], 200);

  // SRTCP: a receiver report from us reaches the SFU intact.
  rtc::ReceiverReport report;
  report.sender_ssrc = 77;
  std::array<uint8_t, 256> buffer{};
  const size_t length = report.Write(buffer);
  ASSERT_GT(length, 0u);
  ASSERT_TRUE(client_->SendRtcp(buffer.data(), length, buffer.size()).ok());
  Pump();
  ASSERT_EQ(server_rtcp_.size(), 1u);
  EXPECT_EQ(server_rtcp_[0].size(), length);
  EXPECT_EQ(client_->counters().rtp_sent, 1u);
  EXPECT_EQ(client_->counters().rtcp_sent, 1u);
}

TEST_F(ClientTransportTest, ConsentChecksContinueAfterConnecting) {
  ExchangeParameters();
  Pump();
  ASSERT_TRUE(client_->connected());
  const uint64_t checks = client_->counters().checks_sent;
  now_ms_ += 1000;
  client_->Tick(now_ms_);
  EXPECT_EQ(client_->counters().checks_sent, checks);  // not yet: every 2 s
  now_ms_ += 1500;
  client_->Tick(now_ms_);
  EXPECT_EQ(client_->counters().checks_sent, checks + 1);
  Pump();
  EXPECT_GT(client_->counters().check_responses, 1u);
}

TEST_F(ClientTransportTest, ConsentChecksAreSpacedAtRandomWithinRfc7675Bounds) {
  ExchangeParameters();
  Pump();
  ASSERT_TRUE(client_->connected());
  // RFC 7675 §5.1: each interval uniformly within 0.8-1.2 times the nominal 2 s, so that
  // connections set up together do not check together for ever after.
  std::vector<int64_t> gaps;
  int64_t last_check_ms = -1;
  uint64_t checks = client_->counters().checks_sent;
  for (int step = 0; step < 30000 && gaps.size() < 100; ++step) {
    now_ms_ += 10;
    client_->Tick(now_ms_);
    if (client_->counters().checks_sent == checks) continue;
    checks = client_->counters().checks_sent;
    if (last_check_ms >= 0) gaps.push_back(now_ms_ - last_check_ms);
    last_check_ms = now_ms_;
    Pump();  // the answers keep consent fresh
  }
  ASSERT_EQ(gaps.size(), 100u);
  const auto [shortest, longest] = std::minmax_element(gaps.begin(), gaps.end());
  EXPECT_GE(*shortest, 1600);
  EXPECT_LE(*longest, 2400 + 10);  // the tick's step
  // A hundred draws from 1.6-2.4 s spread over most of that range.
  EXPECT_LT(*shortest, 1800);
  EXPECT_GT(*longest, 2200);
  EXPECT_TRUE(client_->connected());
}

TEST_F(ClientTransportTest, DivertNeedsASocketOfItsOwn) {
  // The I/O-free core has no socket to move from; the load generator's transports do.
  Status diverted = client_->DivertTo("10.77.0.2");
  EXPECT_FALSE(diverted.ok());
  EXPECT_FALSE(client_->diverted());
}

TEST_F(ClientTransportTest, GarbageAndEarlyMediaAreDropped) {
  std::vector<uint8_t> junk = {0x50, 1, 2, 3};
  client_->HandleDatagram(junk.data(), junk.size(), nullptr, now_ms_);
  std::vector<uint8_t> early = RtpPacket(1, 1, 50);
  client_->HandleDatagram(early.data(), 62, nullptr, now_ms_);
  std::vector<uint8_t> bad_stun = {0x01, 0x01, 0x00, 0x00};
  client_->HandleDatagram(bad_stun.data(), bad_stun.size(), nullptr, now_ms_);
  EXPECT_EQ(client_->counters().dropped, 3u);
  EXPECT_TRUE(client_rtp_.empty());
  EXPECT_FALSE(client_->SendRtp(early.data(), 62, early.size()).ok());
}

TEST_F(ClientTransportTest, AnswersFullIceChecks) {
  rtc::StunBindingRequest request;
  request.transaction_id[0] = 9;
  request.username = client_->local_ufrag() + ":peer";
  request.password = client_->local_pwd();
  request.priority = 1;
  std::vector<uint8_t> bytes = rtc::BuildStunBindingRequest(request);
  client_->HandleDatagram(bytes.data(), bytes.size(), &client_address_, now_ms_);
  ASSERT_EQ(to_server_.size(), 1u);
  auto response = rtc::StunPacket::Parse(to_server_[0]);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->message_class(), rtc::StunClass::kSuccessResponse);
  EXPECT_TRUE(response->VerifyMessageIntegrity(client_->local_pwd()));
  EXPECT_EQ(client_->counters().checks_answered, 1u);
}

TEST_F(ClientTransportTest, ControlledChecksCarryNoNomination) {
  ClientTransportConfig config;
  config.certificate = rtc::DtlsCertificate::Create().value();
  config.ice_controlling = false;
  std::vector<std::vector<uint8_t>> sent;
  ClientTransportCallbacks callbacks;
  callbacks.send_datagram = [&](std::span<const uint8_t> bytes) {
    sent.emplace_back(bytes.begin(), bytes.end());
  };
  auto controlled = ClientTransport::Create(config, callbacks);
  ASSERT_TRUE(controlled.ok());
  ASSERT_TRUE(
      (*controlled)
          ->SetRemoteParameters("janU", "januspassword0123456789", server_fingerprint_, now_ms_)
          .ok());
  ASSERT_EQ(sent.size(), 1u);
  auto check = rtc::StunPacket::Parse(sent[0]);
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(*check->username(), "janU:" + (*controlled)->local_ufrag());
  EXPECT_TRUE(check->ice_controlled().has_value());
  EXPECT_FALSE(check->ice_controlling().has_value());
  EXPECT_FALSE(check->use_candidate());
  EXPECT_TRUE(check->VerifyMessageIntegrity("januspassword0123456789"));
}

class ClientTransportCountingTest : public ClientTransportTest {
 protected:
  void SetUp() override {
    decrypt_ = false;
    ClientTransportTest::SetUp();
  }
};

TEST_F(ClientTransportCountingTest, HandsOverEncryptedPacketsWithClearHeaders) {
  ExchangeParameters();
  Pump();
  ASSERT_TRUE(client_->connected());
  std::vector<uint8_t> out = RtpPacket(0x1234, 43, 300);
  ASSERT_TRUE(server_->SendRtp(out.data(), 12 + 300, out.size()).ok());
  Pump();
  ASSERT_EQ(client_rtp_.size(), 1u);
  EXPECT_FALSE(client_rtp_decrypted_);
  EXPECT_EQ(client_rtp_[0].size(), 312u + 16u);  // the AES-GCM tag is still there
  EXPECT_EQ(client_rtp_[0][2], 0x12);
  EXPECT_EQ(client_rtp_[0][3], 0x34);
  EXPECT_EQ(client_rtp_[0][11], 43);
}

}  // namespace
}  // namespace auralink::client
