// A blocking HTTP/1.1 client for tests: one request per connection ("Connection: close"), the
// answer read to EOF. Tests run the server's loop on another thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "signal/http/http_request.h"

namespace auralink::signal {

struct LoopbackHttpResponse {
  int status = 0;  // 0 when the exchange failed
  http::HttpHeaders headers;
  std::string body;
  std::optional<std::string_view> Header(std::string_view name) const {
    return http::FindHeader(headers, name);
  }
};

// Sends `method target` to 127.0.0.1:`port` with `headers` (each "Name: value") and `body`.
LoopbackHttpResponse SendLoopbackHttpRequest(uint16_t port, const std::string& method,
                                             const std::string& target,
                                             const http::HttpHeaders& headers = {},
                                             const std::string& body = "");

}  // namespace auralink::signal
