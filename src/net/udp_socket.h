// A non-blocking UDP socket on an EventLoop: batch receive with recvmmsg into buffers allocated
// once, single sends, batched sendmmsg, and UDP GSO (UDP_SEGMENT, Linux 4.18+) that hands the
// kernel up to 64 equal-sized datagrams for one destination in a single call (MEASURED.md: ~1.9M
// packets/s on loopback against ~0.5M with one send() per packet). Nothing here allocates per
// packet.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "net/event_loop.h"
#include "net/socket_address.h"

namespace auralink::net {

class RawUdpEgress;

struct UdpSocketOptions {
  bool reuse_port = false;  // SO_REUSEPORT: one socket per worker on the same port
  bool ipv6_only = false;   // for "::": false accepts IPv4-mapped peers too
  // Media bursts (a key frame to many subscribers) overflow the default ~200 KB buffers.
  int receive_buffer_bytes = 4 << 20;
  int send_buffer_bytes = 4 << 20;
  int receive_batch = 32;          // datagrams per recvmmsg
  int max_datagram_bytes = 2048;   // larger datagrams are dropped and counted as truncated
  int max_batches_per_wakeup = 8;  // then yield to other fds (level-triggered epoll comes back)
  // IP_TRANSPARENT: bind to and send from an address that is not this machine's (needs
  // CAP_NET_ADMIN). Load tests use it to make a server send into a device that discards.
  bool transparent = false;
  // SO_TIMESTAMPNS: the kernel notes when each datagram arrived, read through
  // last_receive_time_us() inside the receive callback. Latency measurements use it so that the
  // time a busy receiver takes to get to a datagram is not counted as network or server delay.
  bool receive_timestamps = false;
};

struct UdpSocketCounters {
  uint64_t packets_received = 0;
  uint64_t bytes_received = 0;
  uint64_t receive_truncated = 0;
  uint64_t receive_errors = 0;
  uint64_t packets_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t send_would_block = 0;  // socket buffer full: the datagram is dropped, as a router would
  uint64_t send_errors = 0;
  uint64_t gso_calls = 0;
  uint64_t unwatched_batches = 0;  // large batches sent with the socket out of its epoll set
  uint64_t rewatch_errors = 0;     // it could not go back at once (tried again at the next send)
  uint64_t raw_packets_sent = 0;   // of packets_sent: as frames through a RawUdpEgress
};

// A datagram for SendBatch(). `to` may be null on a connected socket.
struct OutgoingDatagram {
  std::span<const uint8_t> data;
  const SocketAddress* to = nullptr;
};

// Datagrams for one destination handed to the kernel as one message, for SendMessages(). With more
// than one, the kernel cuts the joined payload every segments[0].size() bytes (UDP GSO), so every
// segment but the last must have the first's size and the last may be shorter (GsoRunLength()).
struct OutgoingMessage {
  std::span<const std::span<const uint8_t>> segments;
  const SocketAddress* to = nullptr;
};

class UdpSocket {
 public:
  using DatagramCallback =
      std::function<void(std::span<const uint8_t> data, const SocketAddress& from)>;

  // Binds `local` (port 0: the kernel picks one).
  static StatusOr<std::unique_ptr<UdpSocket>> Bind(const SocketAddress& local,
                                                   const UdpSocketOptions& options = {});
  // Binds the first free port in [min_port, max_port] on `ip`.
  static StatusOr<std::unique_ptr<UdpSocket>> BindInRange(std::string_view ip, uint16_t min_port,
                                                          uint16_t max_port,
                                                          const UdpSocketOptions& options = {});
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // Delivers every received datagram to `callback` on `loop`'s thread. The span is valid only
  // during the call. The callback may destroy this socket.
  Status StartReceiving(EventLoop* loop, DatagramCallback callback);
  void StopReceiving();
  // Drains up to max_batches_per_wakeup recvmmsg batches; returns the datagrams delivered. Called
  // by the loop; public for benchmarks that poll.
  size_t ReceiveAvailable();

  // Fixes the peer so sends may omit the address (and the kernel skips the route lookup).
  Status Connect(const SocketAddress& remote);

