#include "signal/http/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "signal/http/websocket_client.h"
#include "signal/http/websocket_handshake.h"

namespace auralink::signal::http {
namespace {

struct ParsedResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  std::optional<std::string_view> Header(std::string_view name) const {
    return FindHeader(headers, name);
  }
};

// Splits a byte stream of responses (each with Content-Length, or 101/204 without a body; no body
// at all when answering HEAD).
std::vector<ParsedResponse> ParseResponses(std::string_view text, bool head_request = false) {
  std::vector<ParsedResponse> responses;
  while (!text.empty()) {
    const size_t end = text.find("\r\n\r\n");
    if (end == std::string_view::npos) break;
    ParsedResponse response;
    std::string_view head = text.substr(0, end);
    response.status = std::stoi(std::string(head.substr(9, 3)));
    size_t line = head.find("\r\n");
    while (line != std::string_view::npos) {
      line += 2;
      const size_t next = head.find("\r\n", line);
      const std::string_view header =
          head.substr(line, next == std::string_view::npos ? head.npos : next - line);
      const size_t colon = header.find(':');
      response.headers.emplace_back(std::string(header.substr(0, colon)),
                                    std::string(header.substr(colon + 2)));
      line = next;
    }
    size_t length = 0;
    if (auto content_length = response.Header("Content-Length"); content_length && !head_request) {
      length = std::stoul(std::string(*content_length));
    }
    if (text.size() < end + 4 + length) break;
    response.body = std::string(text.substr(end + 4, length));
    text.remove_prefix(end + 4 + length);
    responses.push_back(std::move(response));
  }
  return responses;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_ = std::move(net::EventLoop::Create()).value(); }
  void TearDown() override {
    server_.reset();
    for (int i = 0; i < 5; ++i) loop_->RunOnce(0);
  }

  void StartServer(const HttpServerOptions& options = {}) {
    auto server =
        HttpServer::Create(loop_.get(), *net::SocketAddress::FromIp("127.0.0.1", 0), options);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    server_->Handle("GET", "/hello", [](const HttpRequest& request, HttpResponder respond) {
      respond(
          HttpResponse::Text(200, "hello " + request.QueryParameter("name").value_or("nobody")));
    });
    server_->Handle("POST", "/echo", [](const HttpRequest& request, HttpResponder respond) {
      HttpResponse response = HttpResponse::Json(201, request.body);
      response.SetHeader("X-Path", request.path);
      respond(std::move(response));
    });
    // Answers later, from a timer, to exercise asynchronous handlers and ordering.
    server_->Handle("GET", "/slow", [this](const HttpRequest&, HttpResponder respond) {
      loop_->RunAfter(20, [respond] { respond(HttpResponse::Text(200, "slow")); });
    });
    server_->Handle("", "/any", [](const HttpRequest& request, HttpResponder respond) {
      respond(HttpResponse::Text(200, request.method));
    });
    server_->HandleWebSocket("/rtc", [this](const HttpRequest& request, WebSocketUpgrade& upgrade) {
      if (request.QueryParameter("access_token").value_or("") != "good") {
        upgrade.Reject(HttpResponse::Text(401, "invalid token"));
        return;
      }
      auto websocket = upgrade.Accept();
      server_sockets_.push_back(websocket);
      std::weak_ptr<WebSocketConnection> weak = websocket;
      websocket->set_message_callback(
          [weak](WebSocketMessageType type, std::span<const uint8_t> data) {
            auto self = weak.lock();
            if (!self) return;
            if (type == WebSocketMessageType::kText) {
              std::string text(data.begin(), data.end());
              if (text == "close-me") {
                self->Close(kCloseGoingAway, "server says bye");
                return;
              }
              self->SendText(text);
            } else {
              self->SendBinary(data);
            }
          });
      websocket->set_close_callback([this](uint16_t code, std::string_view reason) {
        server_close_codes_.push_back(code);
        server_close_reasons_.emplace_back(reason);
      });
    });
  }

  template <typename Predicate>
  bool RunUntil(Predicate done) {
    for (int i = 0; i < 3000 && !done(); ++i) loop_->RunOnce(10);
    return done();
  }

  struct RawClient {
    std::shared_ptr<net::TcpConnection> tcp;
    std::string received;
    bool closed = false;
  };
  std::unique_ptr<RawClient> ConnectRaw() {
    auto client = std::make_unique<RawClient>();
    auto tcp = net::TcpConnection::Connect(loop_.get(), server_->local_address());
    EXPECT_TRUE(tcp.ok());
    client->tcp = std::move(tcp).value();
    RawClient* raw = client.get();
    client->tcp->set_data_callback(
        [raw](std::span<const uint8_t> data) { raw->received.append(data.begin(), data.end()); });
    client->tcp->set_close_callback([raw](const Status&) { raw->closed = true; });
    EXPECT_TRUE(client->tcp->Start().ok());
    return client;
  }

