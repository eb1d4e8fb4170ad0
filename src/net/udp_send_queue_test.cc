#include "net/udp_send_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace auralink::net {
namespace {

std::unique_ptr<UdpSocket> BindLoopback() {
  auto socket = UdpSocket::Bind(*SocketAddress::FromIp("127.0.0.1", 0));
  EXPECT_TRUE(socket.ok()) << socket.status().message();
  return socket.ok() ? std::move(socket).value() : nullptr;
}

std::span<const uint8_t> Bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Built piecewise: g++ 12 warns falsely (-Wrestrict) on "x" + std::string temporaries.
std::string Label(char prefix, int index) {
  std::string label(1, prefix);
  label.append(std::to_string(index));
  return label;
}

// A receiving socket that records what arrives, in order.
struct Receiver {
  std::unique_ptr<UdpSocket> socket = BindLoopback();
  std::vector<std::string> received;
  void Start(EventLoop* loop) {
    ASSERT_TRUE(socket
                    ->StartReceiving(loop,
                                     [this](std::span<const uint8_t> data, const SocketAddress&) {
                                       received.emplace_back(data.begin(), data.end());
                                     })
                    .ok());
  }
};

template <typename Predicate>
bool RunUntil(EventLoop* loop, Predicate done) {
  for (int i = 0; i < 2000 && !done(); ++i) loop->RunOnce(10);
  return done();
}

// A sender, a default queue and two receivers on one loop.
class UdpSendQueueTwoDestinationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a.Start(loop.get());
    b.Start(loop.get());
  }
  std::unique_ptr<EventLoop> loop = std::move(EventLoop::Create()).value();
  std::unique_ptr<UdpSocket> sender = BindLoopback();
  Receiver a, b;
  std::unique_ptr<UdpSendQueue> queue = std::move(UdpSendQueue::Create(loop.get())).value();
};

TEST_F(UdpSendQueueTwoDestinationsTest, HoldsDatagramsUntilTheLoopIsAboutToWait) {
  // Interleaved destinations: each destination must see its own datagrams in order.
  for (int i = 0; i < 10; ++i) {
    queue->Enqueue(sender.get(), Bytes(Label('a', i)), a.socket->local_address());
    queue->Enqueue(sender.get(), Bytes(Label('b', i)), b.socket->local_address());
  }
  EXPECT_EQ(queue->size(), 20u);
  EXPECT_EQ(sender->counters().packets_sent, 0u);
  loop->RunOnce(0);  // flushes before waiting
  EXPECT_EQ(queue->size(), 0u);
  EXPECT_EQ(sender->counters().packets_sent, 20u);
  EXPECT_EQ(queue->counters().batches, 1u);
  ASSERT_TRUE(
      RunUntil(loop.get(), [&] { return a.received.size() == 10 && b.received.size() == 10; }));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(a.received[i], Label('a', i));
    EXPECT_EQ(b.received[i], Label('b', i));
  }
}

// A sender, one receiver and a queue of `capacity` datagrams of up to `max_datagram_bytes`, on one
// loop.
struct OneDestination {
  OneDestination(size_t capacity, size_t max_datagram_bytes)
      : queue(std::move(UdpSendQueue::Create(loop.get(), {capacity, max_datagram_bytes})).value()) {
    receiver.Start(loop.get());
  }
  std::unique_ptr<EventLoop> loop = std::move(EventLoop::Create()).value();
  std::unique_ptr<UdpSocket> sender = BindLoopback();
  Receiver receiver;
  std::unique_ptr<UdpSendQueue> queue;
};

TEST(UdpSendQueueTest, FlushesWhenFullAndSendsOversizedDatagramsInOrder) {
  OneDestination setup(/*capacity=*/4, /*max_datagram_bytes=*/16);
  const SocketAddress to = setup.receiver.socket->local_address();

  for (int i = 0; i < 5; ++i) setup.queue->Enqueue(setup.sender.get(), Bytes(Label('p', i)), to);
  EXPECT_EQ(setup.sender->counters().packets_sent, 4u);  // the fifth found the queue full
  EXPECT_EQ(setup.queue->size(), 1u);
  const std::string large(100, 'x');
  setup.queue->Enqueue(setup.sender.get(), Bytes(large), to);  // after p4, not before it
  EXPECT_EQ(setup.queue->size(), 0u);
  EXPECT_EQ(setup.queue->counters().oversized, 1u);
  setup.queue->Enqueue(setup.sender.get(), Bytes("last"), to);
  setup.queue->Flush();
  ASSERT_TRUE(RunUntil(setup.loop.get(), [&] { return setup.receiver.received.size() == 7; }));
  const std::vector<std::string> expected = {"p0", "p1", "p2", "p3", "p4", large, "last"};
  EXPECT_EQ(setup.receiver.received, expected);
  EXPECT_EQ(setup.queue->counters().datagrams, 7u);
}

TEST(UdpSendQueueTest, DatagramsOfEverySizeArriveIntactFromThePackedBuffer) {
  // Datagrams lie one after another in the queue's buffer: each must leave with its own bytes,
  // whatever the sizes before it, up to a full queue of the largest.
  OneDestination setup(/*capacity=*/64, /*max_datagram_bytes=*/100);
  const SocketAddress to = setup.receiver.socket->local_address();
  std::vector<std::string> sent;
  for (int i = 0; i < 200; ++i) {
    const size_t size = i < 64 ? 100 : 1 + static_cast<size_t>(i * 37) % 100;
    std::string datagram(size, static_cast<char>('A' + i % 26));
    datagram[0] = static_cast<char>(i);
    sent.push_back(datagram);
    setup.queue->Enqueue(setup.sender.get(), Bytes(datagram), to);
  }
  setup.queue->Flush();
  ASSERT_TRUE(
      RunUntil(setup.loop.get(), [&] { return setup.receiver.received.size() == sent.size(); }));
  EXPECT_EQ(setup.receiver.received, sent);
  EXPECT_EQ(setup.queue->counters().oversized, 0u);
}

