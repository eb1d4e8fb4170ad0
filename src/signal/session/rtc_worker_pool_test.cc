#include "signal/session/rtc_worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

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

// The worker the pool chose before placement by load: FNV-1a of the name modulo the workers.
size_t NameHashWorker(const std::string& room, size_t workers) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : room) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return static_cast<size_t>(hash % workers);
}

StatusOr<sfu::RoomDescription> CreateRoom(RtcWorkerPool& pool, const std::string& name) {
  sfu::RoomCreateOptions options;
  options.name = name;
  return pool.CreateRoom(options);
}

// A pool of `workers` and LiveKit clients joining its rooms through /rtc on a loop of the test's
// own.
class SignallingHarness {
 public:
  explicit SignallingHarness(size_t workers) {
    auto pool = RtcWorkerPool::Create(workers, LoopbackConfig());
    EXPECT_TRUE(pool.ok()) << pool.status().message();
    pool_ = std::move(*pool);
    loop_ = std::move(net::EventLoop::Create()).value();
    auto keys = std::move(StaticApiKeyProvider::Create({{"devkey", "secret"}})).value();
    verifier_ = std::move(AccessTokenVerifier::Create(
                              std::shared_ptr<const ApiKeyProvider>(std::move(keys))))
                    .value();
    http_ = std::move(
                http::HttpServer::Create(loop_.get(), *net::SocketAddress::FromIp("127.0.0.1", 0)))
                .value();
    EXPECT_TRUE(RegisterRtcSignalling(http_.get(), pool_.get(), verifier_.get()).ok());
    issuer_ = std::move(AccessTokenIssuer::Create("devkey", "secret")).value();
    certificate_ = std::move(rtc::DtlsCertificate::Create()).value();
  }
  ~SignallingHarness() {
    for (auto& client : clients_) client->Leave();
    for (int i = 0; i < 20; ++i) loop_->RunOnce(10);
    http_.reset();
    // The pool closes the server ends; the clients' loop then sees every connection close, which
    // frees it (a WebSocket still closing when its loop stops would never be freed).
    pool_.reset();
    for (int i = 0; i < 10; ++i) loop_->RunOnce(10);
    clients_.clear();
  }

  RtcWorkerPool* pool() { return pool_.get(); }
  net::EventLoop& loop() { return *loop_; }

  // Starts joining; the join completes as the loop runs.
  client::RoomClient* AddClient(const std::string& identity, const std::string& room) {
    const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    ClaimGrants grants;
    grants.identity = identity;
    grants.video = VideoGrant{};
    grants.video->room_join = true;
    grants.video->room = room;
    client::RoomClientOptions options;
    options.server_url = "ws://127.0.0.1:" + std::to_string(http_->local_address().port());
    options.token = issuer_->Issue(grants, now_s).value();
    options.certificate = certificate_;
    auto client = client::RoomClient::Create(loop_.get(), options, {});
    EXPECT_TRUE(client.ok());
    clients_.push_back(std::move(*client));
    EXPECT_TRUE(clients_.back()->Join().ok());
    return clients_.back().get();
  }

  bool WaitUntilJoined(const std::vector<client::RoomClient*>& clients) {
    return net::RunLoopUntil(
        *loop_,
        [&] {
          for (client::RoomClient* client : clients) {
            if (!client->joined()) return false;
          }
          return true;
        },
        15000);
  }

 private:
  std::unique_ptr<RtcWorkerPool> pool_;
  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<AccessTokenVerifier> verifier_;
  std::unique_ptr<http::HttpServer> http_;
  std::unique_ptr<AccessTokenIssuer> issuer_;
  std::shared_ptr<const rtc::DtlsCertificate> certificate_;
  std::vector<std::unique_ptr<client::RoomClient>> clients_;
};

