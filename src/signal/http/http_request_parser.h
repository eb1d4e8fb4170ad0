// Incremental HTTP/1.1 request parser (RFC 9112): feed it bytes as they arrive; it stops after one
// complete request so pipelined bytes, or the first WebSocket frames after an upgrade, stay with
// the caller. Sizes are bounded and every violation maps to the status code to answer with.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "signal/http/http_request.h"

namespace auralink::signal::http {

struct HttpParserLimits {
  size_t max_request_line_bytes = 8 << 10;  // 414 past this
  size_t max_header_bytes = 32 << 10;       // all header lines together; 431 past this
  size_t max_header_count = 100;            // 431 past this
  size_t max_body_bytes = 1 << 20;          // 413 past this
};

class HttpRequestParser {
 public:
  enum class State { kNeedMore, kComplete, kError };

  explicit HttpRequestParser(const HttpParserLimits& limits = {}) : limits_(limits) {}

  // Consumes bytes up to the end of the current request; returns how many were used. Once the state
  // is kComplete or kError it consumes nothing until TakeRequest()/Reset().
  size_t Feed(std::span<const uint8_t> data);
  size_t Feed(std::string_view text) {
    return Feed(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }

  State state() const { return state_; }
  // After kError: the status to answer with (400, 413, 414, 431, 501, 505) and why.
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }
  // True once any byte of the next request has arrived (request timeouts start then).
  bool started() const {
    return phase_ != Phase::kRequestLine || !line_.empty() || skipped_blank_lines_ > 0;
  }

  // Hands over the complete request and readies the parser for the next one.
  HttpRequest TakeRequest();
  void Reset();

 private:
  enum class Phase {
    kRequestLine,
    kHeaders,
    kBody,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailers
  };

  void Fail(int status, std::string message);
  bool TakeLine(std::span<const uint8_t> data, size_t* offset, size_t limit, bool* have_line);
  void ParseRequestLine();
  void ParseHeaderLine();
  void FinishHeaders();
  void ParseChunkSize();

  HttpParserLimits limits_;
  State state_ = State::kNeedMore;
  Phase phase_ = Phase::kRequestLine;
  int error_status_ = 0;
  std::string error_message_;
  std::string line_;
  size_t header_bytes_ = 0;
  int skipped_blank_lines_ = 0;
  uint64_t body_remaining_ = 0;
  HttpRequest request_;
};

}  // namespace auralink::signal::http
