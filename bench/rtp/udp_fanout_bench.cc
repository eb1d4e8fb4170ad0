// The kernel's ceiling for an audio fan-out: one small datagram to each of N destinations, as an
// SFU sends one Opus packet to each of N subscribers. Measures packets per CPU-second of the
// sending thread, so that the server's figure (bench/sfu, `audiotx` row) can be read against what
// the same machine's kernel does with nothing else to do:
//
//   bare   sendmmsg of prepared messages (nothing copied, nothing encrypted): the kernel alone
//   queue  net::UdpSendQueue, as the server sends: each datagram copied into the queue, grouped
//          by destination, sent with sendmmsg when the queue is flushed after the fan-out
//
// Destinations: with --sink IP (root; see bench/sfu/run.sh, which makes an ifb device that
// discards what it is sent and routes 10.77.0.0/24 there), N ports on that address, so the
// sender pays only for sending, as to a NIC. Without it, N sockets bound on 127.0.0.1 that are
// never read: loopback delivers into them inside the sender's system call, so the receive side
// is charged to the sender too (the `audio` row's case); full receive buffers drop what follows.
//
//   build/bench/rtp/udp_fanout_bench [--destinations 1000] [--bytes 100] [--seconds 3]
//                                    [--sink 10.77.0.2] [--mode bare|queue|both] [--watched 0|1]
//                                    [--raw 0|1]
//
// --watched 1 registers the sending socket for reading in an epoll set, as a server's socket is:
// the kernel then wakes the set's wait queue for every datagram it frees.
// --raw 1 (root, with --sink) sends through a net::RawUdpEgress, as a server with
// rtc.raw_udp_send does: frames written here, through a packet socket. Its first fan-out looks
// the path up and goes through the socket; the rest leave as frames.
//
// Prints one JSON object per mode.
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/event_loop.h"
#include "net/raw_udp_egress.h"
#include "net/socket_address.h"
#include "net/udp_send_queue.h"
#include "net/udp_socket.h"

namespace {

using auralink::net::EventLoop;
using auralink::net::SocketAddress;
using auralink::net::UdpSendQueue;
using auralink::net::UdpSocket;

struct Options {
  size_t destinations = 1000;
  size_t bytes = 100;
  double seconds = 3.0;
  std::string sink;
  std::string mode = "both";
  bool watched = false;
  bool raw = false;
};

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double WallSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

int Usage(const char* message) {
  std::fprintf(stderr,
               "udp_fanout_bench: %s\n"
               "usage: udp_fanout_bench [--destinations N] [--bytes B] [--seconds S] "
               "[--sink IP] [--mode bare|queue|both] [--watched 0|1] [--raw 0|1]\n",
               message);
  return 2;
}

struct Result {
  uint64_t packets = 0;
  uint64_t refused = 0;  // not taken by the kernel (full buffers, unreachable)
  double cpu_seconds = 0;
  double wall_seconds = 0;
};

void Print(const char* mode, const Options& options, const Result& result) {
  std::printf(
      "{\"mode\":\"%s\",\"watched\":%s,\"raw\":%s,\"destinations\":%zu,\"bytes\":%zu,\"sink\":\"%"
      "s\","
      "\"packets\":%llu,\"refused\":%llu,\"cpu_seconds\":%.3f,\"wall_seconds\":%.3f,"
      "\"packets_per_cpu_second\":%.0f,\"ns_per_packet\":%.0f}\n",
      mode, options.watched ? "true" : "false", options.raw ? "true" : "false",
      options.destinations, options.bytes, options.sink.empty() ? "loopback" : options.sink.c_str(),
      static_cast<unsigned long long>(result.packets),
      static_cast<unsigned long long>(result.refused), result.cpu_seconds, result.wall_seconds,
      result.cpu_seconds > 0 ? static_cast<double>(result.packets) / result.cpu_seconds : 0.0,
      result.packets > 0 ? result.cpu_seconds * 1e9 / static_cast<double>(result.packets) : 0.0);
  std::fflush(stdout);
}

// Runs `fanout` (one datagram to every destination) until `seconds` of wall time have passed,
// pausing 1 ms between fan-outs so that the receive side of loopback can keep up and the kernel's
// deferred work (freed buffers) is charged where it falls, as between a server's packets.
template <typename Fanout>
Result Run(double seconds, Fanout fanout) {
  Result result;
  const double wall_start = WallSeconds();
  const double cpu_start = ThreadCpuSeconds();
  while (WallSeconds() - wall_start < seconds) {
    fanout(&result);
    const timespec pause{0, 1'000'000};
    nanosleep(&pause, nullptr);
  }
  result.cpu_seconds = ThreadCpuSeconds() - cpu_start;
  result.wall_seconds = WallSeconds() - wall_start;
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return Usage("missing value");
    const char* value = argv[++i];
    if (flag == "--destinations") {
      options.destinations = std::strtoul(value, nullptr, 10);
    } else if (flag == "--bytes") {
      options.bytes = std::strtoul(value, nullptr, 10);
    } else if (flag == "--seconds") {
      options.seconds = std::strtod(value, nullptr);
    } else if (flag == "--sink") {
      options.sink = value;
    } else if (flag == "--mode") {
      options.mode = value;
    } else if (flag == "--watched") {
      options.watched = std::string_view(value) == "1";
    } else if (flag == "--raw") {
      options.raw = std::string_view(value) == "1";
    } else {
      return Usage("unknown flag");
    }
  }
  if (options.destinations < 1 || options.destinations > 20000)
    return Usage("--destinations must be 1..20000");
  if (options.bytes < 12 || options.bytes > 1400) return Usage("--bytes must be 12..1400");
  if (options.mode != "bare" && options.mode != "queue" && options.mode != "both")
    return Usage("--mode must be bare, queue or both");