  // Returns false when the datagram was not sent (counted).
  bool SendTo(std::span<const uint8_t> data, const SocketAddress& to);
  bool Send(std::span<const uint8_t> data);  // connected sockets
  // sendmmsg; returns how many datagrams the kernel took (the rest are counted as dropped).
  size_t SendBatch(std::span<const OutgoingDatagram> datagrams);
  // Datagrams for one destination (null `to`: the connected peer), sent with UDP GSO where every
  // run of equal-sized datagrams (the last of a run may be shorter) becomes one sendmsg; falls back
  // to sendmmsg when the kernel or route lacks GSO. Returns how many datagrams were sent.
  size_t SendSameDestination(std::span<const std::span<const uint8_t>> datagrams,
                             const SocketAddress* to);
  // sendmmsg of messages that each carry one datagram or a GSO run of them; falls back to one
  // datagram per message when the kernel or route lacks GSO. Returns how many datagrams were sent.
  size_t SendMessages(std::span<const OutgoingMessage> messages);
  // Batches of at least this many messages leave with the socket out of its loop's epoll set
  // (EventLoop::SuspendWatch): each freed datagram would otherwise wake the set's wait queue,
  // ~40-160 ns a datagram (bench/rtp/udp_fanout_bench --watched), against ~3 µs here for the
  // two epoll_ctl calls that take it out and back.
  static constexpr size_t kUnwatchedBatchMessages = 64;
  // How many of `datagrams`, from the first, one GSO message can carry (at least 1): equal sizes,
  // the last possibly shorter, within the kernel's segment and byte limits.
  static size_t GsoRunLength(std::span<const std::span<const uint8_t>> datagrams);

  // Called after the datagrams of each recvmmsg batch were delivered: a sender that queues what
  // the datagrams cause can send it once per batch, not once per datagram.
  void set_batch_end_callback(std::function<void()> callback) {
    batch_end_callback_ = std::move(callback);
  }

  // Batched sends (SendBatch, SendSameDestination, SendMessages) to IPv4 destinations go out as
  // frames through `egress` where it can write them, the rest through this socket. Null (the
  // default): all through this socket. `egress` must outlive the socket or be unset first.
  void set_raw_egress(RawUdpEgress* egress) { raw_egress_ = egress; }

  bool gso_supported() const { return gso_supported_; }
  const SocketAddress& local_address() const { return local_address_; }
  int fd() const { return fd_; }
  const UdpSocketCounters& counters() const { return counters_; }
  // Inside the receive callback: when the kernel received the datagram being delivered, in
  // EventLoop::NowUs() time; 0 without options.receive_timestamps or when the kernel gave none.
  int64_t last_receive_time_us() const { return last_receive_time_us_; }
  // Inside the receive callback: whether the next datagram of the same recvmmsg batch came from
  // the same address as the one being delivered (a sender's burst, such as a video frame's
  // packets). False for the last of a batch.
  bool next_from_same_source() const { return next_from_same_source_; }

 private:
  UdpSocket(int fd, const SocketAddress& local, const UdpSocketOptions& options);
  // single_messages_, filled with one message per datagram of `messages`, which must not lie in
  // single_messages_ itself.
  std::span<const OutgoingMessage> OneDatagramEach(std::span<const OutgoingMessage> messages);
  // Through raw_egress_ where it can, the rest through SendThroughKernel().
  size_t SendPrepared(std::span<const OutgoingMessage> messages);
  // The one sendmmsg loop: each message is one datagram, or a GSO run (UDP_SEGMENT) when it has
  // several.
  size_t SendThroughKernel(std::span<const OutgoingMessage> messages);
  void Rewatch();
  void CountSendFailure(int error);

  static constexpr size_t kReceiveControlBytes = 64;  // ≥ CMSG_SPACE(sizeof(timespec))

  int fd_;
  SocketAddress local_address_;
  UdpSocketOptions options_;
  bool gso_supported_ = false;
  bool connected_ = false;
  EventLoop* loop_ = nullptr;
  bool unwatched_ = false;  // out of loop_'s epoll set until Rewatch() succeeds
  DatagramCallback callback_;
  std::function<void()> batch_end_callback_;
  // Set by the destructor when the socket dies inside its own receive callback.
  bool* destroyed_flag_ = nullptr;
  UdpSocketCounters counters_;

  // recvmmsg state, allocated once.
  std::vector<uint8_t> receive_buffers_;
  std::vector<mmsghdr> receive_headers_;
  std::vector<iovec> receive_iovecs_;
  std::vector<sockaddr_storage> receive_addresses_;
  std::vector<uint8_t> receive_controls_;  // one cmsg buffer per datagram, with receive_timestamps
  int64_t last_receive_time_us_ = 0;
  bool next_from_same_source_ = false;
  // sendmmsg/GSO scratch, grown on demand and then reused.
  std::vector<mmsghdr> send_headers_;
  std::vector<iovec> send_iovecs_;
  struct alignas(cmsghdr) GsoControl {
    char bytes[CMSG_SPACE(sizeof(uint16_t))];
  };
  std::vector<GsoControl> send_controls_;
  std::vector<OutgoingMessage> single_messages_;  // SendBatch's, or a run split without GSO
  std::vector<OutgoingMessage> same_destination_messages_;
  RawUdpEgress* raw_egress_ = nullptr;
  std::vector<OutgoingMessage> kernel_messages_;  // what raw_egress_ left to the socket
};

}  // namespace auralink::net
