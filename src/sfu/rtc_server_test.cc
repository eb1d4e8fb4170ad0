#include "sfu/rtc_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <set>

#include "client/client_session_description.h"
#include "client/client_transport.h"
#include "client/room_client.h"
#include "net/run_loop_until.h"
#include "rtc/ice/ice_candidate.h"
#include "rtc/ice/stun_packet.h"
#include "rtc/sdp/session_description.h"
#include "signal/auth/access_token_issuer.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/auth/api_key_provider.h"
#include "signal/http/http_server.h"
#include "signal/session/rtc_signalling.h"

namespace auralink::sfu {
namespace {

// Captures what the SFU tells a participant; the offer carries the ICE parameters.
class CapturingSink : public SignalSink {
 public:
  void SendParticipantUpdate(const std::vector<ParticipantDescription>& participants) override {
    updates += participants.size();
  }
  void SendSpeakersChanged(const std::vector<SpeakerLevel>&) override {}
  void SendSubscriberOffer(const std::string& sdp) override { offers.push_back(sdp); }
  void SendTrackMuted(const std::string&, bool) override {}
  void SendRoomUpdate(const RoomDescription&) override {}
  void SendLeave(const std::string& reason) override { leaves.push_back(reason); }
  void OnDataFromClient(std::span<const uint8_t>, bool) override {}
  std::vector<std::string> offers;
  std::vector<std::string> leaves;
  size_t updates = 0;
};

class RtcServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loop = net::EventLoop::Create();
    ASSERT_TRUE(loop.ok());
    loop_ = std::move(*loop);
    Restart(LoopbackConfig());
  }
  // A server on loopback, on ports the kernel picks.
  static RtcServerConfig LoopbackConfig() {
    RtcServerConfig config;
    config.bind_ip = "127.0.0.1";
    config.udp_port = 0;
    config.tcp_port = 0;
    config.candidate_ips = {"127.0.0.1"};
    return config;
  }
  // Replaces the server with one on `config`.
  void Restart(const RtcServerConfig& config) {
    server_.reset();
    auto server = RtcServer::Create(loop_.get(), config);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
  }
  void TearDown() override {
    server_.reset();
    loop_.reset();
  }
  void RunFor(int64_t ms) {
    const int64_t end = net::EventLoop::NowMs() + ms;
    while (net::EventLoop::NowMs() < end) loop_->RunOnce(10);
  }
  Participant* JoinAs(const std::string& identity, CapturingSink* sink) {
    ParticipantDescription description;
    description.identity = identity;
    auto participant = server_->Join("room-a", description, sink, true);
    EXPECT_TRUE(participant.ok()) << participant.status().message();
    return participant.ok() ? *participant : nullptr;
  }

  // Joins `identity` (into `*joined` if given) and returns its subscriber offer's first media
  // section (ICE credentials and candidates), or nothing when the join or the offer failed.
  std::optional<rtc::MediaSection> JoinForSubscriberSection(const std::string& identity,
                                                            CapturingSink* sink,
                                                            Participant** joined = nullptr) {
    Participant* participant = JoinAs(identity, sink);
    if (joined != nullptr) *joined = participant;
    if (participant == nullptr) return std::nullopt;
    participant->NegotiateSubscriber();
    if (sink->offers.size() != 1) return std::nullopt;
    auto offer = rtc::SessionDescription::Parse(sink->offers[0]);
    if (!offer.ok() || offer->media.empty()) return std::nullopt;
    return offer->media[0];
  }
  // A peer's socket on loopback, delivering what it receives to `on_datagram`; null on failure.
  std::unique_ptr<net::UdpSocket> BindPeer(net::UdpSocket::DatagramCallback on_datagram) {
    auto peer = net::UdpSocket::Bind(*net::SocketAddress::FromIp("127.0.0.1", 0));
    if (!peer.ok() || !(*peer)->StartReceiving(loop_.get(), std::move(on_datagram)).ok())
      return nullptr;
    return std::move(*peer);
  }
  // A controlling peer's Binding request to the connection `section` describes.
  static rtc::StunBindingRequest CheckFor(const rtc::MediaSection& section,
                                          const std::string& peer_ufrag, uint8_t transaction) {
    rtc::StunBindingRequest request;
    request.transaction_id[3] = transaction;
    request.username = *section.ice_ufrag + ":" + peer_ufrag;
    request.password = *section.ice_pwd;
    request.priority = 100;
    request.ice_controlling_tie_breaker = 1;
    return request;
  }

  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<RtcServer> server_;
};

