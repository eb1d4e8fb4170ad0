#include "net/udp_socket.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace auralink::net {
namespace {

template <typename Predicate>
bool RunUntil(EventLoop* loop, Predicate done) {
  for (int i = 0; i < 2000 && !done(); ++i) loop->RunOnce(10);
  return done();
}

std::unique_ptr<UdpSocket> BindLoopback(const char* ip = "127.0.0.1",
                                        const UdpSocketOptions& options = {}) {
  auto socket = UdpSocket::Bind(*SocketAddress::FromIp(ip, 0), options);
  EXPECT_TRUE(socket.ok()) << socket.status().message();
  return socket.ok() ? std::move(socket).value() : nullptr;
}

std::span<const uint8_t> Bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

TEST(UdpSocketTest, EchoesOverLoopback) {
  auto loop = std::move(EventLoop::Create()).value();
  auto server = BindLoopback();
  auto client = BindLoopback();
  ASSERT_TRUE(server && client);
  EXPECT_NE(server->local_address().port(), 0);
  ASSERT_TRUE(server
                  ->StartReceiving(loop.get(),
                                   [&](std::span<const uint8_t> data, const SocketAddress& from) {
                                     EXPECT_EQ(from, client->local_address());
                                     server->SendTo(data, from);
                                   })
                  .ok());
  std::vector<std::string> echoes;
  ASSERT_TRUE(client
                  ->StartReceiving(loop.get(),
                                   [&](std::span<const uint8_t> data, const SocketAddress& from) {
                                     EXPECT_EQ(from, server->local_address());
                                     echoes.emplace_back(data.begin(), data.end());
                                   })
                  .ok());
  EXPECT_TRUE(client->SendTo(Bytes("hello"), server->local_address()));
  EXPECT_TRUE(client->SendTo(Bytes("world"), server->local_address()));
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return echoes.size() == 2; }));
  EXPECT_EQ(echoes[0], "hello");
  EXPECT_EQ(echoes[1], "world");
  EXPECT_EQ(server->counters().packets_received, 2u);
  EXPECT_EQ(server->counters().packets_sent, 2u);
  EXPECT_EQ(client->counters().bytes_sent, 10u);
}

// The arrival time is the kernel's, so it is fixed before the receiver wakes: a datagram that
// waits while the receiver sleeps keeps the time it arrived, not the time it was read.
TEST(UdpSocketTest, ReceiveTimestampsAreTheKernelArrivalTime) {
  auto loop = std::move(EventLoop::Create()).value();
  UdpSocketOptions options;
  options.receive_timestamps = true;
  auto receiver = BindLoopback("127.0.0.1", options);
  auto sender = BindLoopback();
  ASSERT_TRUE(receiver && sender);
  std::vector<int64_t> arrivals;
  std::vector<int64_t> reads;
  ASSERT_TRUE(receiver
                  ->StartReceiving(loop.get(),
                                   [&](std::span<const uint8_t>, const SocketAddress&) {
                                     arrivals.push_back(receiver->last_receive_time_us());
                                     reads.push_back(EventLoop::NowUs());
                                   })
                  .ok());
  // Linux turns receive timestamping on through deferred work when the first socket asks for it;
  // until then a datagram is stamped when it is read. Later rounds see the arrival time.
  constexpr int64_t kWaitUs = 20000;
  constexpr int64_t kSlackUs = 2000;  // CLOCK_REALTIME is converted to the monotonic clock
  bool stamped_on_arrival = false;
  for (int round = 0; round < 10 && !stamped_on_arrival; ++round) {
    arrivals.clear();
    reads.clear();
    const int64_t before_send = EventLoop::NowUs();
    ASSERT_TRUE(sender->SendTo(Bytes("first"), receiver->local_address()));
    ASSERT_TRUE(sender->SendTo(Bytes("second"), receiver->local_address()));
    const int64_t after_send = EventLoop::NowUs();
    usleep(kWaitUs);  // the datagrams wait in the socket
    ASSERT_TRUE(RunUntil(loop.get(), [&] { return arrivals.size() == 2; }));
    for (size_t i = 0; i < arrivals.size(); ++i) {
      EXPECT_GE(arrivals[i], before_send - kSlackUs);
      EXPECT_LE(arrivals[i], reads[i] + kSlackUs);
    }
    EXPECT_LE(arrivals[0], arrivals[1]);
    stamped_on_arrival =
        arrivals[1] <= after_send + kSlackUs && reads[0] - arrivals[0] >= kWaitUs - kSlackUs;
  }
  EXPECT_TRUE(stamped_on_arrival);

  // Without the option nothing is claimed.
  auto plain = BindLoopback();
  ASSERT_TRUE(plain);
  int64_t plain_arrival = -1;
  ASSERT_TRUE(plain
                  ->StartReceiving(loop.get(),
                                   [&](std::span<const uint8_t>, const SocketAddress&) {
                                     plain_arrival = plain->last_receive_time_us();
                                   })
                  .ok());
  ASSERT_TRUE(sender->SendTo(Bytes("third"), plain->local_address()));
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return plain_arrival != -1; }));
  EXPECT_EQ(plain_arrival, 0);
}

