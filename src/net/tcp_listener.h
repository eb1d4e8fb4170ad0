// A listening TCP socket on an EventLoop that accepts without blocking and hands each connection
// (not yet started) to a callback, which sets the connection's callbacks and calls Start().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "common/status.h"
#include "net/event_loop.h"
#include "net/socket_address.h"
#include "net/tcp_connection.h"

namespace auralink::net {

struct TcpListenerOptions {
  int backlog = 1024;
  bool reuse_port = false;  // SO_REUSEPORT: one listener per worker on the same port
  int max_accepts_per_wakeup = 64;
  // Pause after EMFILE/ENFILE, so a full fd table does not spin the loop on a level-triggered fd.
  int64_t accept_pause_ms = 100;
  TcpConnectionOptions connection;
};

class TcpListener {
 public:
  using AcceptCallback = std::function<void(std::shared_ptr<TcpConnection> connection)>;

  static StatusOr<std::unique_ptr<TcpListener>> Create(EventLoop* loop, const SocketAddress& local,
                                                       AcceptCallback on_accept,
                                                       const TcpListenerOptions& options = {});
  ~TcpListener();
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  const SocketAddress& local_address() const { return local_address_; }
  uint64_t accepted_count() const { return accepted_; }
  uint64_t accept_errors() const { return accept_errors_; }

 private:
  TcpListener(EventLoop* loop, int fd, const SocketAddress& local, AcceptCallback on_accept,
              const TcpListenerOptions& options);
  void AcceptAvailable();

  EventLoop* loop_;
  int fd_;
  SocketAddress local_address_;
  AcceptCallback on_accept_;
  TcpListenerOptions options_;
  TimerId resume_timer_ = 0;
  bool* destroyed_flag_ = nullptr;
  uint64_t accepted_ = 0;
  uint64_t accept_errors_ = 0;
};

}  // namespace auralink::net
