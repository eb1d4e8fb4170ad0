#include "sfu/rtc_server.h"

#include <gtest/gtest.h>

#include "rtc/ice/stun_packet.h"
#include "rtc/sdp/session_description.h"

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
    RtcServerConfig config;
    config.bind_ip = "127.0.0.1";
    config.udp_port = 0;
    config.tcp_port = 0;
    config.candidate_ips = {"127.0.0.1"};
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
  Participant* alice = JoinAs("alice", &sink);
  ASSERT_NE(alice, nullptr);
  alice->NegotiateSubscriber();
  ASSERT_EQ(sink.offers.size(), 1u);
  auto offer = rtc::SessionDescription::Parse(sink.offers[0]);
  ASSERT_TRUE(offer.ok()) << offer.status().message();
  const rtc::MediaSection& section = offer->media.at(0);
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

  rtc::StunBindingRequest request;
  request.transaction_id[3] = 7;
  request.username = *section.ice_ufrag + ":clnt";
  request.password = *section.ice_pwd;
  request.priority = 100;
  request.ice_controlling_tie_breaker = 1;
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

}  // namespace
}  // namespace auralink::sfu
