#include "rtc/dtls/dtls_transport.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <random>
#include <thread>

namespace auralink::rtc {
namespace {

std::vector<uint8_t> Bytes(std::string_view text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

// One side of an in-memory link: what it sent, what it received, the states it went through.
struct Endpoint {
  std::shared_ptr<const DtlsCertificate> certificate;
  std::unique_ptr<DtlsTransport> transport;
  std::deque<std::vector<uint8_t>> outbox;
  std::vector<size_t> sent_sizes;
  std::vector<std::vector<uint8_t>> received;
  std::vector<DtlsState> states;
};

std::shared_ptr<const DtlsCertificate> MakeCertificate() {
  auto certificate = DtlsCertificate::Create();
  EXPECT_TRUE(certificate.ok()) << certificate.status().message();
  return *certificate;
}

void MakeTransport(Endpoint& endpoint, DtlsRole role, DtlsFingerprint remote,
                   DtlsTransportOptions options) {
  DtlsTransportCallbacks callbacks;
  callbacks.send_datagram = [&endpoint](std::span<const uint8_t> datagram) {
    endpoint.outbox.emplace_back(datagram.begin(), datagram.end());
    endpoint.sent_sizes.push_back(datagram.size());
  };
  callbacks.on_application_data = [&endpoint](std::span<const uint8_t> data) {
    endpoint.received.emplace_back(data.begin(), data.end());
  };
  callbacks.on_state_change = [&endpoint](DtlsState state) { endpoint.states.push_back(state); };
  auto transport = DtlsTransport::Create(endpoint.certificate, role, std::move(remote),
                                         std::move(callbacks), options);
  ASSERT_TRUE(transport.ok()) << transport.status().message();
  endpoint.transport = std::move(transport).value();
}

class DtlsTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.certificate = MakeCertificate();
    server_.certificate = MakeCertificate();
  }

  // Each side is told the other's real fingerprint unless a test overrides it.
  void Connect(DtlsTransportOptions options = {},
               std::optional<DtlsFingerprint> server_fingerprint_for_client = std::nullopt,
               std::optional<DtlsFingerprint> client_fingerprint_for_server = std::nullopt) {
    MakeTransport(client_, DtlsRole::kClient,
                  server_fingerprint_for_client.value_or(server_.certificate->fingerprint()),
                  options);
    MakeTransport(server_, DtlsRole::kServer,
                  client_fingerprint_for_server.value_or(client_.certificate->fingerprint()),
                  options);
    ASSERT_TRUE(server_.transport->Start(now_ms_).ok());
    ASSERT_TRUE(client_.transport->Start(now_ms_).ok());
  }

  // Delivers queued datagrams both ways until both sides are quiet.
  void Pump() {
    for (int round = 0; round < 100; ++round) {
      if (client_.outbox.empty() && server_.outbox.empty()) return;
      Deliver(client_, server_);
      Deliver(server_, client_);
    }
    FAIL() << "DTLS endpoints kept talking";
  }

  void Deliver(Endpoint& from, Endpoint& to) {
    std::deque<std::vector<uint8_t>> datagrams;
    datagrams.swap(from.outbox);
    for (const auto& datagram : datagrams) {
      EXPECT_TRUE(IsDtlsPacket(datagram));
      to.transport->HandleDatagram(datagram, now_ms_);
    }
  }

