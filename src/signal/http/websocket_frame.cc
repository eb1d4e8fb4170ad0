#include "signal/http/websocket_frame.h"

#include <algorithm>
#include <cstring>

namespace auralink::signal::http {
namespace {

constexpr size_t kMaxControlPayload = 125;  // §5.5
constexpr size_t kCompactThresholdBytes = 64 << 10;

bool IsKnownOpcode(uint8_t opcode) { return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA); }

}  // namespace

void AppendWebSocketFrame(std::vector<uint8_t>* out, WebSocketOpcode opcode, bool fin,
                          std::span<const uint8_t> payload,
                          const std::optional<std::array<uint8_t, 4>>& mask) {
  const uint64_t length = payload.size();
  out->push_back(static_cast<uint8_t>((fin ? 0x80 : 0x00) | static_cast<uint8_t>(opcode)));
  const uint8_t mask_bit = mask ? 0x80 : 0x00;
  // §5.2: the minimal length encoding, 7, 16 or 64 bits.
  if (length < 126) {
    out->push_back(static_cast<uint8_t>(mask_bit | length));
  } else if (length <= 0xFFFF) {
    out->push_back(mask_bit | 126);
    out->push_back(static_cast<uint8_t>(length >> 8));
    out->push_back(static_cast<uint8_t>(length));
  } else {
    out->push_back(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out->push_back(static_cast<uint8_t>(length >> shift));
  }
  if (mask) out->insert(out->end(), mask->begin(), mask->end());
  const size_t start = out->size();
  out->insert(out->end(), payload.begin(), payload.end());
  if (mask) {
    for (size_t i = 0; i < payload.size(); ++i) (*out)[start + i] ^= (*mask)[i & 3];
  }
}

std::vector<uint8_t> MakeWebSocketClosePayload(uint16_t code, std::string_view reason) {
  // Cut on a character boundary so the reason stays valid UTF-8.
  size_t length = std::min(reason.size(), kMaxControlPayload - 2);
  while (length > 0 && length < reason.size() &&
         (static_cast<uint8_t>(reason[length]) & 0xC0) == 0x80) {
    --length;
  }
  std::vector<uint8_t> payload(2 + length);
  payload[0] = static_cast<uint8_t>(code >> 8);
  payload[1] = static_cast<uint8_t>(code);
  if (length > 0) std::memcpy(payload.data() + 2, reason.data(), length);
  return payload;
}

bool IsValidUtf8(std::span<const uint8_t> text) {
  // RFC 3629 §4: shortest forms only, no surrogates, nothing past U+10FFFF.
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const uint8_t c = text[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t extra;
    uint32_t min;
    uint32_t code;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, min = 0x80, code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, min = 0x800, code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, min = 0x10000, code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= n) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((text[i + k] & 0xC0) != 0x80) return false;
      code = (code << 6) | (text[i + k] & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

bool IsValidWebSocketCloseCode(uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;  // registered and private use
  return code >= 1000 && code <= 1014 && code != 1004 && code != kCloseNoStatus &&
         code != kCloseAbnormal;
}

void WebSocketMessageReader::Append(std::span<const uint8_t> data) {
  if (offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  } else if (offset_ >= kCompactThresholdBytes && offset_ * 2 >= buffer_.size()) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<ptrdiff_t>(offset_));
    offset_ = 0;
  }
  buffer_.insert(buffer_.end(), data.begin(), data.end());
}

WebSocketMessageReader::Result WebSocketMessageReader::Fail(uint16_t code, std::string message) {
  failed_ = true;
  error_close_code_ = code;
  error_message_ = std::move(message);
  return Result::kError;
}

WebSocketMessageReader::Result WebSocketMessageReader::Next(WebSocketMessage* message) {
  if (failed_) return Result::kError;
  while (true) {
    const size_t available = buffer_.size() - offset_;
    if (available < 2) return Result::kNeedMore;
    const uint8_t* frame = buffer_.data() + offset_;
    const bool fin = frame[0] & 0x80;
    const uint8_t opcode = frame[0] & 0x0F;
    const bool masked = frame[1] & 0x80;
    if (frame[0] & 0x70) return Fail(kCloseProtocolError, "reserved bits set without an extension");
    if (!IsKnownOpcode(opcode)) {
      return Fail(kCloseProtocolError, "unknown opcode " + std::to_string(opcode));
    }
    if (role_ == Role::kServer && !masked) {
      return Fail(kCloseProtocolError, "client frame is not masked");  // §5.1
    }
    if (role_ == Role::kClient && masked)
      return Fail(kCloseProtocolError, "server frame is masked");
    size_t header = 2;
    uint64_t length = frame[1] & 0x7F;
    if (length == 126) {
      if (available < 4) return Result::kNeedMore;
      length = (uint64_t{frame[2]} << 8) | frame[3];
      header = 4;
    } else if (length == 127) {
      if (available < 10) return Result::kNeedMore;
      length = 0;
      for (int i = 0; i < 8; ++i) length = (length << 8) | frame[2 + i];
      if (length >> 63) return Fail(kCloseProtocolError, "64-bit length with the top bit set");
      header = 10;
    }
    const bool control = opcode >= 0x8;
    if (control && (!fin || length > kMaxControlPayload)) {
      return Fail(kCloseProtocolError, "control frame fragmented or longer than 125 bytes");
    }
    if (!control) {
      if (opcode == 0x0 && !in_fragmented_message_) {
        return Fail(kCloseProtocolError, "continuation frame without a message to continue");
      }
      if (opcode != 0x0 && in_fragmented_message_) {
        return Fail(kCloseProtocolError, "new message before the previous one finished");
      }
      const uint64_t so_far = in_fragmented_message_ ? fragments_.size() : 0;
      if (length > max_message_bytes_ || so_far + length > max_message_bytes_) {
        return Fail(kCloseMessageTooBig,
                    "message exceeds " + std::to_string(max_message_bytes_) + " bytes");
      }
    }
    uint8_t mask[4] = {0, 0, 0, 0};
    if (masked) {
      if (available < header + 4) return Result::kNeedMore;
      std::memcpy(mask, frame + header, 4);
      header += 4;
    }
    if (available - header < length) return Result::kNeedMore;
    uint8_t* payload = buffer_.data() + offset_ + header;
    const size_t payload_size = static_cast<size_t>(length);
    if (masked) {
      for (size_t i = 0; i < payload_size; ++i) payload[i] ^= mask[i & 3];
    }
    offset_ += header + payload_size;

    if (control) {
      message->opcode = static_cast<WebSocketOpcode>(opcode);
      message->payload.assign(payload, payload + payload_size);
      message->close_code = kCloseNoStatus;
      message->close_reason.clear();
      if (message->opcode == WebSocketOpcode::kClose) {
        if (payload_size == 1) return Fail(kCloseProtocolError, "close payload of one byte");
        if (payload_size >= 2) {
          const uint16_t code = static_cast<uint16_t>((payload[0] << 8) | payload[1]);
          if (!IsValidWebSocketCloseCode(code)) {
            return Fail(kCloseProtocolError, "invalid close code " + std::to_string(code));
          }
          if (!IsValidUtf8({payload + 2, payload_size - 2})) {
            return Fail(kCloseInvalidPayload, "close reason is not UTF-8");
          }
          message->close_code = code;
          message->close_reason.assign(reinterpret_cast<const char*>(payload + 2),
                                       payload_size - 2);
        }
      }
      return Result::kMessage;
    }
    if (!fin) {
      if (!in_fragmented_message_) {
        in_fragmented_message_ = true;
        fragmented_opcode_ = static_cast<WebSocketOpcode>(opcode);
        fragments_.clear();
      }
      fragments_.insert(fragments_.end(), payload, payload + payload_size);
      continue;
    }
    if (in_fragmented_message_) {
      fragments_.insert(fragments_.end(), payload, payload + payload_size);
      message->opcode = fragmented_opcode_;
      message->payload = std::move(fragments_);
      fragments_ = {};
      in_fragmented_message_ = false;
    } else {
      message->opcode = static_cast<WebSocketOpcode>(opcode);
      message->payload.assign(payload, payload + payload_size);
    }
    message->close_code = kCloseNoStatus;
    message->close_reason.clear();
    if (message->opcode == WebSocketOpcode::kText && !IsValidUtf8(message->payload)) {
      return Fail(kCloseInvalidPayload, "text message is not valid UTF-8");
    }
    return Result::kMessage;
  }
}

}  // namespace auralink::signal::http
