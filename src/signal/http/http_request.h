// A parsed HTTP/1.1 request (RFC 9112) and the lookups handlers need: headers by case-insensitive
// name, comma-separated header tokens, keep-alive, and the decoded query string.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace auralink::signal::http {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// The first header named `name` (any case).
std::optional<std::string_view> FindHeader(const HttpHeaders& headers, std::string_view name);
// True when a comma-separated header such as Connection or Upgrade lists `token` (any case).
bool HeaderHasToken(const HttpHeaders& headers, std::string_view name, std::string_view token);

struct HttpRequest {
  std::string method;  // as sent; methods are case-sensitive (RFC 9110 §9.1)
  std::string target;  // the request-target as sent
  std::string path;    // target without the query, still percent-encoded
  std::string query;   // after '?', without the '#fragment'; empty when absent
  int version_minor = 1;
  HttpHeaders headers;
  std::string body;

  std::optional<std::string_view> Header(std::string_view name) const {
    return FindHeader(headers, name);
  }
  bool HeaderHasToken(std::string_view name, std::string_view token) const {
    return http::HeaderHasToken(headers, name, token);
  }
  // RFC 9112 §9.3: HTTP/1.1 persists unless "Connection: close"; HTTP/1.0 only with "keep-alive".
  bool keep_alive() const;
  // The first query parameter named `name`, percent-decoded; nullopt when absent or malformed.
  std::optional<std::string> QueryParameter(std::string_view name) const;
};

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as forms and URLSearchParams do);
// nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Splits "a=1&b=x%20y&flag" into decoded pairs ("flag" -> ""); an error names a malformed escape.
StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQueryString(std::string_view query);

}  // namespace auralink::signal::http
