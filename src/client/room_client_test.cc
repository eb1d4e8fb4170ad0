#include "client/room_client.h"

#include <gtest/gtest.h>

#include <chrono>

#include "client/load_generator.h"
#include "net/run_loop_until.h"
#include "sfu/participant.h"
#include "sfu/room.h"
#include "sfu/rtc_server.h"
#include "sfu/subscriber_sender.h"
#include "signal/auth/access_token_issuer.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/auth/api_key_provider.h"
#include "signal/http/http_server.h"
#include "signal/session/rtc_signalling.h"

namespace auralink::client {
namespace {

// True when `client` receives at least `tracks` tracks and `enough` holds for each.
template <typename Predicate>
bool EveryTrack(const RoomClient* client, size_t tracks, Predicate enough) {
  if (client->received_tracks().size() < tracks) return false;
  for (const auto& track : client->received_tracks()) {
    if (!enough(*track)) return false;
  }
  return true;
}

int64_t WallSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The real signalling and SFU in this process on loopback (ephemeral ports), with our clients on
// the same event loop: join, publish, subscribe, forward, leave.
class RoomClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loop = net::EventLoop::Create();
    ASSERT_TRUE(loop.ok());
    loop_ = std::move(*loop);
    sfu::RtcServerConfig config;
    config.bind_ip = "127.0.0.1";
    config.udp_port = 0;
    config.tcp_port = 0;
    config.candidate_ips = {"127.0.0.1"};
    auto rtc = sfu::RtcServer::Create(loop_.get(), config);
    ASSERT_TRUE(rtc.ok()) << rtc.status().message();
    rtc_ = std::move(*rtc);
    auto keys = signal::StaticApiKeyProvider::Create({{"devkey", "secret"}});
    ASSERT_TRUE(keys.ok());
    auto verifier = signal::AccessTokenVerifier::Create(
        std::shared_ptr<const signal::ApiKeyProvider>(std::move(*keys)));
    ASSERT_TRUE(verifier.ok());
    verifier_ = std::move(*verifier);
    auto http =
        signal::http::HttpServer::Create(loop_.get(), *net::SocketAddress::FromIp("127.0.0.1", 0));
    ASSERT_TRUE(http.ok()) << http.status().message();
    http_ = std::move(*http);
    ASSERT_TRUE(signal::RegisterRtcSignalling(http_.get(), rtc_.get(), verifier_.get()).ok());
    url_ = "ws://127.0.0.1:" + std::to_string(http_->local_address().port());
    auto issuer = signal::AccessTokenIssuer::Create("devkey", "secret");
    ASSERT_TRUE(issuer.ok());
    issuer_ = std::move(*issuer);
    auto certificate = rtc::DtlsCertificate::Create();
    ASSERT_TRUE(certificate.ok());
    certificate_ = *certificate;
  }

  void TearDown() override {
    clients_.clear();
    http_.reset();
    rtc_.reset();
  }

  std::string Token(const std::string& identity, const std::string& room = "test-room") {
    signal::ClaimGrants grants;
    grants.identity = identity;
    grants.video = signal::VideoGrant{};
    grants.video->room_join = true;
    grants.video->room = room;
    return issuer_->Issue(grants, WallSeconds()).value();
  }

  RoomClient* AddClient(const std::string& identity, bool decrypt,
                        RoomClientCallbacks callbacks = {}, RoomClientOptions options = {}) {
    options.server_url = url_;
    options.token = Token(identity);
    options.decrypt_media = decrypt;
    options.certificate = certificate_;
    auto client = RoomClient::Create(loop_.get(), options, std::move(callbacks));
    EXPECT_TRUE(client.ok());
    clients_.push_back(std::move(*client));
    return clients_.back().get();
  }

  template <typename Condition>
  bool RunUntil(Condition done, int64_t timeout_ms = 15000) {
    return net::RunLoopUntil(*loop_, done, timeout_ms);
  }

