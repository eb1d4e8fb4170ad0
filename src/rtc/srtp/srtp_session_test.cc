#include "rtc/srtp/srtp_session.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <vector>

#include "rtc/dtls/dtls_transport.h"
#include "rtc/srtp/aes_gcm.h"

namespace auralink::rtc {
namespace {

constexpr size_t kSlack = 64;  // room after each packet for the tag and SRTCP trailer

std::vector<uint8_t> TestKey(SrtpProfile profile, uint8_t seed) {
  std::vector<uint8_t> key(SrtpMasterKeySaltLength(profile));
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(seed + 7 * i);
  return key;
}

// An RTP packet in a buffer with spare capacity; `size()` of the vector is the capacity.
struct Packet {
  std::vector<uint8_t> bytes;
  size_t length = 0;
  std::vector<uint8_t> Contents() const {
    return std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(length));
  }
};

Packet MakeRtp(uint32_t ssrc, uint16_t sequence, size_t payload_size, bool extension = false,
               int csrc_count = 0) {
  std::vector<uint8_t> packet = {static_cast<uint8_t>(0x80 | (extension ? 0x10 : 0) | csrc_count),
                                 96,
                                 static_cast<uint8_t>(sequence >> 8),
                                 static_cast<uint8_t>(sequence),
                                 0x12,
                                 0x34,
                                 0x56,
                                 0x78,
                                 static_cast<uint8_t>(ssrc >> 24),
                                 static_cast<uint8_t>(ssrc >> 16),
                                 static_cast<uint8_t>(ssrc >> 8),
                                 static_cast<uint8_t>(ssrc)};
  for (int i = 0; i < csrc_count; ++i) packet.insert(packet.end(), {0xC0, 0, 0, uint8_t(i)});
  if (extension) {
    // RFC 8285 one-byte header extension, one 32-bit word: transport-wide sequence number.
    packet.insert(packet.end(), {0xBE, 0xDE, 0x00, 0x01, 0x32, 0xAB, 0xCD, 0x00});
  }
  for (size_t i = 0; i < payload_size; ++i) packet.push_back(static_cast<uint8_t>(i * 13 + 5));
  Packet result;
  result.length = packet.size();
  result.bytes = std::move(packet);
  result.bytes.resize(result.length + kSlack);
  return result;
}

// A sender report (RFC 3550 §6.4.1) without report blocks.
Packet MakeRtcp(uint32_t ssrc, uint8_t fill) {
  std::vector<uint8_t> packet = {0x80,
                                 200,
                                 0,
                                 6,
                                 static_cast<uint8_t>(ssrc >> 24),
                                 static_cast<uint8_t>(ssrc >> 16),
                                 static_cast<uint8_t>(ssrc >> 8),
                                 static_cast<uint8_t>(ssrc)};
  for (int i = 0; i < 20; ++i) packet.push_back(static_cast<uint8_t>(fill + i));
  Packet result;
  result.length = packet.size();
  result.bytes = std::move(packet);
  result.bytes.resize(result.length + kSlack);
  return result;
}

std::unique_ptr<SrtpSession> MakeSession(SrtpProfile profile, SrtpImplementation implementation,
                                         std::span<const uint8_t> key, SrtpDirection direction,
                                         uint32_t replay_window = 1024) {
  SrtpSessionOptions options;
  options.implementation = implementation;
  options.replay_window = replay_window;
  auto session = SrtpSession::Create(profile, key, direction, options);
  EXPECT_TRUE(session.ok()) << session.status().message();
  return session.ok() ? std::move(session).value() : nullptr;
}

Packet ProtectRtp(SrtpSession& session, Packet packet) {
  auto length = session.ProtectRtp(packet.bytes.data(), packet.length, packet.bytes.size());
  EXPECT_TRUE(length.ok()) << length.status().message();
  if (length.ok()) packet.length = *length;
  return packet;
}

Packet ProtectRtcp(SrtpSession& session, Packet packet) {
  auto length = session.ProtectRtcp(packet.bytes.data(), packet.length, packet.bytes.size());
  EXPECT_TRUE(length.ok()) << length.status().message();
  if (length.ok()) packet.length = *length;
  return packet;
}

struct Variant {
  SrtpProfile profile;
  SrtpImplementation implementation;
  const char* name;
};

class SrtpSessionTest : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override {
    if (GetParam().implementation == SrtpImplementation::kCpuAes && !AesGcm128::Available())
      GTEST_SKIP() << "this CPU has no AES-NI/PCLMULQDQ";
    key_ = TestKey(GetParam().profile, 11);
    sender_ =
        MakeSession(GetParam().profile, GetParam().implementation, key_, SrtpDirection::kOutbound);
    receiver_ = MakeSession(GetParam().profile, GetParam().implementation, key_,
                            SrtpDirection::kInbound, 64);
    ASSERT_NE(sender_, nullptr);
    ASSERT_NE(receiver_, nullptr);
  }

