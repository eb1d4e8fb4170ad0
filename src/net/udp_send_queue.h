// Datagrams queued while the event loop dispatches one round and sent together with sendmmsg just
// before it waits again (EventLoop::AddBeforeWait), when the owner calls Flush() (after each
// receive batch), or as soon as the queue is full: one packet fanned out to N subscribers costs one
// system call per batch instead of one per subscriber (MEASURED.md: sendmmsg ~520k packets/s per
// core against ~445k for sendto on loopback).
//
// A flush groups the datagrams of each run queued on one socket by destination (runs on different
// sockets leave in the order they were queued) when the first destination recurs after another.
// Several for one destination (a video frame's packets, received in one batch and fanned out) leave
// as one UDP GSO message where their sizes allow it, so the kernel's socket, route and IP work runs
// once for the run (MEASURED.md: GSO ~1.9M packets/s on loopback). The order towards each
// destination is the order they were queued; destinations may leave in another order than they were
// queued. Datagrams are copied one after another into a buffer allocated once, so a fan-out's
// copies lie together: a thousand audio packets fill ~110 KB, which stays in cache until the kernel
// copies them out, where a slot per datagram spread them over 2 MB and a page each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/latency_histogram.h"
#include "common/status.h"
#include "net/event_loop.h"
#include "net/socket_address.h"
#include "net/udp_socket.h"

namespace auralink::net {

struct UdpSendQueueOptions {
  // Datagrams held before a flush: room for a few packets fanned out to a few hundred subscribers,
  // so that each subscriber's copies of them meet in one flush.
  size_t capacity = 1024;
  size_t max_datagram_bytes = 2048;  // larger ones are sent at once, after what is queued
};

struct UdpSendQueueCounters {
  uint64_t datagrams = 0;  // queued or sent through the queue
  uint64_t batches = 0;    // flushes per socket: one sendmmsg each unless the kernel stops early
  uint64_t messages = 0;   // messages handed to the kernel: one datagram, or a GSO run of several
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
  // `cause_us` (EventLoop::NowUs() time, 0: none) is when what caused the datagram arrived: with a
  // histogram set, the time from then until the system call that sends the datagram returned is
  // recorded.
  void Enqueue(UdpSocket* socket, std::span<const uint8_t> data, const SocketAddress& to,
               int64_t cause_us = 0);
  // Where to record those delays; null (the default) records none. Must outlive the queue.
  void set_latency_histogram(LatencyHistogram* histogram) { latency_ = histogram; }
  // Sends everything queued now: before closing a socket that may have datagrams queued.
  void Flush();

  size_t size() const { return entries_.size(); }
  const UdpSendQueueCounters& counters() const { return counters_; }

 private:
  struct Entry {
    UdpSocket* socket;
    uint32_t socket_run;  // counts changes of socket in queue order
    uint32_t size;
    uint32_t offset;  // in bytes_
    uint32_t to_hash;
    int64_t cause_us;
    SocketAddress to;
  };
  // Where each datagram starts in bytes_: a multiple of this.
  static constexpr size_t kAlignment = 16;
  static size_t Aligned(size_t size) { return (size + kAlignment - 1) & ~(kAlignment - 1); }

  UdpSendQueue(EventLoop* loop, UdpSendQueueOptions options);

  EventLoop* loop_;
  UdpSendQueueOptions options_;
  BeforeWaitId before_wait_ = 0;
  // Room for `capacity` datagrams of the largest size; entries_ says where each lies.
  std::vector<uint8_t> bytes_;
  size_t bytes_used_ = 0;
  std::vector<Entry> entries_;  // reserved to capacity: never reallocates
  // The first entry's destination came again after another one: a fan-out of several packets,
  // whose copies for each destination the flush groups. Without it (one packet fanned out, or
  // a destination's datagrams queued together) the queue order needs no sort. Other repeats go
  // unnoticed: they keep their order and only miss a GSO run.
  bool regroup_ = false;
  // Flush scratch, reserved to capacity: entry indices grouped by socket and destination, their
  // bytes in that order, and the messages cut from them.
  std::vector<uint32_t> order_;
  std::vector<std::span<const uint8_t>> segments_;
  std::vector<OutgoingMessage> messages_;
  UdpSendQueueCounters counters_;
  LatencyHistogram* latency_ = nullptr;
};

}  // namespace auralink::net