  // Connects a WebSocket client and returns the result once the handshake ends.
  WebSocketConnectResult ConnectWebSocket(const std::string& path_and_query,
                                          const WebSocketClientOptions& options = {}) {
    std::optional<WebSocketConnectResult> result;
    const std::string url =
        "ws://127.0.0.1:" + std::to_string(server_->local_address().port()) + path_and_query;
    auto client =
        WebSocketClient::Connect(loop_.get(), url, options, [&](WebSocketConnectResult r) {
          if (r.connection) {
            r.connection->set_message_callback(
                [this](WebSocketMessageType type, std::span<const uint8_t> data) {
                  client_messages_.emplace_back(type, std::string(data.begin(), data.end()));
                });
            r.connection->set_close_callback([this](uint16_t code, std::string_view reason) {
              client_close_codes_.push_back(code);
              client_close_reasons_.emplace_back(reason);
            });
          }
          result = std::move(r);
        });
    EXPECT_TRUE(client.ok()) << client.status().message();
    EXPECT_TRUE(RunUntil([&] { return result.has_value(); }));
    return result ? std::move(*result)
                  : WebSocketConnectResult{Status::Error("no result"), 0, "", nullptr};
  }

  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<HttpServer> server_;
  std::vector<std::shared_ptr<WebSocketConnection>> server_sockets_;
  std::vector<uint16_t> server_close_codes_;
  std::vector<std::string> server_close_reasons_;
  std::vector<std::pair<WebSocketMessageType, std::string>> client_messages_;
  std::vector<uint16_t> client_close_codes_;
  std::vector<std::string> client_close_reasons_;
};

TEST_F(HttpServerTest, GetAndPostShareOneKeepAliveConnection) {
  StartServer();
  auto client = ConnectRaw();
  client->tcp->Send(std::string_view("GET /hello?name=Ada%20L HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(RunUntil([&] { return ParseResponses(client->received).size() == 1; }));
  client->tcp->Send(std::string_view(
      "POST /echo/sub HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\n{\"a\":42}\n"));
  ASSERT_TRUE(RunUntil([&] { return ParseResponses(client->received).size() == 2; }));
  const auto responses = ParseResponses(client->received);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].body, "hello Ada L");
  EXPECT_EQ(responses[0].Header("Access-Control-Allow-Origin").value_or(""), "*");
  EXPECT_EQ(responses[0].Header("Connection").value_or(""), "keep-alive");
  EXPECT_TRUE(responses[0].Header("Date").has_value());
  EXPECT_EQ(responses[1].status, 201);
  EXPECT_EQ(responses[1].body, "{\"a\":42}\n");
  EXPECT_EQ(responses[1].Header("X-Path").value_or(""), "/echo/sub");
  EXPECT_EQ(responses[1].Header("Content-Type").value_or(""), "application/json");
  EXPECT_FALSE(client->closed);
  EXPECT_EQ(server_->counters().connections_accepted, 1u);
  EXPECT_EQ(server_->counters().requests, 2u);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstIsSlow) {
  StartServer();
  auto client = ConnectRaw();
  client->tcp->Send(
      std::string_view("GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
                       "GET /any HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(RunUntil([&] { return client->closed; }));
  const auto responses = ParseResponses(client->received);
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].body, "slow");
  EXPECT_EQ(responses[1].body, "hello nobody");
  EXPECT_EQ(responses[2].body, "GET");
  EXPECT_EQ(responses[2].Header("Connection").value_or(""), "close");
}

