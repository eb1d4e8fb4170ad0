#include "net/udp_socket.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "common/log.h"
#include "net/raw_udp_egress.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103  // linux/udp.h, Linux 4.18
#endif

namespace auralink::net {
namespace {

// Linux caps one GSO send at 64 segments (UDP_MAX_SEGMENTS) and at one maximal UDP payload.
constexpr size_t kMaxGsoSegments = 64;
constexpr size_t kMaxGsoBytes = 65000;

int64_t RealtimeNowUs() {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

// The SCM_TIMESTAMPNS arrival time in `header`'s control data, in CLOCK_REALTIME µs; 0 if none.
int64_t ReceiveTimestampUs(const msghdr& header) {
  for (const cmsghdr* control = CMSG_FIRSTHDR(&header); control != nullptr;
       control = CMSG_NXTHDR(const_cast<msghdr*>(&header), const_cast<cmsghdr*>(control))) {
    if (control->cmsg_level == SOL_SOCKET && control->cmsg_type == SCM_TIMESTAMPNS &&
        control->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
      timespec stamp;
      std::memcpy(&stamp, CMSG_DATA(control), sizeof(stamp));
      return static_cast<int64_t>(stamp.tv_sec) * 1000000 + stamp.tv_nsec / 1000;
    }
  }
  return 0;
}

}  // namespace

StatusOr<std::unique_ptr<UdpSocket>> UdpSocket::Bind(const SocketAddress& local,
                                                     const UdpSocketOptions& options) {
  if (!local.is_ipv4() && !local.is_ipv6()) {
    return Status::Error("UdpSocket::Bind: address is neither IPv4 nor IPv6");
  }
  if (options.receive_batch < 1 || options.max_datagram_bytes < 1 ||
      options.max_batches_per_wakeup < 1) {
    return Status::Error("UdpSocket::Bind: batch sizes must be positive");
  }
  int fd = socket(local.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return Status::Error(ErrnoText("socket(UDP)"));
  auto fail = [fd](const std::string& what) {
    Status error = Status::Error(ErrnoText(what));
    close(fd);
    return error;
  };
  const int one = 1;
  if (options.reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    return fail("setsockopt(SO_REUSEPORT)");
  }
  if (options.transparent) {
    const int level = local.is_ipv6() ? IPPROTO_IPV6 : IPPROTO_IP;
    const int name = local.is_ipv6() ? IPV6_TRANSPARENT : IP_TRANSPARENT;
    if (setsockopt(fd, level, name, &one, sizeof(one)) != 0)
      return fail("setsockopt(IP_TRANSPARENT)");
  }
  if (local.is_ipv6()) {
    const int v6only = options.ipv6_only ? 1 : 0;
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) != 0) {
      return fail("setsockopt(IPV6_V6ONLY)");
    }
  }
  // Buffer sizes above net.core.[rw]mem_max are clamped by the kernel; not an error.
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &options.receive_buffer_bytes,
             sizeof(options.receive_buffer_bytes));
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &options.send_buffer_bytes,
             sizeof(options.send_buffer_bytes));
  if (bind(fd, local.sockaddr_ptr(), local.length()) != 0) {
    return fail("bind(" + local.ToString() + ")");
  }
  SocketAddress bound;
  socklen_t length = SocketAddress::kMaxLength;
  if (getsockname(fd, bound.mutable_sockaddr_ptr(), &length) != 0) {
    return fail("getsockname");
  }
  return std::unique_ptr<UdpSocket>(new UdpSocket(fd, bound, options));
}

StatusOr<std::unique_ptr<UdpSocket>> UdpSocket::BindInRange(std::string_view ip, uint16_t min_port,
                                                            uint16_t max_port,
                                                            const UdpSocketOptions& options) {
  if (min_port == 0 || min_port > max_port) {
    return Status::Error("UdpSocket::BindInRange: bad port range " + std::to_string(min_port) +
                         "-" + std::to_string(max_port));
  }
  Status last_error = Status::Error("no port tried");
  for (uint32_t port = min_port; port <= max_port; ++port) {
    auto address = SocketAddress::FromIp(ip, static_cast<uint16_t>(port));
    if (!address)
      return Status::Error("UdpSocket::BindInRange: not an IP literal: " + std::string(ip));
    auto socket = Bind(*address, options);
    if (socket.ok()) return socket;
    last_error = socket.status();
  }
  return Status::Error("UdpSocket::BindInRange: no free port in " + std::to_string(min_port) + "-" +
                       std::to_string(max_port) + " (last: " + last_error.message() + ")");
}

