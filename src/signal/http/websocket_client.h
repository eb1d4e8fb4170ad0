// The client side of RFC 6455 on the net EventLoop: connects to ws://host:port/path?query, performs
// the opening handshake (§4.1) and hands over a WebSocketConnection that masks its frames. For the
// native C++ client and tests; wss:// is not supported (TLS terminates in front of the server).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "net/event_loop.h"
#include "net/tcp_connection.h"
#include "signal/http/http_request.h"
#include "signal/http/websocket_connection.h"

namespace auralink::signal::http {

struct WebSocketUrl {
  std::string host;  // without brackets for IPv6
  uint16_t port = 80;
  std::string target;  // "/path?query"
};
StatusOr<WebSocketUrl> ParseWebSocketUrl(std::string_view url);

struct WebSocketClientOptions {
  WebSocketOptions websocket;
  int64_t handshake_timeout_ms = 10000;
  HttpHeaders extra_headers;  // e.g. Authorization
  size_t max_response_bytes = 64 << 10;
  net::TcpConnectionOptions tcp;
};

struct WebSocketConnectResult {
  Status status;
  int http_status = 0;    // the server's answer when it answered (101 on success)
  std::string http_body;  // the body of a refusal (e.g. "invalid token")
  std::shared_ptr<WebSocketConnection> connection;  // set on success
};

class WebSocketClient : public std::enable_shared_from_this<WebSocketClient> {
 public:
  // Called once. On success, set the connection's callbacks inside it: reading starts after it
  // returns.
  using ConnectCallback = std::function<void(WebSocketConnectResult result)>;

  // The host is an IP literal or "localhost"; other names go through getaddrinfo, which blocks.
  // The handshake keeps itself alive; the returned handle only serves to Cancel().
  static StatusOr<std::shared_ptr<WebSocketClient>> Connect(net::EventLoop* loop,
                                                            std::string_view url,
                                                            const WebSocketClientOptions& options,
                                                            ConnectCallback on_done);
  // Abandons a handshake in progress; the callback is not called.
  void Cancel();

 private:
  WebSocketClient(net::EventLoop* loop, const WebSocketClientOptions& options,
                  ConnectCallback on_done);
  void SendHandshake();
  void HandleData(std::span<const uint8_t> data);
  void Finish(WebSocketConnectResult result, std::string_view leftover = {});

  net::EventLoop* loop_;
  WebSocketClientOptions options_;
  ConnectCallback on_done_;
  WebSocketUrl url_;
  std::string key_;
  std::shared_ptr<net::TcpConnection> tcp_;
  std::string response_;
  int http_status_ = 0;
  size_t head_end_ = 0;  // bytes of status line and headers, once known
  std::optional<size_t> body_length_;
  net::TimerId timer_ = 0;
  bool done_ = false;
};

}  // namespace auralink::signal::http
