#include "client/signal_client.h"

#include <chrono>

namespace auralink::client {
namespace {

std::string UrlEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

std::string SignalClient::JoinUrl(const std::string& server_url, const std::string& token,
                                  bool auto_subscribe, const std::string& resume_sid) {
  std::string base = server_url;
  const size_t scheme = base.find("://");
  const size_t path = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path != std::string::npos) base.resize(path);
  return base + "/rtc?access_token=" + UrlEncode(token) +
         "&auto_subscribe=" + (auto_subscribe ? "1" : "0") +
         "&sdk=cpp&version=0.1.0&protocol=" + std::to_string(kLiveKitProtocolVersion) +
         (resume_sid.empty() ? "" : "&reconnect=1&sid=" + UrlEncode(resume_sid));
}

SignalClient::SignalClient(net::EventLoop* loop, SignalClientCallbacks callbacks)
    : loop_(loop), callbacks_(std::move(callbacks)), self_(std::make_shared<SignalClient*>(this)) {}

SignalClient::~SignalClient() {
  *self_ = nullptr;
  if (ping_timer_ != 0) loop_->Cancel(ping_timer_);
  if (handshake_) handshake_->Cancel();
  if (connection_) {
    connection_->set_message_callback(nullptr);
    connection_->set_close_callback(nullptr);
    connection_->Close();
  }
}

StatusOr<std::unique_ptr<SignalClient>> SignalClient::Connect(
    net::EventLoop* loop, const std::string& server_url, const std::string& token,
    bool auto_subscribe, SignalClientCallbacks callbacks, const std::string& resume_sid) {
  if (loop == nullptr) return Status::Error("signal client: no event loop");
  std::unique_ptr<SignalClient> client(new SignalClient(loop, std::move(callbacks)));
  signal::http::WebSocketClientOptions options;
  // The server sends offers, updates and speaker changes in bursts; never throttle them here.
  options.websocket.max_messages_per_second = 0;
  std::weak_ptr<SignalClient*> weak = client->self_;
  auto handshake = signal::http::WebSocketClient::Connect(
      loop, JoinUrl(server_url, token, auto_subscribe, resume_sid), options,
      [weak](signal::http::WebSocketConnectResult result) {
        auto self = weak.lock();
        if (!self || *self == nullptr) {
          if (result.connection) result.connection->Close();
          return;
        }
        (*self)->OnConnected(std::move(result));
      });
  if (!handshake.ok()) return handshake.status().WithContext("signal client");
  client->handshake_ = *handshake;
  return client;
}

void SignalClient::OnConnected(signal::http::WebSocketConnectResult result) {
  handshake_.reset();
  if (!result.status.ok() || !result.connection) {
    Status failure =
        result.status.ok() ? Status::Error("WebSocket handshake failed") : result.status;
    if (!result.http_body.empty()) failure = failure.WithContext(result.http_body);
    if (callbacks_.on_connected) callbacks_.on_connected(failure, result.http_status);
    return;
  }
  connection_ = result.connection;
  std::weak_ptr<SignalClient*> weak = self_;
  connection_->set_message_callback(
      [weak](signal::http::WebSocketMessageType type, std::span<const uint8_t> payload) {
        auto self = weak.lock();
        if (!self || *self == nullptr || type != signal::http::WebSocketMessageType::kBinary)
          return;
        SignalClient* client = *self;
        auto response = signal::ParseSignalResponse(payload);
        if (!response.ok()) {
          ++client->malformed_responses_;
          return;
        }
        ++client->responses_received_;
        if (client->callbacks_.on_response) client->callbacks_.on_response(*response);
      });
  connection_->set_close_callback([weak](uint16_t code, std::string_view reason) {
    auto self = weak.lock();
    if (!self || *self == nullptr) return;
    if ((*self)->callbacks_.on_closed) (*self)->callbacks_.on_closed(code, reason);
  });
  if (callbacks_.on_connected) callbacks_.on_connected(Status::Ok(), result.http_status);
}

bool SignalClient::Send(const livekit::SignalRequest& request) {
  if (!open()) return false;
  return connection_->SendBinary(signal::SerializeMessage(request));
}

void SignalClient::StartPings(int interval_s) {
  if (ping_timer_ != 0 || interval_s <= 0) return;
  ping_timer_ = loop_->RunEvery(int64_t{interval_s} * 1000, [this]() {
    livekit::SignalRequest request;
    request.set_ping(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
    Send(request);
  });
}

void SignalClient::Close() {
  if (ping_timer_ != 0) {
    loop_->Cancel(ping_timer_);
    ping_timer_ = 0;
  }
  if (connection_) connection_->Close();
}

}  // namespace auralink::client
