#include "signal/session/rtc_signalling.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>

#include "client/signal_client.h"
#include "common/whole_file.h"
#include "net/run_loop_until.h"
#include "rtc/sdp/session_description.h"
#include "signal/auth/access_token_issuer.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/auth/api_key_provider.h"
#include "signal/http/websocket_client.h"
#include "signal/protocol/livekit_models.pb.h"
#include "signal/protocol/livekit_rtc.pb.h"
#include "signal/protocol/signal_message.h"
#include "signal/protocol/wrapped_join_request.h"

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

// --- /rtc/v1: one peer connection per participant, offered by the browser. ---

std::string TestOffer(const char* name) {
  auto text = ReadWholeFile(std::string(AURALINK_SOURCE_DIR) + "/src/rtc/sdp/testdata/" + name);
  EXPECT_TRUE(text.ok());
  return text.ok() ? std::string(reinterpret_cast<const char*>(text->data()), text->size()) : "";
}

// Chromium's recvonly offer (audio "0", video "1") with `extra` more audio/video pairs, as
// livekit-client's offer looks after it added the sections a MediaSectionsRequirement asked for.
std::string ReceiveOffer(int extra) {
  auto offer = rtc::SessionDescription::Parse(TestOffer("chromium_recvonly_offer.sdp"));
  EXPECT_TRUE(offer.ok());
  const std::vector<rtc::MediaSection> base = offer->media;
  for (int i = 0; i < extra; ++i) {
    for (rtc::MediaSection section : base) {
      if (section.media == "application") continue;
      section.mid = std::to_string(2 + 2 * i + (section.media == "video" ? 1 : 0));
      offer->groups[0].mids.push_back(*section.mid);
      offer->media.push_back(section);
    }
  }
  return offer->ToString();
}

struct V1Socket {
  std::shared_ptr<http::WebSocketConnection> connection;
  std::vector<livekit::SignalResponse> inbox;
  int http_status = 0;
  std::string http_body;
};

class RtcV1SignallingTest : public RtcSignallingTest {
 protected:
  // Connects to /rtc/v1 with `request` as its join_request (GZIP, as Chromium's livekit-client).
  V1Socket* ConnectV1(const std::string& identity, const livekit::JoinRequest& request,
                      const std::string& join_request_override = "") {
    sockets_.push_back(std::make_unique<V1Socket>());
    V1Socket* socket = sockets_.back().get();
    const std::string parameter = join_request_override.empty()
                                      ? EncodeJoinRequestParameter(request, /*gzip=*/true)
                                      : join_request_override;
    bool done = false;
    auto client = http::WebSocketClient::Connect(
        loop_.get(),
        url_ + "/rtc/v1?access_token=" + Token(identity) + "&join_request=" + parameter, {},
        [socket, &done](http::WebSocketConnectResult result) {
          done = true;
          socket->http_status = result.http_status;
          socket->http_body = result.http_body;
          socket->connection = result.connection;
          if (!socket->connection) return;
          socket->connection->set_message_callback(
              [socket](http::WebSocketMessageType, std::span<const uint8_t> payload) {
                auto response = ParseSignalResponse(payload);
                if (response.ok()) socket->inbox.push_back(*response);
              });
        });
    EXPECT_TRUE(client.ok());
    EXPECT_TRUE(net::RunLoopUntil(
        *loop_, [&] { return done; }, 5000));
    return socket;
  }

  void Send(V1Socket* socket, const livekit::SignalRequest& request) {
    ASSERT_TRUE(socket->connection);
    socket->connection->SendBinary(SerializeMessage(request));
  }

  // The first response of `kind` after index `from`, waiting for it.
  const livekit::SignalResponse* Await(V1Socket* socket, livekit::SignalResponse::MessageCase kind,
                                       size_t from = 0) {
    const livekit::SignalResponse* found = nullptr;
    net::RunLoopUntil(
        *loop_,
        [&] {
          for (size_t i = from; i < socket->inbox.size() && found == nullptr; ++i) {
            if (socket->inbox[i].message_case() == kind) found = &socket->inbox[i];
          }
          return found != nullptr;
        },
        5000);
    return found;
  }

  static livekit::JoinRequest JoinRequestWithOffer(const std::string& sdp) {
    livekit::JoinRequest request;
    request.mutable_connection_settings()->set_auto_subscribe(true);
    request.mutable_publisher_offer()->set_type("offer");
    request.mutable_publisher_offer()->set_sdp(sdp);
    request.mutable_publisher_offer()->set_id(1);
    return request;
  }

