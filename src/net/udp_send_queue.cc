#include "net/udp_send_queue.h"

#include <cstring>

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
    : loop_(loop), options_(options), slots_(options.capacity * options.max_datagram_bytes) {
  entries_.reserve(options_.capacity);
  batch_.reserve(options_.capacity);
}

UdpSendQueue::~UdpSendQueue() {
  loop_->RemoveBeforeWait(before_wait_);
  Flush();
}

void UdpSendQueue::Enqueue(UdpSocket* socket, std::span<const uint8_t> data,
                           const SocketAddress& to) {
  ++counters_.datagrams;
  if (data.size() > options_.max_datagram_bytes) {
    Flush();  // keeps the order towards `to`
    ++counters_.oversized;
    socket->SendTo(data, to);
    return;
  }
  if (entries_.size() == options_.capacity) Flush();
  std::memcpy(slots_.data() + entries_.size() * options_.max_datagram_bytes, data.data(),
              data.size());
  entries_.push_back(Entry{socket, static_cast<uint32_t>(data.size()), to});
}

void UdpSendQueue::Flush() {
  size_t begin = 0;
  while (begin < entries_.size()) {
    UdpSocket* socket = entries_[begin].socket;
    batch_.clear();
    size_t end = begin;
    for (; end < entries_.size() && entries_[end].socket == socket; ++end) {
      batch_.push_back(
          OutgoingDatagram{{slots_.data() + end * options_.max_datagram_bytes, entries_[end].size},
                           &entries_[end].to});
    }
    socket->SendBatch(batch_);
    ++counters_.batches;
    begin = end;
  }
  entries_.clear();
}

}  // namespace auralink::net