  std::vector<uint8_t> key_;
  std::unique_ptr<SrtpSession> sender_;
  std::unique_ptr<SrtpSession> receiver_;
};

TEST_P(SrtpSessionTest, RtpRoundTripsForAnySsrc) {
  const size_t overhead = SrtpRtpOverhead(GetParam().profile);
  int sent = 0;
  for (uint32_t ssrc : {0x11111111u, 0xCAFEBABEu, 7u}) {
    for (uint16_t sequence = 100; sequence < 140; ++sequence) {
      const Packet plain =
          MakeRtp(ssrc, sequence, 10 + sequence * 7 % 1100, sequence % 3 == 0, sequence % 4);
      Packet wire = ProtectRtp(*sender_, plain);
      ASSERT_EQ(wire.length, plain.length + overhead);
      const size_t header = 12 + 4 * (sequence % 4) + (sequence % 3 == 0 ? 8 : 0);
      // The header stays readable and the payload does not.
      EXPECT_TRUE(
          std::equal(plain.bytes.begin(), plain.bytes.begin() + header, wire.bytes.begin()));
      EXPECT_FALSE(std::equal(plain.bytes.begin() + header,
                              plain.bytes.begin() + static_cast<long>(plain.length),
                              wire.bytes.begin() + header));
      auto length = receiver_->UnprotectRtp(wire.bytes.data(), wire.length);
      ASSERT_TRUE(length.ok()) << length.status().message();
      wire.length = *length;
      EXPECT_EQ(wire.Contents(), plain.Contents());
      ++sent;
    }
  }
  EXPECT_EQ(sender_->counters().packets, static_cast<uint64_t>(sent));
  EXPECT_EQ(receiver_->counters().packets, static_cast<uint64_t>(sent));
}

TEST_P(SrtpSessionTest, RtcpRoundTrips) {
  for (uint8_t i = 0; i < 20; ++i) {
    const Packet plain = MakeRtcp(0xABCD0000u + i % 3, i);
    Packet wire = ProtectRtcp(*sender_, plain);
    ASSERT_EQ(wire.length, plain.length + SrtpRtcpOverhead(GetParam().profile));
    EXPECT_TRUE(std::equal(plain.bytes.begin(), plain.bytes.begin() + 8, wire.bytes.begin()));
    auto length = receiver_->UnprotectRtcp(wire.bytes.data(), wire.length);
    ASSERT_TRUE(length.ok()) << length.status().message();
    wire.length = *length;
    EXPECT_EQ(wire.Contents(), plain.Contents());
  }
}

TEST_P(SrtpSessionTest, SequenceRolloverKeepsWorking) {
  uint16_t sequence = 65500;
  for (int i = 0; i < 200; ++i, ++sequence) {
    const Packet plain = MakeRtp(42, sequence, 200);
    Packet wire = ProtectRtp(*sender_, plain);
    auto length = receiver_->UnprotectRtp(wire.bytes.data(), wire.length);
    ASSERT_TRUE(length.ok()) << "sequence " << sequence << ": " << length.status().message();
  }
}

