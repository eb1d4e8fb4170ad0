// An HTTP response as handlers build it; the server adds framing headers (Content-Length,
// Connection, Date, CORS) when it writes it.
#pragma once

#include <string>
#include <string_view>

#include "signal/http/http_request.h"

namespace auralink::signal::http {

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;

  static HttpResponse Text(int status, std::string body);
  static HttpResponse Json(int status, std::string body);

  // Replaces every header named `name` (any case) with one `name: value`.
  void SetHeader(std::string_view name, std::string_view value);
  std::optional<std::string_view> Header(std::string_view name) const;
  // Status line, headers, Content-Length and (unless `omit_body`, for HEAD) the body.
  std::string Serialize(bool omit_body) const;
};

// RFC 9110 §15 reason phrases; "Unknown" for codes without one.
std::string_view HttpReasonPhrase(int status);

}  // namespace auralink::signal::http
