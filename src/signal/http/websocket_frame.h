// WebSocket framing (RFC 6455 §5): a writer for single frames and a reader that turns a byte stream
// into whole messages, unmasking, reassembling fragments and enforcing the rules a peer must
// follow. Every violation carries the close code to answer with (§7.4.1): 1002 protocol error, 1007
// bad UTF-8, 1009 message too big.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace auralink::signal::http {

enum class WebSocketOpcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

enum WebSocketCloseCode : uint16_t {
  kCloseNormal = 1000,
  kCloseGoingAway = 1001,
  kCloseProtocolError = 1002,
  kCloseUnsupportedData = 1003,
  kCloseNoStatus = 1005,  // never sent: "the close frame had no code"
  kCloseAbnormal = 1006,  // never sent: "the connection dropped without a close frame"
  kCloseInvalidPayload = 1007,
  kClosePolicyViolation = 1008,
  kCloseMessageTooBig = 1009,
  kCloseInternalError = 1011,
};

// Appends one frame. With a `mask` (clients must mask, §5.3) the payload is XORed on the way out.
void AppendWebSocketFrame(std::vector<uint8_t>* out, WebSocketOpcode opcode, bool fin,
                          std::span<const uint8_t> payload,
                          const std::optional<std::array<uint8_t, 4>>& mask);

// Close frame payload: 2-byte code then UTF-8 reason (§5.5.1), the reason cut to fit 125 bytes.
std::vector<uint8_t> MakeWebSocketClosePayload(uint16_t code, std::string_view reason);

bool IsValidUtf8(std::span<const uint8_t> text);
// Codes a peer may send in a close frame (§7.4.1, §7.4.2).
bool IsValidWebSocketCloseCode(uint16_t code);

struct WebSocketMessage {
  WebSocketOpcode opcode = WebSocketOpcode::kBinary;  // kText, kBinary, kClose, kPing or kPong
  std::vector<uint8_t> payload;                       // unmasked; whole message when fragmented
  // For kClose: the peer's code (kCloseNoStatus when absent) and reason.
  uint16_t close_code = kCloseNoStatus;
  std::string close_reason;
};

class WebSocketMessageReader {
 public:
  enum class Role { kServer, kClient };  // a server requires masked frames, a client unmasked
  enum class Result { kNeedMore, kMessage, kError };

  WebSocketMessageReader(Role role, size_t max_message_bytes)
      : role_(role), max_message_bytes_(max_message_bytes) {}

  void Append(std::span<const uint8_t> data);
  // Takes the next message from the buffered bytes. Control frames may arrive between the
  // fragments of a data message and are returned as they come (§5.4).
  Result Next(WebSocketMessage* message);

  uint16_t error_close_code() const { return error_close_code_; }
  const std::string& error_message() const { return error_message_; }
  size_t buffered_bytes() const { return buffer_.size() - offset_; }

 private:
  Result Fail(uint16_t code, std::string message);

  Role role_;
  size_t max_message_bytes_;
  std::vector<uint8_t> buffer_;
  size_t offset_ = 0;
  bool in_fragmented_message_ = false;
  WebSocketOpcode fragmented_opcode_ = WebSocketOpcode::kBinary;
  std::vector<uint8_t> fragments_;
  bool failed_ = false;
  uint16_t error_close_code_ = 0;
  std::string error_message_;
};

}  // namespace auralink::signal::http