TEST_P(SrtpSessionTest, DetectsTampering) {
  const Packet plain = MakeRtp(5, 1, 300, true);
  const Packet wire = ProtectRtp(*sender_, plain);
  // A flipped bit in the header, the payload and the tag each fail authentication.
  for (size_t position : {size_t{1}, size_t{20}, wire.length - 1}) {
    Packet tampered = wire;
    tampered.bytes[position] ^= 0x01;
    EXPECT_FALSE(receiver_->UnprotectRtp(tampered.bytes.data(), tampered.length).ok())
        << "bit flipped at " << position;
  }
  EXPECT_EQ(receiver_->counters().authentication_failures, 3u);
  Packet intact = wire;
  EXPECT_TRUE(receiver_->UnprotectRtp(intact.bytes.data(), intact.length).ok());

  Packet rtcp = ProtectRtcp(*sender_, MakeRtcp(5, 1));
  rtcp.bytes[10] ^= 0x80;
  EXPECT_FALSE(receiver_->UnprotectRtcp(rtcp.bytes.data(), rtcp.length).ok());
  EXPECT_EQ(receiver_->counters().authentication_failures, 4u);
}

TEST_P(SrtpSessionTest, RejectsReplays) {
  const Packet first = ProtectRtp(*sender_, MakeRtp(9, 1000, 100));
  const Packet second = ProtectRtp(*sender_, MakeRtp(9, 1002, 100));
  const Packet late = ProtectRtp(*sender_, MakeRtp(9, 1001, 100));
  Packet copy = first;
  ASSERT_TRUE(receiver_->UnprotectRtp(copy.bytes.data(), copy.length).ok());
  copy = first;
  EXPECT_FALSE(receiver_->UnprotectRtp(copy.bytes.data(), copy.length).ok());
  copy = second;
  ASSERT_TRUE(receiver_->UnprotectRtp(copy.bytes.data(), copy.length).ok());
  copy = late;  // reordered, inside the window
  EXPECT_TRUE(receiver_->UnprotectRtp(copy.bytes.data(), copy.length).ok());
  copy = late;
  EXPECT_FALSE(receiver_->UnprotectRtp(copy.bytes.data(), copy.length).ok());
  EXPECT_EQ(receiver_->counters().replayed, 2u);

  // Beyond the receiver's 64-packet window.
  for (uint16_t sequence = 1003; sequence < 1100; ++sequence) {
    Packet wire = ProtectRtp(*sender_, MakeRtp(9, sequence, 50));
    ASSERT_TRUE(receiver_->UnprotectRtp(wire.bytes.data(), wire.length).ok());
  }
  Packet ancient = ProtectRtp(*sender_, MakeRtp(9, 1010, 50));  // a resend, allowed on send
  EXPECT_FALSE(receiver_->UnprotectRtp(ancient.bytes.data(), ancient.length).ok());
  EXPECT_EQ(receiver_->counters().replayed, 3u);

  Packet rtcp = ProtectRtcp(*sender_, MakeRtcp(9, 0));
  Packet rtcp_copy = rtcp;
  ASSERT_TRUE(receiver_->UnprotectRtcp(rtcp_copy.bytes.data(), rtcp_copy.length).ok());
  rtcp_copy = rtcp;
  EXPECT_FALSE(receiver_->UnprotectRtcp(rtcp_copy.bytes.data(), rtcp_copy.length).ok());
  EXPECT_EQ(receiver_->counters().replayed, 4u);
}

TEST_P(SrtpSessionTest, ResendsProtectIdentically) {
  const Packet plain = MakeRtp(77, 500, 400);
  const Packet first = ProtectRtp(*sender_, plain);
  const Packet again = ProtectRtp(*sender_, plain);
  EXPECT_EQ(first.Contents(), again.Contents());
}

TEST_P(SrtpSessionTest, SenderRefusesIndicesOlderThanItsWindow) {
  auto sender = MakeSession(GetParam().profile, GetParam().implementation, key_,
                            SrtpDirection::kOutbound, /*replay_window=*/64);
  ASSERT_NE(sender, nullptr);
  for (uint16_t sequence = 1000; sequence < 1100; ++sequence) {
    Packet wire = ProtectRtp(*sender, MakeRtp(5, sequence, 50));
    ASSERT_TRUE(receiver_->UnprotectRtp(wire.bytes.data(), wire.length).ok());
  }
  // Inside the window: a resend, or a packet sent late out of order.
  Packet resend = MakeRtp(5, 1090, 50);
  EXPECT_TRUE(sender->ProtectRtp(resend.bytes.data(), resend.length, resend.bytes.size()).ok());
  Packet ancient = MakeRtp(5, 1010, 50);
  EXPECT_FALSE(sender->ProtectRtp(ancient.bytes.data(), ancient.length, ancient.bytes.size()).ok());
  // The newest index still moves on.
  Packet next = ProtectRtp(*sender, MakeRtp(5, 1100, 50));
  EXPECT_TRUE(receiver_->UnprotectRtp(next.bytes.data(), next.length).ok());
}

