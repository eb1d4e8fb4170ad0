#include "net/tcp_listener.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/log.h"

namespace auralink::net {
namespace {

Status ErrnoStatus(const std::string& what) {
  return Status::Error(what + ": " + std::strerror(errno));
}

}  // namespace

StatusOr<std::unique_ptr<TcpListener>> TcpListener::Create(EventLoop* loop,
                                                           const SocketAddress& local,
                                                           AcceptCallback on_accept,
                                                           const TcpListenerOptions& options) {
  if (!local.is_ipv4() && !local.is_ipv6()) {
    return Status::Error("TcpListener: address is neither IPv4 nor IPv6");
  }
  int fd = socket(local.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return ErrnoStatus("socket(TCP)");
  auto fail = [fd](const std::string& what) {
    Status error = ErrnoStatus(what);
    close(fd);
    return error;
  };
  const int one = 1;
  // A restarted server must not wait for TIME_WAIT connections of its previous run.
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
    return fail("setsockopt(SO_REUSEADDR)");
  }
  if (options.reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    return fail("setsockopt(SO_REUSEPORT)");
  }
  if (bind(fd, local.sockaddr_ptr(), local.length()) != 0) {
    return fail("bind(" + local.ToString() + ")");
  }
  if (listen(fd, options.backlog) != 0) return fail("listen");
  SocketAddress bound;
  socklen_t length = SocketAddress::kMaxLength;
  if (getsockname(fd, bound.mutable_sockaddr_ptr(), &length) != 0) return fail("getsockname");
  std::unique_ptr<TcpListener> listener(
      new TcpListener(loop, fd, bound, std::move(on_accept), options));
  TcpListener* raw = listener.get();
  Status added = loop->Add(fd, kReadable, [raw](uint32_t) { raw->AcceptAvailable(); });
  if (!added.ok()) return added;  // the destructor closes fd
  return listener;
}

TcpListener::TcpListener(EventLoop* loop, int fd, const SocketAddress& local,
                         AcceptCallback on_accept, const TcpListenerOptions& options)
    : loop_(loop),
      fd_(fd),
      local_address_(local),
      on_accept_(std::move(on_accept)),
      options_(options) {}

TcpListener::~TcpListener() {
  if (destroyed_flag_ != nullptr) *destroyed_flag_ = true;
  if (resume_timer_ != 0) loop_->Cancel(resume_timer_);
  loop_->Remove(fd_);
  close(fd_);
}

void TcpListener::AcceptAvailable() {
  bool destroyed = false;
  destroyed_flag_ = &destroyed;
  for (int i = 0; i < options_.max_accepts_per_wakeup; ++i) {
    SocketAddress peer;
    socklen_t length = SocketAddress::kMaxLength;
    const int fd = accept4(fd_, peer.mutable_sockaddr_ptr(), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      ++accept_errors_;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        AURALINK_LOG(kWarning) << "accept on " << local_address_.ToString() << ": "
                               << std::strerror(errno) << "; pausing " << options_.accept_pause_ms
                               << " ms";
        loop_->Remove(fd_);
        resume_timer_ = loop_->RunAfter(options_.accept_pause_ms, [this] {
          resume_timer_ = 0;
          [[maybe_unused]] Status status =
              loop_->Add(fd_, kReadable, [this](uint32_t) { AcceptAvailable(); });
        });
      }
      break;
    }
    ++accepted_;
    on_accept_(TcpConnection::Adopt(loop_, fd, peer, options_.connection));
    if (destroyed) return;
  }
  destroyed_flag_ = nullptr;
}

}  // namespace auralink::net
