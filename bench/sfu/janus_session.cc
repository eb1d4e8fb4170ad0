#include "janus_session.h"

#include "common/log.h"

namespace auralink::bench {

StatusOr<std::unique_ptr<JanusSession>> JanusSession::Connect(
    net::EventLoop* loop, const std::string& url, std::function<void(const Status&)> on_ready) {
  std::unique_ptr<JanusSession> session(new JanusSession(loop));
  signal::http::WebSocketClientOptions options;
  options.extra_headers.push_back({"Sec-WebSocket-Protocol", "janus-protocol"});
  options.websocket.max_messages_per_second = 0;
  std::weak_ptr<JanusSession*> weak = session->self_;
  auto handshake = signal::http::WebSocketClient::Connect(
      loop, url, options, [weak, on_ready](signal::http::WebSocketConnectResult result) {
        auto self = weak.lock();
        if (!self || *self == nullptr) return;
        JanusSession* session = *self;
        session->handshake_.reset();
        if (!result.status.ok() || !result.connection) {
          on_ready(result.status.ok() ? Status::Error("Janus WebSocket refused") : result.status);
          return;
        }
        session->connection_ = result.connection;
        session->connection_->set_message_callback(
            [weak](signal::http::WebSocketMessageType, std::span<const uint8_t> payload) {
              auto self = weak.lock();
              if (!self || *self == nullptr) return;
              auto message = nlohmann::json::parse(payload.begin(), payload.end(), nullptr, false);
              if (!message.is_discarded() && message.is_object()) (*self)->OnMessage(message);
            });
        session->Send({{"janus", "create"}}, [weak, on_ready](const nlohmann::json& reply) {
          auto self = weak.lock();
          if (!self || *self == nullptr) return;
          if (reply.value("janus", "") != "success") {
            on_ready(Status::Error("Janus create: " + reply.dump()));
            return;
          }
          JanusSession* session = *self;
          session->session_id_ = reply["data"].value("id", uint64_t{0});
          // Janus reaps sessions idle for session_timeout (60 s by default).
          session->keepalive_timer_ = session->loop_->RunEvery(20000, [session]() {
            session->Send({{"janus", "keepalive"}}, nullptr);
          });
          on_ready(Status::Ok());
        });
      });
  if (!handshake.ok()) return handshake.status();
  session->handshake_ = *handshake;
  return session;
}

JanusSession::~JanusSession() {
  *self_ = nullptr;
  if (keepalive_timer_ != 0) loop_->Cancel(keepalive_timer_);
  if (handshake_) handshake_->Cancel();
  if (connection_) {
    connection_->set_message_callback(nullptr);
    connection_->Close();
  }
}

void JanusSession::Send(nlohmann::json request, Reply reply) {
  if (!connection_ || !connection_->open()) return;
  const std::string transaction = "t" + std::to_string(next_transaction_++);
  request["transaction"] = transaction;
  if (session_id_ != 0) request["session_id"] = session_id_;
  if (reply) pending_[transaction] = std::move(reply);
  connection_->SendText(request.dump());
}

void JanusSession::OnMessage(const nlohmann::json& message) {
  const std::string kind = message.value("janus", "");
  if (kind == "ack") return;  // the event with the plugin's answer follows
  const std::string transaction = message.value("transaction", "");
  if ((kind == "success" || kind == "error") && pending_.count(transaction)) {
    Reply reply = std::move(pending_[transaction]);
    pending_.erase(transaction);
    reply(message);
    return;
  }
  const uint64_t sender = message.value("sender", uint64_t{0});
  auto handle = handles_.find(sender);
  if (handle != handles_.end() && handle->second) handle->second(message);
}

void JanusSession::Attach(const std::string& plugin, HandleEvents events,
                          std::function<void(uint64_t)> on_attached) {
  Send({{"janus", "attach"}, {"plugin", plugin}},
       [this, events = std::move(events), on_attached](const nlohmann::json& reply) {
         if (reply.value("janus", "") != "success") {
           AURALINK_LOG(kWarning) << "Janus attach: " << reply.dump();
           on_attached(0);
           return;
         }
         const uint64_t handle = reply["data"].value("id", uint64_t{0});
         handles_[handle] = events;
         on_attached(handle);
       });
}

void JanusSession::Message(uint64_t handle, const nlohmann::json& body,
                           const nlohmann::json& jsep) {
  nlohmann::json request = {{"janus", "message"}, {"handle_id", handle}, {"body", body}};
  if (!jsep.is_null()) request["jsep"] = jsep;
  Send(std::move(request), nullptr);
}

void JanusSession::TrickleCompleted(uint64_t handle) {
  Send({{"janus", "trickle"}, {"handle_id", handle}, {"candidate", {{"completed", true}}}},
       nullptr);
}

void JanusSession::Close() {
  if (keepalive_timer_ != 0) loop_->Cancel(keepalive_timer_);
  keepalive_timer_ = 0;
  if (connection_ && connection_->open()) {
    Send({{"janus", "destroy"}}, nullptr);
    connection_->Close();
  }
}

}  // namespace auralink::bench
