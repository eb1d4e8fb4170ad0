#include "signal/http/websocket_connection.h"

#include <algorithm>

#include "signal/http/websocket_handshake.h"

namespace auralink::signal::http {

std::shared_ptr<WebSocketConnection> WebSocketConnection::Create(
    std::shared_ptr<net::TcpConnection> tcp, Role role, const WebSocketOptions& options,
    std::shared_ptr<WebSocketCounters> counters) {
  return std::shared_ptr<WebSocketConnection>(
      new WebSocketConnection(std::move(tcp), role, options, std::move(counters)));
}

WebSocketConnection::WebSocketConnection(std::shared_ptr<net::TcpConnection> tcp, Role role,
                                         const WebSocketOptions& options,
                                         std::shared_ptr<WebSocketCounters> counters)
    : tcp_(std::move(tcp)),
      loop_(tcp_->loop()),
      peer_(tcp_->peer_address()),
      role_(role),
      options_(options),
      counters_(counters ? std::move(counters) : std::make_shared<WebSocketCounters>()),
      reader_(role, options.max_message_bytes),
      tokens_(std::max(1.0, options.message_burst)),
      tokens_updated_ms_(net::EventLoop::NowMs()),
      last_received_ms_(tokens_updated_ms_) {
  // Until Start(), bytes wait in the kernel; the previous owner's callbacks must not see them.
  tcp_->set_data_callback(nullptr);
  tcp_->set_close_callback(nullptr);
}

WebSocketConnection::~WebSocketConnection() {
  CancelTimers();
  if (tcp_ && !tcp_->closed()) {
    tcp_->set_close_callback(nullptr);
    tcp_->Close();
  }
}

void WebSocketConnection::Start(std::span<const uint8_t> already_received) {
  std::shared_ptr<WebSocketConnection> self = shared_from_this();
  if (tcp_->closed()) {
    HandleTcpClosed();
    return;
  }
  tcp_->set_data_callback([self](std::span<const uint8_t> data) { self->HandleData(data); });
  tcp_->set_close_callback([self](const Status&) { self->HandleTcpClosed(); });
  const int64_t period =
      options_.ping_interval_ms > 0 ? options_.ping_interval_ms : options_.idle_timeout_ms / 2;
  if (period > 0) {
    std::weak_ptr<WebSocketConnection> weak = self;
    ping_timer_ = loop_->RunEvery(period, [weak] {
      if (auto connection = weak.lock()) connection->CheckLiveness();
    });
  }
  if (!already_received.empty()) HandleData(already_received);
}

void WebSocketConnection::CheckLiveness() {
  if (state_ != State::kOpen) return;
  if (options_.idle_timeout_ms > 0 &&
      net::EventLoop::NowMs() - last_received_ms_ > options_.idle_timeout_ms) {
    FailConnection(kCloseGoingAway, "idle timeout");
    return;
  }
  if (options_.ping_interval_ms > 0) Ping();
}

bool WebSocketConnection::TakeToken() {
  if (options_.max_messages_per_second <= 0) return true;
  const int64_t now = net::EventLoop::NowMs();
  tokens_ = std::min(std::max(1.0, options_.message_burst),
                     tokens_ + static_cast<double>(now - tokens_updated_ms_) *
                                   options_.max_messages_per_second / 1000.0);
  tokens_updated_ms_ = now;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

void WebSocketConnection::HandleData(std::span<const uint8_t> data) {
  if (state_ == State::kClosed) return;
  std::shared_ptr<WebSocketConnection> self = shared_from_this();
  last_received_ms_ = net::EventLoop::NowMs();
  reader_.Append(data);
  WebSocketMessage message;
  while (state_ != State::kClosed && !received_close_code_) {
    const auto result = reader_.Next(&message);
    if (result == WebSocketMessageReader::Result::kNeedMore) break;
    if (result == WebSocketMessageReader::Result::kError) {
      ++counters_->protocol_error_closes;
      FailConnection(reader_.error_close_code(), reader_.error_message());
      break;
    }
    switch (message.opcode) {
      case WebSocketOpcode::kText:
      case WebSocketOpcode::kBinary: {
        if (state_ != State::kOpen) break;  // data after our close frame is dropped (§7.1.2)
        if (!TakeToken()) {
          ++counters_->rate_limited_closes;
          FailConnection(kClosePolicyViolation, "message rate limit exceeded");
          break;
        }
        ++counters_->messages_received;
        if (std::shared_ptr<MessageCallback> callback = on_message_; callback && *callback) {
          (*callback)(message.opcode == WebSocketOpcode::kText ? WebSocketMessageType::kText
                                                               : WebSocketMessageType::kBinary,
                      message.payload);
        }
        break;
      }
      case WebSocketOpcode::kPing:
        if (!TakeToken()) {
          ++counters_->rate_limited_closes;
          FailConnection(kClosePolicyViolation, "message rate limit exceeded");
          break;
        }
        if (state_ == State::kOpen) SendFrame(WebSocketOpcode::kPong, true, message.payload);
        break;
      case WebSocketOpcode::kPong:
        if (auto callback = on_pong_; callback && *callback) (*callback)(message.payload);
        break;
      case WebSocketOpcode::kClose:
        // §5.5.1: answer with a close frame (echoing code and reason) unless we sent one, then drop
        // TCP; the server closes TCP first (§7.1.1).
        received_close_code_ = message.close_code;
        close_reason_ = message.close_reason;
        if (!sent_close_code_) {
          sent_close_code_ = message.close_code;
          const std::vector<uint8_t> payload =
              message.close_code == kCloseNoStatus
                  ? std::vector<uint8_t>()
                  : MakeWebSocketClosePayload(message.close_code, message.close_reason);
          SendFrame(WebSocketOpcode::kClose, true, payload);
        }
        state_ = State::kClosing;
        tcp_->CloseAfterFlush();
        break;
      default:
        break;
    }
  }
}

void WebSocketConnection::FailConnection(uint16_t code, std::string_view reason) {
  if (state_ == State::kClosed) return;
  if (!sent_close_code_) {
    sent_close_code_ = code;
    close_reason_ = std::string(reason);
    SendFrame(WebSocketOpcode::kClose, true, MakeWebSocketClosePayload(code, reason));
  }
  state_ = State::kClosing;
  tcp_->CloseAfterFlush();
}

void WebSocketConnection::Close(uint16_t code, std::string_view reason) {
  if (state_ != State::kOpen) return;
  sent_close_code_ = code;
  close_reason_ = std::string(reason);
  SendFrame(WebSocketOpcode::kClose, true, MakeWebSocketClosePayload(code, reason));
  state_ = State::kClosing;
  std::weak_ptr<WebSocketConnection> weak = weak_from_this();
  close_timer_ = loop_->RunAfter(options_.close_timeout_ms, [weak] {
    if (auto connection = weak.lock()) {
      connection->close_timer_ = 0;
      connection->tcp_->Close();
    }
  });
}

void WebSocketConnection::Drop() {
  if (state_ == State::kClosed) return;
  tcp_->Close();
}

void WebSocketConnection::CancelTimers() {
  if (close_timer_ != 0) loop_->Cancel(close_timer_);
  if (ping_timer_ != 0) loop_->Cancel(ping_timer_);
  close_timer_ = 0;
  ping_timer_ = 0;
}

void WebSocketConnection::HandleTcpClosed() {
  if (state_ == State::kClosed) return;
  std::shared_ptr<WebSocketConnection> self = shared_from_this();
  state_ = State::kClosed;
  CancelTimers();
  uint16_t code = kCloseAbnormal;
  if (received_close_code_) {
    code = *received_close_code_;
  } else if (sent_close_code_) {
    code = *sent_close_code_;
  }
  on_message_ = nullptr;
  on_pong_ = nullptr;
  CloseCallback on_close = std::move(on_close_);
  on_close_ = nullptr;
  if (on_close) on_close(code, close_reason_);
}

bool WebSocketConnection::SendText(std::string_view text) {
  return SendMessage(WebSocketOpcode::kText,
                     {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

bool WebSocketConnection::SendBinary(std::span<const uint8_t> data) {
  return SendMessage(WebSocketOpcode::kBinary, data);
}

bool WebSocketConnection::Ping(std::span<const uint8_t> payload) {
  if (state_ != State::kOpen || payload.size() > 125) return false;
  return SendFrame(WebSocketOpcode::kPing, true, payload);
}

bool WebSocketConnection::SendMessage(WebSocketOpcode opcode, std::span<const uint8_t> payload) {
  if (state_ != State::kOpen) return false;
  ++counters_->messages_sent;
  const size_t fragment = options_.max_frame_payload_bytes;
  if (fragment == 0 || payload.size() <= fragment) return SendFrame(opcode, true, payload);
  // §5.4: first frame carries the opcode, the rest are continuations, the last has FIN.
  size_t offset = 0;
  while (offset < payload.size()) {
    const size_t size = std::min(fragment, payload.size() - offset);
    const bool fin = offset + size == payload.size();
    if (!SendFrame(offset == 0 ? opcode : WebSocketOpcode::kContinuation, fin,
                   payload.subspan(offset, size))) {
      return false;
    }
    offset += size;
  }
  return true;
}

bool WebSocketConnection::SendFrame(WebSocketOpcode opcode, bool fin,
                                    std::span<const uint8_t> payload) {
  frame_scratch_.clear();
  std::optional<std::array<uint8_t, 4>> mask;
  if (role_ == Role::kClient) mask = GenerateWebSocketMask();
  AppendWebSocketFrame(&frame_scratch_, opcode, fin, payload, mask);
  return tcp_->Send(frame_scratch_);
}

}  // namespace auralink::signal::http