  // A publisher of audio and video at `video_bps`, a subscriber that decrypts and measures and one
  // that only counts, all joined; null members when a step failed (reported).
  struct AudioVideoCall {
    RoomClient* publisher = nullptr;
    RoomClient* measured = nullptr;
    RoomClient* counting = nullptr;
  };
  AudioVideoCall StartAudioVideoCall(int video_bps, RoomClientOptions publisher_options = {}) {
    AudioVideoCall call;
    RoomClient* publisher = AddClient("publisher", false, {}, std::move(publisher_options));
    RoomClient* measured = AddClient("measured", true);
    RoomClient* counting = AddClient("counting", false);
    for (RoomClient* client : {publisher, measured, counting}) {
      if (!client->Join().ok()) {
        ADD_FAILURE() << "join failed";
        return call;
      }
    }
    PublishOptions publish;
    publish.audio = true;
    publish.video = true;
    publish.video_options.bitrate_bps = video_bps;
    if (!publisher->Publish(publish).ok()) {
      ADD_FAILURE() << "publish failed";
      return call;
    }
    return {publisher, measured, counting};
  }

  void LeaveAll() {
    for (auto& client : clients_) client->Leave();
    RunUntil([] { return false; }, 200);
  }

  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<sfu::RtcServer> rtc_;
  std::unique_ptr<signal::AccessTokenVerifier> verifier_;
  std::unique_ptr<signal::http::HttpServer> http_;
  std::unique_ptr<signal::AccessTokenIssuer> issuer_;
  std::shared_ptr<const rtc::DtlsCertificate> certificate_;
  std::string url_;
  std::vector<std::unique_ptr<RoomClient>> clients_;
};