TEST_F(HttpServerTest, RoutingStatusesHeadAndPreflight) {
  StartServer();
  auto client = ConnectRaw();
  client->tcp->Send(std::string_view(
      "GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n"
      "DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /hellothere HTTP/1.1\r\nHost: t\r\n\r\n"
      "OPTIONS /rtc/validate HTTP/1.1\r\nHost: t\r\nOrigin: http://app\r\n"
      "Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: authorization\r\n\r\n"
      "PUT /any/x HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"
      "GET /rtc HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head_client = ConnectRaw();
  head_client->tcp->Send(std::string_view("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(RunUntil([&] {
    return ParseResponses(client->received).size() == 6 &&
           ParseResponses(head_client->received, true).size() == 1;
  }));
  const auto responses = ParseResponses(client->received);
  EXPECT_EQ(responses[0].status, 404);
  EXPECT_EQ(responses[1].status, 405);
  EXPECT_EQ(responses[2].status, 404);  // prefixes match whole path segments
  EXPECT_EQ(responses[3].status, 204);
  EXPECT_EQ(responses[3].Header("Access-Control-Allow-Origin").value_or(""), "*");
  EXPECT_EQ(responses[3].Header("Access-Control-Allow-Headers").value_or(""), "authorization");
  EXPECT_NE(responses[3].Header("Access-Control-Allow-Methods").value_or("").find("GET"),
            std::string_view::npos);
  EXPECT_EQ(responses[4].body, "PUT");
  EXPECT_EQ(responses[5].status, 426);  // a WebSocket route asked for plain HTTP
  EXPECT_EQ(responses[5].Header("Upgrade").value_or(""), "websocket");
  const auto head = ParseResponses(head_client->received, true);
  EXPECT_EQ(head[0].status, 200);
  EXPECT_EQ(head[0].Header("Content-Length").value_or(""), "12");  // of "hello nobody"
  EXPECT_EQ(head_client->received.substr(head_client->received.size() - 4), "\r\n\r\n");
}

TEST_F(HttpServerTest, ParseErrorsAnswerAndClose) {
  HttpServerOptions options;
  options.limits.max_header_bytes = 256;
  StartServer(options);
  auto bad = ConnectRaw();
  bad->tcp->Send(std::string_view("NOT HTTP AT ALL\r\n\r\n"));
  auto big = ConnectRaw();
  big->tcp->Send("GET / HTTP/1.1\r\nHost: t\r\nCookie: " + std::string(1000, 'c') + "\r\n\r\n");
  ASSERT_TRUE(RunUntil([&] { return bad->closed && big->closed; }));
  ASSERT_EQ(ParseResponses(bad->received).size(), 1u);
  EXPECT_EQ(ParseResponses(bad->received)[0].status, 400);
  ASSERT_EQ(ParseResponses(big->received).size(), 1u);
  EXPECT_EQ(ParseResponses(big->received)[0].status, 431);
  EXPECT_EQ(server_->counters().parse_errors, 2u);
}

TEST_F(HttpServerTest, RequestAndIdleTimeouts) {
  HttpServerOptions options;
  options.request_timeout_ms = 30;
  options.idle_timeout_ms = 60;
  StartServer(options);
  auto partial = ConnectRaw();
  partial->tcp->Send(std::string_view("GET /hello HTTP/1.1\r\nHo"));
  auto idle = ConnectRaw();
  ASSERT_TRUE(RunUntil([&] { return partial->closed && idle->closed; }));
  ASSERT_EQ(ParseResponses(partial->received).size(), 1u);
  EXPECT_EQ(ParseResponses(partial->received)[0].status, 408);
  EXPECT_TRUE(idle->received.empty());
  EXPECT_EQ(server_->counters().timeouts, 1u);
  EXPECT_EQ(server_->connection_count(), 0u);
}

TEST_F(HttpServerTest, ConnectionsPastTheLimitGet503) {
  HttpServerOptions options;
  options.max_connections = 1;
  StartServer(options);
  auto first = ConnectRaw();
  ASSERT_TRUE(RunUntil([&] { return server_->connection_count() == 1; }));
  auto second = ConnectRaw();
  ASSERT_TRUE(RunUntil([&] { return second->closed; }));
  ASSERT_EQ(ParseResponses(second->received).size(), 1u);
  EXPECT_EQ(ParseResponses(second->received)[0].status, 503);
  EXPECT_EQ(server_->counters().connections_refused, 1u);
  EXPECT_FALSE(first->closed);
}

TEST_F(HttpServerTest, WebSocketHandlerRejectsWithStatusAndBody) {
  StartServer();
  const WebSocketConnectResult result = ConnectWebSocket("/rtc?access_token=bad");
  EXPECT_FALSE(result.status.ok());
  EXPECT_EQ(result.http_status, 401);
  EXPECT_EQ(result.http_body, "invalid token");
  EXPECT_EQ(server_->counters().websocket_rejections, 1u);
}

TEST_F(HttpServerTest, WebSocketEchoesTextBinaryAndLargeFragmentedMessages) {
  HttpServerOptions options;
  options.websocket.max_message_bytes = 2 << 20;
  options.websocket.max_frame_payload_bytes = 100000;  // the server fragments its echo too
  StartServer(options);
  WebSocketClientOptions client_options;
  client_options.websocket.max_message_bytes = 2 << 20;
  client_options.websocket.max_frame_payload_bytes = 16 << 10;
  WebSocketConnectResult result =
      ConnectWebSocket("/rtc?access_token=good&sdk=cpp", client_options);
  ASSERT_TRUE(result.status.ok()) << result.status.message();
  EXPECT_EQ(result.http_status, 101);
  auto websocket = result.connection;
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 13);
  ASSERT_TRUE(websocket->SendText("hej \xC3\xB6"));
  ASSERT_TRUE(websocket->SendBinary(std::vector<uint8_t>{0, 1, 2, 255}));
  ASSERT_TRUE(websocket->SendBinary(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(big.data()), big.size())));
  ASSERT_TRUE(RunUntil([&] { return client_messages_.size() == 3; }));
  EXPECT_EQ(client_messages_[0].first, WebSocketMessageType::kText);
  EXPECT_EQ(client_messages_[0].second, "hej \xC3\xB6");
  EXPECT_EQ(client_messages_[1].first, WebSocketMessageType::kBinary);
  EXPECT_EQ(client_messages_[1].second, std::string("\0\1\2\xff", 4));
  EXPECT_TRUE(client_messages_[2].second == big);
  EXPECT_EQ(server_->counters().websocket_upgrades, 1u);
  EXPECT_EQ(server_->websocket_counters().messages_received, 3u);
}