UdpSocket::UdpSocket(int fd, const SocketAddress& local, const UdpSocketOptions& options)
    : fd_(fd), local_address_(local), options_(options) {
  int gso_size = 0;
  socklen_t length = sizeof(gso_size);
  gso_supported_ = getsockopt(fd_, SOL_UDP, UDP_SEGMENT, &gso_size, &length) == 0;

  const size_t batch = static_cast<size_t>(options_.receive_batch);
  const size_t size = static_cast<size_t>(options_.max_datagram_bytes);
  receive_buffers_.resize(batch * size);
  receive_headers_.resize(batch);
  receive_iovecs_.resize(batch);
  receive_addresses_.resize(batch);
  if (options_.receive_timestamps) {
    const int enable = 1;
    if (setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &enable, sizeof(enable)) == 0) {
      receive_controls_.resize(batch * kReceiveControlBytes);
    }
  }
}

UdpSocket::~UdpSocket() {
  if (destroyed_flag_ != nullptr) *destroyed_flag_ = true;
  StopReceiving();
  close(fd_);
}

Status UdpSocket::StartReceiving(EventLoop* loop, DatagramCallback callback) {
  if (loop_ != nullptr) return Status::Error("UdpSocket: already receiving");
  callback_ = std::move(callback);
  AURALINK_RETURN_IF_ERROR(loop->Add(fd_, kReadable, [this](uint32_t) { ReceiveAvailable(); }));
  loop_ = loop;
  return Status::Ok();
}

void UdpSocket::StopReceiving() {
  if (loop_ == nullptr) return;
  loop_->Remove(fd_);
  loop_ = nullptr;
  unwatched_ = false;
}

void UdpSocket::Rewatch() {
  if (!unwatched_ || loop_ == nullptr) return;
  const Status status = loop_->ResumeWatch(fd_);
  if (status.ok()) {
    unwatched_ = false;
    return;
  }
  // Deaf until it succeeds: the next send tries again. Logged once, counted always.
  if (counters_.rewatch_errors++ == 0) {
    AURALINK_LOG(kError) << "UDP socket " << local_address_.ToString()
                         << " could not rejoin its event loop: " << status.message();
  }
}

size_t UdpSocket::ReceiveAvailable() {
  const size_t batch = receive_headers_.size();
  const size_t size = static_cast<size_t>(options_.max_datagram_bytes);
  size_t delivered = 0;
  bool destroyed = false;
  destroyed_flag_ = &destroyed;
  for (int round = 0; round < options_.max_batches_per_wakeup; ++round) {
    for (size_t i = 0; i < batch; ++i) {
      receive_iovecs_[i].iov_base = receive_buffers_.data() + i * size;
      receive_iovecs_[i].iov_len = size;
      msghdr& header = receive_headers_[i].msg_hdr;
      std::memset(&header, 0, sizeof(header));
      header.msg_name = &receive_addresses_[i];
      header.msg_namelen = sizeof(sockaddr_storage);
      header.msg_iov = &receive_iovecs_[i];
      header.msg_iovlen = 1;
      if (!receive_controls_.empty()) {
        header.msg_control = receive_controls_.data() + i * kReceiveControlBytes;
        header.msg_controllen = kReceiveControlBytes;
      }
      receive_headers_[i].msg_len = 0;
    }
    const int count =
        recvmmsg(fd_, receive_headers_.data(), static_cast<unsigned>(batch), MSG_DONTWAIT, nullptr);
    if (count <= 0) {
      if (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        // ICMP errors (ECONNREFUSED on a connected socket) surface here; they do not stop
        // reception.
        ++counters_.receive_errors;
        continue;
      }
      break;
    }
    // SO_TIMESTAMPNS stamps in CLOCK_REALTIME; EventLoop::NowUs() is CLOCK_MONOTONIC.
    const int64_t realtime_to_monotonic_us =
        receive_controls_.empty() ? 0 : EventLoop::NowUs() - RealtimeNowUs();
    for (int i = 0; i < count; ++i) {
      const msghdr& header = receive_headers_[i].msg_hdr;
      last_receive_time_us_ = 0;
      if (!receive_controls_.empty()) {
        const int64_t stamp = ReceiveTimestampUs(header);
        if (stamp != 0) last_receive_time_us_ = stamp + realtime_to_monotonic_us;
      }
      if (header.msg_flags & MSG_TRUNC) {
        ++counters_.receive_truncated;
        continue;
      }
      auto from = SocketAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(header.msg_name),
                                              header.msg_namelen);
      if (!from) {
        ++counters_.receive_errors;
        continue;
      }
      next_from_same_source_ = false;
      if (i + 1 < count) {
        const msghdr& next = receive_headers_[i + 1].msg_hdr;
        next_from_same_source_ =
            next.msg_namelen == header.msg_namelen &&
            std::memcmp(next.msg_name, header.msg_name, header.msg_namelen) == 0;
      }
      const size_t length = receive_headers_[i].msg_len;
      ++counters_.packets_received;
      counters_.bytes_received += length;
      ++delivered;
      if (callback_) {
        callback_(std::span<const uint8_t>(receive_buffers_.data() + i * size, length), *from);
        if (destroyed || loop_ == nullptr) {
          if (!destroyed) destroyed_flag_ = nullptr;
          return delivered;
        }
      }
    }
    if (batch_end_callback_) {
      batch_end_callback_();
      if (destroyed || loop_ == nullptr) {
        if (!destroyed) destroyed_flag_ = nullptr;
        return delivered;
      }
    }
    if (static_cast<size_t>(count) < batch) break;
  }
  destroyed_flag_ = nullptr;
  return delivered;
}

