#include "net/udp_send_queue.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace auralink::net {

StatusOr<std::unique_ptr<UdpSendQueue>> UdpSendQueue::Create(EventLoop* loop,
                                                             UdpSendQueueOptions options) {
  if (loop == nullptr) return Status::Error("UdpSendQueue: no event loop");
  if (options.capacity < 1 || options.max_datagram_bytes < 1)
    return Status::Error("UdpSendQueue: capacity and slot size must be positive");
  std::unique_ptr<UdpSendQueue> queue(new UdpSendQueue(loop, options));
  queue->before_wait_ = loop->AddBeforeWait([raw = queue.get()]() { raw->Flush(); });
  return queue;
}

UdpSendQueue::UdpSendQueue(EventLoop* loop, UdpSendQueueOptions options)
    : loop_(loop),
      options_(options),
      bytes_(options.capacity * Aligned(options.max_datagram_bytes)) {
  entries_.reserve(options_.capacity);
  order_.reserve(options_.capacity);
  segments_.reserve(options_.capacity);
  messages_.reserve(options_.capacity);
}

UdpSendQueue::~UdpSendQueue() {
  loop_->RemoveBeforeWait(before_wait_);
  Flush();
}

void UdpSendQueue::Enqueue(UdpSocket* socket, std::span<const uint8_t> data,
                           const SocketAddress& to, int64_t cause_us) {
  ++counters_.datagrams;
  if (data.size() > options_.max_datagram_bytes) {
    Flush();  // keeps the order towards `to`
    ++counters_.oversized;
    socket->SendTo(data, to);
    return;
  }
  // bytes_ holds `capacity` datagrams of the largest size, each aligned, so the count alone
  // bounds it.
  if (entries_.size() == options_.capacity) Flush();
  const size_t offset = bytes_used_;
  std::memcpy(bytes_.data() + offset, data.data(), data.size());
  bytes_used_ += Aligned(data.size());
  const uint32_t socket_run =
      entries_.empty() ? 0
                       : entries_.back().socket_run + (entries_.back().socket == socket ? 0 : 1);
  const auto to_hash = static_cast<uint32_t>(to.Hash());
  if (!entries_.empty() && to_hash == entries_.front().to_hash &&
      to_hash != entries_.back().to_hash)
    regroup_ = true;
  entries_.push_back(Entry{socket, socket_run, static_cast<uint32_t>(data.size()),
                           static_cast<uint32_t>(offset), to_hash, cause_us, to});
}

void UdpSendQueue::Flush() {
  const size_t count = entries_.size();
  if (count == 0) return;
  // Grouped by run of one socket, then destination hash, then queue order, so each destination
  // keeps its order (std::sort with the index as the last key: stable without std::stable_sort's
  // buffer allocation). Two destinations with one hash may interleave: their runs are then only
  // shorter.
  order_.resize(count);
  std::iota(order_.begin(), order_.end(), 0u);
  if (regroup_) {
    std::sort(order_.begin(), order_.end(), [this](uint32_t a, uint32_t b) {
      const Entry& x = entries_[a];
      const Entry& y = entries_[b];
      if (x.socket_run != y.socket_run) return x.socket_run < y.socket_run;
      if (x.to_hash != y.to_hash) return x.to_hash < y.to_hash;
      return a < b;
    });
  }
  segments_.clear();
  for (uint32_t index : order_) {
    segments_.emplace_back(bytes_.data() + entries_[index].offset, entries_[index].size);
  }
  size_t begin = 0;
  while (begin < count) {
    const uint32_t socket_run = entries_[order_[begin]].socket_run;
    UdpSocket* socket = entries_[order_[begin]].socket;
    messages_.clear();
    size_t end = begin;
    while (end < count && entries_[order_[end]].socket_run == socket_run) {
      // One destination's run, cut into GSO messages.
      const SocketAddress& to = entries_[order_[end]].to;
      size_t run_end = end + 1;
      while (run_end < count && entries_[order_[run_end]].socket_run == socket_run &&
             entries_[order_[run_end]].to == to) {
        ++run_end;
      }
      const std::span<const std::span<const uint8_t>> run(segments_.data() + end, run_end - end);
      for (size_t offset = 0; offset < run.size();) {
        const size_t length = UdpSocket::GsoRunLength(run.subspan(offset));
        messages_.push_back(OutgoingMessage{run.subspan(offset, length), &to});
        offset += length;
      }
      end = run_end;
    }
    socket->SendMessages(messages_);
    if (latency_ != nullptr) {
      const int64_t sent_us = EventLoop::NowUs();
      for (size_t i = begin; i < end; ++i) {
        const int64_t cause_us = entries_[order_[i]].cause_us;
        if (cause_us != 0) latency_->Add(sent_us - cause_us);
      }
    }
    ++counters_.batches;
    counters_.messages += messages_.size();
    begin = end;
  }
  entries_.clear();
  bytes_used_ = 0;
  regroup_ = false;
}

}  // namespace auralink::net
