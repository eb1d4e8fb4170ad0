#include "signal/session/rtc_worker_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "client/room_client.h"
#include "net/run_loop_until.h"
#include "signal/auth/access_token_issuer.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/auth/api_key_provider.h"
#include "signal/http/websocket_client.h"
#include "signal/session/rtc_signalling.h"

namespace auralink::signal {
namespace {

sfu::RtcServerConfig LoopbackConfig() {
  sfu::RtcServerConfig config;
  config.bind_ip = "127.0.0.1";
  config.udp_port = 0;
  config.ice_tcp = false;
  config.tcp_port = 0;
  config.candidate_ips = {"127.0.0.1"};
  return config;
}

TEST(RtcWorkerPoolTest, RoomsSpreadOverWorkersAndTheApiReachesEachOnItsOwnThread) {
  auto pool = RtcWorkerPool::Create(3, LoopbackConfig());
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  ASSERT_EQ((*pool)->size(), 3u);
  std::set<uint16_t> ports;
  for (size_t i = 0; i < 3; ++i) ports.insert((*pool)->udp_port(i));
  EXPECT_EQ(ports.size(), 3u);  // one media socket per worker
  EXPECT_EQ(ports.count(0), 0u);

  std::set<size_t> used;
  for (int i = 0; i < 24; ++i) {
    const std::string name = "room-" + std::to_string(i);
    EXPECT_EQ((*pool)->WorkerIndexFor(name), (*pool)->WorkerIndexFor(name));
    used.insert((*pool)->WorkerIndexFor(name));
    sfu::RoomCreateOptions options;
    options.name = name;
    auto created = (*pool)->CreateRoom(options);
    ASSERT_TRUE(created.ok()) << created.status().message();
    EXPECT_EQ(created->name, name);
  }
  EXPECT_EQ(used.size(), 3u);
  EXPECT_EQ((*pool)->ListRooms({}).size(), 24u);
  auto only = (*pool)->ListRooms({"room-3", "room-4", "missing"});
  EXPECT_EQ(only.size(), 2u);

  auto updated = (*pool)->UpdateRoomMetadata("room-5", "hello");
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  auto listed = (*pool)->ListRooms({"room-5"});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].metadata, "hello");

  EXPECT_TRUE((*pool)->DeleteRoom("room-5").ok());
  EXPECT_EQ((*pool)->ListRooms({}).size(), 23u);
  EXPECT_FALSE((*pool)->ListParticipants("room-5").ok());
  EXPECT_FALSE((*pool)->RemoveParticipant("room-6", "nobody").ok());
}

TEST(RtcWorkerPoolTest, SessionsStartOnTheRoomsWorker) {
  auto created = RtcWorkerPool::Create(2, LoopbackConfig());
  ASSERT_TRUE(created.ok()) << created.status().message();
  RtcWorkerPool* pool = created->get();
  auto loop = std::move(net::EventLoop::Create()).value();
  auto http =
      std::move(http::HttpServer::Create(loop.get(), *net::SocketAddress::FromIp("127.0.0.1", 0)))
          .value();
  http->HandleWebSocket("/rtc", [pool](const http::HttpRequest& request,
                                       http::WebSocketUpgrade& upgrade) {
    pool->AcceptSession(upgrade, request.QueryParameter("room").value_or(""),
                        [](sfu::RtcServer* rtc, std::shared_ptr<http::WebSocketConnection> socket) {
                          socket->SendText(std::to_string(rtc->udp_port()));
                        });
  });

  for (const std::string room : {"alpha", "beta", "gamma", "delta"}) {
    std::optional<std::string> answer;
    std::shared_ptr<http::WebSocketConnection> client_socket;
    const std::string url =
        "ws://127.0.0.1:" + std::to_string(http->local_address().port()) + "/rtc?room=" + room;
    auto client = http::WebSocketClient::Connect(
        loop.get(), url, {}, [&](http::WebSocketConnectResult result) {
          ASSERT_TRUE(result.status.ok()) << result.status.message();
          client_socket = result.connection;
          client_socket->set_message_callback(
              [&](http::WebSocketMessageType, std::span<const uint8_t> data) {
                answer = std::string(data.begin(), data.end());
              });
        });
    ASSERT_TRUE(client.ok());
    for (int i = 0; i < 500 && !answer; ++i) loop->RunOnce(10);
    ASSERT_TRUE(answer.has_value()) << room;
    EXPECT_EQ(*answer, std::to_string(pool->udp_port(pool->WorkerIndexFor(room)))) << room;
    client_socket->Close();
    for (int i = 0; i < 5; ++i) loop->RunOnce(1);
  }
  http.reset();
  created->reset();  // the pool closes the sessions still open on its workers
}