TEST(RtcWorkerPoolTest, RoomsSpreadOverWorkersAndTheApiReachesEachOnItsOwnThread) {
  auto pool = RtcWorkerPool::Create(3, LoopbackConfig());
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  ASSERT_EQ((*pool)->size(), 3u);
  std::set<uint16_t> ports;
  for (size_t i = 0; i < 3; ++i) ports.insert((*pool)->udp_port(i));
  EXPECT_EQ(ports.size(), 3u);  // one media socket per worker
  EXPECT_EQ(ports.count(0), 0u);

  std::map<size_t, int> rooms_per_worker;
  for (int i = 0; i < 24; ++i) {
    const std::string name = "room-" + std::to_string(i);
    auto created = CreateRoom(**pool, name);
    ASSERT_TRUE(created.ok()) << created.status().message();
    EXPECT_EQ(created->name, name);
    std::optional<size_t> worker = (*pool)->WorkerOf(name);
    ASSERT_TRUE(worker.has_value()) << name;
    ++rooms_per_worker[*worker];
    // Created again: the same room on the same worker.
    ASSERT_TRUE(CreateRoom(**pool, name).ok());
    EXPECT_EQ((*pool)->WorkerOf(name), worker) << name;
  }
  // Empty rooms weigh the same, so the least-loaded choice deals them out evenly.
  EXPECT_EQ(rooms_per_worker, (std::map<size_t, int>{{0, 8}, {1, 8}, {2, 8}}));
  EXPECT_EQ((*pool)->ListRooms({}).size(), 24u);
  auto only = (*pool)->ListRooms({"room-3", "room-4", "missing"});
  EXPECT_EQ(only.size(), 2u);

  auto updated = (*pool)->UpdateRoomMetadata("room-5", "hello");
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  auto listed = (*pool)->ListRooms({"room-5"});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].metadata, "hello");

  EXPECT_TRUE((*pool)->DeleteRoom("room-5").ok());
  EXPECT_FALSE((*pool)->WorkerOf("room-5").has_value());
  EXPECT_EQ((*pool)->ListRooms({}).size(), 23u);
  // Rooms no worker has answer as a missing room does on one RtcServer.
  EXPECT_EQ((*pool)->ListParticipants("room-5").status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*pool)->DeleteRoom("room-5").code(), StatusCode::kNotFound);
  EXPECT_EQ((*pool)->UpdateRoomMetadata("nowhere", "x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*pool)->SendData("nowhere", {1, 2}, true, {}, "").code(), StatusCode::kNotFound);
  EXPECT_EQ((*pool)->RemoveParticipant("room-6", "nobody").code(), StatusCode::kNotFound);
  EXPECT_FALSE((*pool)->WorkerOf("nowhere").has_value());
  // A refused creation leaves no assignment behind.
  EXPECT_EQ(CreateRoom(**pool, "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE((*pool)->WorkerOf("").has_value());
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
  for (const std::string room : {"alpha", "beta", "gamma", "delta"})
    ASSERT_TRUE(CreateRoom(*pool, room).ok());
  std::set<size_t> used;

  // "epsilon" does not exist: the session is placed on the least-loaded worker (both hold two
  // rooms: the lowest), and, since the session created no room there, the name is not kept.
  for (const std::string room : {"alpha", "beta", "gamma", "delta", "epsilon"}) {
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
    const size_t worker = room == "epsilon" ? 0 : pool->WorkerOf(room).value();
    used.insert(worker);
    EXPECT_EQ(*answer, std::to_string(pool->udp_port(worker))) << room;
    client_socket->Close();
    for (int i = 0; i < 5; ++i) loop->RunOnce(1);
  }
  EXPECT_EQ(used.size(), 2u);
  // Every worker's queue is past the sessions' hand-over once this returns.
  EXPECT_EQ(pool->ListRooms({}).size(), 4u);
  EXPECT_FALSE(pool->WorkerOf("epsilon").has_value());
  http.reset();
  created->reset();  // the pool closes the sessions still open on its workers
  for (int i = 0; i < 10; ++i) loop->RunOnce(10);
}

// LiveKit signalling and media through two workers: each room's participants reach each other on
// their room's worker, and the API sees both rooms.
TEST(RtcWorkerPoolTest, TwoRoomsOnTwoWorkersForwardMedia) {
  SignallingHarness harness(2);
  RtcWorkerPool* pool = harness.pool();
  ASSERT_NE(pool, nullptr);
  const std::vector<std::string> rooms = {"room-a", "room-b"};
  std::vector<client::RoomClient*> publishers;
  std::vector<client::RoomClient*> subscribers;
  for (const std::string& room : rooms) {
    publishers.push_back(harness.AddClient("publisher-" + room, room));
    subscribers.push_back(harness.AddClient("subscriber-" + room, room));
  }
  // The first room placed took a worker, so the second went to the idle one.
  ASSERT_TRUE(harness.WaitUntilJoined(publishers));
  ASSERT_TRUE(pool->WorkerOf(rooms[0]).has_value());
  ASSERT_TRUE(pool->WorkerOf(rooms[1]).has_value());
  EXPECT_NE(*pool->WorkerOf(rooms[0]), *pool->WorkerOf(rooms[1]));
  client::PublishOptions publish;
  publish.audio = true;
  for (client::RoomClient* publisher : publishers) ASSERT_TRUE(publisher->Publish(publish).ok());
  auto receiving = [&] {
    for (client::RoomClient* subscriber : subscribers) {
      if (subscriber->received_tracks().empty() || subscriber->received_tracks()[0]->packets < 20)
        return false;
    }
    return true;
  };
  ASSERT_TRUE(net::RunLoopUntil(harness.loop(), receiving, 15000));
  for (const std::string& room : rooms) {
    auto participants = pool->ListParticipants(room);
    ASSERT_TRUE(participants.ok()) << participants.status().message();
    EXPECT_EQ(participants->size(), 2u) << room;
  }
  EXPECT_EQ(pool->ListRooms({}).size(), 2u);
  // Each worker's load: its room, two participants, and one subscriber of one published track.
  EXPECT_EQ(pool->WorkerLoad(0), 1u + 2u + 1u);
  EXPECT_EQ(pool->WorkerLoad(1), 1u + 2u + 1u);
  // RemoveParticipant from the API thread reaches the subscriber on its worker.
  ASSERT_TRUE(pool->RemoveParticipant(rooms[1], "subscriber-" + rooms[1]).ok());
  auto remaining = pool->ListParticipants(rooms[1]);
  ASSERT_TRUE(remaining.ok());
  EXPECT_EQ(remaining->size(), 1u);
}

// With a busy room on worker 0, new rooms go to worker 1 whatever their names; the busy room keeps
// its worker; a closed room's name is placed afresh.
TEST(RtcWorkerPoolTest, NewRoomsGoToTheLeastLoadedWorker) {
  SignallingHarness harness(2);
  RtcWorkerPool* pool = harness.pool();
  ASSERT_NE(pool, nullptr);
  std::vector<client::RoomClient*> crowd;
  for (int i = 0; i < 3; ++i) crowd.push_back(harness.AddClient("p" + std::to_string(i), "busy"));
  ASSERT_TRUE(harness.WaitUntilJoined(crowd));
  ASSERT_EQ(pool->WorkerOf("busy"), 0u);
  // Run on worker 0, so its load report after the joins is in.
  ASSERT_EQ(pool->ListParticipants("busy").value().size(), 3u);
  EXPECT_EQ(pool->WorkerLoad(0), 1u + 3u);  // the room and its participants
  EXPECT_EQ(pool->WorkerLoad(1), 0u);

  // Names that the former hash placement put on worker 0.
  std::vector<std::string> names;
  for (int i = 0; names.size() < 3; ++i) {
    const std::string name = "hashed-" + std::to_string(i);
    if (NameHashWorker(name, 2) == 0) names.push_back(name);
  }
  for (const std::string& name : names) {
    ASSERT_TRUE(CreateRoom(*pool, name).ok());
    EXPECT_EQ(pool->WorkerOf(name), 1u) << name;
  }
  EXPECT_EQ(pool->WorkerLoad(1), 3u);

  // The busy room stays where its participants are, though worker 1 is now the lighter.
  crowd.push_back(harness.AddClient("p3", "busy"));
  ASSERT_TRUE(harness.WaitUntilJoined(crowd));
  EXPECT_EQ(pool->WorkerOf("busy"), 0u);
  EXPECT_EQ(pool->ListParticipants("busy").value().size(), 4u);
  EXPECT_EQ(pool->ListRooms({"busy"}).size(), 1u);

  // Closing rooms frees their names: "busy" leaves worker 0 empty, so names[0], deleted from
  // worker 1, comes back on worker 0.
  ASSERT_TRUE(pool->DeleteRoom("busy").ok());
  EXPECT_FALSE(pool->WorkerOf("busy").has_value());
  EXPECT_EQ(pool->WorkerLoad(0), 0u);
  ASSERT_TRUE(pool->DeleteRoom(names[0]).ok());
  EXPECT_FALSE(pool->WorkerOf(names[0]).has_value());
  ASSERT_TRUE(CreateRoom(*pool, names[0]).ok());
  EXPECT_EQ(pool->WorkerOf(names[0]), 0u);
  EXPECT_EQ(pool->ListRooms({names[0]}).size(), 1u);
}

TEST(RtcWorkerPoolTest, JoinsToOneNewRoomAllLandOnOneWorker) {
  SignallingHarness harness(2);
  RtcWorkerPool* pool = harness.pool();
  ASSERT_NE(pool, nullptr);
  // All six connect before any join has reached a worker.
  std::vector<client::RoomClient*> clients;
  for (int i = 0; i < 6; ++i) clients.push_back(harness.AddClient("c" + std::to_string(i), "new"));
  ASSERT_TRUE(harness.WaitUntilJoined(clients));
  ASSERT_TRUE(pool->WorkerOf("new").has_value());
  EXPECT_EQ(pool->ListParticipants("new").value().size(), 6u);
  EXPECT_EQ(pool->ListRooms({"new"}).size(), 1u);  // one room, on one worker

  // The same from API threads racing to create one room.
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (!CreateRoom(*pool, "together").ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(pool->ListRooms({"together"}).size(), 1u);
}

// Rooms that close at their worker's next tick while API threads keep creating them again: every
// creation succeeds (on the room's worker, which re-creates it), and once the creations stop the
// closed room's name is forgotten.
TEST(RtcWorkerPoolTest, RoomsClosingUnderNewWorkStayOnOneWorker) {
  auto created = RtcWorkerPool::Create(2, LoopbackConfig());
  ASSERT_TRUE(created.ok()) << created.status().message();
  RtcWorkerPool* pool = created->get();
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        sfu::RoomCreateOptions options;
        options.name = "flicker";
        options.empty_timeout_s = 0;  // closes at the worker's next tick
        auto room = pool->CreateRoom(options);
        if (!room.ok() || room->name != "flicker") ++failures;
        auto participants = pool->ListParticipants("flicker");
        if (!participants.ok() && participants.status().code() != StatusCode::kNotFound) ++failures;
        if (i % 10 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  for (int i = 0; i < 500 && pool->WorkerOf("flicker").has_value(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(pool->WorkerOf("flicker").has_value());
  EXPECT_TRUE(pool->ListRooms({"flicker"}).empty());
  EXPECT_EQ(pool->WorkerLoad(0), 0u);
  EXPECT_EQ(pool->WorkerLoad(1), 0u);
}

}  // namespace
}  // namespace auralink::signal
