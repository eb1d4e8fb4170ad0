#include "signal/http/http_server.h"

#include <algorithm>
#include <ctime>

#include "common/log.h"
#include "signal/http/websocket_handshake.h"

namespace auralink::signal::http {
namespace {

bool PrefixMatches(const std::string& prefix, const std::string& path) {
  if (path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || prefix.empty() || prefix.back() == '/' ||
         path[prefix.size()] == '/';
}

std::string HttpDate() {
  // RFC 9110 §5.6.7 IMF-fixdate.
  char text[64];
  const std::time_t now = std::time(nullptr);
  std::tm utc;
  gmtime_r(&now, &utc);
  const size_t length = std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return std::string(text, length);
}

std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace

class HttpServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<net::TcpConnection> tcp, const HttpParserLimits& limits)
      : tcp(std::move(tcp)), parser(limits) {}

  std::shared_ptr<net::TcpConnection> tcp;
  HttpRequestParser parser;
  std::string input;
  size_t input_offset = 0;
  bool busy = false;  // a request is with its handler; later bytes wait in `input`
  bool processing = false;
  bool upgraded = false;
  size_t requests_served = 0;
  net::TimerId timer = 0;
  TimerKind timer_kind = TimerKind::kNone;
};

std::shared_ptr<WebSocketConnection> WebSocketUpgrade::Accept() {
  if (decision_ == Decision::kNone) {
    decision_ = Decision::kAccepted;
    connection_ = accept_();
  }
  return connection_;
}

void WebSocketUpgrade::AcceptOn(net::EventLoop* loop, StartedCallback started) {
  if (decision_ != Decision::kNone || loop == nullptr || !started) return;
  decision_ = Decision::kAcceptedElsewhere;
  target_loop_ = loop;
  started_ = std::move(started);
}

void WebSocketUpgrade::Reject(HttpResponse response) {
  if (decision_ != Decision::kNone) return;
  decision_ = Decision::kRejected;
  rejection_ = std::move(response);
}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(net::EventLoop* loop,
                                                         const net::SocketAddress& listen_address,
                                                         const HttpServerOptions& options) {
  std::unique_ptr<HttpServer> server(new HttpServer(loop, options));
  HttpServer* raw = server.get();
  auto listener = net::TcpListener::Create(
      loop, listen_address,
      [raw](std::shared_ptr<net::TcpConnection> tcp) { raw->Accept(std::move(tcp)); },
      options.listener);
  if (!listener.ok()) return listener.status().WithContext("HTTP server");
  server->listener_ = std::move(listener).value();
  return server;
}

HttpServer::HttpServer(net::EventLoop* loop, const HttpServerOptions& options)
    : loop_(loop), options_(options) {}

HttpServer::~HttpServer() {
  alive_.reset();
  listener_.reset();
  for (auto& weak : websockets_) {
    if (auto websocket = weak.lock()) websocket->Drop();
  }
  auto connections = std::move(connections_);
  for (const auto& connection : connections) {
    if (connection->timer != 0) loop_->Cancel(connection->timer);
    connection->tcp->set_close_callback(nullptr);
    connection->tcp->Close();
  }
}

void HttpServer::Handle(std::string method, std::string path_prefix, HttpHandler handler) {
  routes_.push_back(Route{std::move(method), std::move(path_prefix), std::move(handler), nullptr});
}

void HttpServer::HandleWebSocket(std::string path_prefix, WebSocketHandler handler) {
  routes_.push_back(Route{"GET", std::move(path_prefix), nullptr, std::move(handler)});
}

const HttpServer::Route* HttpServer::FindRoute(const std::string& path, const std::string& method,
                                               bool* path_matched) const {
  const Route* best = nullptr;
  *path_matched = false;
  for (const Route& route : routes_) {
    if (!PrefixMatches(route.prefix, path)) continue;
    *path_matched = true;
    const bool method_matches = route.method.empty() || route.method == method ||
                                (method == "HEAD" && route.method == "GET");
    if (method_matches && (best == nullptr || route.prefix.size() > best->prefix.size())) {
      best = &route;
    }
  }
  return best;
}

void HttpServer::Accept(std::shared_ptr<net::TcpConnection> tcp) {
  if (connections_.size() >= options_.max_connections) {
    ++counters_.connections_refused;
    // The close callback owns the connection until the refusal is flushed.
    tcp->set_close_callback([tcp](const Status&) {});
    if (tcp->Start().ok()) {
      HttpResponse refusal = HttpResponse::Text(503, "too many connections\n");
      refusal.SetHeader("Connection", "close");
      tcp->Send(refusal.Serialize(false));
    }
    tcp->CloseAfterFlush();
    return;
  }
  ++counters_.connections_accepted;
  auto connection = std::make_shared<Connection>(tcp, options_.limits);
  connections_.insert(connection);
  std::weak_ptr<Connection> weak = connection;
  tcp->set_data_callback([this, weak](std::span<const uint8_t> data) {
    std::shared_ptr<Connection> connection = weak.lock();
    if (!connection || connection->upgraded) return;
    connection->input.append(reinterpret_cast<const char*>(data.data()), data.size());
    ProcessInput(connection);
  });
  tcp->set_close_callback([this, weak](const Status&) {
    std::shared_ptr<Connection> connection = weak.lock();
    if (!connection) return;
    if (connection->timer != 0) loop_->Cancel(connection->timer);
    connection->timer = 0;
    connections_.erase(connection);
  });
  if (!tcp->Start().ok()) {
    connections_.erase(connection);
    return;
  }
  ArmTimer(connection, TimerKind::kIdle);
}

void HttpServer::ArmTimer(const std::shared_ptr<Connection>& connection, TimerKind kind) {
  if (connection->timer_kind == kind && connection->timer != 0) return;
  if (connection->timer != 0) loop_->Cancel(connection->timer);
  connection->timer = 0;
  connection->timer_kind = kind;
  const int64_t delay =
      kind == TimerKind::kIdle ? options_.idle_timeout_ms : options_.request_timeout_ms;
  if (kind == TimerKind::kNone || delay <= 0) return;
  std::weak_ptr<Connection> weak = connection;
  connection->timer = loop_->RunAfter(delay, [this, weak, kind] {
    std::shared_ptr<Connection> connection = weak.lock();
    if (!connection) return;
    connection->timer = 0;
    if (kind == TimerKind::kRequest) {
      ++counters_.timeouts;
      HttpResponse timeout = HttpResponse::Text(408, "request timeout\n");
      timeout.SetHeader("Connection", "close");
      FinishResponse(&timeout, false);
      connection->tcp->Send(timeout.Serialize(false));
      connection->tcp->CloseAfterFlush();
    } else {
      connection->tcp->Close();
    }
  });
}

void HttpServer::ProcessInput(const std::shared_ptr<Connection>& connection) {
  if (connection->processing) return;
  connection->processing = true;
  while (!connection->busy && !connection->upgraded && !connection->tcp->closed()) {
    std::string_view rest = std::string_view(connection->input).substr(connection->input_offset);
    connection->input_offset += connection->parser.Feed(rest);
    const auto state = connection->parser.state();
    if (state == HttpRequestParser::State::kError) {
      ++counters_.parse_errors;
      HttpResponse error = HttpResponse::Text(connection->parser.error_status(),
                                              connection->parser.error_message() + "\n");
      error.SetHeader("Connection", "close");
      FinishResponse(&error, false);
      connection->tcp->Send(error.Serialize(false));
      connection->tcp->CloseAfterFlush();
      break;
    }
    if (state == HttpRequestParser::State::kNeedMore) {
      ArmTimer(connection, connection->parser.started() ? TimerKind::kRequest : TimerKind::kIdle);
      break;
    }
    ArmTimer(connection, TimerKind::kNone);
    connection->busy = true;
    ++counters_.requests;
    Dispatch(connection, connection->parser.TakeRequest());
  }
  if (!connection->upgraded) {
    connection->input.erase(0, connection->input_offset);
    connection->input_offset = 0;
    // Back-pressure on pipelining: stop reading while a request is out and enough is buffered.
    const bool keep_reading =
        !connection->busy || connection->input.size() <
                                 options_.limits.max_header_bytes + options_.limits.max_body_bytes;
    connection->tcp->SetReadingEnabled(keep_reading);
  }
  connection->processing = false;
}

void HttpServer::FinishResponse(HttpResponse* response, bool keep_alive) const {
  if (!response->Header("Server") && !options_.server_header.empty()) {
    response->SetHeader("Server", options_.server_header);
  }
  response->SetHeader("Date", HttpDate());
  if (options_.cors && !response->Header("Access-Control-Allow-Origin")) {
    response->SetHeader("Access-Control-Allow-Origin", "*");
  }
  if (!response->Header("Connection"))
    response->SetHeader("Connection", keep_alive ? "keep-alive" : "close");
}

void HttpServer::SendResponse(const std::shared_ptr<Connection>& connection, HttpResponse response,
                              bool head, bool keep_alive) {
  ++connection->requests_served;
  keep_alive = keep_alive && connection->requests_served < options_.max_requests_per_connection;
  if (auto requested = response.Header("Connection");
      requested && EqualsIgnoreCase(*requested, "close")) {
    keep_alive = false;
  }
  response.SetHeader("Connection", keep_alive ? "keep-alive" : "close");
  FinishResponse(&response, keep_alive);
  connection->tcp->Send(response.Serialize(head));
  if (!keep_alive) {
    connection->tcp->CloseAfterFlush();
    return;
  }
  connection->busy = false;
  ProcessInput(connection);
}

void HttpServer::Dispatch(const std::shared_ptr<Connection>& connection, HttpRequest request) {
  const bool head = request.method == "HEAD";
  const bool keep_alive = request.keep_alive();
  if (options_.cors && request.method == "OPTIONS" &&
      request.Header("Access-Control-Request-Method")) {
    // CORS preflight (Fetch standard §3.2.2): allow any origin, the method and headers asked for.
    HttpResponse preflight;
    preflight.status = 204;
    preflight.SetHeader("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
    preflight.SetHeader("Access-Control-Allow-Headers",
                        request.Header("Access-Control-Request-Headers").value_or("*"));
    preflight.SetHeader("Access-Control-Max-Age", "86400");
    SendResponse(connection, std::move(preflight), false, keep_alive);
    return;
  }
  bool path_matched = false;
  const Route* route = FindRoute(request.path, request.method, &path_matched);
  if (route == nullptr) {
    SendResponse(connection,
                 HttpResponse::Text(path_matched ? 405 : 404,
                                    path_matched ? "method not allowed\n" : "not found\n"),
                 head, keep_alive);
    return;
  }
  if (route->websocket_handler) {
    if (!IsWebSocketUpgradeRequest(request)) {
      HttpResponse upgrade_required = HttpResponse::Text(426, "WebSocket upgrade required\n");
      upgrade_required.SetHeader("Upgrade", "websocket");
      upgrade_required.SetHeader("Sec-WebSocket-Version", "13");
      SendResponse(connection, std::move(upgrade_required), head, keep_alive);
      return;
    }
    Upgrade(connection, request, *route);
    return;
  }
  std::weak_ptr<Connection> weak = connection;
  std::weak_ptr<bool> alive = alive_;
  auto answered = std::make_shared<bool>(false);
  HttpResponder respond = [this, weak, alive, answered, head, keep_alive](HttpResponse response) {
    if (*answered) return;
    *answered = true;
    if (alive.expired()) return;
    std::shared_ptr<Connection> connection = weak.lock();
    if (!connection || connection->tcp->closed()) return;
    SendResponse(connection, std::move(response), head, keep_alive);
  };
  route->handler(request, std::move(respond));
}

void HttpServer::Upgrade(const std::shared_ptr<Connection>& connection, const HttpRequest& request,
                         const Route& route) {
  if (Status valid = ValidateWebSocketUpgrade(request); !valid.ok()) {
    ++counters_.websocket_rejections;
    const bool bad_version = request.Header("Sec-WebSocket-Version").value_or("13") != "13";
    HttpResponse error = HttpResponse::Text(bad_version ? 426 : 400, valid.message() + "\n");
    // §4.4: tell the client which version we speak.
    if (bad_version) error.SetHeader("Sec-WebSocket-Version", "13");
    SendResponse(connection, std::move(error), false, false);
    return;
  }
  const std::string accept_key = ComputeWebSocketAccept(*request.Header("Sec-WebSocket-Key"));
  // §4.2.2 step 5: the 101 answer; no extensions or subprotocols are negotiated.
  const std::string switching =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      accept_key + "\r\n\r\n";
  WebSocketUpgrade upgrade;
  upgrade.accept_ = [&]() {
    connection->tcp->Send(switching);
    connection->upgraded = true;
    ArmTimer(connection, TimerKind::kNone);
    auto websocket =
        WebSocketConnection::Create(connection->tcp, WebSocketConnection::Role::kServer,
                                    options_.websocket, websocket_counters_);
    std::erase_if(websockets_, [](const auto& weak) { return weak.expired(); });
    websockets_.push_back(websocket);
    return websocket;
  };
  route.websocket_handler(request, upgrade);
  if (upgrade.decision_ == WebSocketUpgrade::Decision::kAccepted) {
    ++counters_.websocket_upgrades;
    const std::string leftover = connection->input.substr(connection->input_offset);
    connection->input.clear();
    connection->input_offset = 0;
    std::shared_ptr<Connection> keep = connection;
    connections_.erase(connection);
    upgrade.connection_->Start(AsBytes(leftover));
    return;
  }
  if (upgrade.decision_ == WebSocketUpgrade::Decision::kAcceptedElsewhere) {
    ++counters_.websocket_upgrades;
    std::vector<uint8_t> leftover(
        connection->input.begin() + static_cast<ptrdiff_t>(connection->input_offset),
        connection->input.end());
    connection->input.clear();
    connection->input_offset = 0;
    connection->upgraded = true;
    ArmTimer(connection, TimerKind::kNone);
    std::shared_ptr<Connection> keep = connection;
    connections_.erase(connection);
    if (!connection->tcp->Send(switching)) return;  // the client is gone
    std::vector<uint8_t> unsent;
    const net::SocketAddress peer = connection->tcp->peer_address();
    const int fd = connection->tcp->Detach(&unsent);
    if (fd < 0) return;
    net::EventLoop* target = upgrade.target_loop_;
    target->Post([target, fd, peer, unsent = std::move(unsent), leftover = std::move(leftover),
                  websocket_options = options_.websocket,
                  tcp_options = options_.listener.connection,
                  started = std::move(upgrade.started_)]() {
      auto tcp = net::TcpConnection::Adopt(target, fd, peer, tcp_options);
      if (!unsent.empty() && !tcp->Send(std::span<const uint8_t>(unsent))) return;
      auto websocket = WebSocketConnection::Create(tcp, WebSocketConnection::Role::kServer,
                                                   websocket_options, nullptr);
      started(websocket);
      websocket->Start(leftover);
      // Adopted sockets are not registered yet: the WebSocket's callbacks are set now.
      if (!tcp->closed()) {
        if (Status registered = tcp->Start(); !registered.ok()) websocket->Drop();
      }
    });
    return;
  }
  ++counters_.websocket_rejections;
  HttpResponse rejection = upgrade.decision_ == WebSocketUpgrade::Decision::kRejected
                               ? std::move(upgrade.rejection_)
                               : HttpResponse::Text(403, "WebSocket upgrade refused\n");
  SendResponse(connection, std::move(rejection), false, false);
}

}  // namespace auralink::signal::http