TEST_F(HttpServerTest, WebSocketPingPongAndClientInitiatedClose) {
  StartServer();
  WebSocketConnectResult result = ConnectWebSocket("/rtc?access_token=good");
  ASSERT_TRUE(result.status.ok()) << result.status.message();
  auto websocket = result.connection;
  std::string pong;
  websocket->set_pong_callback(
      [&](std::span<const uint8_t> data) { pong.assign(data.begin(), data.end()); });
  ASSERT_TRUE(websocket->Ping(std::vector<uint8_t>{'p', '1'}));
  ASSERT_TRUE(RunUntil([&] { return !pong.empty(); }));
  EXPECT_EQ(pong, "p1");
  websocket->Close(4000, "client done");
  EXPECT_FALSE(websocket->SendText("too late"));
  ASSERT_TRUE(
      RunUntil([&] { return client_close_codes_.size() == 1 && server_close_codes_.size() == 1; }));
  EXPECT_EQ(server_close_codes_[0], 4000);
  EXPECT_EQ(server_close_reasons_[0], "client done");
  EXPECT_EQ(client_close_codes_[0], 4000);  // the server echoes the code (§5.5.1)
  EXPECT_FALSE(websocket->open());
}

TEST_F(HttpServerTest, WebSocketServerInitiatedClose) {
  StartServer();
  WebSocketConnectResult result = ConnectWebSocket("/rtc?access_token=good");
  ASSERT_TRUE(result.status.ok());
  ASSERT_TRUE(result.connection->SendText("close-me"));
  ASSERT_TRUE(
      RunUntil([&] { return client_close_codes_.size() == 1 && server_close_codes_.size() == 1; }));
  EXPECT_EQ(client_close_codes_[0], kCloseGoingAway);
  EXPECT_EQ(client_close_reasons_[0], "server says bye");
  EXPECT_EQ(server_close_codes_[0], kCloseGoingAway);
}

TEST_F(HttpServerTest, WebSocketFloodIsClosedWithPolicyViolation) {
  HttpServerOptions options;
  options.websocket.max_messages_per_second = 5;
  options.websocket.message_burst = 10;
  StartServer(options);
  WebSocketConnectResult result = ConnectWebSocket("/rtc?access_token=good");
  ASSERT_TRUE(result.status.ok());
  // Far more than the burst at once: the bucket cannot refill fast enough.
  for (int i = 0; i < 200; ++i) result.connection->SendText("spam");
  ASSERT_TRUE(RunUntil([&] { return client_close_codes_.size() == 1; }));
  EXPECT_EQ(client_close_codes_[0], kClosePolicyViolation);
  EXPECT_EQ(server_->websocket_counters().rate_limited_closes, 1u);
  EXPECT_LT(client_messages_.size(), 200u);
}

TEST_F(HttpServerTest, WebSocketUnmaskedClientFrameIsAProtocolError) {
  StartServer();
  auto client = ConnectRaw();
  // The handshake and a first (unmasked, hence invalid) frame in one write: the frame must be
  // handed to the WebSocket, not lost with the HTTP parser.
  std::string request =
      "GET /rtc?access_token=good HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
  request += std::string("\x81\x02hi", 4);
  client->tcp->Send(request);
  ASSERT_TRUE(RunUntil([&] { return client->closed; }));
  EXPECT_NE(client->received.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            std::string::npos);
  // The close frame: FIN|close, length, then code 1002 big-endian.
  EXPECT_NE(client->received.find(std::string("\x88", 1)), std::string::npos);
  EXPECT_NE(client->received.find(std::string("\x03\xea", 2)), std::string::npos);
  EXPECT_EQ(server_->websocket_counters().protocol_error_closes, 1u);
  ASSERT_EQ(server_close_codes_.size(), 1u);
  EXPECT_EQ(server_close_codes_[0], kCloseProtocolError);
}

