#include "signal/http/http_request_parser.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace auralink::signal::http {
namespace {

constexpr size_t kMaxChunkSizeLineBytes = 1024;
constexpr int kMaxLeadingBlankLines = 4;

// RFC 9110 §5.6.2 tchar.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool IsToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsTokenChar);
}

// Field values: visible characters, spaces, tabs and obs-text; never CR, LF or NUL (RFC 9110 §5.5).
bool IsFieldValue(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

void HttpRequestParser::Reset() {
  state_ = State::kNeedMore;
  phase_ = Phase::kRequestLine;
  error_status_ = 0;
  error_message_.clear();
  line_.clear();
  header_bytes_ = 0;
  skipped_blank_lines_ = 0;
  body_remaining_ = 0;
  request_ = HttpRequest();
}

HttpRequest HttpRequestParser::TakeRequest() {
  HttpRequest request = std::move(request_);
  Reset();
  return request;
}

void HttpRequestParser::Fail(int status, std::string message) {
  state_ = State::kError;
  error_status_ = status;
  error_message_ = std::move(message);
}

bool HttpRequestParser::TakeLine(std::span<const uint8_t> data, size_t* offset, size_t limit,
                                 bool* have_line) {
  const uint8_t* begin = data.data() + *offset;
  const size_t available = data.size() - *offset;
  const auto* newline = static_cast<const uint8_t*>(std::memchr(begin, '\n', available));
  const size_t take = newline ? static_cast<size_t>(newline - begin) : available;
  if (line_.size() + take > limit) {
    switch (phase_) {
      case Phase::kRequestLine:
        Fail(414, "request line longer than " + std::to_string(limit) + " bytes");
        break;
      case Phase::kHeaders:
      case Phase::kTrailers:
        Fail(431,
             "header fields larger than " + std::to_string(limits_.max_header_bytes) + " bytes");
        break;
      default:
        Fail(400, "chunk size line too long");
        break;
    }
    return false;
  }
  line_.append(reinterpret_cast<const char*>(begin), take);
  *offset += take + (newline ? 1 : 0);
  *have_line = newline != nullptr;
  // RFC 9112 §2.2: a bare LF is accepted as a line end; CR is only valid right before it.
  if (*have_line && !line_.empty() && line_.back() == '\r') line_.pop_back();
  return true;
}

size_t HttpRequestParser::Feed(std::span<const uint8_t> data) {
  size_t offset = 0;
  while (state_ == State::kNeedMore && offset < data.size()) {
    if (phase_ == Phase::kBody || phase_ == Phase::kChunkData) {
      const size_t take =
          static_cast<size_t>(std::min<uint64_t>(body_remaining_, data.size() - offset));
      request_.body.append(reinterpret_cast<const char*>(data.data() + offset), take);
      offset += take;
      body_remaining_ -= take;
      if (body_remaining_ == 0) {
        if (phase_ == Phase::kBody) {
          state_ = State::kComplete;
        } else {
          phase_ = Phase::kChunkDataEnd;
        }
      }
      continue;
    }
    size_t limit = kMaxChunkSizeLineBytes;
    if (phase_ == Phase::kRequestLine) limit = limits_.max_request_line_bytes;
    if (phase_ == Phase::kHeaders || phase_ == Phase::kTrailers) {
      limit = limits_.max_header_bytes - std::min(header_bytes_, limits_.max_header_bytes);
    }
    bool have_line = false;
    if (!TakeLine(data, &offset, limit, &have_line) || !have_line) break;
    switch (phase_) {
      case Phase::kRequestLine:
        ParseRequestLine();
        break;
      case Phase::kHeaders:
      case Phase::kTrailers:
        header_bytes_ += line_.size() + 2;
        ParseHeaderLine();
        break;
      case Phase::kChunkSize:
        ParseChunkSize();
        break;
      case Phase::kChunkDataEnd:
        if (!line_.empty()) {
          Fail(400, "chunk data not followed by CRLF");
        } else {
          phase_ = Phase::kChunkSize;
        }
        break;
      default:
        break;
    }
    line_.clear();
  }
  return offset;
}

void HttpRequestParser::ParseRequestLine() {
  if (line_.empty()) {
    // RFC 9112 §2.2: ignore empty lines before a request (left over from a previous body's CRLF).
    if (++skipped_blank_lines_ > kMaxLeadingBlankLines) Fail(400, "too many empty lines");
    return;
  }
  const std::string_view line = line_;
  const size_t first_space = line.find(' ');
  const size_t second_space =
      first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos ||
      line.find(' ', second_space + 1) != std::string_view::npos) {
    Fail(400, "request line is not 'METHOD target HTTP/1.x'");
    return;
  }
  const std::string_view method = line.substr(0, first_space);
  const std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
  const std::string_view version = line.substr(second_space + 1);
  if (!IsToken(method)) {
    Fail(400, "malformed method");
    return;
  }
  if (target.empty() || !IsFieldValue(target) || target.find('\t') != std::string_view::npos) {
    Fail(400, "malformed request target");
    return;
  }
  if (version == "HTTP/1.1") {
    request_.version_minor = 1;
  } else if (version == "HTTP/1.0") {
    request_.version_minor = 0;
  } else if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && version[6] == '.' &&
             std::isdigit(static_cast<unsigned char>(version[5])) &&
             std::isdigit(static_cast<unsigned char>(version[7]))) {
    Fail(505, "HTTP version " + std::string(version.substr(5)) + " not supported");
    return;
  } else {
    Fail(400, "malformed HTTP version");
    return;
  }
  // RFC 9112 §3.2: origin-form ("/path?q"), asterisk-form for OPTIONS, or absolute-form.
  std::string_view path_and_query;
  if (target.front() == '/') {
    path_and_query = target;
  } else if (target == "*" && method == "OPTIONS") {
    path_and_query = "*";
  } else if (target.substr(0, 7) == "http://" || target.substr(0, 8) == "https://") {
    const size_t authority = target.find("//") + 2;
    const size_t slash = target.find_first_of("/?", authority);
    path_and_query = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  } else {
    Fail(400, "request target is not a path");
    return;
  }
  path_and_query = path_and_query.substr(0, path_and_query.find('#'));
  const size_t question = path_and_query.find('?');
  request_.method = std::string(method);
  request_.target = std::string(target);
  const std::string_view path = path_and_query.substr(0, question);
  request_.path = path.empty() ? std::string(1, '/') : std::string(path);
  if (question != std::string_view::npos)
    request_.query = std::string(path_and_query.substr(question + 1));
  phase_ = Phase::kHeaders;
}