TEST(UdpSocketTest, Ipv6EchoWhenLoopbackHasIpv6) {
  auto loop = std::move(EventLoop::Create()).value();
  auto socket = UdpSocket::Bind(*SocketAddress::FromIp("::1", 0));
  if (!socket.ok()) GTEST_SKIP() << "no IPv6 loopback: " << socket.status().message();
  auto peer = BindLoopback("::1");
  ASSERT_TRUE(peer);
  std::string received;
  ASSERT_TRUE((*socket)
                  ->StartReceiving(loop.get(),
                                   [&](std::span<const uint8_t> data, const SocketAddress& from) {
                                     EXPECT_TRUE(from.is_ipv6());
                                     received.assign(data.begin(), data.end());
                                   })
                  .ok());
  EXPECT_TRUE(peer->SendTo(Bytes("six"), (*socket)->local_address()));
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return !received.empty(); }));
  EXPECT_EQ(received, "six");
}

std::vector<std::vector<uint8_t>> MakeDatagrams(size_t count, size_t size, size_t last_size) {
  std::vector<std::vector<uint8_t>> datagrams;
  for (size_t i = 0; i < count; ++i) {
    std::vector<uint8_t> datagram(i + 1 == count ? last_size : size);
    for (size_t j = 0; j < datagram.size(); ++j) datagram[j] = static_cast<uint8_t>(i * 7 + j);
    datagrams.push_back(std::move(datagram));
  }
  return datagrams;
}

void ExpectReceivesExactly(EventLoop* loop, UdpSocket* receiver,
                           const std::vector<std::vector<uint8_t>>& expected) {
  std::vector<std::vector<uint8_t>> received;
  ASSERT_TRUE(receiver
                  ->StartReceiving(loop,
                                   [&](std::span<const uint8_t> data, const SocketAddress&) {
                                     received.emplace_back(data.begin(), data.end());
                                   })
                  .ok());
  ASSERT_TRUE(RunUntil(loop, [&] { return received.size() >= expected.size(); }));
  EXPECT_EQ(received, expected);
  receiver->StopReceiving();
}

TEST(UdpSocketTest, SendBatchDeliversEveryDatagramInOrder) {
  auto loop = std::move(EventLoop::Create()).value();
  auto receiver = BindLoopback();
  auto sender = BindLoopback();
  ASSERT_TRUE(receiver && sender);
  const auto datagrams = MakeDatagrams(100, 1200, 300);  // more than one recvmmsg batch
  std::vector<OutgoingDatagram> batch;
  for (const auto& d : datagrams) batch.push_back({d, &receiver->local_address()});
  EXPECT_EQ(sender->SendBatch(batch), datagrams.size());
  ExpectReceivesExactly(loop.get(), receiver.get(), datagrams);
  EXPECT_EQ(sender->counters().send_errors, 0u);
}