Status UdpSocket::Connect(const SocketAddress& remote) {
  if (connect(fd_, remote.sockaddr_ptr(), remote.length()) != 0) {
    return Status::Error(ErrnoText("connect(UDP " + remote.ToString() + ")"));
  }
  connected_ = true;
  return Status::Ok();
}

void UdpSocket::CountSendFailure(int error) {
  if (error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS) {
    ++counters_.send_would_block;
  } else {
    ++counters_.send_errors;
  }
}

bool UdpSocket::SendTo(std::span<const uint8_t> data, const SocketAddress& to) {
  const ssize_t sent =
      sendto(fd_, data.data(), data.size(), MSG_DONTWAIT, to.sockaddr_ptr(), to.length());
  if (sent < 0) {
    CountSendFailure(errno);
    return false;
  }
  ++counters_.packets_sent;
  counters_.bytes_sent += data.size();
  return true;
}

bool UdpSocket::Send(std::span<const uint8_t> data) {
  const ssize_t sent = send(fd_, data.data(), data.size(), MSG_DONTWAIT);
  if (sent < 0) {
    CountSendFailure(errno);
    return false;
  }
  ++counters_.packets_sent;
  counters_.bytes_sent += data.size();
  return true;
}

size_t UdpSocket::SendBatch(std::span<const OutgoingDatagram> datagrams) {
  // One single-datagram message each; its segment list is the datagram's own span.
  single_messages_.clear();
  for (const OutgoingDatagram& datagram : datagrams)
    single_messages_.push_back(OutgoingMessage{{&datagram.data, 1}, datagram.to});
  return SendPrepared(single_messages_);
}

size_t UdpSocket::GsoRunLength(std::span<const std::span<const uint8_t>> datagrams) {
  if (datagrams.empty()) return 0;
  // The kernel cuts the payload every gso_size bytes (Linux udp_send_skb()): equal sizes, and only
  // the last may be shorter.
  const size_t segment = datagrams[0].size();
  size_t run = 0;
  size_t bytes = 0;
  while (run < datagrams.size() && run < kMaxGsoSegments) {
    const size_t size = datagrams[run].size();
    if (size > segment || bytes + size > kMaxGsoBytes || size == 0) break;
    bytes += size;
    ++run;
    if (size < segment) break;
  }
  return std::max<size_t>(run, 1);  // an empty or oversized datagram goes on its own
}

size_t UdpSocket::SendSameDestination(std::span<const std::span<const uint8_t>> datagrams,
                                      const SocketAddress* to) {
  same_destination_messages_.clear();
  for (size_t index = 0; index < datagrams.size();) {
    const size_t run = gso_supported_ ? GsoRunLength(datagrams.subspan(index)) : 1;
    same_destination_messages_.push_back(OutgoingMessage{datagrams.subspan(index, run), to});
    index += run;
  }
  return SendMessages(same_destination_messages_);
}

size_t UdpSocket::SendMessages(std::span<const OutgoingMessage> messages) {
  if (gso_supported_) return SendPrepared(messages);
  // Without GSO each datagram of a run is a message of its own.
  return SendPrepared(OneDatagramEach(messages));
}

std::span<const OutgoingMessage> UdpSocket::OneDatagramEach(
    std::span<const OutgoingMessage> messages) {
  single_messages_.clear();
  for (const OutgoingMessage& message : messages) {
    for (size_t i = 0; i < message.segments.size(); ++i)
      single_messages_.push_back(OutgoingMessage{message.segments.subspan(i, 1), message.to});
  }
  return single_messages_;
}

