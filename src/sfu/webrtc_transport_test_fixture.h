// The fixture of the WebRtcTransport tests, shared with tests of what rides on a connected
// transport (down tracks): a server transport and a browser-like peer joined in memory.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "rtc/dtls/dtls_certificate.h"
#include "rtc/dtls/dtls_transport.h"
#include "rtc/ice/stun_packet.h"
#include "rtc/sctp/sctp_association.h"
#include "rtc/srtp/srtp_session.h"
#include "sfu/webrtc_transport.h"

namespace auralink::sfu::test {

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

  // ICE (a nominating check), DTLS and SRTP keys on both sides: the state media needs.
  void Connect() {
    SendCheck(/*nominate=*/true);
    to_peer_.clear();
    ConnectDtls();
    ASSERT_TRUE(server_
                    ->SetRemoteParameters("brwU", "browserpassword0123456789",
                                          peer_.certificate->fingerprint(), now_ms_)
                    .ok());
    Pump();
    ASSERT_EQ(server_->state(), WebRtcTransportState::kConnected);
    KeyPeerSrtp();
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

}  // namespace auralink::sfu::test
