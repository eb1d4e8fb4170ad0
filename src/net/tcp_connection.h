// A non-blocking TCP stream on an EventLoop: read callback, buffered writes that wait for EPOLLOUT
// when the kernel buffer is full (with a cap, so a peer that stops reading cannot grow memory
// without bound), graceful close after the buffer drains, half-close, and client-side connect.
// Owned through shared_ptr; all calls on the loop thread.
#pragma once

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

struct TcpConnectionOptions {
  size_t max_write_buffer_bytes = 8 << 20;  // a Send() past this closes the connection
  size_t read_chunk_bytes = 64 << 10;
};

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  using DataCallback = std::function<void(std::span<const uint8_t> data)>;
  // Called once when the connection is gone: Ok for an orderly close (either side), else why.
  using CloseCallback = std::function<void(const Status& reason)>;
  using ConnectCallback = std::function<void(const Status& result)>;

  // Takes ownership of an accepted, connected socket.
  static std::shared_ptr<TcpConnection> Adopt(EventLoop* loop, int fd, const SocketAddress& peer,
                                              const TcpConnectionOptions& options = {});
  // Starts a non-blocking connect; `on_connected` reports the result once Start() ran.
  static StatusOr<std::shared_ptr<TcpConnection>> Connect(EventLoop* loop,
                                                          const SocketAddress& remote,
                                                          const TcpConnectionOptions& options = {});
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  // Callbacks may be replaced, or the connection closed, from inside any callback.
  void set_data_callback(DataCallback callback) {
    on_data_ = std::make_shared<DataCallback>(std::move(callback));
  }
  void set_close_callback(CloseCallback callback) { on_close_ = std::move(callback); }
  void set_connect_callback(ConnectCallback callback) { on_connect_ = std::move(callback); }
  // Registers with the loop; set the callbacks first.
  Status Start();

  // Queues bytes; false (and the connection is closed with an error) when the write buffer would
  // pass its cap, or when the connection is already closing.
  bool Send(std::span<const uint8_t> data);
  bool Send(std::string_view text) {
    return Send(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }
  // Flushes what is queued, then closes (the close callback reports Ok).
  void CloseAfterFlush();
  // Flushes what is queued, then shutdown(SHUT_WR); reading continues until the peer closes.
  void ShutdownWriteAfterFlush();
  // Closes now, dropping unsent data.
  void Close();
  // Hands the socket to another owner (another loop's Adopt()): unregisters it from this loop
  // without closing it, moves bytes not yet written into `unsent` and leaves this connection
  // closed without calling the close callback. -1 when it was already closed.
  int Detach(std::vector<uint8_t>* unsent);
  // Stops/resumes reading (back-pressure on a peer that sends faster than we process).
  void SetReadingEnabled(bool enabled);

  bool connected() const { return state_ == State::kConnected; }
  bool closed() const { return state_ == State::kClosed; }
  size_t pending_write_bytes() const { return write_buffer_.size() - write_offset_; }
  const SocketAddress& peer_address() const { return peer_; }
  SocketAddress local_address() const;
  EventLoop* loop() const { return loop_; }
  int fd() const { return fd_; }

 private:
  enum class State { kConnecting, kConnected, kClosed };
  TcpConnection(EventLoop* loop, int fd, const SocketAddress& peer, State state,
                const TcpConnectionOptions& options);
  void HandleEvents(uint32_t events);
  void HandleConnectResult();
  void HandleReadable();
  void FlushWrites();
  void UpdateInterest();
  void CloseWith(const Status& reason);

  EventLoop* loop_;
  int fd_;
  SocketAddress peer_;
  State state_;
  TcpConnectionOptions options_;
  bool registered_ = false;
  bool reading_enabled_ = true;
  bool close_after_flush_ = false;
  bool shutdown_after_flush_ = false;
  bool write_shut_down_ = false;
  std::vector<uint8_t> read_buffer_;
  std::vector<uint8_t> write_buffer_;
  size_t write_offset_ = 0;
  // Shared so that the running callback survives being replaced or dropped by itself.
  std::shared_ptr<DataCallback> on_data_;
  CloseCallback on_close_;
  ConnectCallback on_connect_;
};

}  // namespace auralink::net