TEST(UdpSendQueueTest, KeepsOrderAcrossSocketsAndFlushesOnDestruction) {
  auto loop = std::move(EventLoop::Create()).value();
  auto first = BindLoopback();
  auto second = BindLoopback();
  Receiver receiver;
  receiver.Start(loop.get());
  auto queue = std::move(UdpSendQueue::Create(loop.get())).value();
  const SocketAddress to = receiver.socket->local_address();
  queue->Enqueue(first.get(), Bytes("1"), to);
  queue->Enqueue(first.get(), Bytes("2"), to);
  queue->Enqueue(second.get(), Bytes("3"), to);
  queue->Enqueue(first.get(), Bytes("4"), to);
  queue.reset();
  EXPECT_EQ(first->counters().packets_sent, 3u);
  EXPECT_EQ(second->counters().packets_sent, 1u);
  ASSERT_TRUE(RunUntil(loop.get(), [&] { return receiver.received.size() == 4; }));
  EXPECT_EQ(receiver.received, (std::vector<std::string>{"1", "2", "3", "4"}));
  // The loop no longer calls into the destroyed queue.
  loop->RunOnce(0);
}

TEST_F(UdpSendQueueTwoDestinationsTest, SendsEachDestinationsDatagramsAsGsoRuns) {
  // As a fan-out of several packets queues them: each packet to every destination in turn. a's
  // sizes 2 2 1 2 make two runs (only a run's last may be shorter); b's 1 2 also make two.
  const std::vector<std::string> to_a = {"a0", "a1", "x", "a3"};
  const std::vector<std::string> to_b = {"y", "b1"};
  for (size_t i = 0; i < to_a.size(); ++i) {
    queue->Enqueue(sender.get(), Bytes(to_a[i]), a.socket->local_address());
    if (i < to_b.size()) queue->Enqueue(sender.get(), Bytes(to_b[i]), b.socket->local_address());
  }
  queue->Flush();
  EXPECT_EQ(sender->counters().packets_sent, 6u);
  if (sender->gso_supported()) {
    EXPECT_EQ(queue->counters().messages, 4u);
    EXPECT_EQ(sender->counters().gso_calls, 1u);  // a0 a1 x; the other runs are single datagrams
  } else {
    EXPECT_EQ(queue->counters().messages, 6u);
  }
  ASSERT_TRUE(
      RunUntil(loop.get(), [&] { return a.received.size() == 4 && b.received.size() == 2; }));
  EXPECT_EQ(a.received, to_a);  // the kernel cut the GSO message back into the datagrams
  EXPECT_EQ(b.received, to_b);
}

// Not regrouped when the first destination does not come back (one packet fanned out, or each
// destination's datagrams queued together): the queue order already has each destination's
// datagrams together, in order.
TEST_F(UdpSendQueueTwoDestinationsTest, DatagramsQueuedTogetherLeaveInQueueOrder) {
  const std::vector<std::string> to_a = {"a0", "a1"};
  const std::vector<std::string> to_b = {"b0", "b1", "b2"};
  for (const std::string& datagram : to_a)
    queue->Enqueue(sender.get(), Bytes(datagram), a.socket->local_address());
  for (const std::string& datagram : to_b)
    queue->Enqueue(sender.get(), Bytes(datagram), b.socket->local_address());
  queue->Flush();
  EXPECT_EQ(sender->counters().packets_sent, 5u);
  EXPECT_EQ(queue->counters().messages, sender->gso_supported() ? 2u : 5u);
  ASSERT_TRUE(
      RunUntil(loop.get(), [&] { return a.received.size() == 2 && b.received.size() == 3; }));
  EXPECT_EQ(a.received, to_a);
  EXPECT_EQ(b.received, to_b);
}

TEST(UdpSendQueueTest, AFanOutOfSeveralPacketsLeavesAsOneMessagePerDestination) {
  auto loop = std::move(EventLoop::Create()).value();
  auto sender = BindLoopback();
  if (!sender->gso_supported()) GTEST_SKIP() << "this kernel has no UDP GSO";
  std::vector<std::unique_ptr<Receiver>> receivers;
  for (int i = 0; i < 20; ++i) {
    receivers.push_back(std::make_unique<Receiver>());
    receivers.back()->Start(loop.get());
  }
  auto queue = std::move(UdpSendQueue::Create(loop.get())).value();
  for (int packet = 0; packet < 5; ++packet) {
    const std::string bytes(1000, static_cast<char>('0' + packet));
    for (auto& receiver : receivers)
      queue->Enqueue(sender.get(), Bytes(bytes), receiver->socket->local_address());
  }
  queue->Flush();
  EXPECT_EQ(queue->counters().messages, 20u);
  EXPECT_EQ(sender->counters().gso_calls, 20u);
  EXPECT_EQ(sender->counters().packets_sent, 100u);
  ASSERT_TRUE(RunUntil(loop.get(), [&] {
    for (auto& receiver : receivers)
      if (receiver->received.size() != 5) return false;
    return true;
  }));
  for (auto& receiver : receivers) {
    for (int packet = 0; packet < 5; ++packet)
      EXPECT_EQ(receiver->received[packet], std::string(1000, static_cast<char>('0' + packet)));
  }
}

}  // namespace
}  // namespace auralink::net