  auto loop = EventLoop::Create();
  if (!loop.ok()) return Usage(loop.status().message().c_str());
  auralink::net::UdpSocketOptions socket_options;
  auto sender = UdpSocket::Bind(
      *SocketAddress::FromIp(options.sink.empty() ? "127.0.0.1" : "0.0.0.0", 0), socket_options);
  if (!sender.ok()) return Usage(sender.status().message().c_str());
  std::unique_ptr<auralink::net::RawUdpEgress> egress;
  if (options.raw) {
    if (options.sink.empty())
      return Usage("--raw 1 needs --sink: loopback peers are not sent frames");
    auto created = auralink::net::RawUdpEgress::Create();
    if (!created.ok()) return Usage(created.status().message().c_str());
    egress = std::move(*created);
    (*sender)->set_raw_egress(egress.get());
  }
  int epoll_fd = -1;
  if (options.watched) {
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    epoll_event event{};
    event.events = EPOLLIN;
    if (epoll_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, (*sender)->fd(), &event) != 0)
      return Usage("cannot watch the sending socket with epoll");
  }

  // Destinations and, on loopback, the sockets that receive (and are never read).
  std::vector<SocketAddress> destinations;
  std::vector<std::unique_ptr<UdpSocket>> receivers;
  auralink::net::UdpSocketOptions receiver_options;
  receiver_options.receive_buffer_bytes = 64 << 10;
  for (size_t i = 0; i < options.destinations; ++i) {
    if (options.sink.empty()) {
      auto receiver = UdpSocket::Bind(*SocketAddress::FromIp("127.0.0.1", 0), receiver_options);
      if (!receiver.ok()) return Usage(receiver.status().message().c_str());
      destinations.push_back((*receiver)->local_address());
      receivers.push_back(std::move(*receiver));
    } else {
      auto to = SocketAddress::FromIp(options.sink, static_cast<uint16_t>(20000 + i));
      if (!to) return Usage("--sink is not an IP address");
      destinations.push_back(*to);
    }
  }
  // Distinct payloads per destination, as SRTP makes them.
  std::vector<std::vector<uint8_t>> payloads(options.destinations,
                                             std::vector<uint8_t>(options.bytes));
  for (size_t i = 0; i < payloads.size(); ++i) {
    for (size_t b = 0; b < options.bytes; ++b) payloads[i][b] = static_cast<uint8_t>(i * 31 + b);
  }

  if (options.mode != "queue") {
    std::vector<auralink::net::OutgoingDatagram> datagrams;
    for (size_t i = 0; i < options.destinations; ++i)
      datagrams.push_back({payloads[i], &destinations[i]});
    const Result result = Run(options.seconds, [&](Result* r) {
      const size_t sent = (*sender)->SendBatch(datagrams);
      r->packets += sent;
      r->refused += datagrams.size() - sent;
    });
    Print("bare", options, result);
  }
  if (options.mode != "bare") {
    auralink::net::UdpSendQueueOptions queue_options;
    queue_options.capacity = std::max<size_t>(1024, options.destinations);
    auto queue = UdpSendQueue::Create(loop->get(), queue_options);
    if (!queue.ok()) return Usage(queue.status().message().c_str());
    const auto& counters = (*sender)->counters();
    const Result result = Run(options.seconds, [&](Result* r) {
      const uint64_t before = counters.packets_sent;
      for (size_t i = 0; i < options.destinations; ++i)
        (*queue)->Enqueue(sender->get(), payloads[i], destinations[i]);
      (*queue)->Flush();
      const uint64_t sent = counters.packets_sent - before;
      r->packets += sent;
      r->refused += options.destinations - sent;
    });
    Print("queue", options, result);
  }
  if (epoll_fd >= 0) close(epoll_fd);
  return 0;
}
