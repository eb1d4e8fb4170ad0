#include "net/tcp_connection.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "net/tcp_listener.h"

namespace auralink::net {
namespace {

template <typename Predicate>
bool RunUntil(EventLoop* loop, Predicate done) {
  for (int i = 0; i < 3000 && !done(); ++i) loop->RunOnce(10);
  return done();
}

class TcpConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loop_ = std::move(EventLoop::Create()).value();
    StartListener({});
  }
  void StartListener(const TcpListenerOptions& options) {
    listener_.reset();
    auto listener = TcpListener::Create(
        loop_.get(), *SocketAddress::FromIp("127.0.0.1", 0),
        [this](std::shared_ptr<TcpConnection> connection) {
          accepted_.push_back(connection);
          connection->set_data_callback(
              [this, raw = connection.get()](std::span<const uint8_t> data) {
                server_received_.append(data.begin(), data.end());
                if (echo_) raw->Send(data);
              });
          connection->set_close_callback([this](const Status& reason) {
            ++server_closes_;
            server_close_ok_ = reason.ok();
          });
          ASSERT_TRUE(connection->Start().ok());
        },
        options);
    ASSERT_TRUE(listener.ok()) << listener.status().message();
    listener_ = std::move(listener).value();
  }
  std::shared_ptr<TcpConnection> ConnectClient() {
    auto client = TcpConnection::Connect(loop_.get(), listener_->local_address());
    EXPECT_TRUE(client.ok()) << client.status().message();
    auto connection = std::move(client).value();
    connection->set_connect_callback([this](const Status& result) {
      connected_ = result.ok();
      connect_done_ = true;
    });
    connection->set_data_callback([this](std::span<const uint8_t> data) {
      client_received_.append(data.begin(), data.end());
    });
    connection->set_close_callback([this](const Status& reason) {
      ++client_closes_;
      client_close_ok_ = reason.ok();
    });
    EXPECT_TRUE(connection->Start().ok());
    return connection;
  }

  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<TcpListener> listener_;
  std::vector<std::shared_ptr<TcpConnection>> accepted_;
  bool echo_ = true;
  std::string server_received_;
  std::string client_received_;
  bool connected_ = false;
  bool connect_done_ = false;
  int server_closes_ = 0;
  int client_closes_ = 0;
  bool server_close_ok_ = false;
  bool client_close_ok_ = false;
};

TEST_F(TcpConnectionTest, RoundTripAndOrderlyClose) {
  auto client = ConnectClient();
  // Queued before the connect completes; flushed once it does.
  ASSERT_TRUE(client->Send(std::string_view("ping")));
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return client_received_ == "ping"; }));
  EXPECT_TRUE(connected_);
  ASSERT_EQ(accepted_.size(), 1u);
  EXPECT_EQ(accepted_[0]->peer_address(), client->local_address());
  client->CloseAfterFlush();
  EXPECT_EQ(client_closes_, 1);
  EXPECT_TRUE(client_close_ok_);
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return server_closes_ == 1; }));
  EXPECT_TRUE(server_close_ok_);
  EXPECT_TRUE(accepted_[0]->closed());
  EXPECT_FALSE(client->Send(std::string_view("late")));
}

TEST_F(TcpConnectionTest, LargeTransferWaitsForWritableSocket) {
  auto client = ConnectClient();
  std::string big(6 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + (i >> 12));
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return connect_done_; }));
  ASSERT_TRUE(client->Send(big));
  EXPECT_GT(client->pending_write_bytes(), 0u);  // more than the kernel buffers hold
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return client_received_.size() == big.size(); }));
  EXPECT_TRUE(client_received_ == big);
  EXPECT_EQ(client->pending_write_bytes(), 0u);
}

TEST_F(TcpConnectionTest, WriteCapClosesAPeerThatDoesNotRead) {
  TcpListenerOptions options;
  options.connection.max_write_buffer_bytes = 1 << 20;
  StartListener(options);
  echo_ = false;
  auto client = ConnectClient();
  client->SetReadingEnabled(false);
  ASSERT_TRUE(client->Send(std::string_view("go")));
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return server_received_ == "go"; }));
  std::string chunk(256 << 10, 'x');
  bool refused = false;
  for (int i = 0; i < 200 && !refused; ++i) refused = !accepted_[0]->Send(chunk);
  EXPECT_TRUE(refused);
  EXPECT_EQ(server_closes_, 1);
  EXPECT_FALSE(server_close_ok_);
}

