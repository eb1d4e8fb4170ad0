// Janus's own JSON API over its WebSocket transport (subprotocol "janus-protocol"): one session,
// plugin handles attached to it, plugin messages with optional JSEP, and the keep-alives that stop
// Janus from reaping the session. Each request carries a transaction id; Janus answers with
// "success"/"error" (create, attach) or "ack" followed later by an "event" for plugin messages.
// Bench-only: the signalling adapter that lets the native client's media pieces load Janus.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "net/event_loop.h"
#include "signal/http/websocket_client.h"
#include "signal/http/websocket_connection.h"

namespace auralink::bench {

class JanusSession {
 public:
  using Reply = std::function<void(const nlohmann::json& reply)>;
  // Asynchronous plugin events for one handle ("event" with plugindata, "webrtcup", "hangup"...).
  using HandleEvents = std::function<void(const nlohmann::json& event)>;

  // Connects and creates a Janus session; `on_ready` gets the outcome.
  static StatusOr<std::unique_ptr<JanusSession>> Connect(
      net::EventLoop* loop, const std::string& url, std::function<void(const Status&)> on_ready);
  ~JanusSession();

  // Attaches `plugin` ("janus.plugin.videoroom"); `on_attached` gets the handle id (0: failed).
  void Attach(const std::string& plugin, HandleEvents events,
              std::function<void(uint64_t handle)> on_attached);
  // A plugin request; the plugin's answer arrives as an event on the handle.
  void Message(uint64_t handle, const nlohmann::json& body, const nlohmann::json& jsep = nullptr);
  // Tells Janus our candidates are all in the SDP (RFC 8838 end-of-candidates).
  void TrickleCompleted(uint64_t handle);
  void Close();

 private:
  JanusSession(net::EventLoop* loop) : loop_(loop) {}
  void Send(nlohmann::json request, Reply reply);
  void OnMessage(const nlohmann::json& message);

  net::EventLoop* loop_;
  std::shared_ptr<signal::http::WebSocketClient> handshake_;
  std::shared_ptr<signal::http::WebSocketConnection> connection_;
  std::shared_ptr<JanusSession*> self_ = std::make_shared<JanusSession*>(this);
  uint64_t session_id_ = 0;
  uint64_t next_transaction_ = 1;
  std::map<std::string, Reply> pending_;
  std::map<uint64_t, HandleEvents> handles_;
  net::TimerId keepalive_timer_ = 0;
};

}  // namespace auralink::bench