TEST_F(RtcServerTest, RoomsAreCreatedOnJoinAndListed) {
  CapturingSink alice_sink, bob_sink;
  Participant* alice = JoinAs("alice", &alice_sink);
  ASSERT_NE(alice, nullptr);
  JoinAs("bob", &bob_sink);
  EXPECT_EQ(alice_sink.updates, 1u);  // bob's arrival
  auto rooms = server_->ListRooms({});
  ASSERT_EQ(rooms.size(), 1u);
  EXPECT_EQ(rooms[0].num_participants, 2u);
  auto participants = server_->ListParticipants("room-a");
  ASSERT_TRUE(participants.ok());
  EXPECT_EQ(participants->size(), 2u);
  EXPECT_EQ(server_->ListParticipants("nope").status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(server_->RemoveParticipant("room-a", "bob").ok());
  ASSERT_EQ(bob_sink.leaves.size(), 1u);
  EXPECT_EQ(server_->GetParticipant("room-a", "bob").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(server_->DeleteRoom("room-a").ok());
  EXPECT_EQ(alice_sink.leaves.size(), 1u);
  EXPECT_TRUE(server_->ListRooms({}).empty());
}

TEST_F(RtcServerTest, ATickInSlicesStillReachesEveryRoom) {
  // One room per slice: each later slice waits for the loop's next round.
  RtcServerConfig config = LoopbackConfig();
  config.tick_slice_us = 0;
  ASSERT_NO_FATAL_FAILURE(Restart(config));
  constexpr int kRooms = 30;
  for (int i = 0; i < kRooms; ++i) {
    RoomCreateOptions options;
    options.name = "sliced-" + std::to_string(i);
    options.empty_timeout_s = 0;  // closed by its first tick
    ASSERT_TRUE(server_->CreateRoom(options).ok());
  }
  ASSERT_EQ(server_->ListRooms({}).size(), static_cast<size_t>(kRooms));
  RunFor(200);
  EXPECT_TRUE(server_->ListRooms({}).empty());
  EXPECT_GE(server_->counters().tick_slices, server_->counters().ticks + kRooms - 1);
}

TEST_F(RtcServerTest, MeasuresEachDatagramsHopFromArrivalToTheSendOfWhatItCaused) {
  EXPECT_EQ(server_->hop_latency(), nullptr);  // off unless configured
  RtcServerConfig config = LoopbackConfig();
  config.measure_hop_latency = true;
  ASSERT_NO_FATAL_FAILURE(Restart(config));

  CapturingSink sink;
  const std::optional<rtc::MediaSection> section = JoinForSubscriberSection("alice", &sink);
  ASSERT_TRUE(section.has_value());

  int64_t answered_us = 0;
  auto peer = BindPeer([&](std::span<const uint8_t>, const net::SocketAddress&) {
    answered_us = net::EventLoop::NowUs();
  });
  ASSERT_NE(peer, nullptr);
  const int64_t asked_us = net::EventLoop::NowUs();
  peer->SendTo(rtc::BuildStunBindingRequest(CheckFor(*section, "peer", 4)),
               *net::SocketAddress::FromIp("127.0.0.1", server_->udp_port()));
  ASSERT_TRUE(net::RunLoopUntil(
      *loop_, [&] { return answered_us != 0; }, 5000));

  // One datagram in, one answer out: one hop, inside the round trip the peer saw.
  const LatencyHistogram* hops = server_->hop_latency();
  ASSERT_NE(hops, nullptr);
  EXPECT_EQ(hops->count(), 1u);
  EXPECT_LE(hops->MaxUs(), answered_us - asked_us);
  // Timer-driven sends (none caused by a datagram) add nothing.
  RunFor(100);
  EXPECT_EQ(hops->count(), 1u);
}

// rtc.raw_udp_send writes frames only for peers elsewhere (net/raw_udp_egress_test.cc sends them
// through a tap device); a peer on this machine is answered through the UDP socket, with or
// without CAP_NET_RAW.
TEST_F(RtcServerTest, WithRawUdpSendPeersOnThisMachineAreStillAnswered) {
  RtcServerConfig config = LoopbackConfig();
  config.raw_udp_send = true;
  ASSERT_NO_FATAL_FAILURE(Restart(config));
  CapturingSink sink;
  const std::optional<rtc::MediaSection> section = JoinForSubscriberSection("alice", &sink);
  ASSERT_TRUE(section.has_value());
  int answers = 0;
  auto peer = BindPeer([&](std::span<const uint8_t> data, const net::SocketAddress&) {
    if (rtc::IsStunPacket(data)) ++answers;
  });
  ASSERT_NE(peer, nullptr);
  const net::SocketAddress server_address =
      *net::SocketAddress::FromIp("127.0.0.1", server_->udp_port());
  for (uint8_t check = 1; check <= 3; ++check) {
    peer->SendTo(rtc::BuildStunBindingRequest(CheckFor(*section, "peer", check)), server_address);
    ASSERT_TRUE(net::RunLoopUntil(
        *loop_, [&] { return answers == check; }, 5000))
        << "check " << int(check);
  }
}

TEST_F(RtcServerTest, SameIdentityReplacesTheOldSession) {
  CapturingSink first, second;
  JoinAs("alice", &first);
  JoinAs("alice", &second);
  ASSERT_EQ(first.leaves.size(), 1u);
  EXPECT_EQ(first.leaves[0], "duplicate identity");
  EXPECT_EQ(server_->ListParticipants("room-a")->size(), 1u);
}

TEST_F(RtcServerTest, IceOverTcpAnswersFramedBindingRequests) {
  CapturingSink sink;
  Participant* alice = nullptr;
  const std::optional<rtc::MediaSection> found = JoinForSubscriberSection("alice", &sink, &alice);
  ASSERT_TRUE(found.has_value());
  const rtc::MediaSection& section = *found;
  bool tcp_candidate = false;
  for (const std::string& candidate : section.candidates)
    tcp_candidate |=
        candidate.find(" tcp ") != std::string::npos &&
        candidate.find("tcptype passive") != std::string::npos &&
        candidate.find(" " + std::to_string(server_->tcp_port()) + " ") != std::string::npos;
  EXPECT_TRUE(tcp_candidate) << sink.offers[0];

  std::vector<uint8_t> received;
  auto connection = net::TcpConnection::Connect(
      loop_.get(), *net::SocketAddress::FromIp("127.0.0.1", server_->tcp_port()));
  ASSERT_TRUE(connection.ok()) << connection.status().message();
  (*connection)->set_data_callback([&](std::span<const uint8_t> data) {
    received.insert(received.end(), data.begin(), data.end());
  });
  (*connection)->set_close_callback([](const Status&) {});
  ASSERT_TRUE((*connection)->Start().ok());

  rtc::StunBindingRequest request = CheckFor(section, "clnt", 7);
  request.use_candidate = true;
  std::vector<uint8_t> framed;
  ASSERT_TRUE(rtc::AppendIceTcpFrame(rtc::BuildStunBindingRequest(request), &framed).ok());
  // Split across two writes: the framing must reassemble it.
  (*connection)->Send(std::span<const uint8_t>(framed.data(), 5));
  RunFor(50);
  (*connection)->Send(std::span<const uint8_t>(framed.data() + 5, framed.size() - 5));
  for (int i = 0; i < 100 && received.size() < 2; ++i) RunFor(10);
  rtc::IceTcpFrameDecoder decoder;
  ASSERT_TRUE(decoder.Feed(received).ok());
  auto frame = decoder.NextFrame();
  ASSERT_TRUE(frame.has_value());
  auto response = rtc::StunPacket::Parse(*frame);
  ASSERT_TRUE(response.ok()) << response.status().message();
  EXPECT_TRUE(response->VerifyMessageIntegrity(*section.ice_pwd));
  EXPECT_EQ(response->transaction_id(), request.transaction_id);
  ASSERT_TRUE(alice->subscriber_transport()->selected_address().has_value());
  (*connection)->Close();
  RunFor(20);
}

// An ICE restart (RFC 8445 §9) as a resume does it, on the muxed port: the peer goes on sending
// media and consent checks with the old credentials from the same address until it learns the new
// ones from the server's offer. Every packet in both directions arrives during the restart, the
// DTLS association and SRTP keys carry on (no new handshake), and once a check with the new
// credentials succeeds the old ufrag no longer finds the transport.
TEST_F(RtcServerTest, MediaKeepsFlowingAcrossAnIceRestart) {
  CapturingSink sink;
  Participant* alice = JoinAs("alice", &sink);
  ASSERT_NE(alice, nullptr);
  alice->NegotiateSubscriber();
  ASSERT_EQ(sink.offers.size(), 1u);
  auto offer = rtc::SessionDescription::Parse(sink.offers[0]);
  ASSERT_TRUE(offer.ok()) << offer.status().message();

  auto certificate = rtc::DtlsCertificate::Create();
  ASSERT_TRUE(certificate.ok());
  client::ClientTransportConfig config;
  config.certificate = *certificate;
  config.consent_interval_ms = 100;  // several consent checks fall inside the restart
  uint64_t peer_rtp = 0;
  client::ClientTransportCallbacks callbacks;
  callbacks.on_rtp = [&](uint8_t*, size_t, bool decrypted, int64_t) { peer_rtp += decrypted; };
  auto created = client::ClientTransport::CreateOnLoop(loop_.get(), "127.0.0.1", config, callbacks);
  ASSERT_TRUE(created.ok()) << created.status().message();
  client::ClientTransport* peer = created->get();
  auto answer = client::AnswerSubscriberOffer(
      *offer,
      {peer->local_ufrag(), peer->local_pwd(), peer->local_fingerprint(), peer->local_address()});
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  ASSERT_TRUE(answer->server.candidate.has_value());
  peer->SetRemoteAddress(*answer->server.candidate);
  ASSERT_TRUE(peer->SetRemoteParameters(answer->server.ice_ufrag, answer->server.ice_pwd,
                                        answer->server.fingerprint, net::EventLoop::NowMs())
                  .ok());
  ASSERT_TRUE(
      alice->HandleSubscriberAnswer(answer->answer.ToString(), net::EventLoop::NowMs()).ok());
  WebRtcTransport* server_side = alice->subscriber_transport();
  ASSERT_TRUE(net::RunLoopUntil(
      *loop_,
      [&] { return peer->connected() && server_side->state() == WebRtcTransportState::kConnected; },
      10000));

  // RTCP from the peer (an empty receiver report) and RTP from the server, `count` each way.
  uint16_t rtp_sequence = 0;
  auto exchange = [&](int count) {
    for (int i = 0; i < count; ++i) {
      std::vector<uint8_t> report = {0x80, 201, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44};
      report.resize(report.size() + 64);
      ASSERT_TRUE(peer->SendRtcp(report.data(), 8, report.size()).ok());
      std::vector<uint8_t> rtp(12 + 100 + 64, 0);
      rtp[0] = 0x80;
      rtp[1] = 96;
      ++rtp_sequence;
      rtp[2] = static_cast<uint8_t>(rtp_sequence >> 8);
      rtp[3] = static_cast<uint8_t>(rtp_sequence);
      rtp[11] = 9;
      ASSERT_TRUE(server_side->SendRtp(rtp.data(), 112, rtp.size()).ok());
    }
  };
  exchange(10);
  ASSERT_TRUE(net::RunLoopUntil(
      *loop_, [&] { return server_side->counters().rtcp_packets >= 10 && peer_rtp >= 10; }, 5000));
  const uint64_t dtls_before = server_side->counters().dtls_packets;
  const std::string old_ufrag = server_side->local_ufrag();
  const std::string old_pwd = server_side->local_pwd();

  // The resume restarts ICE on the subscriber connection and offers the new credentials.
  alice->OnSignallingResumed(net::EventLoop::NowMs());
  ASSERT_EQ(sink.offers.size(), 2u);
  EXPECT_NE(server_side->local_ufrag(), old_ufrag);
  EXPECT_EQ(server_side->previous_local_ufrag(), old_ufrag);

  // The peer has not seen that offer: media and consent checks use what it knows.
  const uint64_t responses_before = peer->counters().check_responses;
  exchange(10);
  ASSERT_TRUE(net::RunLoopUntil(
      *loop_,
      [&] {
        return server_side->counters().rtcp_packets >= 20 && peer_rtp >= 20 &&
               peer->counters().check_responses >= responses_before + 2;
      },
      5000))
      << "server RTCP " << server_side->counters().rtcp_packets << ", peer RTP " << peer_rtp
      << ", consent responses " << peer->counters().check_responses - responses_before
      << ", unknown peer " << server_->counters().unknown_peer;
  EXPECT_EQ(server_side->counters().rtcp_packets, 20u);
  EXPECT_EQ(server_->counters().unknown_peer, 0u);
  EXPECT_EQ(server_side->counters().unauthorized_source, 0u);
  EXPECT_TRUE(server_side->ice().restart_pending());

  // The offer arrives: the peer checks with the new credentials, and the restart completes on
  // the same path.
  auto restart_offer = rtc::SessionDescription::Parse(sink.offers[1]);
  ASSERT_TRUE(restart_offer.ok());
  auto restart_answer = client::AnswerSubscriberOffer(
      *restart_offer,
      {peer->local_ufrag(), peer->local_pwd(), peer->local_fingerprint(), peer->local_address()});
  ASSERT_TRUE(restart_answer.ok()) << restart_answer.status().message();
  EXPECT_EQ(restart_answer->server.ice_ufrag, server_side->local_ufrag());
  ASSERT_TRUE(peer->SetRemoteParameters(restart_answer->server.ice_ufrag,
                                        restart_answer->server.ice_pwd,
                                        restart_answer->server.fingerprint, net::EventLoop::NowMs())
                  .ok());
  ASSERT_TRUE(
      alice->HandleSubscriberAnswer(restart_answer->answer.ToString(), net::EventLoop::NowMs())
          .ok());
  ASSERT_TRUE(net::RunLoopUntil(
      *loop_, [&] { return !server_side->ice().restart_pending(); }, 5000));
  ASSERT_TRUE(server_side->selected_address().has_value());
  EXPECT_EQ(*server_side->selected_address(), *peer->local_address());
  exchange(10);
  ASSERT_TRUE(net::RunLoopUntil(
      *loop_, [&] { return server_side->counters().rtcp_packets >= 30 && peer_rtp >= 30; }, 5000));
  EXPECT_EQ(server_side->counters().dtls_packets, dtls_before);  // no new handshake
  EXPECT_EQ(server_side->counters().srtp_failures, 0u);
  EXPECT_EQ(peer->counters().srtp_failures, 0u);
  EXPECT_EQ(server_side->state(), WebRtcTransportState::kConnected);
  EXPECT_TRUE(peer->connected());

  // The replaced ufrag is retired: a check with it from elsewhere finds nothing.
  auto stranger = net::UdpSocket::Bind(*net::SocketAddress::FromIp("127.0.0.1", 0));
  ASSERT_TRUE(stranger.ok());
  size_t stranger_responses = 0;
  ASSERT_TRUE(
      (*stranger)
          ->StartReceiving(loop_.get(), [&](std::span<const uint8_t>,
                                            const net::SocketAddress&) { ++stranger_responses; })
          .ok());
  rtc::StunBindingRequest request;
  request.transaction_id[2] = 5;
  request.username = old_ufrag + ":strg";
  request.password = old_pwd;
  request.priority = 100;
  request.ice_controlling_tie_breaker = 3;
  (*stranger)->SendTo(rtc::BuildStunBindingRequest(request), *answer->server.candidate);
  ASSERT_TRUE(net::RunLoopUntil(
      *loop_, [&] { return server_->counters().unknown_peer == 1; }, 5000));
  EXPECT_EQ(stranger_responses, 0u);
  peer->Close();

  // Leaving takes the transports' ufrags and addresses out of the routing maps.
  EXPECT_GT(server_->routing_entries(), 0u);
  server_->Leave("room-a", alice->sid());
  EXPECT_EQ(server_->routing_entries(), 0u);
}

// `count` consecutive UDP ports on loopback that are free right now (another process may take one
// before the test binds it again; unlikely enough for a test).
uint16_t FindFreePortRange(uint16_t count) {
  for (uint32_t base = 41000 + (::getpid() % 97) * 53; base + count < 65000; base += count) {
    std::vector<std::unique_ptr<net::UdpSocket>> held;
    for (uint16_t i = 0; i < count; ++i) {
      auto socket = net::UdpSocket::Bind(
          *net::SocketAddress::FromIp("127.0.0.1", static_cast<uint16_t>(base + i)));
      if (!socket.ok()) break;
      held.push_back(std::move(*socket));
    }
    if (held.size() == count) return static_cast<uint16_t>(base);
  }
  return 0;
}

// The UDP port of the first UDP host candidate in `candidates`, 0 when none.
int UdpCandidatePort(const std::vector<std::string>& candidates) {
  for (const std::string& candidate : candidates) {
    auto parsed = rtc::IceCandidate::Parse(candidate);
    if (parsed.ok() && parsed->protocol == rtc::IceTransportProtocol::kUdp) return parsed->port;
  }
  return 0;
}

class RtcServerPortRangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loop = net::EventLoop::Create();
    ASSERT_TRUE(loop.ok());
    loop_ = std::move(*loop);
  }
  void StartServer(uint16_t range_start, uint16_t range_end) {
    RtcServerConfig config;
    config.bind_ip = "127.0.0.1";
    config.udp_port = 0;
    config.port_range_start = range_start;
    config.port_range_end = range_end;
    config.ice_tcp = false;
    config.candidate_ips = {"127.0.0.1"};
    auto server = RtcServer::Create(loop_.get(), config);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
  }
  template <typename Condition>
  bool RunUntil(Condition done, int64_t timeout_ms = 15000) {
    return net::RunLoopUntil(*loop_, done, timeout_ms);
  }

  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<RtcServer> server_;
};