// LiveKit signalling and media through two workers: each room's participants reach each other on
// their room's worker, and the API sees both rooms.
TEST(RtcWorkerPoolTest, TwoRoomsOnTwoWorkersForwardMedia) {
  auto created = RtcWorkerPool::Create(2, LoopbackConfig());
  ASSERT_TRUE(created.ok()) << created.status().message();
  RtcWorkerPool* pool = created->get();
  std::vector<std::string> rooms;
  for (int i = 0; rooms.size() < 2 && i < 100; ++i) {
    const std::string name = "room-" + std::to_string(i);
    if (rooms.empty() || pool->WorkerIndexFor(name) != pool->WorkerIndexFor(rooms[0]))
      rooms.push_back(name);
  }
  ASSERT_EQ(rooms.size(), 2u);

  auto loop = std::move(net::EventLoop::Create()).value();
  auto keys = std::move(StaticApiKeyProvider::Create({{"devkey", "secret"}})).value();
  auto verifier =
      std::move(AccessTokenVerifier::Create(std::shared_ptr<const ApiKeyProvider>(std::move(keys))))
          .value();
  auto http =
      std::move(http::HttpServer::Create(loop.get(), *net::SocketAddress::FromIp("127.0.0.1", 0)))
          .value();
  ASSERT_TRUE(RegisterRtcSignalling(http.get(), pool, verifier.get()).ok());
  auto issuer = std::move(AccessTokenIssuer::Create("devkey", "secret")).value();
  auto certificate = std::move(rtc::DtlsCertificate::Create()).value();
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();

  std::vector<std::unique_ptr<client::RoomClient>> clients;
  auto add_client = [&](const std::string& identity, const std::string& room) {
    ClaimGrants grants;
    grants.identity = identity;
    grants.video = VideoGrant{};
    grants.video->room_join = true;
    grants.video->room = room;
    client::RoomClientOptions options;
    options.server_url = "ws://127.0.0.1:" + std::to_string(http->local_address().port());
    options.token = issuer->Issue(grants, now_s).value();
    options.certificate = certificate;
    auto client = client::RoomClient::Create(loop.get(), options, {});
    EXPECT_TRUE(client.ok());
    clients.push_back(std::move(*client));
    EXPECT_TRUE(clients.back()->Join().ok());
    return clients.back().get();
  };
  std::vector<client::RoomClient*> subscribers;
  for (const std::string& room : rooms) {
    client::RoomClient* publisher = add_client("publisher-" + room, room);
    subscribers.push_back(add_client("subscriber-" + room, room));
    client::PublishOptions publish;
    publish.audio = true;
    ASSERT_TRUE(publisher->Publish(publish).ok());
  }
  auto receiving = [&] {
    for (client::RoomClient* subscriber : subscribers) {
      if (subscriber->received_tracks().empty() || subscriber->received_tracks()[0]->packets < 20)
        return false;
    }
    return true;
  };
  ASSERT_TRUE(net::RunLoopUntil(*loop, receiving, 15000));
  for (const std::string& room : rooms) {
    auto participants = pool->ListParticipants(room);
    ASSERT_TRUE(participants.ok()) << participants.status().message();
    EXPECT_EQ(participants->size(), 2u) << room;
  }
  EXPECT_EQ(pool->ListRooms({}).size(), 2u);
  // RemoveParticipant from the API thread reaches the subscriber on its worker.
  ASSERT_TRUE(pool->RemoveParticipant(rooms[1], "subscriber-" + rooms[1]).ok());
  auto remaining = pool->ListParticipants(rooms[1]);
  ASSERT_TRUE(remaining.ok());
  EXPECT_EQ(remaining->size(), 1u);

  for (auto& client : clients) client->Leave();
  for (int i = 0; i < 20; ++i) loop->RunOnce(10);
  clients.clear();
  http.reset();
  created->reset();
}

}  // namespace
}  // namespace auralink::signal
