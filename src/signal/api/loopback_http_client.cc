#include "signal/api/loopback_http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace auralink::signal {
namespace {

LoopbackHttpResponse ParseResponse(std::string_view text) {
  LoopbackHttpResponse response;
  const size_t end = text.find("\r\n\r\n");
  if (end == std::string_view::npos || text.size() < 12) return response;
  const std::string_view head = text.substr(0, end);
  size_t line = head.find("\r\n");
  while (line != std::string_view::npos) {
    line += 2;
    const size_t next = head.find("\r\n", line);
    const std::string_view header =
        head.substr(line, next == std::string_view::npos ? std::string_view::npos : next - line);
    const size_t colon = header.find(':');
    if (colon != std::string_view::npos) {
      std::string_view value = header.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      response.headers.emplace_back(std::string(header.substr(0, colon)), std::string(value));
    }
    line = next;
  }
  response.body = std::string(text.substr(end + 4));
  response.status = std::stoi(std::string(text.substr(9, 3)));
  return response;
}

}  // namespace

LoopbackHttpResponse SendLoopbackHttpRequest(uint16_t port, const std::string& method,
                                             const std::string& target,
                                             const http::HttpHeaders& headers,
                                             const std::string& body) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return {};
  }
  std::string request = method + " " + target +
                        " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                        "\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t count = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (count <= 0) {
      close(fd);
      return {};
    }
    sent += static_cast<size_t>(count);
  }
  std::string answer;
  char buffer[16384];
  while (true) {
    const ssize_t count = recv(fd, buffer, sizeof(buffer), 0);
    if (count <= 0) break;
    answer.append(buffer, static_cast<size_t>(count));
  }
  close(fd);
  return ParseResponse(answer);
}

}  // namespace auralink::signal