  Endpoint client_;
  Endpoint server_;
  int64_t now_ms_ = 1000;
};

TEST_F(DtlsTransportTest, HandshakeAgreesOnProfileAndKeys) {
  Connect();
  Pump();
  ASSERT_EQ(client_.transport->state(), DtlsState::kConnected)
      << client_.transport->failure_reason();
  ASSERT_EQ(server_.transport->state(), DtlsState::kConnected)
      << server_.transport->failure_reason();
  EXPECT_EQ(client_.states,
            (std::vector<DtlsState>{DtlsState::kConnecting, DtlsState::kConnected}));

  const auto& client_keys = client_.transport->srtp_keys();
  const auto& server_keys = server_.transport->srtp_keys();
  ASSERT_TRUE(client_keys.has_value());
  ASSERT_TRUE(server_keys.has_value());
  // Both sides prefer GCM, and the server's preference decides.
  EXPECT_EQ(client_keys->profile, SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(server_keys->profile, SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(client_keys->local_key_salt.size(), 28u);
  EXPECT_EQ(client_keys->local_key_salt, server_keys->remote_key_salt);
  EXPECT_EQ(client_keys->remote_key_salt, server_keys->local_key_salt);
  EXPECT_NE(client_keys->local_key_salt, client_keys->remote_key_salt);
  EXPECT_EQ(client_.transport->counters().datagrams_rejected, 0u);
}

TEST_F(DtlsTransportTest, ExchangesApplicationDataBothWays) {
  Connect();
  Pump();
  ASSERT_EQ(client_.transport->state(), DtlsState::kConnected);

  ASSERT_TRUE(client_.transport->SendApplicationData(Bytes("sctp from client")).ok());
  ASSERT_TRUE(server_.transport->SendApplicationData(Bytes("sctp from server")).ok());
  const size_t largest = server_.transport->max_application_data_size();
  EXPECT_GT(largest, 1000u);
  EXPECT_LT(largest, 1200u);
  std::vector<uint8_t> big(largest, 0xAB);
  ASSERT_TRUE(server_.transport->SendApplicationData(big).ok());
  big.push_back(0);
  EXPECT_FALSE(server_.transport->SendApplicationData(big).ok());
  big.pop_back();
  Pump();

  ASSERT_EQ(server_.received.size(), 1u);
  EXPECT_EQ(server_.received[0], Bytes("sctp from client"));
  ASSERT_EQ(client_.received.size(), 2u);
  EXPECT_EQ(client_.received[0], Bytes("sctp from server"));
  EXPECT_EQ(client_.received[1], big);
  for (size_t size : server_.sent_sizes) EXPECT_LE(size, 1200u);
}

TEST_F(DtlsTransportTest, SmallMtuFragmentsTheHandshake) {
  DtlsTransportOptions options;
  options.mtu = 300;  // below the certificate's size, so its message must be fragmented
  Connect(options);
  Pump();
  ASSERT_EQ(client_.transport->state(), DtlsState::kConnected)
      << client_.transport->failure_reason();
  ASSERT_EQ(server_.transport->state(), DtlsState::kConnected)
      << server_.transport->failure_reason();
  for (size_t size : client_.sent_sizes) EXPECT_LE(size, 300u);
  for (size_t size : server_.sent_sizes) EXPECT_LE(size, 300u);
}

TEST_F(DtlsTransportTest, AcceptsOtherFingerprintHashes) {
  for (const char* algorithm : {"sha-1", "sha-384", "sha-512"}) {
    SCOPED_TRACE(algorithm);
    client_ = Endpoint{};
    server_ = Endpoint{};
    SetUp();
    Connect({}, *DtlsFingerprint::OfCertificate(server_.certificate->der(), algorithm),
            *DtlsFingerprint::OfCertificate(client_.certificate->der(), algorithm));
    Pump();
    EXPECT_EQ(client_.transport->state(), DtlsState::kConnected)
        << client_.transport->failure_reason();
    EXPECT_EQ(server_.transport->state(), DtlsState::kConnected)
        << server_.transport->failure_reason();
  }
}

TEST_F(DtlsTransportTest, ServerRejectsClientWithWrongFingerprint) {
  auto stranger = MakeCertificate();
  Connect({}, std::nullopt, stranger->fingerprint());
  Pump();
  EXPECT_EQ(server_.transport->state(), DtlsState::kFailed);
  EXPECT_NE(server_.transport->failure_reason().find("fingerprint"), std::string::npos)
      << server_.transport->failure_reason();
  EXPECT_FALSE(server_.transport->srtp_keys().has_value());
  // The server's alert ends the client's handshake too.
  EXPECT_EQ(client_.transport->state(), DtlsState::kFailed);
  EXPECT_NE(client_.transport->failure_reason().find("alert"), std::string::npos)
      << client_.transport->failure_reason();
  EXPECT_FALSE(client_.transport->SendApplicationData(Bytes("x")).ok());
}

TEST_F(DtlsTransportTest, ClientRejectsServerWithWrongFingerprint) {
  auto stranger = MakeCertificate();
  Connect({}, stranger->fingerprint(), std::nullopt);
  Pump();
  EXPECT_EQ(client_.transport->state(), DtlsState::kFailed);
  EXPECT_NE(client_.transport->failure_reason().find("fingerprint"), std::string::npos)
      << client_.transport->failure_reason();
  EXPECT_NE(server_.transport->state(), DtlsState::kConnected);
}

TEST_F(DtlsTransportTest, RetransmitsDroppedFlightOnTimer) {
  DtlsTransportOptions options;
  options.initial_retransmit_timeout_ms = 10;
  Connect(options);
  Deliver(client_, server_);  // ClientHello arrives
  ASSERT_FALSE(server_.outbox.empty());
  server_.outbox.clear();  // the server's first flight is lost
  const auto deadline = server_.transport->NextTimeoutMs();
  ASSERT_TRUE(deadline.has_value());
  EXPECT_GE(*deadline, now_ms_);

  // OpenSSL measures the retransmission timer on its own clock, so real time must pass.
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  now_ms_ += 40;
  server_.transport->OnTimer(now_ms_);
  ASSERT_FALSE(server_.outbox.empty()) << "no retransmission after the timer expired";
  Pump();
  EXPECT_EQ(client_.transport->state(), DtlsState::kConnected)
      << client_.transport->failure_reason();
  EXPECT_EQ(server_.transport->state(), DtlsState::kConnected)
      << server_.transport->failure_reason();
}

TEST_F(DtlsTransportTest, GarbageIsCountedAndDropped) {
  Connect();
  Pump();
  ASSERT_EQ(server_.transport->state(), DtlsState::kConnected);
  DtlsTransport& server = *server_.transport;
  const uint64_t handshake_datagrams = server.counters().datagrams_received;

  const std::vector<std::vector<uint8_t>> malformed = {
      {},
      {0x00, 0x01, 0x00, 0x00},                                // STUN, not DTLS
      {22, 0xFE, 0xFD},                                        // truncated record header
      {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, 0, 200, 1, 2},  // length past the end
      {23, 0x03, 0x03, 0, 1, 0, 0, 0, 0, 0, 9, 0, 1, 0},       // TLS, not DTLS, version
      {40, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 9, 0, 1, 0},       // unknown content type
  };
  for (const auto& datagram : malformed) server.HandleDatagram(datagram, now_ms_);
  EXPECT_EQ(server.counters().datagrams_rejected, malformed.size());

  // A well-formed application-data record that fails decryption is dropped by DTLS itself.
  std::vector<uint8_t> forged = {23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 99, 0, 40};
  forged.resize(forged.size() + 40, 0x5A);
  server.HandleDatagram(forged, now_ms_);

  std::mt19937 random(7);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> datagram(1 + random() % 300);
    for (auto& byte : datagram) byte = static_cast<uint8_t>(random());
    server.HandleDatagram(datagram, now_ms_);
  }
  EXPECT_GE(server.counters().datagrams_rejected, malformed.size() + 1900);
  EXPECT_EQ(server.counters().datagrams_received,
            handshake_datagrams + malformed.size() + 1 + 2000);

  ASSERT_EQ(server.state(), DtlsState::kConnected) << server.failure_reason();
  ASSERT_TRUE(client_.transport->SendApplicationData(Bytes("still here")).ok());
  Pump();
  ASSERT_EQ(server_.received.size(), 1u);
  EXPECT_EQ(server_.received[0], Bytes("still here"));
}

TEST_F(DtlsTransportTest, DatagramsBeforeStartAreRejected) {
  MakeTransport(server_, DtlsRole::kServer, client_.certificate->fingerprint(), {});
  const std::vector<uint8_t> record = {22, 0xFE, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  server_.transport->HandleDatagram(record, now_ms_);
  EXPECT_EQ(server_.transport->counters().datagrams_rejected, 1u);
  EXPECT_EQ(server_.transport->state(), DtlsState::kNew);
  EXPECT_FALSE(server_.transport->NextTimeoutMs().has_value());
}

TEST_F(DtlsTransportTest, CloseNotifyClosesBothSides) {
  Connect();
  Pump();
  ASSERT_EQ(client_.transport->state(), DtlsState::kConnected);
  client_.transport->Close();
  EXPECT_EQ(client_.transport->state(), DtlsState::kClosed);
  Pump();
  EXPECT_EQ(server_.transport->state(), DtlsState::kClosed);
  EXPECT_TRUE(server_.transport->failure_reason().empty());
  EXPECT_FALSE(server_.transport->SendApplicationData(Bytes("late")).ok());
}

TEST_F(DtlsTransportTest, RejectsBadConstruction) {
  DtlsTransportCallbacks callbacks;
  auto fingerprint = server_.certificate->fingerprint();
  EXPECT_FALSE(
      DtlsTransport::Create(client_.certificate, DtlsRole::kClient, fingerprint, callbacks).ok());
  callbacks.send_datagram = [](std::span<const uint8_t>) {};
  EXPECT_FALSE(DtlsTransport::Create(nullptr, DtlsRole::kClient, fingerprint, callbacks).ok());
  DtlsFingerprint truncated = fingerprint;
  truncated.digest.pop_back();
  EXPECT_FALSE(
      DtlsTransport::Create(client_.certificate, DtlsRole::kClient, truncated, callbacks).ok());
  DtlsTransportOptions tiny;
  tiny.mtu = 100;
  EXPECT_FALSE(
      DtlsTransport::Create(client_.certificate, DtlsRole::kClient, fingerprint, callbacks, tiny)
          .ok());
}

TEST(IsDtlsPacketTest, FollowsRfc7983Ranges) {
  EXPECT_FALSE(IsDtlsPacket({}));
  const uint8_t stun[] = {0x00};
  const uint8_t low[] = {19};
  const uint8_t first[] = {20};
  const uint8_t last[] = {63};
  const uint8_t turn[] = {64};
  const uint8_t rtp[] = {0x80};
  EXPECT_FALSE(IsDtlsPacket(stun));
  EXPECT_FALSE(IsDtlsPacket(low));
  EXPECT_TRUE(IsDtlsPacket(first));
  EXPECT_TRUE(IsDtlsPacket(last));
  EXPECT_FALSE(IsDtlsPacket(turn));
  EXPECT_FALSE(IsDtlsPacket(rtp));
}

}  // namespace
}  // namespace auralink::rtc