void HttpRequestParser::ParseHeaderLine() {
  if (line_.empty()) {
    if (phase_ == Phase::kTrailers) {
      state_ = State::kComplete;
    } else {
      FinishHeaders();
    }
    return;
  }
  if (line_.front() == ' ' || line_.front() == '\t') {
    Fail(400, "obsolete header line folding");  // RFC 9112 §5.2
    return;
  }
  const size_t colon = line_.find(':');
  if (colon == std::string::npos) {
    Fail(400, "header line without ':'");
    return;
  }
  const std::string_view name = std::string_view(line_).substr(0, colon);
  const std::string_view value = TrimWhitespace(std::string_view(line_).substr(colon + 1));
  if (!IsToken(name)) {
    Fail(400, "malformed header name");  // also whitespace before ':' (RFC 9112 §5.1)
    return;
  }
  if (!IsFieldValue(value)) {
    Fail(400, "control character in header '" + std::string(name) + "'");
    return;
  }
  if (phase_ == Phase::kTrailers) return;  // trailers are checked, counted and dropped
  if (request_.headers.size() >= limits_.max_header_count) {
    Fail(431, "more than " + std::to_string(limits_.max_header_count) + " header fields");
    return;
  }
  request_.headers.emplace_back(std::string(name), std::string(value));
}

void HttpRequestParser::FinishHeaders() {
  int host_count = 0;
  bool has_content_length = false;
  bool has_transfer_encoding = false;
  uint64_t content_length = 0;
  std::string transfer_encoding;
  for (const auto& [name, value] : request_.headers) {
    if (EqualsIgnoreCase(name, "Host")) ++host_count;
    if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
      if (has_transfer_encoding) transfer_encoding += ",";
      transfer_encoding += value;
      has_transfer_encoding = true;
    }
    if (EqualsIgnoreCase(name, "Content-Length")) {
      // RFC 9110 §8.6: a list of identical values may be folded into one; anything else is invalid.
      std::string_view rest = value;
      while (true) {
        const size_t comma = rest.find(',');
        const std::string_view item = TrimWhitespace(rest.substr(0, comma));
        if (item.empty() || item.size() > 18 ||
            !std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; })) {
          Fail(400, "malformed Content-Length");
          return;
        }
        const uint64_t length = std::stoull(std::string(item));
        if (has_content_length && length != content_length) {
          Fail(400, "conflicting Content-Length values");
          return;
        }
        content_length = length;
        has_content_length = true;
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
  }
  if (request_.version_minor >= 1 && host_count != 1) {
    Fail(400, host_count == 0 ? "missing Host header" : "more than one Host header");
    return;
  }
  if (has_transfer_encoding) {
    // RFC 9112 §6.1: both headers at once is a request-smuggling pattern; refuse it.
    if (has_content_length) {
      Fail(400, "both Transfer-Encoding and Content-Length");
      return;
    }
    if (!EqualsIgnoreCase(TrimWhitespace(transfer_encoding), "chunked")) {
      Fail(501, "unsupported Transfer-Encoding '" + transfer_encoding.substr(0, 64) + "'");
      return;
    }
    phase_ = Phase::kChunkSize;
    return;
  }
  if (content_length > limits_.max_body_bytes) {
    Fail(413, "body of " + std::to_string(content_length) + " bytes exceeds the limit of " +
                  std::to_string(limits_.max_body_bytes));
    return;
  }
  if (content_length == 0) {
    state_ = State::kComplete;
    return;
  }
  request_.body.reserve(static_cast<size_t>(content_length));
  body_remaining_ = content_length;
  phase_ = Phase::kBody;
}

void HttpRequestParser::ParseChunkSize() {
  // RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF; extensions are ignored.
  const std::string_view line = line_;
  size_t digits = 0;
  uint64_t size = 0;
  while (digits < line.size() && std::isxdigit(static_cast<unsigned char>(line[digits]))) {
    const char c = line[digits];
    const int value = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    size = size * 16 + static_cast<uint64_t>(value);
    if (++digits > 15) {
      Fail(413, "chunk size too large");
      return;
    }
  }
  const std::string_view rest = TrimWhitespace(line.substr(digits));
  if (digits == 0 || (!rest.empty() && rest.front() != ';')) {
    Fail(400, "malformed chunk size");
    return;
  }
  if (size == 0) {
    phase_ = Phase::kTrailers;
    return;
  }
  if (size > limits_.max_body_bytes - std::min(request_.body.size(), limits_.max_body_bytes)) {
    Fail(413,
         "chunked body exceeds the limit of " + std::to_string(limits_.max_body_bytes) + " bytes");
    return;
  }
  body_remaining_ = size;
  phase_ = Phase::kChunkData;
}

}  // namespace auralink::signal::http
