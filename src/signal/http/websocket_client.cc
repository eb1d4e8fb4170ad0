#include "signal/http/websocket_client.h"

#include <netdb.h>

#include <algorithm>
#include <charconv>

#include "signal/http/websocket_handshake.h"

namespace auralink::signal::http {
namespace {

StatusOr<net::SocketAddress> Resolve(const std::string& host, uint16_t port) {
  if (auto literal = net::SocketAddress::FromIp(host, port)) return *literal;
  if (host == "localhost") return *net::SocketAddress::FromIp("127.0.0.1", port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* results = nullptr;
  const int error = getaddrinfo(host.c_str(), nullptr, &hints, &results);
  if (error != 0 || results == nullptr) {
    return Status::Error("cannot resolve '" + host + "': " + gai_strerror(error));
  }
  auto address = net::SocketAddress::FromSockaddr(results->ai_addr, results->ai_addrlen);
  freeaddrinfo(results);
  if (!address) return Status::Error("'" + host + "' resolved to neither IPv4 nor IPv6");
  return *net::SocketAddress::FromIp(address->ip(), port);
}

}  // namespace

StatusOr<WebSocketUrl> ParseWebSocketUrl(std::string_view url) {
  constexpr std::string_view kScheme = "ws://";
  if (url.substr(0, 6) == "wss://") return Status::Error("wss:// is not supported");
  if (url.substr(0, kScheme.size()) != kScheme) return Status::Error("URL must start with ws://");
  std::string_view rest = url.substr(kScheme.size());
  const size_t path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  WebSocketUrl parsed;
  parsed.target.push_back('/');
  if (path_start != std::string_view::npos) {
    // "ws://host?query" has an empty path, sent as "/?query" (RFC 6455 §3).
    const std::string_view path_and_query = rest.substr(path_start);
    parsed.target.append(path_and_query.substr(path_and_query.front() == '/' ? 1 : 0));
  }
  if (parsed.target.find_first_of(" \r\n#") != std::string::npos) {
    return Status::Error("URL path has spaces, line breaks or a fragment");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::Error("unterminated IPv6 address in URL");
    parsed.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Status::Error("junk after IPv6 address in URL");
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (parsed.host.empty()) return Status::Error("URL has no host");
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return Status::Error("bad port in URL");
    }
    parsed.port = static_cast<uint16_t>(port);
  }
  return parsed;
}

StatusOr<std::shared_ptr<WebSocketClient>> WebSocketClient::Connect(
    net::EventLoop* loop, std::string_view url, const WebSocketClientOptions& options,
    ConnectCallback on_done) {
  auto parsed = ParseWebSocketUrl(url);
  if (!parsed.ok()) return parsed.status();
  auto address = Resolve(parsed->host, parsed->port);
  if (!address.ok()) return address.status();
  auto tcp = net::TcpConnection::Connect(loop, *address, options.tcp);
  if (!tcp.ok()) return tcp.status();
  std::shared_ptr<WebSocketClient> client(new WebSocketClient(loop, options, std::move(on_done)));
  client->url_ = std::move(parsed).value();
  client->tcp_ = std::move(tcp).value();
  client->key_ = GenerateWebSocketKey();
  // The callbacks hold the client until the handshake ends, which replaces or drops them.
  std::shared_ptr<WebSocketClient> self = client;
  client->tcp_->set_connect_callback([self](const Status& result) {
    if (!result.ok()) {
      self->Finish(WebSocketConnectResult{result, 0, "", nullptr});
      return;
    }
    self->SendHandshake();
  });
  client->tcp_->set_data_callback(
      [self](std::span<const uint8_t> data) { self->HandleData(data); });
  client->tcp_->set_close_callback([self](const Status& reason) {
    // A refusal without Content-Length ends with the connection.
    if (self->http_status_ != 0 && self->head_end_ > 0) {
      self->Finish(WebSocketConnectResult{Status::Error("WebSocket handshake refused with HTTP " +
                                                        std::to_string(self->http_status_)),
                                          self->http_status_,
                                          self->response_.substr(self->head_end_), nullptr});
      return;
    }
    self->Finish(WebSocketConnectResult{
        Status::Error("connection closed during the WebSocket handshake" +
                      (reason.ok() ? std::string() : ": " + reason.message())),
        0, "", nullptr});
  });
  AURALINK_RETURN_IF_ERROR(client->tcp_->Start());
  std::weak_ptr<WebSocketClient> weak = client;
  client->timer_ = loop->RunAfter(options.handshake_timeout_ms, [weak] {
    if (auto client = weak.lock()) {
      client->timer_ = 0;
      client->Finish(
          WebSocketConnectResult{Status::Error("WebSocket handshake timed out"), 0, "", nullptr});
    }
  });
  return client;
}

WebSocketClient::WebSocketClient(net::EventLoop* loop, const WebSocketClientOptions& options,
                                 ConnectCallback on_done)
    : loop_(loop), options_(options), on_done_(std::move(on_done)) {}

void WebSocketClient::Cancel() {
  on_done_ = nullptr;
  Finish(WebSocketConnectResult{Status::Error("cancelled"), 0, "", nullptr});
}

void WebSocketClient::SendHandshake() {
  const bool ipv6 = url_.host.find(':') != std::string::npos;
  std::string request = "GET " + url_.target + " HTTP/1.1\r\nHost: ";
  request += ipv6 ? "[" + url_.host + "]" : url_.host;
  if (url_.port != 80) {
    request.push_back(':');
    request.append(std::to_string(url_.port));
  }
  request +=
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: " +
      key_ + "\r\n";
  for (const auto& [name, value] : options_.extra_headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  tcp_->Send(request);
}

void WebSocketClient::HandleData(std::span<const uint8_t> data) {
  if (done_) return;
  response_.append(reinterpret_cast<const char*>(data.data()), data.size());
  if (response_.size() > options_.max_response_bytes + head_end_) {
    Finish(WebSocketConnectResult{Status::Error("WebSocket handshake response too large"),
                                  http_status_, "", nullptr});
    return;
  }
  if (head_end_ == 0) {
    const size_t end = response_.find("\r\n\r\n");
    if (end == std::string::npos) return;
    head_end_ = end + 4;
    // Status line: HTTP/1.1 SP 3DIGIT SP reason (RFC 9112 §4).
    const std::string_view head(response_.data(), end);
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/" || head[8] != ' ') {
      Finish(WebSocketConnectResult{Status::Error("malformed HTTP status line"), 0, "", nullptr});
      return;
    }
    int status = 0;
    auto [ptr, error] = std::from_chars(head.data() + 9, head.data() + 12, status);
    if (error != std::errc() || ptr != head.data() + 12) {
      Finish(WebSocketConnectResult{Status::Error("malformed HTTP status code"), 0, "", nullptr});
      return;
    }
    http_status_ = status;
    HttpHeaders headers;
    size_t line_start = head.find("\r\n");
    while (line_start != std::string_view::npos && line_start < head.size()) {
      line_start += 2;
      const size_t line_end = std::min(head.find("\r\n", line_start), head.size());
      const std::string_view line = head.substr(line_start, line_end - line_start);
      const size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
          value.remove_prefix(1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
          value.remove_suffix(1);
        headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
      }
      line_start = line_end;
    }
    if (status == 101) {
      const auto accept = FindHeader(headers, "Sec-WebSocket-Accept");
      if (!HeaderHasToken(headers, "Upgrade", "websocket") ||
          !HeaderHasToken(headers, "Connection", "upgrade") || !accept ||
          *accept != ComputeWebSocketAccept(key_)) {
        Finish(WebSocketConnectResult{
            Status::Error("101 response without a valid Upgrade/Connection/Sec-WebSocket-Accept"),
            status, "", nullptr});
        return;
      }
      auto connection = WebSocketConnection::Create(tcp_, WebSocketConnection::Role::kClient,
                                                    options_.websocket, nullptr);
      Finish(WebSocketConnectResult{Status::Ok(), status, "", connection},
             std::string_view(response_).substr(head_end_));
      return;
    }
    if (auto length = FindHeader(headers, "Content-Length")) {
      size_t value = 0;
      auto [end_ptr, parse_error] =
          std::from_chars(length->data(), length->data() + length->size(), value);
      if (parse_error == std::errc() && value <= options_.max_response_bytes) body_length_ = value;
    }
  }
  if (body_length_ && response_.size() - head_end_ >= *body_length_) {
    Finish(WebSocketConnectResult{
        Status::Error("WebSocket handshake refused with HTTP " + std::to_string(http_status_)),
        http_status_, response_.substr(head_end_, *body_length_), nullptr});
  }
}

void WebSocketClient::Finish(WebSocketConnectResult result, std::string_view leftover) {
  if (done_) return;
  done_ = true;
  std::shared_ptr<WebSocketClient> self = shared_from_this();
  if (timer_ != 0) loop_->Cancel(timer_);
  timer_ = 0;
  std::shared_ptr<WebSocketConnection> connection = result.connection;
  const std::string pending(leftover);
  if (!connection) {
    // Dropping the TCP callbacks ends the self-ownership.
    tcp_->set_connect_callback(nullptr);
    tcp_->set_data_callback(nullptr);
    tcp_->set_close_callback(nullptr);
    tcp_->Close();
  }
  tcp_.reset();
  ConnectCallback on_done = std::move(on_done_);
  on_done_ = nullptr;
  if (on_done) on_done(std::move(result));
  if (connection) {
    connection->Start(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(pending.data()), pending.size()));
  }
}

}  // namespace auralink::signal::http
