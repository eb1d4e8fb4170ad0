#include "net/tcp_connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace auralink::net {
namespace {

constexpr int kMaxReadsPerWakeup = 16;
// The consumed prefix of the write buffer is dropped once it is this large and half the buffer.
constexpr size_t kCompactWriteBufferBytes = 256 << 10;

Status ErrnoStatus(const std::string& what, int error) {
  return Status::Error(what + ": " + std::strerror(error));
}

void DisableNagle(int fd) {
  // Signalling messages are small and latency-bound.
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

}  // namespace

std::shared_ptr<TcpConnection> TcpConnection::Adopt(EventLoop* loop, int fd,
                                                    const SocketAddress& peer,
                                                    const TcpConnectionOptions& options) {
  DisableNagle(fd);
  return std::shared_ptr<TcpConnection>(
      new TcpConnection(loop, fd, peer, State::kConnected, options));
}

StatusOr<std::shared_ptr<TcpConnection>> TcpConnection::Connect(
    EventLoop* loop, const SocketAddress& remote, const TcpConnectionOptions& options) {
  if (!remote.is_ipv4() && !remote.is_ipv6()) {
    return Status::Error("TcpConnection::Connect: address is neither IPv4 nor IPv6");
  }
  int fd = socket(remote.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return ErrnoStatus("socket(TCP)", errno);
  DisableNagle(fd);
  if (connect(fd, remote.sockaddr_ptr(), remote.length()) != 0 && errno != EINPROGRESS) {
    Status error = ErrnoStatus("connect(" + remote.ToString() + ")", errno);
    close(fd);
    return error;
  }
  // Even an immediate success is reported through the first writable event, so callers see one
  // path.
  return std::shared_ptr<TcpConnection>(
      new TcpConnection(loop, fd, remote, State::kConnecting, options));
}

TcpConnection::TcpConnection(EventLoop* loop, int fd, const SocketAddress& peer, State state,
                             const TcpConnectionOptions& options)
    : loop_(loop), fd_(fd), peer_(peer), state_(state), options_(options) {
  if (options_.read_chunk_bytes < 512) options_.read_chunk_bytes = 512;
}

TcpConnection::~TcpConnection() {
  if (fd_ >= 0) {
    if (registered_) loop_->Remove(fd_);
    close(fd_);
  }
}

Status TcpConnection::Start() {
  if (registered_) return Status::Error("TcpConnection::Start: already started");
  if (state_ == State::kClosed) return Status::Error("TcpConnection::Start: connection is closed");
  std::weak_ptr<TcpConnection> weak = weak_from_this();
  uint32_t interest = kWritable;
  if (state_ == State::kConnected) {
    interest = pending_write_bytes() > 0 ? (kReadable | kWritable) : uint32_t{kReadable};
  }
  AURALINK_RETURN_IF_ERROR(loop_->Add(fd_, interest, [weak](uint32_t events) {
    if (auto self = weak.lock()) self->HandleEvents(events);
  }));
  registered_ = true;
  return Status::Ok();
}

SocketAddress TcpConnection::local_address() const {
  SocketAddress address;
  socklen_t length = SocketAddress::kMaxLength;
  if (fd_ >= 0) getsockname(fd_, address.mutable_sockaddr_ptr(), &length);
  return address;
}

void TcpConnection::HandleEvents(uint32_t events) {
  if (state_ == State::kConnecting) {
    HandleConnectResult();
    return;
  }
  if ((events & kWritable) && state_ == State::kConnected) FlushWrites();
  if ((events & kReadable) && state_ == State::kConnected) {
    if (reading_enabled_) {
      HandleReadable();
    } else {
      // Only hang-ups and errors are reported while reading is paused.
      int error = 0;
      socklen_t length = sizeof(error);
      getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
      CloseWith(error != 0 ? ErrnoStatus("socket error", error)
                           : Status::Error("peer hung up while reading was paused"));
    }
  }
}

void TcpConnection::HandleConnectResult() {
  int error = 0;
  socklen_t length = sizeof(error);
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
  ConnectCallback on_connect = std::move(on_connect_);
  on_connect_ = nullptr;
  std::shared_ptr<TcpConnection> self = shared_from_this();
  if (error != 0) {
    // A failed connect is reported to the connect callback only; the close callback is for
    // connections that were established.
    on_close_ = nullptr;
    const Status status = ErrnoStatus("connect(" + peer_.ToString() + ")", error);
    CloseWith(status);
    if (on_connect) on_connect(status);
    return;
  }
  state_ = State::kConnected;
  UpdateInterest();
  if (on_connect) on_connect(Status::Ok());
  if (state_ == State::kConnected && pending_write_bytes() > 0) FlushWrites();
}

void TcpConnection::HandleReadable() {
  std::shared_ptr<TcpConnection> self = shared_from_this();
  if (read_buffer_.size() != options_.read_chunk_bytes)
    read_buffer_.resize(options_.read_chunk_bytes);
  for (int i = 0; i < kMaxReadsPerWakeup; ++i) {
    const ssize_t count = read(fd_, read_buffer_.data(), read_buffer_.size());
    if (count > 0) {
      if (std::shared_ptr<DataCallback> on_data = on_data_; on_data && *on_data) {
        (*on_data)(std::span<const uint8_t>(read_buffer_.data(), static_cast<size_t>(count)));
      }
      if (state_ != State::kConnected || !reading_enabled_) return;
      if (static_cast<size_t>(count) < read_buffer_.size()) return;
      continue;
    }
    if (count == 0) {
      // Orderly shutdown by the peer (RFC 9293 §3.6): answer what is queued, then close.
      if (pending_write_bytes() == 0 || write_shut_down_) {
        CloseWith(Status::Ok());
      } else {
        close_after_flush_ = true;
        reading_enabled_ = false;
        UpdateInterest();
      }
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    CloseWith(ErrnoStatus("read", errno));
    return;
  }
}

bool TcpConnection::Send(std::span<const uint8_t> data) {
  if (state_ == State::kClosed || close_after_flush_ || shutdown_after_flush_ || write_shut_down_) {
    return false;
  }
  size_t offset = 0;
  if (state_ == State::kConnected && pending_write_bytes() == 0) {
    while (offset < data.size()) {
      const ssize_t written = send(fd_, data.data() + offset, data.size() - offset, MSG_NOSIGNAL);
      if (written > 0) {
        offset += static_cast<size_t>(written);
        continue;
      }
      if (written < 0 && errno == EINTR) continue;
      if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      CloseWith(ErrnoStatus("send", errno));
      return false;
    }
    if (offset == data.size()) return true;
  }
  const size_t remaining = data.size() - offset;
  if (pending_write_bytes() + remaining > options_.max_write_buffer_bytes) {
    CloseWith(Status::Error("write buffer cap of " +
                            std::to_string(options_.max_write_buffer_bytes) +
                            " bytes exceeded: peer is not reading"));
    return false;
  }
  const bool was_empty = pending_write_bytes() == 0;
  write_buffer_.insert(write_buffer_.end(), data.begin() + static_cast<ptrdiff_t>(offset),
                       data.end());
  if (was_empty) UpdateInterest();
  return true;
}

void TcpConnection::FlushWrites() {
  while (pending_write_bytes() > 0) {
    const ssize_t written =
        send(fd_, write_buffer_.data() + write_offset_, pending_write_bytes(), MSG_NOSIGNAL);
    if (written > 0) {
      write_offset_ += static_cast<size_t>(written);
      continue;
    }
    if (written < 0 && errno == EINTR) continue;
    if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    CloseWith(ErrnoStatus("send", errno));
    return;
  }
  if (pending_write_bytes() == 0) {
    write_buffer_.clear();
    write_offset_ = 0;
    if (close_after_flush_) {
      CloseWith(Status::Ok());
      return;
    }
    if (shutdown_after_flush_ && !write_shut_down_) {
      shutdown(fd_, SHUT_WR);
      write_shut_down_ = true;
    }
  } else if (write_offset_ >= kCompactWriteBufferBytes &&
             write_offset_ * 2 >= write_buffer_.size()) {
    write_buffer_.erase(write_buffer_.begin(),
                        write_buffer_.begin() + static_cast<ptrdiff_t>(write_offset_));
    write_offset_ = 0;
  }
  UpdateInterest();
}

void TcpConnection::UpdateInterest() {
  if (!registered_ || state_ == State::kClosed) return;
  uint32_t interest = 0;
  if (state_ == State::kConnecting) {
    interest = kWritable;
  } else {
    if (reading_enabled_) interest |= kReadable;
    if (pending_write_bytes() > 0) interest |= kWritable;
  }
  // Modify only fails for an fd the loop does not know, which cannot happen while registered.
  [[maybe_unused]] Status status = loop_->Modify(fd_, interest);
}

void TcpConnection::CloseAfterFlush() {
  if (state_ == State::kClosed) return;
  if (state_ == State::kConnected && pending_write_bytes() == 0) {
    CloseWith(Status::Ok());
    return;
  }
  close_after_flush_ = true;
}

void TcpConnection::ShutdownWriteAfterFlush() {
  if (state_ == State::kClosed || write_shut_down_) return;
  shutdown_after_flush_ = true;
  if (state_ == State::kConnected && pending_write_bytes() == 0) {
    shutdown(fd_, SHUT_WR);
    write_shut_down_ = true;
  }
}

void TcpConnection::Close() { CloseWith(Status::Ok()); }

int TcpConnection::Detach(std::vector<uint8_t>* unsent) {
  if (state_ == State::kClosed) return -1;
  if (unsent != nullptr) {
    unsent->assign(write_buffer_.begin() + static_cast<ptrdiff_t>(write_offset_),
                   write_buffer_.end());
  }
  if (registered_) loop_->Remove(fd_);
  registered_ = false;
  const int fd = fd_;
  fd_ = -1;
  state_ = State::kClosed;
  write_buffer_.clear();
  write_offset_ = 0;
  on_data_ = nullptr;
  on_connect_ = nullptr;
  on_close_ = nullptr;
  return fd;
}

void TcpConnection::SetReadingEnabled(bool enabled) {
  if (reading_enabled_ == enabled || state_ == State::kClosed) return;
  reading_enabled_ = enabled;
  UpdateInterest();
}

void TcpConnection::CloseWith(const Status& reason) {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  if (registered_) loop_->Remove(fd_);
  registered_ = false;
  close(fd_);
  fd_ = -1;
  write_buffer_.clear();
  write_offset_ = 0;
  // Dropping the callbacks breaks the usual owner <-> connection reference cycle, which may release
  // the last owner of this connection; `keep_alive` holds it until this function returns. A running
  // data callback keeps its own reference (HandleReadable).
  std::shared_ptr<TcpConnection> keep_alive = weak_from_this().lock();
  on_data_ = nullptr;
  on_connect_ = nullptr;
  CloseCallback on_close = std::move(on_close_);
  on_close_ = nullptr;
  if (on_close) on_close(reason);
}

}  // namespace auralink::net
