#include "signal/session/rtc_worker_pool.h"

#include <gtest/gtest.h>

#include <set>

#include "signal/http/websocket_client.h"

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

}  // namespace
}  // namespace auralink::signal
