#include "signal/http/http_response.h"

namespace auralink::signal::http {

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  return response;
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers.emplace_back("Content-Type", "application/json");
  return response;
}

void HttpResponse::SetHeader(std::string_view name, std::string_view value) {
  std::erase_if(headers, [&](const auto& header) { return EqualsIgnoreCase(header.first, name); });
  headers.emplace_back(std::string(name), std::string(value));
}

std::optional<std::string_view> HttpResponse::Header(std::string_view name) const {
  return FindHeader(headers, name);
}

std::string HttpResponse::Serialize(bool omit_body) const {
  std::string text;
  text.reserve(128 + body.size());
  text.append("HTTP/1.1 ");
  text.append(std::to_string(status));
  text.push_back(' ');
  text.append(HttpReasonPhrase(status));
  text.append("\r\n");
  for (const auto& [name, value] : headers) {
    if (EqualsIgnoreCase(name, "Content-Length")) continue;
    text.append(name);
    text.append(": ");
    text.append(value);
    text.append("\r\n");
  }
  // RFC 9110 §8.6: no Content-Length on 1xx and 204.
  if (status >= 200 && status != 204) {
    text.append("Content-Length: ");
    text.append(std::to_string(body.size()));
    text.append("\r\n");
  }
  text.append("\r\n");
  if (!omit_body && status >= 200 && status != 204 && status != 304) text.append(body);
  return text;
}

std::string_view HttpReasonPhrase(int status) {
  switch (status) {
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 426:
      return "Upgrade Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

}  // namespace auralink::signal::http
