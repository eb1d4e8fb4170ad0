// The server's one HTTP stack: HTTP/1.1 with keep-alive on the net EventLoop, routes by method and
// path prefix, CORS for browsers (livekit-client calls /rtc/validate cross-origin), request and
// idle timeouts, and WebSocket upgrades on routes whose handler inspects the request (e.g. the
// access token in /rtc?access_token=...) before accepting it or answering with an HTTP error. All
// calls on the loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "net/event_loop.h"
#include "net/socket_address.h"
#include "net/tcp_listener.h"
#include "signal/http/http_request.h"
#include "signal/http/http_request_parser.h"
#include "signal/http/http_response.h"
#include "signal/http/websocket_connection.h"

namespace auralink::signal::http {

struct HttpServerOptions {
  HttpParserLimits limits;
  // Adds Access-Control-Allow-Origin: * to every response and answers CORS preflights, as
  // LiveKit's server does.
  bool cors = true;
  int64_t request_timeout_ms = 10000;  // first byte of a request to its last; then 408
  int64_t idle_timeout_ms = 60000;     // keep-alive wait for the next request
  size_t max_connections = 10000;      // HTTP connections (not upgraded ones); then 503
  size_t max_requests_per_connection = 10000;
  net::TcpListenerOptions listener;
  WebSocketOptions websocket;
  std::string server_header = "AuraLink";
};

struct HttpServerCounters {
  uint64_t connections_accepted = 0;
  uint64_t connections_refused = 0;  // over max_connections
  uint64_t requests = 0;
  uint64_t parse_errors = 0;  // 400/413/414/431/501/505 from the parser
  uint64_t timeouts = 0;
  uint64_t websocket_upgrades = 0;
  uint64_t websocket_rejections = 0;
};

// Answers a request exactly once, now or later (on the loop thread). Harmless after the client
// left.
using HttpResponder = std::function<void(HttpResponse response)>;
using HttpHandler = std::function<void(const HttpRequest& request, HttpResponder respond)>;

// Passed to a WebSocket route's handler, which calls Accept() or Reject() before returning
// (neither: 403). The accepted connection's callbacks must be set before the handler returns.
class WebSocketUpgrade {
 public:
  using StartedCallback = std::function<void(std::shared_ptr<WebSocketConnection> connection)>;

  std::shared_ptr<WebSocketConnection> Accept();
  // Accepts and hands the connection to another loop (a worker thread's): `started` runs on that
  // loop with the connection, whose callbacks it must set before returning. The connection lives
  // on that loop from then on (its counters are its own) and the HTTP server no longer tracks it.
  void AcceptOn(net::EventLoop* loop, StartedCallback started);
  void Reject(HttpResponse response);

 private:
  friend class HttpServer;
  enum class Decision { kNone, kAccepted, kAcceptedElsewhere, kRejected };
  Decision decision_ = Decision::kNone;
  std::shared_ptr<WebSocketConnection> connection_;
  HttpResponse rejection_;
  std::function<std::shared_ptr<WebSocketConnection>()> accept_;
  net::EventLoop* target_loop_ = nullptr;
  StartedCallback started_;
};
using WebSocketHandler = std::function<void(const HttpRequest& request, WebSocketUpgrade& upgrade)>;

class HttpServer {
 public:
  static StatusOr<std::unique_ptr<HttpServer>> Create(net::EventLoop* loop,
                                                      const net::SocketAddress& listen_address,
                                                      const HttpServerOptions& options = {});
  // Closes every HTTP connection and drops the WebSockets it accepted that are still open.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // `method` "" matches any method; GET routes also answer HEAD. A prefix matches whole path
  // segments ("/rtc" matches "/rtc" and "/rtc/validate", not "/rtcx"); the longest prefix wins.
  void Handle(std::string method, std::string path_prefix, HttpHandler handler);
  void HandleWebSocket(std::string path_prefix, WebSocketHandler handler);

  const net::SocketAddress& local_address() const { return listener_->local_address(); }
  const HttpServerCounters& counters() const { return counters_; }
  const WebSocketCounters& websocket_counters() const { return *websocket_counters_; }
  size_t connection_count() const { return connections_.size(); }

 private:
  class Connection;
  struct Route {
    std::string method;
    std::string prefix;
    HttpHandler handler;
    WebSocketHandler websocket_handler;
  };

  enum class TimerKind { kNone, kIdle, kRequest };

  HttpServer(net::EventLoop* loop, const HttpServerOptions& options);
  void Accept(std::shared_ptr<net::TcpConnection> tcp);
  void ProcessInput(const std::shared_ptr<Connection>& connection);
  void ArmTimer(const std::shared_ptr<Connection>& connection, TimerKind kind);
  void Dispatch(const std::shared_ptr<Connection>& connection, HttpRequest request);
  void Upgrade(const std::shared_ptr<Connection>& connection, const HttpRequest& request,
               const Route& route);
  void SendResponse(const std::shared_ptr<Connection>& connection, HttpResponse response, bool head,
                    bool keep_alive);
  void FinishResponse(HttpResponse* response, bool keep_alive) const;
  const Route* FindRoute(const std::string& path, const std::string& method,
                         bool* path_matched) const;

  net::EventLoop* loop_;
  HttpServerOptions options_;
  std::unique_ptr<net::TcpListener> listener_;
  std::vector<Route> routes_;
  std::unordered_set<std::shared_ptr<Connection>> connections_;
  std::vector<std::weak_ptr<WebSocketConnection>> websockets_;
  HttpServerCounters counters_;
  std::shared_ptr<WebSocketCounters> websocket_counters_ = std::make_shared<WebSocketCounters>();
  // Responders of requests still being handled find out whether the server is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace auralink::signal::http
