#include "signal/session/rtc_signalling.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>

#include "client/signal_client.h"
#include "net/run_loop_until.h"
#include "signal/auth/access_token_issuer.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/auth/api_key_provider.h"
#include "signal/protocol/livekit_models.pb.h"
#include "signal/protocol/livekit_rtc.pb.h"
#include "signal/protocol/signal_message.h"

namespace auralink::signal {
namespace {

constexpr char kRoom[] = "data-room";

// LiveKit signalling over a real WebSocket on loopback; data channel messages from a client's
// publisher connection are handed to its participant as the SCTP association would.
class RtcSignallingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loop_ = std::move(net::EventLoop::Create()).value();
    sfu::RtcServerConfig config;
    config.bind_ip = "127.0.0.1";
    config.udp_port = 0;
    config.ice_tcp = false;
    config.candidate_ips = {"127.0.0.1"};
    auto rtc = sfu::RtcServer::Create(loop_.get(), config);
    ASSERT_TRUE(rtc.ok()) << rtc.status().message();
    rtc_ = std::move(*rtc);
    auto keys = StaticApiKeyProvider::Create({{"devkey", "secret"}});
    ASSERT_TRUE(keys.ok());
    auto verifier =
        AccessTokenVerifier::Create(std::shared_ptr<const ApiKeyProvider>(std::move(*keys)));
    ASSERT_TRUE(verifier.ok());
    verifier_ = std::move(*verifier);
    auto http = http::HttpServer::Create(loop_.get(), *net::SocketAddress::FromIp("127.0.0.1", 0));
    ASSERT_TRUE(http.ok()) << http.status().message();
    http_ = std::move(*http);
    ASSERT_TRUE(RegisterRtcSignalling(http_.get(), rtc_.get(), verifier_.get()).ok());
    url_ = "ws://127.0.0.1:" + std::to_string(http_->local_address().port());
  }
  void TearDown() override {
    clients_.clear();
    // The server sees the WebSockets close and lets go of their sessions.
    net::RunLoopUntil(
        *loop_, [] { return false; }, 200);
    http_.reset();
    rtc_.reset();
  }

  std::string Token(const std::string& identity) {
    auto issuer = AccessTokenIssuer::Create("devkey", "secret");
    ClaimGrants grants;
    grants.identity = identity;
    grants.video = VideoGrant{};
    grants.video->room_join = true;
    grants.video->room = kRoom;
    const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    return (*issuer)->Issue(grants, now_s).value();
  }

  // A signalling connection (a join, or a resume of `resume_sid`); responses land in `inbox`.
  client::SignalClient* Connect(const std::string& identity,
                                std::vector<livekit::SignalResponse>* inbox,
                                const std::string& resume_sid = "") {
    client::SignalClientCallbacks callbacks;
    callbacks.on_response = [inbox](const livekit::SignalResponse& response) {
      inbox->push_back(response);
    };
    auto connected = client::SignalClient::Connect(loop_.get(), url_, Token(identity),
                                                   /*auto_subscribe=*/true, callbacks, resume_sid);
    EXPECT_TRUE(connected.ok()) << connected.status().message();
    if (!connected.ok()) return nullptr;
    clients_.push_back(std::move(*connected));
    return clients_.back().get();
  }

  static const livekit::SignalResponse* Find(const std::vector<livekit::SignalResponse>& inbox,
                                             livekit::SignalResponse::MessageCase kind) {
    for (const livekit::SignalResponse& response : inbox) {
      if (response.message_case() == kind) return &response;
    }
    return nullptr;
  }

  std::string JoinAndGetSid(const std::string& identity,
                            std::vector<livekit::SignalResponse>* inbox) {
    Connect(identity, inbox);
    EXPECT_TRUE(net::RunLoopUntil(
        *loop_, [&] { return Find(*inbox, livekit::SignalResponse::kJoin) != nullptr; }, 5000));
    const livekit::SignalResponse* join = Find(*inbox, livekit::SignalResponse::kJoin);
    return join == nullptr ? "" : join->join().participant().sid();
  }

  static std::vector<uint8_t> ReliablePacket(uint32_t sequence) {
    livekit::DataPacket packet;
    packet.set_sequence(sequence);
    packet.mutable_user()->set_payload("message " + std::to_string(sequence));
    return SerializeMessage(packet);
  }

  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<sfu::RtcServer> rtc_;
  std::unique_ptr<AccessTokenVerifier> verifier_;
  std::unique_ptr<http::HttpServer> http_;
  std::string url_;
  std::vector<std::unique_ptr<client::SignalClient>> clients_;
};

