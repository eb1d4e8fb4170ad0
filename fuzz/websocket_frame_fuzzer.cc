// Fuzzes the WebSocket message reader (src/signal/http/websocket_frame.h) in both roles: any bytes
// must give messages within the size limit or one error with a valid close code, never a crash; a
// message re-framed by the writer must read back identically.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "signal/http/websocket_frame.h"

using auralink::signal::http::AppendWebSocketFrame;
using auralink::signal::http::WebSocketMessage;
using auralink::signal::http::WebSocketMessageReader;
using auralink::signal::http::WebSocketOpcode;

namespace {

void ReadAll(WebSocketMessageReader::Role role, std::span<const uint8_t> data, size_t chunk) {
  constexpr size_t kMaxMessage = 64 << 10;
  WebSocketMessageReader reader(role, kMaxMessage);
  WebSocketMessage message;
  size_t offset = 0;
  while (offset < data.size()) {
    const size_t take = std::min(chunk, data.size() - offset);
    reader.Append(data.subspan(offset, take));
    offset += take;
    while (true) {
      const auto result = reader.Next(&message);
      if (result == WebSocketMessageReader::Result::kNeedMore) break;
      if (result == WebSocketMessageReader::Result::kError) {
        const uint16_t code = reader.error_close_code();
        if (code != 1002 && code != 1007 && code != 1009) std::abort();
        return;
      }
      const bool control = static_cast<uint8_t>(message.opcode) >= 0x8;
      if (message.payload.size() > (control ? 125u : kMaxMessage)) std::abort();
      if (message.opcode == WebSocketOpcode::kContinuation) std::abort();
      // Re-frame and read back: the writer and the reader must agree.
      if (message.opcode == WebSocketOpcode::kText || message.opcode == WebSocketOpcode::kBinary) {
        std::vector<uint8_t> wire;
        AppendWebSocketFrame(&wire, message.opcode, true, message.payload,
                             std::array<uint8_t, 4>{1, 2, 3, 4});
        WebSocketMessageReader echo(WebSocketMessageReader::Role::kServer, kMaxMessage);
        echo.Append(wire);
        WebSocketMessage again;
        if (echo.Next(&again) != WebSocketMessageReader::Result::kMessage ||
            again.payload != message.payload || again.opcode != message.opcode) {
          std::abort();
        }
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  ReadAll(WebSocketMessageReader::Role::kServer, input, size == 0 ? 1 : size);
  ReadAll(WebSocketMessageReader::Role::kClient, input, size == 0 ? 1 : size);
  ReadAll(WebSocketMessageReader::Role::kServer, input, 7);
  return 0;
}