TEST_F(RoomClientTest, PublisherReachesSubscribersThroughTheSfu) {
  const auto [publisher, measured, counting] = StartAudioVideoCall(500'000);
  ASSERT_NE(publisher, nullptr);
  auto receives_both = [](RoomClient* client) {
    return EveryTrack(client, 2, [](const ReceivedTrack& track) { return track.packets >= 20; });
  };
  ASSERT_TRUE(RunUntil([&] { return receives_both(measured) && receives_both(counting); }))
      << "publishing=" << publisher->publishing()
      << " measured tracks=" << measured->received_tracks().size()
      << " packets=" << measured->packets_received()
      << " counting packets=" << counting->packets_received();

  EXPECT_TRUE(publisher->publishing());
  EXPECT_GT(publisher->publisher_stats().key_frames, 0u);
  for (RoomClient* subscriber : {measured, counting}) {
    EXPECT_TRUE(subscriber->subscriber_connected());
    for (const auto& track : subscriber->received_tracks()) {
      EXPECT_EQ(track->offered.participant_sid, publisher->participant_sid());
      EXPECT_EQ(track->lost(), 0);
    }
  }
  ASSERT_NE(measured->latency(), nullptr);
  EXPECT_GT(measured->latency()->count(), 20u);
  EXPECT_EQ(counting->latency(), nullptr);
  EXPECT_EQ(measured->subscriber_transport()->counters().srtp_failures, 0u);

  LeaveAll();
}

// Each published stream's sender reports reach every subscriber under the SSRC of its down track,
// with an RTP timestamp in the timestamps that subscriber receives; one who joins later gets them
// too. The subscribers' receiver reports then carry LSR and DLSR (RtpReceiveStatistics).
TEST_F(RoomClientTest, SenderReportsReachSubscribersInTheirOwnStreams) {
  RoomClientOptions fast;
  fast.audio_sender_report_interval_ms = 100;
  fast.video_sender_report_interval_ms = 100;
  const auto [publisher, measured, counting] = StartAudioVideoCall(300'000, fast);
  ASSERT_NE(publisher, nullptr);
  auto reported = [](RoomClient* client) {
    return EveryTrack(client, 2,
                      [](const ReceivedTrack& track) { return track.sender_reports >= 3; });
  };
  ASSERT_TRUE(RunUntil([&] { return reported(measured) && reported(counting); }))
      << "published " << publisher->publisher_stats().sender_reports << " sender reports";
  RoomClient* late = AddClient("late", false);
  ASSERT_TRUE(late->Join().ok());
  ASSERT_TRUE(RunUntil([&] { return reported(late); }));

  EXPECT_GE(publisher->publisher_stats().sender_reports, 6u);
  const uint64_t now_ntp_seconds = static_cast<uint64_t>(WallSeconds()) + 2'208'988'800u;
  for (RoomClient* subscriber : {measured, counting, late}) {
    for (const auto& track : subscriber->received_tracks()) {
      ASSERT_TRUE(track->last_sender_report.has_value());
      const rtc::SenderReport& report = *track->last_sender_report;
      // Found by the down track's SSRC, which is the subscriber's own (made by the server).
      EXPECT_EQ(report.sender_ssrc, track->offered.ssrc);
      // The publisher's clock, as sent.
      EXPECT_LE(report.ntp_timestamp >> 32, now_ntp_seconds + 1);
      EXPECT_GE(report.ntp_timestamp >> 32, now_ntp_seconds - 10);
      // What the down track sent, not the publisher's stream: at most what arrived since.
      EXPECT_GT(report.packet_count, 0u);
      EXPECT_LE(report.packet_count, track->packets);
      // Within a second of the newest timestamp received: the report was written at most a few
      // hundred ms ago, in the down track's timestamps.
      const int32_t behind = static_cast<int32_t>(track->last_timestamp - report.rtp_timestamp);
      const int32_t clock_rate = static_cast<int32_t>(track->offered.clock_rate);
      EXPECT_GT(behind, -clock_rate / 10) << track->offered.clock_rate;
      EXPECT_LT(behind, clock_rate) << track->offered.clock_rate;
    }
  }

  LeaveAll();
}

// A subscriber who joins between two of a publisher's sender reports is sent the newest one as
// soon as media reaches it, not at the publisher's next report (audio's come every ~5 s).
TEST_F(RoomClientTest, ALateSubscriberGetsTheNewestSenderReportAtOnce) {
  RoomClientOptions slow;
  slow.audio_sender_report_interval_ms = 6000;  // the first after 3 s, the next 3-9 s later
  RoomClient* publisher = AddClient("publisher", false, {}, slow);
  RoomClient* early = AddClient("early", false);
  for (RoomClient* client : {publisher, early}) ASSERT_TRUE(client->Join().ok());
  PublishOptions publish;
  publish.audio = true;
  ASSERT_TRUE(publisher->Publish(publish).ok());
  auto reported = [](RoomClient* client) {
    return EveryTrack(client, 1,
                      [](const ReceivedTrack& track) { return track.sender_reports >= 1; });
  };
  ASSERT_TRUE(RunUntil([&] { return reported(early); }, 20000));
  RoomClient* late = AddClient("late", false);
  ASSERT_TRUE(late->Join().ok());
  ASSERT_TRUE(RunUntil([&] { return reported(late); }, 20000));
  ASSERT_EQ(publisher->publisher_stats().sender_reports, 1u) << "the publisher's next report "
                                                                "came before the late joiner's";
  EXPECT_EQ(late->received_tracks()[0]->last_sender_report->ntp_timestamp,
            early->received_tracks()[0]->last_sender_report->ntp_timestamp);

  LeaveAll();
}

// As a browser does, the client answers the server's transport-wide sequence numbers with
// feedback on its subscriber connection, decrypting or not (the extension is in the clear), and the
// server's send-side estimate for it runs on that feedback.
TEST_F(RoomClientTest, SubscribersSendTransportFeedbackTheServerEstimatesFrom) {
  const auto [publisher, measured, counting] = StartAudioVideoCall(300'000);
  ASSERT_NE(publisher, nullptr);

  sfu::Room* room = nullptr;
  auto estimated = [&](RoomClient* client) {
    if (room == nullptr) room = rtc_->FindRoom("test-room");
    const sfu::Participant* participant =
        room != nullptr ? room->FindBySid(client->participant_sid()) : nullptr;
    const sfu::SubscriberSender* sender =
        participant != nullptr ? participant->subscriber_sender() : nullptr;
    return sender != nullptr && sender->transport_feedbacks() >= 5 &&
           sender->acknowledged_bps().value_or(0) > 0;
  };
  ASSERT_TRUE(RunUntil([&] { return estimated(measured) && estimated(counting); }))
      << "feedback sent: measured=" << measured->transport_feedback_sent()
      << " counting=" << counting->transport_feedback_sent();
  for (RoomClient* subscriber : {measured, counting}) {
    EXPECT_GE(subscriber->transport_feedback_sent(), 5u);
    EXPECT_EQ(subscriber->subscriber_transport()->counters().srtp_failures, 0u);
  }
  // The publisher receives nothing, so it sends no feedback on a subscriber connection.
  EXPECT_EQ(publisher->transport_feedback_sent(), 0u);

  LeaveAll();
}

TEST_F(RoomClientTest, RefusedTokenIsReported) {
  RoomClientOptions options;
  options.server_url = url_;
  options.token = "not-a-token";
  options.certificate = certificate_;
  std::optional<Status> joined;
  RoomClientCallbacks callbacks;
  callbacks.on_joined = [&](const Status& status) { joined = status; };
  auto client = RoomClient::Create(loop_.get(), options, callbacks);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->Join().ok());
  ASSERT_TRUE(RunUntil([&] { return joined.has_value(); }));
  EXPECT_FALSE(joined->ok());
  EXPECT_NE(joined->message().find("401"), std::string::npos) << joined->message();
}

// LiveKit's resume: the WebSocket drops (no leave request) and the client comes back with
// reconnect=1&sid=...: same participant, same tracks and subscriptions, media carries on, and both
// peer connections restart ICE (the subscriber one from the server's offer, the publisher one from
// the client's) with new server credentials.
TEST_F(RoomClientTest, ResumedSessionKeepsItsTracksAndMedia) {
  std::vector<Status> resumed;
  std::vector<Status> disconnected;
  RoomClientCallbacks callbacks;
  callbacks.on_resumed = [&](const Status& status) { resumed.push_back(status); };
  callbacks.on_disconnected = [&](const Status& status) { disconnected.push_back(status); };
  RoomClient* publisher = AddClient("publisher", false, callbacks);
  RoomClient* subscriber = AddClient("subscriber", true, callbacks);
  ASSERT_TRUE(publisher->Join().ok());
  ASSERT_TRUE(subscriber->Join().ok());
  PublishOptions publish;
  publish.audio = true;
  publish.video = true;
  publish.video_options.bitrate_bps = 300'000;
  ASSERT_TRUE(publisher->Publish(publish).ok());
  auto packets_of_each = [&](uint64_t at_least) {
    if (subscriber->received_tracks().size() < 2) return false;
    for (const auto& track : subscriber->received_tracks()) {
      if (track->packets < at_least) return false;
    }
    return true;
  };
  ASSERT_TRUE(RunUntil([&] { return packets_of_each(20); }));

  sfu::Room* room = rtc_->FindRoom("test-room");
  ASSERT_NE(room, nullptr);
  sfu::Participant* server_publisher = room->FindBySid(publisher->participant_sid());
  sfu::Participant* server_subscriber = room->FindBySid(subscriber->participant_sid());
  ASSERT_NE(server_publisher, nullptr);
  ASSERT_NE(server_subscriber, nullptr);
  const std::string publisher_sid = publisher->participant_sid();
  const std::string subscriber_sid = subscriber->participant_sid();
  const std::string publisher_ufrag = server_publisher->publisher_transport()->local_ufrag();
  const std::string subscriber_ufrag = server_subscriber->subscriber_transport()->local_ufrag();
  const size_t tracks_before = server_publisher->published_tracks().size();

  ASSERT_TRUE(publisher->ResumeSignalling().ok());
  ASSERT_TRUE(subscriber->ResumeSignalling().ok());
  ASSERT_TRUE(RunUntil([&] { return resumed.size() == 2; }));
  for (const Status& status : resumed) EXPECT_TRUE(status.ok()) << status.message();

  // Both ICE restarts complete: the server answered with new credentials and the clients' checks
  // with them succeed (the server learns them only from authenticated checks).
  ASSERT_TRUE(RunUntil([&] {
    return server_publisher->publisher_transport()->local_ufrag() != publisher_ufrag &&
           server_subscriber->subscriber_transport()->local_ufrag() != subscriber_ufrag &&
           publisher->publisher_transport()->counters().check_responses > 0;
  }));
  const uint64_t publisher_checks = publisher->publisher_transport()->counters().check_responses;
  const uint64_t subscriber_checks = subscriber->subscriber_transport()->counters().check_responses;
  ASSERT_TRUE(RunUntil(
      [&] {
        return publisher->publisher_transport()->counters().check_responses > publisher_checks &&
               subscriber->subscriber_transport()->counters().check_responses > subscriber_checks;
      },
      8000));

  // The same participants, tracks and subscriptions; media keeps arriving.
  EXPECT_EQ(room->FindBySid(publisher_sid), server_publisher);
  EXPECT_EQ(room->FindBySid(subscriber_sid), server_subscriber);
  EXPECT_EQ(server_publisher->published_tracks().size(), tracks_before);
  EXPECT_EQ(room->participants().size(), 2u);
  std::vector<uint64_t> before;
  for (const auto& track : subscriber->received_tracks()) before.push_back(track->packets);
  ASSERT_TRUE(RunUntil([&] {
    for (size_t i = 0; i < before.size(); ++i) {
      if (subscriber->received_tracks()[i]->packets < before[i] + 40) return false;
    }
    return true;
  })) << "media stopped after the resume";
  EXPECT_EQ(subscriber->received_tracks().size(), 2u);
  EXPECT_TRUE(subscriber->subscriber_connected());
  EXPECT_TRUE(publisher->publishing());
  EXPECT_TRUE(disconnected.empty()) << disconnected.front().message();

  LeaveAll();
}

// A resume for a participant the server no longer has (it timed out) is answered with a
// LeaveRequest whose action tells the client to join afresh.
TEST_F(RoomClientTest, ResumeOfAParticipantThatIsGoneIsToldToRejoin) {
  std::optional<Status> resumed;
  RoomClientCallbacks callbacks;
  callbacks.on_resumed = [&](const Status& status) { resumed = status; };
  RoomClient* client = AddClient("returning", false, callbacks);
  ASSERT_TRUE(client->Join().ok());
  ASSERT_TRUE(RunUntil([&] { return client->joined(); }));
  sfu::Room* room = rtc_->FindRoom("test-room");
  ASSERT_NE(room, nullptr);
  room->Remove(client->participant_sid(), /*notify=*/false, "", net::EventLoop::NowMs());
  ASSERT_TRUE(client->ResumeSignalling().ok());
  ASSERT_TRUE(RunUntil([&] { return resumed.has_value(); }));
  EXPECT_FALSE(resumed->ok());
  EXPECT_NE(resumed->message().find("RECONNECT"), std::string::npos) << resumed->message();
  EXPECT_TRUE(room->participants().empty());
}

// A WebSocket that closes without a leave request keeps the participant for a resume; the
// signalling timeout removes it when none comes.
TEST_F(RoomClientTest, DroppedSignallingKeepsTheParticipantUntilTheTimeout) {
  RoomClient* client = AddClient("dropped", false);
  ASSERT_TRUE(client->Join().ok());
  ASSERT_TRUE(RunUntil([&] { return client->joined(); }));
  const std::string sid = client->participant_sid();
  clients_.clear();  // closes the WebSocket, no leave request
  RunUntil([] { return false; }, 300);
  sfu::Room* room = rtc_->FindRoom("test-room");
  ASSERT_NE(room, nullptr);
  sfu::Participant* participant = room->FindBySid(sid);
  ASSERT_NE(participant, nullptr);
  EXPECT_EQ(participant->sink(), nullptr);
  room->Tick(net::EventLoop::NowMs() + 60'000, /*signal_timeout_ms=*/15'000);
  EXPECT_EQ(room->FindBySid(sid), nullptr);
}

TEST(LoadGeneratorTest, ParsesProcStat) {
  const std::string stat =
      "1234 (auralink serve) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 3 0 100 0 0";
  auto seconds = ParseProcStatCpuSeconds(stat, 100);
  ASSERT_TRUE(seconds.ok()) << seconds.status().message();
  EXPECT_DOUBLE_EQ(*seconds, 3.0);  // (250 + 50) ticks at 100 Hz
  EXPECT_FALSE(ParseProcStatCpuSeconds("garbage", 100).ok());
  EXPECT_FALSE(ParseProcStatCpuSeconds("1 (x) S 1 2", 100).ok());
}

TEST(LoadGeneratorTest, ReadsOneCoresStealTime) {
  const std::string stat =
      "cpu  163138 203 33059 128953 925 0 4880 1351 0 0\n"
      "cpu0 82204 109 17497 62869 88 0 3602 515 0 0\n"
      "cpu1 80933 93 15561 66083 836 0 1278 835 0 0\n"
      "cpu10 1 2 3 4 5 6 7 999 0 0\n"
      "intr 123 0\n";
  EXPECT_DOUBLE_EQ(ParseProcStatStealSeconds(stat, 0, 100).value(), 5.15);
  EXPECT_DOUBLE_EQ(ParseProcStatStealSeconds(stat, 1, 100).value(), 8.35);
  EXPECT_DOUBLE_EQ(ParseProcStatStealSeconds(stat, 10, 100).value(), 9.99);
  EXPECT_FALSE(ParseProcStatStealSeconds(stat, 2, 100).ok());
  EXPECT_FALSE(ParseProcStatStealSeconds("cpu0 1 2 3\n", 0, 100).ok());
  EXPECT_FALSE(ParseProcStatStealSeconds(stat, -1, 100).ok());
}

TEST(LoadGeneratorTest, ReadsAnInterfacesReceiveDrops) {
  const std::string net_dev =
      "Inter-|   Receive                            |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes packets\n"
      "    lo: 8722227791 20195701    0    0    0     0          0         0 8722227791 20195701\n"
      "  ifb0: 28400140  200002    0 200001    0     0          0         0        0       0\n";
  auto drops = ParseNetDevReceiveDrops(net_dev, "ifb0");
  ASSERT_TRUE(drops.ok()) << drops.status().message();
  EXPECT_EQ(*drops, 200001u);
  EXPECT_EQ(*ParseNetDevReceiveDrops(net_dev, "lo"), 0u);
  EXPECT_FALSE(ParseNetDevReceiveDrops(net_dev, "ifb").ok());  // not a prefix match
  EXPECT_FALSE(ParseNetDevReceiveDrops("  ifb0: 1 2\n", "ifb0").ok());
}

TEST(LoadGeneratorTest, ParsesRoomsAndRefusesBadCounts) {
  std::string error;
  auto options = ParseLoadOptions({"--rooms", "40", "--subscribers", "25"}, &error);
  ASSERT_TRUE(options.has_value()) << error;
  EXPECT_EQ(options->rooms, 40);
  EXPECT_EQ(options->subscribers, 25);
  EXPECT_EQ(ParseLoadOptions({}, &error)->rooms, 1);
  EXPECT_FALSE(ParseLoadOptions({"--rooms", "many"}, &error).has_value());
  EXPECT_NE(error.find("--rooms"), std::string::npos);
  LoadOptions none;
  none.rooms = 0;
  auto refused = RunLoad(none);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("room"), std::string::npos);
}

TEST(LoadGeneratorTest, SinkNeedsItsInterface) {
  std::string error;
  EXPECT_FALSE(ParseLoadOptions({"--sink", "10.77.0.2"}, &error).has_value());
  EXPECT_NE(error.find("--sink-interface"), std::string::npos);
  auto options = ParseLoadOptions({"--sink", "10.77.0.2", "--sink-interface", "ifb0"}, &error);
  ASSERT_TRUE(options.has_value()) << error;
  EXPECT_EQ(options->sink_interface, "ifb0");
}

}  // namespace
}  // namespace auralink::client
