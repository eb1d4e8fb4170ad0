// Datagrams queued while the event loop dispatches one round and sent together with sendmmsg just
// before it waits again (EventLoop::AddBeforeWait), or as soon as the queue is full: one packet
// fanned out to N subscribers costs one system call per batch instead of one per subscriber
// (MEASURED.md: sendmmsg ~520k packets/s per core against ~445k for sendto on loopback). Datagrams
// are copied into slots allocated once and leave in the order they were queued, so the order
// towards each destination is kept; a batch may mix sockets and destinations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/status.h"
#include "net/event_loop.h"
#include "net/socket_address.h"
#include "net/udp_socket.h"

namespace auralink::net {

struct UdpSendQueueOptions {
  size_t capacity = 64;              // datagrams per sendmmsg
  size_t max_datagram_bytes = 2048;  // larger ones are sent at once, after what is queued
};

struct UdpSendQueueCounters {
  uint64_t datagrams = 0;  // queued or sent through the queue
  uint64_t batches = 0;    // sendmmsg calls (one per run of datagrams on the same socket)
  uint64_t oversized = 0;  // sent on their own because they do not fit a slot
};

class UdpSendQueue {
 public:
  // Flushes before `loop` waits; `loop` must outlive the queue.
  static StatusOr<std::unique_ptr<UdpSendQueue>> Create(EventLoop* loop,
                                                        UdpSendQueueOptions options = {});
  ~UdpSendQueue();  // flushes
  UdpSendQueue(const UdpSendQueue&) = delete;
  UdpSendQueue& operator=(const UdpSendQueue&) = delete;

  // Copies `data` for `socket` to send to `to`. `socket` must stay open until the next Flush().
  void Enqueue(UdpSocket* socket, std::span<const uint8_t> data, const SocketAddress& to);
  // Sends everything queued now: before closing a socket that may have datagrams queued.
  void Flush();

  size_t size() const { return entries_.size(); }
  const UdpSendQueueCounters& counters() const { return counters_; }

 private:
  struct Entry {
    UdpSocket* socket;
    uint32_t size;
    SocketAddress to;
  };

  UdpSendQueue(EventLoop* loop, UdpSendQueueOptions options);

  EventLoop* loop_;
  UdpSendQueueOptions options_;
  BeforeWaitId before_wait_ = 0;
  std::vector<uint8_t> slots_;  // capacity * max_datagram_bytes, entry i in slot i
  std::vector<Entry> entries_;  // reserved to capacity: never reallocates
  std::vector<OutgoingDatagram> batch_;
  UdpSendQueueCounters counters_;
};

}  // namespace auralink::net