TEST(UdpSocketTest, ALargeBatchLeavesTheEpollSetAndTheSocketStillReceivesAfterIt) {
  auto loop = std::move(EventLoop::Create()).value();
  auto receiver = BindLoopback();
  auto sender = BindLoopback();
  ASSERT_TRUE(receiver && sender);
  std::vector<std::string> echoes;
  ASSERT_TRUE(sender
                  ->StartReceiving(loop.get(),
                                   [&](std::span<const uint8_t> data, const SocketAddress&) {
                                     echoes.emplace_back(data.begin(), data.end());
                                   })
                  .ok());
  const auto small = MakeDatagrams(UdpSocket::kUnwatchedBatchMessages - 1, 100, 1);
  const auto large = MakeDatagrams(UdpSocket::kUnwatchedBatchMessages, 100, 2);
  for (const auto* datagrams : {&small, &large}) {
    std::vector<OutgoingDatagram> batch;
    for (const auto& d : *datagrams) batch.push_back({d, &receiver->local_address()});
    EXPECT_EQ(sender->SendBatch(batch), datagrams->size());
  }
  EXPECT_EQ(sender->counters().unwatched_batches, 1u);  // only the large batch
  EXPECT_EQ(sender->counters().rewatch_errors, 0u);
  auto all = small;
  all.insert(all.end(), large.begin(), large.end());
  ExpectReceivesExactly(loop.get(), receiver.get(), all);
  // Back in the set: what arrives for the sender is delivered.
  receiver->SendTo(Bytes("echo"), sender->local_address());
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return !echoes.empty(); }));
  EXPECT_EQ(echoes.front(), "echo");
}

TEST(UdpSocketTest, SameDestinationSendSplitsIntoTheOriginalDatagrams) {
  auto loop = std::move(EventLoop::Create()).value();
  auto receiver = BindLoopback();
  auto sender = BindLoopback();
  ASSERT_TRUE(receiver && sender);
  // 70 equal datagrams (two GSO runs: 64 is the kernel's segment cap) ending in a short one, then a
  // longer one that must start a new run.
  auto datagrams = MakeDatagrams(70, 1000, 400);
  datagrams.push_back(std::vector<uint8_t>(1100, 0x5a));
  std::vector<std::span<const uint8_t>> spans(datagrams.begin(), datagrams.end());
  EXPECT_EQ(sender->SendSameDestination(spans, &receiver->local_address()), datagrams.size());
  ExpectReceivesExactly(loop.get(), receiver.get(), datagrams);
  if (sender->gso_supported()) {
    EXPECT_GE(sender->counters().gso_calls, 2u);
  }
  EXPECT_EQ(sender->counters().packets_sent, datagrams.size());
}

TEST(UdpSocketTest, GsoRunsAreEqualSizedWithAShorterLastOne) {
  auto run = [](std::vector<size_t> sizes) {
    static const std::vector<uint8_t> bytes(70000);
    std::vector<std::span<const uint8_t>> datagrams;
    for (size_t size : sizes) datagrams.emplace_back(bytes.data(), size);
    return UdpSocket::GsoRunLength(datagrams);
  };
  EXPECT_EQ(run({5, 5, 3, 5}), 3u);
  EXPECT_EQ(run({5, 5, 5}), 3u);
  EXPECT_EQ(run({3, 5}), 1u);
  EXPECT_EQ(run({0, 5}), 1u);      // an empty datagram goes on its own
  EXPECT_EQ(run({66000, 5}), 1u);  // so does one over the byte limit
  EXPECT_EQ(run(std::vector<size_t>(70, 5)), 64u);
  EXPECT_EQ(run(std::vector<size_t>(70, 1200)), 54u);  // 54 * 1200 <= 65000 < 55 * 1200
  EXPECT_EQ(run({}), 0u);
}

TEST(UdpSocketTest, TellsWhetherTheNextDatagramOfABatchIsFromTheSameSender) {
  auto loop = std::move(EventLoop::Create()).value();
  auto receiver = std::move(UdpSocket::Bind(*SocketAddress::FromIp("127.0.0.1", 0))).value();
  auto first = std::move(UdpSocket::Bind(*SocketAddress::FromIp("127.0.0.1", 0))).value();
  auto second = std::move(UdpSocket::Bind(*SocketAddress::FromIp("127.0.0.1", 0))).value();
  const SocketAddress to = receiver->local_address();
  const std::vector<uint8_t> bytes = {1, 2, 3};
  // Queued before the receiver reads, so one recvmmsg returns all four.
  first->SendTo(bytes, to);
  first->SendTo(bytes, to);
  second->SendTo(bytes, to);
  first->SendTo(bytes, to);
  std::vector<bool> same;
  ASSERT_TRUE(receiver
                  ->StartReceiving(loop.get(),
                                   [&](std::span<const uint8_t>, const SocketAddress&) {
                                     same.push_back(receiver->next_from_same_source());
                                   })
                  .ok());
  for (int i = 0; i < 100 && same.size() < 4; ++i) loop->RunOnce(10);
  EXPECT_EQ(same, (std::vector<bool>{true, false, false, false}));
}