// LiveKit's reliable data across a resume: the server forwards each numbered packet once (a
// client's replay of packets already forwarded is dropped), holds what arrives while the
// WebSocket is away, tells the resuming client the last sequence it received
// (ReconnectResponse.last_message_seq), and resends to a resumed subscriber what it says it
// missed (SyncState.datachannel_receive_states).
TEST_F(RtcSignallingTest, ReliableDataIsForwardedOnceAndReplayedAcrossAResume) {
  std::vector<livekit::SignalResponse> alice_inbox;
  std::vector<livekit::SignalResponse> bob_inbox;
  const std::string alice_sid = JoinAndGetSid("alice", &alice_inbox);
  const std::string bob_sid = JoinAndGetSid("bob", &bob_inbox);
  ASSERT_FALSE(alice_sid.empty());
  ASSERT_FALSE(bob_sid.empty());
  sfu::Room* room = rtc_->FindRoom(kRoom);
  ASSERT_NE(room, nullptr);
  sfu::Participant* alice = room->FindBySid(alice_sid);
  sfu::Participant* bob = room->FindBySid(bob_sid);
  ASSERT_NE(alice, nullptr);
  ASSERT_NE(bob, nullptr);

  for (uint32_t sequence : {1u, 2u, 3u}) alice->OnDataFromClient(ReliablePacket(sequence), true);
  // A replay of 2 and 3 (the client did not know they had arrived), then new ones.
  for (uint32_t sequence : {2u, 3u, 4u}) alice->OnDataFromClient(ReliablePacket(sequence), true);
  EXPECT_EQ(alice->last_reliable_data_sequence(), 4u);
  EXPECT_EQ(alice->data_counters().reliable_duplicates, 2u);
  // Unnumbered and lossy packets are neither deduplicated nor counted.
  alice->OnDataFromClient(ReliablePacket(0), true);
  alice->OnDataFromClient(ReliablePacket(1), false);
  EXPECT_EQ(alice->last_reliable_data_sequence(), 4u);
  EXPECT_EQ(alice->data_counters().reliable_duplicates, 2u);

  // Alice's WebSocket drops; a reliable packet arrives before she resumes.
  clients_.front().reset();
  ASSERT_TRUE(net::RunLoopUntil(
      *loop_, [&] { return alice->sink() == nullptr; }, 5000));
  alice->OnDataFromClient(ReliablePacket(5), true);
  alice->OnDataFromClient(ReliablePacket(6), /*reliable=*/false);  // lossy: gone
  EXPECT_EQ(alice->data_counters().held, 1u);

  std::vector<livekit::SignalResponse> resumed_inbox;
  Connect("alice", &resumed_inbox, alice_sid);
  ASSERT_TRUE(net::RunLoopUntil(
      *loop_, [&] { return Find(resumed_inbox, livekit::SignalResponse::kReconnect) != nullptr; },
      5000));
  EXPECT_EQ(
      Find(resumed_inbox, livekit::SignalResponse::kReconnect)->reconnect().last_message_seq(), 5u);
  EXPECT_EQ(room->FindBySid(alice_sid), alice);
  EXPECT_EQ(alice->last_reliable_data_sequence(), 5u);

  // Bob resumed too and last received alice's packet 2: 3, 4 and 5 go to him again, once each.
  livekit::SignalRequest sync;
  livekit::DataChannelReceiveState* state =
      sync.mutable_sync_state()->add_datachannel_receive_states();
  state->set_publisher_sid(alice_sid);
  state->set_last_seq(2);
  livekit::DataChannelReceiveState* unknown =
      sync.mutable_sync_state()->add_datachannel_receive_states();
  unknown->set_publisher_sid("PA_gone");
  unknown->set_last_seq(0);
  ASSERT_TRUE(clients_[1]->Send(sync));
  ASSERT_TRUE(net::RunLoopUntil(
      *loop_, [&] { return bob->data_counters().resent >= 3; }, 5000));
  net::RunLoopUntil(
      *loop_, [] { return false; }, 50);
  EXPECT_EQ(bob->data_counters().resent, 3u);
  // Alice is not sent her own packets.
  EXPECT_EQ(room->ResendReliableData(alice, alice_sid, 0), 0u);
}

// A resume for a participant that never sent reliable data says 0: livekit-client then has
// nothing to resend.
TEST_F(RtcSignallingTest, ResumeWithoutReliableDataReportsSequenceZero) {
  std::vector<livekit::SignalResponse> inbox;
  const std::string sid = JoinAndGetSid("carol", &inbox);
  ASSERT_FALSE(sid.empty());
  clients_.front().reset();
  sfu::Participant* carol = rtc_->FindRoom(kRoom)->FindBySid(sid);
  ASSERT_NE(carol, nullptr);
  ASSERT_TRUE(net::RunLoopUntil(
      *loop_, [&] { return carol->sink() == nullptr; }, 5000));
  std::vector<livekit::SignalResponse> resumed;
  Connect("carol", &resumed, sid);
  ASSERT_TRUE(net::RunLoopUntil(
      *loop_, [&] { return Find(resumed, livekit::SignalResponse::kReconnect) != nullptr; }, 5000));
  const livekit::ReconnectResponse& reconnect =
      Find(resumed, livekit::SignalResponse::kReconnect)->reconnect();
  EXPECT_EQ(reconnect.last_message_seq(), 0u);
  EXPECT_TRUE(reconnect.has_server_info());
}

}  // namespace
}  // namespace auralink::signal