  static void AddTrackRequest(livekit::JoinRequest* request, livekit::TrackType type,
                              const std::string& cid) {
    livekit::AddTrackRequest* add = request->add_add_track_requests();
    add->set_type(type);
    add->set_cid(cid);
    add->set_name(cid);
  }

  void TearDown() override {
    for (auto& socket : sockets_) {
      if (socket->connection) socket->connection->Close(http::kCloseNormal, "done");
    }
    RtcSignallingTest::TearDown();
    sockets_.clear();
  }

  std::vector<std::unique_ptr<V1Socket>> sockets_;
};

// A publisher and a subscriber on /rtc/v1 and a third participant on /rtc share a room: the v1
// subscriber's own offers carry what it receives, and it is asked for more sections when tracks
// outnumber them, and for a new offer when one goes away.
TEST_F(RtcV1SignallingTest, SinglePeerConnectionSubscribersGetTracksOnTheirReceiveSections) {
  // Alice publishes a microphone and a camera with her join (Chromium's sendonly offer).
  livekit::JoinRequest alice_join = JoinRequestWithOffer(TestOffer("chromium_simulcast_offer.sdp"));
  AddTrackRequest(&alice_join, livekit::AUDIO, "alice-mic");
  AddTrackRequest(&alice_join, livekit::VIDEO, "alice-camera");
  V1Socket* alice = ConnectV1("alice", alice_join);
  ASSERT_EQ(alice->http_status, 101) << alice->http_body;
  const livekit::SignalResponse* alice_answer = Await(alice, livekit::SignalResponse::kAnswer);
  ASSERT_NE(alice_answer, nullptr);
  ASSERT_FALSE(alice->inbox.empty());
  EXPECT_EQ(alice->inbox[0].message_case(), livekit::SignalResponse::kJoin);
  EXPECT_FALSE(alice->inbox[0].join().subscriber_primary());
  EXPECT_EQ(alice_answer->answer().id(), 1u);
  EXPECT_NE(alice_answer->answer().sdp().find("a=recvonly"), std::string::npos);
  std::map<std::string, std::string> alice_tracks;  // kind -> sid
  for (const livekit::SignalResponse& response : alice->inbox) {
    if (response.has_track_published())
      alice_tracks[response.track_published().track().type() == livekit::AUDIO ? "audio"
                                                                               : "video"] =
          response.track_published().track().sid();
  }
  ASSERT_EQ(alice_tracks.size(), 2u);
  const std::string alice_sid = alice->inbox[0].join().participant().sid();

  // Bob joins with one audio and one video receive section: alice's tracks go there.
  V1Socket* bob = ConnectV1("bob", JoinRequestWithOffer(ReceiveOffer(0)));
  ASSERT_EQ(bob->http_status, 101) << bob->http_body;
  const livekit::SignalResponse* bob_answer = Await(bob, livekit::SignalResponse::kAnswer);
  ASSERT_NE(bob_answer, nullptr);
  EXPECT_EQ(bob_answer->answer().mid_to_track_id().size(), 2u);
  EXPECT_EQ(bob_answer->answer().mid_to_track_id().at("0"), alice_tracks["audio"]);
  EXPECT_EQ(bob_answer->answer().mid_to_track_id().at("1"), alice_tracks["video"]);
  const std::string& sdp = bob_answer->answer().sdp();
  EXPECT_NE(sdp.find("a=msid:" + alice_sid + "|" + alice_tracks["video"]), std::string::npos)
      << sdp;
  EXPECT_NE(sdp.find("a=sendonly"), std::string::npos);

  // Carol joins over /rtc (two peer connections) and publishes a camera and a microphone too.
  std::vector<livekit::SignalResponse> carol_inbox;
  client::SignalClient* carol = Connect("carol", &carol_inbox);
  ASSERT_NE(carol, nullptr);
  ASSERT_TRUE(net::RunLoopUntil(
      *loop_, [&] { return Find(carol_inbox, livekit::SignalResponse::kJoin) != nullptr; }, 5000));
  for (const auto& [type, cid] :
       {std::pair{livekit::AUDIO, "carol-mic"}, std::pair{livekit::VIDEO, "carol-camera"}}) {
    livekit::SignalRequest add;
    add.mutable_add_track()->set_type(type);
    add.mutable_add_track()->set_cid(cid);
    ASSERT_TRUE(carol->Send(add));
  }
  const size_t bob_before = bob->inbox.size();
  livekit::SignalRequest carol_offer;
  carol_offer.mutable_offer()->set_type("offer");
  carol_offer.mutable_offer()->set_sdp(TestOffer("chromium_simulcast_offer.sdp"));
  carol_offer.mutable_offer()->set_id(1);
  ASSERT_TRUE(carol->Send(carol_offer));

  // Carol receives alice's tracks in a subscriber offer of her own.
  ASSERT_TRUE(net::RunLoopUntil(
      *loop_, [&] { return Find(carol_inbox, livekit::SignalResponse::kOffer) != nullptr; }, 5000));
  EXPECT_NE(Find(carol_inbox, livekit::SignalResponse::kOffer)
                ->offer()
                .sdp()
                .find(alice_sid + "|" + alice_tracks["video"]),
            std::string::npos);

  // Bob has no free section for carol's two tracks: he is asked for one of each.
  const livekit::SignalResponse* requirement =
      Await(bob, livekit::SignalResponse::kMediaSectionsRequirement, bob_before);
  ASSERT_NE(requirement, nullptr);
  EXPECT_EQ(requirement->media_sections_requirement().num_audios(), 1u);
  EXPECT_EQ(requirement->media_sections_requirement().num_videos(), 1u);
  // Alice is asked for sections too: her offer had none to receive on.
  const livekit::SignalResponse* alice_requirement =
      Await(alice, livekit::SignalResponse::kMediaSectionsRequirement);
  ASSERT_NE(alice_requirement, nullptr);
  EXPECT_EQ(alice_requirement->media_sections_requirement().num_audios(), 1u);
  EXPECT_EQ(alice_requirement->media_sections_requirement().num_videos(), 1u);

  // Bob offers again with the added sections: carol's tracks go on them, alice's stay put.
  size_t from = bob->inbox.size();
  livekit::SignalRequest offer;
  offer.mutable_offer()->set_type("offer");
  offer.mutable_offer()->set_sdp(ReceiveOffer(1));
  offer.mutable_offer()->set_id(2);
  Send(bob, offer);
  bob_answer = Await(bob, livekit::SignalResponse::kAnswer, from);
  ASSERT_NE(bob_answer, nullptr);
  EXPECT_EQ(bob_answer->answer().id(), 2u);
  ASSERT_EQ(bob_answer->answer().mid_to_track_id().size(), 4u);
  EXPECT_EQ(bob_answer->answer().mid_to_track_id().at("0"), alice_tracks["audio"]);
  EXPECT_EQ(bob_answer->answer().mid_to_track_id().at("1"), alice_tracks["video"]);
  EXPECT_TRUE(bob_answer->answer().mid_to_track_id().count("2"));
  EXPECT_TRUE(bob_answer->answer().mid_to_track_id().count("3"));

  // Carol leaves: bob is asked to offer again (nothing to add), and the answer frees her sections.
  from = bob->inbox.size();
  livekit::SignalRequest leave;
  leave.mutable_leave();
  ASSERT_TRUE(carol->Send(leave));
  requirement = Await(bob, livekit::SignalResponse::kMediaSectionsRequirement, from);
  ASSERT_NE(requirement, nullptr);
  EXPECT_EQ(requirement->media_sections_requirement().num_audios(), 0u);
  EXPECT_EQ(requirement->media_sections_requirement().num_videos(), 0u);
  offer.mutable_offer()->set_id(3);
  Send(bob, offer);
  bob_answer = Await(bob, livekit::SignalResponse::kAnswer, from);
  ASSERT_NE(bob_answer, nullptr);
  EXPECT_EQ(bob_answer->answer().mid_to_track_id().size(), 2u);
  auto answer = rtc::SessionDescription::Parse(bob_answer->answer().sdp());
  ASSERT_TRUE(answer.ok());
  for (const rtc::MediaSection& section : answer->media) {
    if (section.mid == "2" || section.mid == "3") {
      EXPECT_EQ(section.direction, rtc::MediaDirection::kInactive);
    }
  }
}

TEST_F(RtcV1SignallingTest, AMalformedJoinRequestIsRefusedWith400) {
  V1Socket* socket = ConnectV1("alice", {}, "AAA*");
  EXPECT_EQ(socket->http_status, 400);
  EXPECT_NE(socket->http_body.find("join_request"), std::string::npos) << socket->http_body;
  EXPECT_EQ(socket->connection, nullptr);
  // The server carries on: a good join works.
  V1Socket* good = ConnectV1("alice", JoinRequestWithOffer(ReceiveOffer(0)));
  EXPECT_EQ(good->http_status, 101);
  EXPECT_NE(Await(good, livekit::SignalResponse::kAnswer), nullptr);
}

}  // namespace
}  // namespace auralink::signal