TEST(UdpSocketTest, ConnectedSocketSendsWithoutAddress) {
  auto loop = std::move(EventLoop::Create()).value();
  auto receiver = BindLoopback();
  auto sender = BindLoopback();
  ASSERT_TRUE(receiver && sender);
  ASSERT_TRUE(sender->Connect(receiver->local_address()).ok());
  const auto datagrams = MakeDatagrams(5, 200, 200);
  EXPECT_TRUE(sender->Send(datagrams[0]));
  std::vector<std::span<const uint8_t>> rest(datagrams.begin() + 1, datagrams.end());
  EXPECT_EQ(sender->SendSameDestination(rest, nullptr), 4u);
  ExpectReceivesExactly(loop.get(), receiver.get(), datagrams);
}

TEST(UdpSocketTest, OversizedDatagramIsCountedAndDropped) {
  auto loop = std::move(EventLoop::Create()).value();
  UdpSocketOptions options;
  options.max_datagram_bytes = 100;
  auto receiver = BindLoopback("127.0.0.1", options);
  auto sender = BindLoopback();
  ASSERT_TRUE(receiver && sender);
  EXPECT_TRUE(sender->SendTo(std::vector<uint8_t>(500, 1), receiver->local_address()));
  EXPECT_TRUE(sender->SendTo(std::vector<uint8_t>(50, 2), receiver->local_address()));
  ExpectReceivesExactly(loop.get(), receiver.get(), {std::vector<uint8_t>(50, 2)});
  EXPECT_EQ(receiver->counters().receive_truncated, 1u);
}

TEST(UdpSocketTest, CallbackMayDestroyItsSocket) {
  auto loop = std::move(EventLoop::Create()).value();
  auto receiver = BindLoopback();
  auto sender = BindLoopback();
  ASSERT_TRUE(receiver && sender);
  const SocketAddress target = receiver->local_address();
  int calls = 0;
  ASSERT_TRUE(receiver
                  ->StartReceiving(loop.get(),
                                   [&](std::span<const uint8_t>, const SocketAddress&) {
                                     ++calls;
                                     receiver.reset();
                                   })
                  .ok());
  for (int i = 0; i < 10; ++i) sender->SendTo(Bytes("x"), target);
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return calls > 0; }));
  loop->RunOnce(0);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(loop->registered_fd_count(), 0u);
}

TEST(UdpSocketTest, BindInRangeSkipsTakenPorts) {
  auto first = UdpSocket::BindInRange("127.0.0.1", 41000, 41999);
  ASSERT_TRUE(first.ok()) << first.status().message();
  const uint16_t taken = (*first)->local_address().port();
  auto second = UdpSocket::BindInRange("127.0.0.1", taken, 41999);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_GT((*second)->local_address().port(), taken);
  EXPECT_FALSE(UdpSocket::BindInRange("127.0.0.1", taken, taken).ok());
  EXPECT_FALSE(UdpSocket::BindInRange("127.0.0.1", 10, 5).ok());
  EXPECT_FALSE(UdpSocket::BindInRange("not-an-ip", 41000, 41001).ok());
}

TEST(UdpSocketTest, ReusePortLetsTwoSocketsShareAPort) {
  UdpSocketOptions options;
  options.reuse_port = true;
  auto first = BindLoopback("127.0.0.1", options);
  ASSERT_TRUE(first);
  auto second = UdpSocket::Bind(first->local_address(), options);
  EXPECT_TRUE(second.ok()) << second.status().message();
  UdpSocketOptions exclusive;
  EXPECT_FALSE(UdpSocket::Bind(first->local_address(), exclusive).ok());
}

}  // namespace
}  // namespace auralink::net