TEST_F(RtcServerPortRangeTest, EachConnectionGetsItsOwnPortUntilTheRangeRunsOut) {
  const uint16_t base = FindFreePortRange(2);
  ASSERT_NE(base, 0) << "no two free consecutive UDP ports";
  StartServer(base, base + 1);
  EXPECT_EQ(server_->udp_port(), 0);
  EXPECT_TRUE(server_->per_connection_ports());

  CapturingSink alice_sink;
  ParticipantDescription alice_description;
  alice_description.identity = "alice";
  auto alice = server_->Join("room-a", alice_description, &alice_sink, true);
  ASSERT_TRUE(alice.ok()) << alice.status().message();
  EXPECT_EQ(server_->bound_range_ports(), 2u);  // both of alice's connections are provided for
  (*alice)->NegotiateSubscriber();
  ASSERT_EQ(alice_sink.offers.size(), 1u);
  auto offer = rtc::SessionDescription::Parse(alice_sink.offers[0]);
  ASSERT_TRUE(offer.ok()) << offer.status().message();
  const rtc::MediaSection& section = offer->media.at(0);
  const int port = UdpCandidatePort(section.candidates);
  EXPECT_GE(port, base);
  EXPECT_LE(port, base + 1);

  // An ICE check to that port (and only that port) reaches alice's subscriber connection.
  auto peer = net::UdpSocket::Bind(*net::SocketAddress::FromIp("127.0.0.1", 0));
  ASSERT_TRUE(peer.ok());
  std::vector<std::vector<uint8_t>> responses;
  ASSERT_TRUE(
      (*peer)
          ->StartReceiving(loop_.get(),
                           [&](std::span<const uint8_t> data, const net::SocketAddress& from) {
                             EXPECT_EQ(from.port(), port);
                             responses.emplace_back(data.begin(), data.end());
                           })
          .ok());
  rtc::StunBindingRequest request;
  request.transaction_id[3] = 9;
  request.username = *section.ice_ufrag + ":peer";
  request.password = *section.ice_pwd;
  request.priority = 100;
  request.ice_controlling_tie_breaker = 1;
  request.use_candidate = true;
  (*peer)->SendTo(rtc::BuildStunBindingRequest(request),
                  *net::SocketAddress::FromIp("127.0.0.1", static_cast<uint16_t>(port)));
  ASSERT_TRUE(RunUntil([&] { return !responses.empty(); }, 5000));
  auto response = rtc::StunPacket::Parse(responses[0]);
  ASSERT_TRUE(response.ok()) << response.status().message();
  EXPECT_TRUE(response->VerifyMessageIntegrity(*section.ice_pwd));
  ASSERT_TRUE((*alice)->subscriber_transport()->selected_address().has_value());
  EXPECT_EQ(*(*alice)->subscriber_transport()->selected_address(), (*peer)->local_address());

  // Bob needs two more ports: the join fails and says why.
  CapturingSink bob_sink;
  ParticipantDescription bob_description;
  bob_description.identity = "bob";
  auto refused = server_->Join("room-a", bob_description, &bob_sink, true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.status().message().find(std::to_string(base) + "-" + std::to_string(base + 1)),
            std::string::npos)
      << refused.status().message();
  EXPECT_EQ(server_->counters().ports_exhausted, 1u);

  // Alice leaves: her connection's port is released at the next tick and bob gets in.
  ASSERT_TRUE(server_->RemoveParticipant("room-a", "alice").ok());
  ASSERT_TRUE(RunUntil([&] { return server_->bound_range_ports() < 2; }, 5000));
  auto bob = server_->Join("room-a", bob_description, &bob_sink, true);
  EXPECT_TRUE(bob.ok()) << bob.status().message();
}

