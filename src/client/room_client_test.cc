#include "client/room_client.h"

#include <gtest/gtest.h>

#include <chrono>

#include "client/load_generator.h"
#include "sfu/rtc_server.h"
#include "signal/auth/access_token_issuer.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/auth/api_key_provider.h"
#include "signal/http/http_server.h"
#include "signal/session/rtc_signalling.h"

namespace auralink::client {
namespace {

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
                        RoomClientCallbacks callbacks = {}) {
    RoomClientOptions options;
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
    const int64_t deadline = net::EventLoop::NowMs() + timeout_ms;
    while (!done()) {
      if (net::EventLoop::NowMs() > deadline) return false;
      loop_->RunOnce(10);
    }
    return true;
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
  RoomClient* publisher = AddClient("publisher", false);
  RoomClient* measured = AddClient("measured", true);
  RoomClient* counting = AddClient("counting", false);
  ASSERT_TRUE(publisher->Join().ok());
  ASSERT_TRUE(measured->Join().ok());
  ASSERT_TRUE(counting->Join().ok());
  PublishOptions publish;
  publish.audio = true;
  publish.video = true;
  publish.video_options.bitrate_bps = 500'000;
  ASSERT_TRUE(publisher->Publish(publish).ok());

  auto receives_both = [](RoomClient* client) {
    if (client->received_tracks().size() < 2) return false;
    for (const auto& track : client->received_tracks()) {
      if (track->packets < 20) return false;
    }
    return true;
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

  for (auto& client : clients_) client->Leave();
  RunUntil([] { return false; }, 200);
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

TEST(LoadGeneratorTest, ParsesProcStat) {
  const std::string stat =
      "1234 (auralink serve) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 3 0 100 0 0";
  auto seconds = ParseProcStatCpuSeconds(stat, 100);
  ASSERT_TRUE(seconds.ok()) << seconds.status().message();
  EXPECT_DOUBLE_EQ(*seconds, 3.0);  // (250 + 50) ticks at 100 Hz
  EXPECT_FALSE(ParseProcStatCpuSeconds("garbage", 100).ok());
  EXPECT_FALSE(ParseProcStatCpuSeconds("1 (x) S 1 2", 100).ok());
}

}  // namespace
}  // namespace auralink::client
