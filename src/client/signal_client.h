// LiveKit signalling from the client's side: a WebSocket to <url>/rtc?access_token=...&protocol=16
// carrying one binary protobuf SignalRequest per message out and one SignalResponse per message in,
// with the keep-alive pings the JoinResponse asks for.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "net/event_loop.h"
#include "signal/http/websocket_client.h"
#include "signal/http/websocket_connection.h"
#include "signal/protocol/signal_message.h"

namespace auralink::client {

// The protocol version we speak: the "/rtc" path with two peer connections.
inline constexpr int kLiveKitProtocolVersion = 16;

struct SignalClientCallbacks {
  // The WebSocket opened (status ok) or failed (with the HTTP refusal when there was one).
  std::function<void(const Status& status, int http_status)> on_connected;
  std::function<void(const livekit::SignalResponse& response)> on_response;
  std::function<void(uint16_t code, std::string_view reason)> on_closed;
};

class SignalClient {
 public:
  // `server_url` is "ws://host:port" (a trailing path is replaced by /rtc). A `resume_sid` asks
  // to resume that participant's session (reconnect=1&sid=...) instead of joining.
  static std::string JoinUrl(const std::string& server_url, const std::string& token,
                             bool auto_subscribe, const std::string& resume_sid = "");

  static StatusOr<std::unique_ptr<SignalClient>> Connect(
      net::EventLoop* loop, const std::string& server_url, const std::string& token,
      bool auto_subscribe, SignalClientCallbacks callbacks, const std::string& resume_sid = "");
  ~SignalClient();
  SignalClient(const SignalClient&) = delete;
  SignalClient& operator=(const SignalClient&) = delete;

  // False when the socket is not open.
  bool Send(const livekit::SignalRequest& request);
  // Starts SignalRequest.ping every `interval_s` (from JoinResponse.ping_interval).
  void StartPings(int interval_s);
  void Close();

  bool open() const { return connection_ && connection_->open(); }
  uint64_t responses_received() const { return responses_received_; }
  uint64_t malformed_responses() const { return malformed_responses_; }

 private:
  SignalClient(net::EventLoop* loop, SignalClientCallbacks callbacks);
  void OnConnected(signal::http::WebSocketConnectResult result);

  net::EventLoop* loop_;
  SignalClientCallbacks callbacks_;
  std::shared_ptr<signal::http::WebSocketClient> handshake_;
  std::shared_ptr<signal::http::WebSocketConnection> connection_;
  // Cleared by the destructor: callbacks captured by the connection check it first.
  std::shared_ptr<SignalClient*> self_;
  net::TimerId ping_timer_ = 0;
  uint64_t responses_received_ = 0;
  uint64_t malformed_responses_ = 0;
};

}  // namespace auralink::client