TEST_F(TcpConnectionTest, HalfCloseStillDeliversTheAnswer) {
  echo_ = true;
  auto client = ConnectClient();
  ASSERT_TRUE(client->Send(std::string_view("question")));
  client->ShutdownWriteAfterFlush();
  // The server sees EOF, answers what it read, then closes; the client reads until then.
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return client_closes_ == 1; }));
  EXPECT_EQ(client_received_, "question");
  EXPECT_TRUE(client_close_ok_);
  EXPECT_EQ(server_closes_, 1);
}

TEST_F(TcpConnectionTest, CloseInsideOwnDataCallback) {
  auto client = ConnectClient();
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return accepted_.size() == 1; }));
  int calls = 0;
  std::weak_ptr<TcpConnection> weak = accepted_[0];
  accepted_[0]->set_data_callback([&, weak](std::span<const uint8_t>) {
    ++calls;
    if (auto self = weak.lock()) self->Close();
    accepted_.clear();  // drop the last owner while the callback runs
  });
  ASSERT_TRUE(client->Send(std::string_view("boom")));
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return client_closes_ == 1; }));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(server_closes_, 1);
  EXPECT_TRUE(weak.expired());
}

TEST_F(TcpConnectionTest, ConnectToClosedPortReportsAnError) {
  const SocketAddress address = listener_->local_address();
  listener_.reset();
  auto client = TcpConnection::Connect(loop_.get(), address);
  if (!client.ok()) {
    SUCCEED() << "refused immediately: " << client.status().message();
    return;
  }
  Status result = Status::Ok();
  bool done = false;
  (*client)->set_connect_callback([&](const Status& status) {
    result = status;
    done = true;
  });
  (*client)->set_close_callback([&](const Status&) { ADD_FAILURE() << "never connected"; });
  ASSERT_TRUE((*client)->Start().ok());
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return done; }));
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE((*client)->closed());
}

TEST_F(TcpConnectionTest, PeerResetIsReportedAsAnError) {
  auto client = ConnectClient();
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return accepted_.size() == 1 && connect_done_; }));
  // SO_LINGER 0 makes close() send RST instead of FIN.
  linger hard{1, 0};
  setsockopt(client->fd(), SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  client->Close();
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return server_closes_ == 1; }));
  EXPECT_FALSE(server_close_ok_);
}

}  // namespace
}  // namespace auralink::net

namespace auralink::net {
namespace {

// A worker thread's loop takes over an accepted connection: unsent bytes and everything the
// client sends afterwards arrive there, and the first loop no longer sees the socket.
TEST_F(TcpConnectionTest, DetachHandsTheSocketToAnotherLoop) {
  echo_ = false;
  auto client = ConnectClient();
  ASSERT_TRUE(client->Send(std::string_view("hello")));
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return server_received_ == "hello"; }));
  ASSERT_EQ(accepted_.size(), 1u);

  std::unique_ptr<EventLoop> worker_loop = std::move(EventLoop::Create()).value();
  std::atomic<bool> worker_received{false};
  std::shared_ptr<TcpConnection> adopted;
  std::thread worker([&] { worker_loop->Run(); });

  std::vector<uint8_t> unsent;
  const SocketAddress peer = accepted_[0]->peer_address();
  const int fd = accepted_[0]->Detach(&unsent);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(accepted_[0]->closed());
  EXPECT_EQ(server_closes_, 0);  // a hand-over is not a close
  EXPECT_EQ(accepted_[0]->Detach(nullptr), -1);
  worker_loop->Post([&, fd, peer] {
    adopted = TcpConnection::Adopt(worker_loop.get(), fd, peer);
    adopted->set_data_callback([&, raw = adopted.get()](std::span<const uint8_t> data) {
      if (std::string(data.begin(), data.end()).find("again") != std::string::npos) {
        worker_received = true;
        raw->Send(std::string_view("from the worker"));
      }
    });
    ASSERT_TRUE(adopted->Start().ok());
  });
  ASSERT_TRUE(client->Send(std::string_view("again")));
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return client_received_ == "from the worker"; }));
  EXPECT_TRUE(worker_received);
  EXPECT_EQ(server_received_, "hello");
  worker_loop->Post([&] { adopted.reset(); });
  worker_loop->Stop();
  worker.join();
}

}  // namespace
}  // namespace auralink::net