TEST_F(HttpServerTest, WebSocketBadVersionGets426) {
  StartServer();
  auto client = ConnectRaw();
  client->tcp->Send(
      std::string_view("GET /rtc?access_token=good HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));
  ASSERT_TRUE(RunUntil([&] { return client->closed; }));
  const auto responses = ParseResponses(client->received);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 426);
  EXPECT_EQ(responses[0].Header("Sec-WebSocket-Version").value_or(""), "13");
}

TEST_F(HttpServerTest, DestroyingTheServerDropsOpenWebSockets) {
  StartServer();
  WebSocketConnectResult result = ConnectWebSocket("/rtc?access_token=good");
  ASSERT_TRUE(result.status.ok());
  server_sockets_.clear();  // the server side now lives only through its open connection
  server_.reset();
  ASSERT_TRUE(RunUntil([&] { return client_close_codes_.size() == 1; }));
  EXPECT_EQ(client_close_codes_[0], kCloseAbnormal);
}

// A worker thread's loop takes over the upgraded connection: the client's first message, sent
// right behind the handshake, and everything after it reach the handler there.
TEST_F(HttpServerTest, WebSocketAcceptedOnAnotherLoopRunsThere) {
  StartServer();
  std::unique_ptr<net::EventLoop> worker_loop = std::move(net::EventLoop::Create()).value();
  std::thread worker([&] { worker_loop->Run(); });
  std::vector<std::shared_ptr<WebSocketConnection>> worker_sockets;  // touched on the worker only
  std::atomic<bool> ran_on_worker{true};
  server_->HandleWebSocket("/worker", [&](const HttpRequest&, WebSocketUpgrade& upgrade) {
    upgrade.AcceptOn(worker_loop.get(), [&](std::shared_ptr<WebSocketConnection> websocket) {
      worker_sockets.push_back(websocket);
      std::weak_ptr<WebSocketConnection> weak = websocket;
      websocket->set_message_callback(
          [&, weak](WebSocketMessageType, std::span<const uint8_t> data) {
            if (!worker_loop->IsLoopThread()) ran_on_worker = false;
            if (auto self = weak.lock())
              self->SendText("worker: " + std::string(data.begin(), data.end()));
          });
    });
  });
  WebSocketConnectResult result = ConnectWebSocket("/worker");
  ASSERT_TRUE(result.status.ok()) << result.status.message();
  EXPECT_EQ(result.http_status, 101);
  ASSERT_TRUE(result.connection->SendText("one"));
  ASSERT_TRUE(result.connection->SendText("two"));
  ASSERT_TRUE(RunUntil([&] { return client_messages_.size() == 2; }));
  EXPECT_EQ(client_messages_[0].second, "worker: one");
  EXPECT_EQ(client_messages_[1].second, "worker: two");
  EXPECT_TRUE(ran_on_worker);
  EXPECT_EQ(server_->counters().websocket_upgrades, 1u);
  EXPECT_EQ(server_->connection_count(), 0u);
  worker_loop->Post([&] {
    for (auto& socket : worker_sockets) socket->Drop();
    worker_sockets.clear();
  });
  ASSERT_TRUE(RunUntil([&] { return client_close_codes_.size() == 1; }));
  worker_loop->Stop();
  worker.join();
}

TEST(WebSocketUrlTest, ParsesHostsPortsAndTargets) {
  auto url = ParseWebSocketUrl("ws://127.0.0.1:7880/rtc?access_token=x");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 7880);
  EXPECT_EQ(url->target, "/rtc?access_token=x");
  url = ParseWebSocketUrl("ws://[::1]/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 80);
  url = ParseWebSocketUrl("ws://localhost?x=1");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->target, "/?x=1");
  EXPECT_FALSE(ParseWebSocketUrl("wss://host/").ok());
  EXPECT_FALSE(ParseWebSocketUrl("http://host/").ok());
  EXPECT_FALSE(ParseWebSocketUrl("ws://host:0/").ok());
  EXPECT_FALSE(ParseWebSocketUrl("ws://host:99999/").ok());
  EXPECT_FALSE(ParseWebSocketUrl("ws://:80/").ok());
  EXPECT_FALSE(ParseWebSocketUrl("ws://host/a b").ok());
}

}  // namespace
}  // namespace auralink::signal::http