// The native client (src/client) publishes through a server whose connections each have their
// own port: media reaches the subscriber, and every port comes back when they leave.
TEST_F(RtcServerPortRangeTest, NativeClientsExchangeMediaOverPerConnectionPorts) {
  const uint16_t base = FindFreePortRange(8);
  ASSERT_NE(base, 0) << "no eight free consecutive UDP ports";
  StartServer(base, base + 7);
  auto keys = signal::StaticApiKeyProvider::Create({{"devkey", "secret"}});
  ASSERT_TRUE(keys.ok());
  auto verifier = signal::AccessTokenVerifier::Create(
      std::shared_ptr<const signal::ApiKeyProvider>(std::move(*keys)));
  ASSERT_TRUE(verifier.ok());
  auto http =
      signal::http::HttpServer::Create(loop_.get(), *net::SocketAddress::FromIp("127.0.0.1", 0));
  ASSERT_TRUE(http.ok()) << http.status().message();
  ASSERT_TRUE(signal::RegisterRtcSignalling(http->get(), server_.get(), verifier->get()).ok());
  auto issuer = signal::AccessTokenIssuer::Create("devkey", "secret");
  ASSERT_TRUE(issuer.ok());
  auto certificate = rtc::DtlsCertificate::Create();
  ASSERT_TRUE(certificate.ok());
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  std::vector<std::unique_ptr<client::RoomClient>> clients;
  auto add_client = [&](const std::string& identity, bool decrypt) {
    signal::ClaimGrants grants;
    grants.identity = identity;
    grants.video = signal::VideoGrant{};
    grants.video->room_join = true;
    grants.video->room = "range-room";
    client::RoomClientOptions options;
    options.server_url = "ws://127.0.0.1:";
    options.server_url += std::to_string((*http)->local_address().port());
    options.token = (*issuer)->Issue(grants, now_s).value();
    options.decrypt_media = decrypt;
    options.certificate = *certificate;
    auto created = client::RoomClient::Create(loop_.get(), options, {});
    EXPECT_TRUE(created.ok());
    clients.push_back(std::move(*created));
    return clients.back().get();
  };
  client::RoomClient* publisher = add_client("publisher", false);
  client::RoomClient* subscriber = add_client("subscriber", true);
  ASSERT_TRUE(publisher->Join().ok());
  ASSERT_TRUE(subscriber->Join().ok());
  client::PublishOptions publish;
  publish.audio = true;
  publish.video = true;
  publish.video_options.bitrate_bps = 300'000;
  ASSERT_TRUE(publisher->Publish(publish).ok());
  ASSERT_TRUE(RunUntil([&] {
    if (subscriber->received_tracks().size() < 2) return false;
    for (const auto& track : subscriber->received_tracks())
      if (track->packets < 20) return false;
    return true;
  })) << "subscriber packets="
      << subscriber->packets_received();
  for (const auto& track : subscriber->received_tracks()) EXPECT_EQ(track->lost(), 0);
  EXPECT_EQ(subscriber->subscriber_transport()->counters().srtp_failures, 0u);

  // The server's side of each connection is a port of the range, a different one per connection.
  Room* room = server_->FindRoom("range-room");
  ASSERT_NE(room, nullptr);
  std::set<int> ports;
  for (const char* identity : {"publisher", "subscriber"}) {
    Participant* participant = room->FindByIdentity(identity);
    ASSERT_NE(participant, nullptr);
    for (WebRtcTransport* transport :
         {participant->publisher_transport(), participant->subscriber_transport()}) {
      if (transport == nullptr) continue;
      const int port = UdpCandidatePort(transport->local_candidates());
      EXPECT_GE(port, base);
      EXPECT_LE(port, base + 7);
      EXPECT_TRUE(ports.insert(port).second) << "port " << port << " used twice";
    }
  }
  EXPECT_GE(ports.size(), 3u);  // the publisher's two connections and the subscriber's

  for (auto& client : clients) client->Leave();
  // Only the spare ports reserved for the next joins stay bound.
  EXPECT_TRUE(RunUntil([&] { return server_->bound_range_ports() <= 2; }, 5000))
      << server_->bound_range_ports();
  EXPECT_EQ(server_->routing_entries(), 0u);  // the three connections' ufrags and addresses
  clients.clear();
}

}  // namespace
}  // namespace auralink::sfu
