// One open WebSocket (RFC 6455) over a TcpConnection, on either side: text/binary messages,
// ping/pong, the closing handshake (§7) and a token-bucket limit on incoming messages, so a client
// that floods the signalling socket is closed with 1008 instead of eating the worker's time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "net/event_loop.h"
#include "net/tcp_connection.h"
#include "signal/http/websocket_frame.h"

namespace auralink::signal::http {

struct WebSocketOptions {
  size_t max_message_bytes = 1 << 20;  // larger incoming messages close with 1009
  // Outgoing messages larger than this are sent as fragments (§5.4); 0 sends one frame each.
  size_t max_frame_payload_bytes = 0;
  // Incoming data messages and pings: a sustained rate and a burst; 0 disables the limit.
  double max_messages_per_second = 50;
  double message_burst = 200;
  // After we send a close frame, how long we wait for the peer's before dropping TCP.
  int64_t close_timeout_ms = 2000;
  // Sends a ping this often (0: never) and closes with 1001 when nothing at all has been received
  // for `idle_timeout_ms` (0: never).
  int64_t ping_interval_ms = 0;
  int64_t idle_timeout_ms = 0;
};

// Shared by all connections of one server (or client), read on the loop thread.
struct WebSocketCounters {
  uint64_t messages_received = 0;
  uint64_t messages_sent = 0;
  uint64_t rate_limited_closes = 0;
  uint64_t protocol_error_closes = 0;
};

enum class WebSocketMessageType { kText, kBinary };

class WebSocketConnection : public std::enable_shared_from_this<WebSocketConnection> {
 public:
  using Role = WebSocketMessageReader::Role;
  using MessageCallback =
      std::function<void(WebSocketMessageType type, std::span<const uint8_t> payload)>;
  // Once, when the TCP connection is gone, with the code of the peer's close frame, else the code
  // we sent (a local Close(), or a protocol error / rate limit we closed for), else kCloseAbnormal.
  using CloseCallback = std::function<void(uint16_t code, std::string_view reason)>;

  // Takes over `tcp` (its callbacks are replaced). Call Start() once callbacks are set. While open,
  // the connection keeps itself alive (through its TCP callbacks); owners may hold it or not.
  static std::shared_ptr<WebSocketConnection> Create(std::shared_ptr<net::TcpConnection> tcp,
                                                     Role role, const WebSocketOptions& options,
                                                     std::shared_ptr<WebSocketCounters> counters);
  ~WebSocketConnection();

  // Callbacks may be replaced, and the connection closed, from inside any callback.
  void set_message_callback(MessageCallback callback) {
    on_message_ = std::make_shared<MessageCallback>(std::move(callback));
  }
  void set_close_callback(CloseCallback callback) { on_close_ = std::move(callback); }
  void set_pong_callback(std::function<void(std::span<const uint8_t>)> callback) {
    on_pong_ = std::make_shared<std::function<void(std::span<const uint8_t>)>>(std::move(callback));
  }
  // Begins reading; `already_received` are bytes that arrived with the handshake.
  void Start(std::span<const uint8_t> already_received = {});

  // False when the connection is closing or the TCP write buffer overflowed.
  bool SendText(std::string_view text);
  bool SendBinary(std::span<const uint8_t> data);
  bool Ping(std::span<const uint8_t> payload = {});
  // Starts the closing handshake (§7.1.2); the close callback runs when TCP is closed.
  void Close(uint16_t code = kCloseNormal, std::string_view reason = "");
  // Drops TCP now without a closing handshake (server shutdown); the close callback reports 1006.
  void Drop();

  bool open() const { return state_ == State::kOpen; }
  const net::SocketAddress& peer_address() const { return peer_; }

 private:
  enum class State { kOpen, kClosing, kClosed };
  WebSocketConnection(std::shared_ptr<net::TcpConnection> tcp, Role role,
                      const WebSocketOptions& options, std::shared_ptr<WebSocketCounters> counters);
  void HandleData(std::span<const uint8_t> data);
  void HandleTcpClosed();
  bool SendMessage(WebSocketOpcode opcode, std::span<const uint8_t> payload);
  bool SendFrame(WebSocketOpcode opcode, bool fin, std::span<const uint8_t> payload);
  bool TakeToken();
  void FailConnection(uint16_t code, std::string_view reason);
  void CancelTimers();
  void CheckLiveness();

  std::shared_ptr<net::TcpConnection> tcp_;
  net::EventLoop* loop_;
  net::SocketAddress peer_;
  Role role_;
  WebSocketOptions options_;
  std::shared_ptr<WebSocketCounters> counters_;
  WebSocketMessageReader reader_;
  State state_ = State::kOpen;
  std::optional<uint16_t> sent_close_code_;
  std::optional<uint16_t> received_close_code_;
  std::string close_reason_;
  double tokens_;
  int64_t tokens_updated_ms_;
  int64_t last_received_ms_;
  net::TimerId close_timer_ = 0;
  net::TimerId ping_timer_ = 0;
  std::vector<uint8_t> frame_scratch_;
  std::shared_ptr<MessageCallback> on_message_;
  CloseCallback on_close_;
  std::shared_ptr<std::function<void(std::span<const uint8_t>)>> on_pong_;
};

}  // namespace auralink::signal::http
