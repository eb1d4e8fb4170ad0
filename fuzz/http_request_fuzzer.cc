// Fuzzes the incremental HTTP/1.1 request parser (src/signal/http/http_request_parser.h): any
// bytes, split at any point, must give requests or an error status, never a crash or unbounded
// memory; feeding in one piece and in two pieces must agree.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "signal/http/http_request_parser.h"

namespace {

using auralink::signal::http::HttpParserLimits;
using auralink::signal::http::HttpRequest;
using auralink::signal::http::HttpRequestParser;

struct Outcome {
  std::vector<std::string> summaries;
  int error_status = 0;
};

Outcome ParseAll(std::span<const uint8_t> data, size_t split, const HttpParserLimits& limits) {
  Outcome outcome;
  HttpRequestParser parser(limits);
  std::vector<std::span<const uint8_t>> pieces = {data.subspan(0, split), data.subspan(split)};
  for (auto piece : pieces) {
    while (!piece.empty()) {
      const size_t used = parser.Feed(piece);
      if (used > piece.size()) std::abort();
      piece = piece.subspan(used);
      if (parser.state() == HttpRequestParser::State::kError) {
        const int status = parser.error_status();
        if (status < 400 || status > 505 || parser.error_message().empty()) std::abort();
        outcome.error_status = status;
        return outcome;
      }
      if (parser.state() == HttpRequestParser::State::kComplete) {
        HttpRequest request = parser.TakeRequest();
        if (request.body.size() > limits.max_body_bytes) std::abort();
        if (request.headers.size() > limits.max_header_count) std::abort();
        if (request.path.empty()) std::abort();
        (void)request.keep_alive();
        (void)request.QueryParameter("access_token");
        (void)auralink::signal::http::ParseQueryString(request.query);
        outcome.summaries.push_back(request.method + " " + request.target + " " +
                                    std::to_string(request.headers.size()) + " " + request.body);
      } else if (used == 0) {
        break;
      }
    }
  }
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  HttpParserLimits limits;
  limits.max_request_line_bytes = 512;
  limits.max_header_bytes = 2048;
  limits.max_header_count = 16;
  limits.max_body_bytes = 4096;
  const std::span<const uint8_t> input(data, size);
  const Outcome whole = ParseAll(input, size, limits);
  const Outcome split = ParseAll(input, size / 2, limits);
  if (whole.summaries != split.summaries || whole.error_status != split.error_status) std::abort();
  return 0;
}