TEST_P(SrtpSessionTest, RejectsBadArgumentsAndGarbage) {
  Packet plain = MakeRtp(1, 1, 100);
  EXPECT_FALSE(sender_->ProtectRtp(plain.bytes.data(), plain.length, plain.length + 4).ok());
  EXPECT_FALSE(sender_->ProtectRtp(plain.bytes.data(), 8, plain.bytes.size()).ok());
  EXPECT_EQ(sender_->counters().malformed, 2u);
  EXPECT_FALSE(receiver_->ProtectRtp(plain.bytes.data(), plain.length, plain.bytes.size()).ok());
  EXPECT_FALSE(sender_->UnprotectRtp(plain.bytes.data(), plain.length).ok());
  EXPECT_FALSE(receiver_->UnprotectRtp(plain.bytes.data(), 20).ok());
  EXPECT_FALSE(receiver_->UnprotectRtcp(plain.bytes.data(), 20).ok());

  const auto wrong_key = TestKey(GetParam().profile, 99);
  auto stranger = MakeSession(GetParam().profile, GetParam().implementation, wrong_key,
                              SrtpDirection::kInbound);
  Packet wire = ProtectRtp(*sender_, MakeRtp(1, 2, 100));
  EXPECT_FALSE(stranger->UnprotectRtp(wire.bytes.data(), wire.length).ok());
  EXPECT_EQ(stranger->counters().authentication_failures, 1u);

  std::mt19937 random(3);
  std::vector<uint8_t> buffer(1500);
  for (int i = 0; i < 3000; ++i) {
    const size_t length = random() % buffer.size();
    for (size_t j = 0; j < length; ++j) buffer[j] = static_cast<uint8_t>(random());
    if (i % 2 == 0 && length > 0) buffer[0] = 0x80 | (buffer[0] & 0x3F);  // looks like RTP v2
    EXPECT_FALSE(receiver_->UnprotectRtp(buffer.data(), length).ok());
    EXPECT_FALSE(receiver_->UnprotectRtcp(buffer.data(), length).ok());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Profiles, SrtpSessionTest,
    ::testing::Values(
        Variant{SrtpProfile::kAes128CmHmacSha1_80, SrtpImplementation::kLibsrtp, "CmLibsrtp"},
        Variant{SrtpProfile::kAeadAes128Gcm, SrtpImplementation::kLibsrtp, "GcmLibsrtp"},
        Variant{SrtpProfile::kAeadAes128Gcm, SrtpImplementation::kOpenSsl, "GcmOpenSsl"},
        Variant{SrtpProfile::kAeadAes128Gcm, SrtpImplementation::kCpuAes, "GcmCpuAes"}),
    [](const ::testing::TestParamInfo<Variant>& info) { return info.param.name; });

TEST(SrtpSessionCreateTest, ValidatesArguments) {
  const auto gcm_key = TestKey(SrtpProfile::kAeadAes128Gcm, 1);
  const auto cm_key = TestKey(SrtpProfile::kAes128CmHmacSha1_80, 1);
  EXPECT_FALSE(
      SrtpSession::Create(SrtpProfile::kAeadAes128Gcm, cm_key, SrtpDirection::kInbound).ok());
  EXPECT_FALSE(
      SrtpSession::Create(SrtpProfile::kAes128CmHmacSha1_80, gcm_key, SrtpDirection::kInbound)
          .ok());
  SrtpSessionOptions options;
  options.implementation = SrtpImplementation::kOpenSsl;
  EXPECT_FALSE(SrtpSession::Create(SrtpProfile::kAes128CmHmacSha1_80, cm_key,
                                   SrtpDirection::kInbound, options)
                   .ok());
  options.implementation = SrtpImplementation::kAuto;
  options.replay_window = 32;
  EXPECT_FALSE(
      SrtpSession::Create(SrtpProfile::kAeadAes128Gcm, gcm_key, SrtpDirection::kInbound, options)
          .ok());

  auto automatic =
      SrtpSession::Create(SrtpProfile::kAeadAes128Gcm, gcm_key, SrtpDirection::kInbound);
  ASSERT_TRUE(automatic.ok());
  EXPECT_EQ((*automatic)->implementation(),
            AesGcm128::Available() ? SrtpImplementation::kCpuAes : SrtpImplementation::kOpenSsl);
  auto cm =
      SrtpSession::Create(SrtpProfile::kAes128CmHmacSha1_80, cm_key, SrtpDirection::kOutbound);
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ((*cm)->implementation(), SrtpImplementation::kLibsrtp);
}

// Our GCM paths must produce exactly libsrtp2's bytes, since browsers run libsrtp2.
void ExpectGcmMatchesLibsrtpByteForByte(SrtpImplementation ours) {
  const auto key = TestKey(SrtpProfile::kAeadAes128Gcm, 200);
  const auto make = [&](SrtpImplementation implementation, SrtpDirection direction) {
    return MakeSession(SrtpProfile::kAeadAes128Gcm, implementation, key, direction);
  };
  auto libsrtp_out = make(SrtpImplementation::kLibsrtp, SrtpDirection::kOutbound);
  auto ours_out = make(ours, SrtpDirection::kOutbound);
  auto libsrtp_in = make(SrtpImplementation::kLibsrtp, SrtpDirection::kInbound);
  auto ours_in = make(ours, SrtpDirection::kInbound);

  // Two SSRCs, one crossing the sequence-number wrap, with CSRCs and header extensions.
  for (int i = 0; i < 600; ++i) {
    const uint32_t ssrc = i % 2 == 0 ? 0x01020304u : 0xFEDCBA98u;
    const uint16_t sequence = static_cast<uint16_t>(i % 2 == 0 ? 65000 + i : 3 + i);
    const Packet plain = MakeRtp(ssrc, sequence, i % 1200, i % 5 == 0, i % 3);
    const Packet by_libsrtp = ProtectRtp(*libsrtp_out, plain);
    const Packet by_ours = ProtectRtp(*ours_out, plain);
    ASSERT_EQ(by_libsrtp.Contents(), by_ours.Contents()) << "packet " << i;

    Packet cross = by_ours;
    auto length = libsrtp_in->UnprotectRtp(cross.bytes.data(), cross.length);
    ASSERT_TRUE(length.ok()) << "libsrtp2 rejected our packet " << i;
    cross.length = *length;
    EXPECT_EQ(cross.Contents(), plain.Contents());
    cross = by_libsrtp;
    length = ours_in->UnprotectRtp(cross.bytes.data(), cross.length);
    ASSERT_TRUE(length.ok()) << "we rejected libsrtp2's packet " << i;
    cross.length = *length;
    EXPECT_EQ(cross.Contents(), plain.Contents());
  }

  for (int i = 0; i < 50; ++i) {
    const Packet plain = MakeRtcp(0x01020304u + i % 2, static_cast<uint8_t>(i));
    const Packet by_libsrtp = ProtectRtcp(*libsrtp_out, plain);
    const Packet by_ours = ProtectRtcp(*ours_out, plain);
    ASSERT_EQ(by_libsrtp.Contents(), by_ours.Contents()) << "RTCP packet " << i;
    Packet cross = by_ours;
    auto length = libsrtp_in->UnprotectRtcp(cross.bytes.data(), cross.length);
    ASSERT_TRUE(length.ok()) << "libsrtp2 rejected our RTCP packet " << i;
    cross.length = *length;
    EXPECT_EQ(cross.Contents(), plain.Contents());
    cross = by_libsrtp;
    length = ours_in->UnprotectRtcp(cross.bytes.data(), cross.length);
    ASSERT_TRUE(length.ok()) << "we rejected libsrtp2's RTCP packet " << i;
  }
}

TEST(SrtpInteropTest, OpenSslGcmMatchesLibsrtpByteForByte) {
  ExpectGcmMatchesLibsrtpByteForByte(SrtpImplementation::kOpenSsl);
}

TEST(SrtpInteropTest, CpuAesGcmMatchesLibsrtpByteForByte) {
  if (!AesGcm128::Available()) GTEST_SKIP() << "this CPU has no AES-NI/PCLMULQDQ";
  ExpectGcmMatchesLibsrtpByteForByte(SrtpImplementation::kCpuAes);
}

// Keys exported by a DTLS handshake in memory protect on one side and unprotect on the other.
TEST(SrtpDtlsKeysTest, KeysFromHandshakeWorkBothWays) {
  struct Side {
    std::shared_ptr<const DtlsCertificate> certificate;
    std::unique_ptr<DtlsTransport> transport;
    std::deque<std::vector<uint8_t>> outbox;
  };
  Side client;
  Side server;
  client.certificate = *DtlsCertificate::Create();
  server.certificate = *DtlsCertificate::Create();
  const auto make = [](Side& side, DtlsRole role, const DtlsFingerprint& remote) {
    DtlsTransportCallbacks callbacks;
    callbacks.send_datagram = [&side](std::span<const uint8_t> datagram) {
      side.outbox.emplace_back(datagram.begin(), datagram.end());
    };
    auto transport = DtlsTransport::Create(side.certificate, role, remote, callbacks);
    ASSERT_TRUE(transport.ok()) << transport.status().message();
    side.transport = std::move(transport).value();
  };
  make(client, DtlsRole::kClient, server.certificate->fingerprint());
  make(server, DtlsRole::kServer, client.certificate->fingerprint());
  ASSERT_TRUE(server.transport->Start(0).ok());
  ASSERT_TRUE(client.transport->Start(0).ok());
  for (int round = 0; round < 20 && !(client.outbox.empty() && server.outbox.empty()); ++round) {
    for (auto [from, to] : {std::pair{&client, &server}, std::pair{&server, &client}}) {
      while (!from->outbox.empty()) {
        to->transport->HandleDatagram(from->outbox.front(), 0);
        from->outbox.pop_front();
      }
    }
  }
  ASSERT_EQ(client.transport->state(), DtlsState::kConnected);
  ASSERT_EQ(server.transport->state(), DtlsState::kConnected);
  const DtlsSrtpKeys& client_keys = *client.transport->srtp_keys();
  const DtlsSrtpKeys& server_keys = *server.transport->srtp_keys();

  for (SrtpImplementation implementation :
       {SrtpImplementation::kLibsrtp, SrtpImplementation::kOpenSsl}) {
    SrtpSessionOptions options;
    options.implementation = implementation;
    auto client_out = SrtpSession::Create(client_keys.profile, client_keys.local_key_salt,
                                          SrtpDirection::kOutbound, options);
    auto server_in = SrtpSession::Create(server_keys.profile, server_keys.remote_key_salt,
                                         SrtpDirection::kInbound, options);
    auto server_out = SrtpSession::Create(server_keys.profile, server_keys.local_key_salt,
                                          SrtpDirection::kOutbound, options);
    auto client_in = SrtpSession::Create(client_keys.profile, client_keys.remote_key_salt,
                                         SrtpDirection::kInbound, options);
    ASSERT_TRUE(client_out.ok() && server_in.ok() && server_out.ok() && client_in.ok());

    const Packet plain = MakeRtp(1234, 1, 1000);
    Packet upstream = ProtectRtp(**client_out, plain);
    ASSERT_TRUE((*server_in)->UnprotectRtp(upstream.bytes.data(), upstream.length).ok());
    Packet downstream = ProtectRtp(**server_out, plain);
    ASSERT_TRUE((*client_in)->UnprotectRtp(downstream.bytes.data(), downstream.length).ok());
    // Each direction has its own key: a packet does not verify against the reverse direction.
    Packet reflected = ProtectRtp(**client_out, MakeRtp(1234, 2, 1000));
    EXPECT_FALSE((*client_in)->UnprotectRtp(reflected.bytes.data(), reflected.length).ok());
  }
}

}  // namespace
}  // namespace auralink::rtc
