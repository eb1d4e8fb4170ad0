#include "signal/http/http_request.h"

namespace auralink::signal::http {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string_view> FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

bool HeaderHasToken(const HttpHeaders& headers, std::string_view name, std::string_view token) {
  for (const auto& [key, value] : headers) {
    if (!EqualsIgnoreCase(key, name)) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      if (EqualsIgnoreCase(Trim(rest.substr(0, comma)), token)) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

bool HttpRequest::keep_alive() const {
  if (HeaderHasToken("Connection", "close")) return false;
  if (version_minor >= 1) return true;
  return HeaderHasToken("Connection", "keep-alive");
}

std::optional<std::string> HttpRequest::QueryParameter(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    const size_t equals = pair.find('=');
    auto key = PercentDecode(pair.substr(0, equals), true);
    if (key && *key == name) {
      if (equals == std::string_view::npos) return std::string();
      return PercentDecode(pair.substr(equals + 1), true);
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string decoded;
  decoded.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      decoded.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      decoded.push_back(' ');
    } else {
      decoded.push_back(c);
    }
  }
  return decoded;
}

StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQueryString(
    std::string_view query) {
  std::vector<std::pair<std::string, std::string>> parameters;
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    if (!pair.empty()) {
      const size_t equals = pair.find('=');
      auto key = PercentDecode(pair.substr(0, equals), true);
      auto value = equals == std::string_view::npos ? std::optional<std::string>(std::string())
                                                    : PercentDecode(pair.substr(equals + 1), true);
      if (!key || !value) {
        return Status::Error("malformed percent escape in query parameter '" +
                             std::string(pair.substr(0, 64)) + "'");
      }
      parameters.emplace_back(std::move(*key), std::move(*value));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return parameters;
}

}  // namespace auralink::signal::http