size_t UdpSocket::SendPrepared(std::span<const OutgoingMessage> messages) {
  if (raw_egress_ == nullptr || connected_) return SendThroughKernel(messages);
  const RawUdpEgressCounters before = raw_egress_->counters();
  kernel_messages_.clear();
  const size_t raw = raw_egress_->Send(local_address_, messages, &kernel_messages_);
  const RawUdpEgressCounters& after = raw_egress_->counters();
  counters_.packets_sent += raw;
  counters_.raw_packets_sent += raw;
  counters_.bytes_sent += after.bytes_sent - before.bytes_sent;
  counters_.send_would_block += after.would_block - before.would_block;
  counters_.send_errors += after.send_errors - before.send_errors;
  if (kernel_messages_.empty()) return raw;
  return raw + SendThroughKernel(kernel_messages_);
}

size_t UdpSocket::SendThroughKernel(std::span<const OutgoingMessage> messages) {
  const size_t count = messages.size();
  size_t segments = 0;
  for (const OutgoingMessage& message : messages) segments += message.segments.size();
  if (send_headers_.size() < count) send_headers_.resize(count);
  if (send_controls_.size() < count) send_controls_.resize(count);
  if (send_iovecs_.size() < segments) send_iovecs_.resize(segments);
  size_t iovec_index = 0;
  for (size_t i = 0; i < count; ++i) {
    const OutgoingMessage& message = messages[i];
    msghdr& header = send_headers_[i].msg_hdr;
    std::memset(&header, 0, sizeof(header));
    if (message.to != nullptr) {
      header.msg_name = const_cast<sockaddr*>(message.to->sockaddr_ptr());
      header.msg_namelen = message.to->length();
    }
    header.msg_iov = &send_iovecs_[iovec_index];
    header.msg_iovlen = message.segments.size();
    for (auto segment : message.segments) {
      send_iovecs_[iovec_index].iov_base = const_cast<uint8_t*>(segment.data());
      send_iovecs_[iovec_index].iov_len = segment.size();
      ++iovec_index;
    }
    if (message.segments.size() > 1) {
      header.msg_control = send_controls_[i].bytes;
      header.msg_controllen = sizeof(send_controls_[i].bytes);
      cmsghdr* cmsg = CMSG_FIRSTHDR(&header);
      cmsg->cmsg_level = SOL_UDP;
      cmsg->cmsg_type = UDP_SEGMENT;
      cmsg->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      const uint16_t gso_size = static_cast<uint16_t>(message.segments[0].size());
      std::memcpy(CMSG_DATA(cmsg), &gso_size, sizeof(gso_size));
    }
  }
  size_t sent = 0;  // messages handled, delivered or dropped
  size_t delivered = 0;
  if (loop_ != nullptr && !unwatched_ && count >= kUnwatchedBatchMessages &&
      loop_->SuspendWatch(fd_).ok()) {
    unwatched_ = true;
    ++counters_.unwatched_batches;
  }
  // Watched again on every way out (a no-op when it never left the set).
  struct RewatchOnExit {
    UdpSocket* socket;
    ~RewatchOnExit() { socket->Rewatch(); }
  } rewatch{this};
  while (sent < count) {
    const int result = sendmmsg(fd_, send_headers_.data() + sent,
                                static_cast<unsigned>(count - sent), MSG_DONTWAIT);
    if (result < 0) {
      if (errno == EINTR) continue;
      const std::span<const std::span<const uint8_t>> failed = messages[sent].segments;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        for (size_t i = sent; i < count; ++i)
          counters_.send_would_block += messages[i].segments.size();
        break;
      }
      if (failed.size() > 1 && (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT)) {
        // The route's device cannot checksum-offload GSO (EIO): one datagram per message from now
        // on, starting with the one that failed.
        AURALINK_LOG(kWarning) << "UDP GSO unavailable on " << local_address_.ToString() << " ("
                               << std::strerror(errno) << "); falling back to sendmmsg";
        gso_supported_ = false;
        // One datagram per message, through this socket: `messages` may be kernel_messages_,
        // which a second pass through the raw egress would overwrite while reading it.
        return delivered + SendThroughKernel(OneDatagramEach(messages.subspan(sent)));
      }
      // The message at `sent` failed on its own (bad address, too large): skip it.
      const int error = errno;
      for (size_t i = 0; i < failed.size(); ++i) CountSendFailure(error);
      ++sent;
      continue;
    }
    for (size_t i = sent; i < sent + static_cast<size_t>(result); ++i) {
      const size_t segment_count = messages[i].segments.size();
      if (segment_count > 1) ++counters_.gso_calls;
      counters_.packets_sent += segment_count;
      for (auto segment : messages[i].segments) counters_.bytes_sent += segment.size();
      delivered += segment_count;
    }
    sent += static_cast<size_t>(result);
  }
  return delivered;
}

}  // namespace auralink::net
