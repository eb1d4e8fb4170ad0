#include "signal/http/http_request_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace auralink::signal::http {
namespace {

using State = HttpRequestParser::State;

// Parses one request fed in one piece; fails the test when it is not complete.
HttpRequest ParseWhole(std::string_view text, const HttpParserLimits& limits = {}) {
  HttpRequestParser parser(limits);
  const size_t used = parser.Feed(text);
  EXPECT_EQ(parser.state(), State::kComplete) << parser.error_message();
  EXPECT_EQ(used, text.size());
  return parser.TakeRequest();
}

int ErrorStatus(std::string_view text, const HttpParserLimits& limits = {}) {
  HttpRequestParser parser(limits);
  parser.Feed(text);
  if (parser.state() != State::kError) return 0;
  EXPECT_FALSE(parser.error_message().empty());
  return parser.error_status();
}

TEST(HttpRequestParserTest, ParsesAValidateRequestLikeLivekitClientSends) {
  const HttpRequest request = ParseWhole(
      "GET /rtc/validate?access_token=eyJ.a-b_c&auto_subscribe=1&sdk=js&name=J%C3%B6rg+W "
      "HTTP/1.1\r\n"
      "Host: 127.0.0.1:7880\r\n"
      "origin: http://localhost:3000\r\n"
      "Accept:   */*  \r\n"
      "\r\n");
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.path, "/rtc/validate");
  EXPECT_EQ(request.query, "access_token=eyJ.a-b_c&auto_subscribe=1&sdk=js&name=J%C3%B6rg+W");
  EXPECT_EQ(request.version_minor, 1);
  EXPECT_EQ(request.Header("ORIGIN").value_or(""), "http://localhost:3000");
  EXPECT_EQ(request.Header("accept").value_or(""), "*/*");
  EXPECT_FALSE(request.Header("Content-Type").has_value());
  EXPECT_EQ(request.QueryParameter("access_token").value_or(""), "eyJ.a-b_c");
  EXPECT_EQ(request.QueryParameter("name").value_or(""), "J\xC3\xB6rg W");
  EXPECT_FALSE(request.QueryParameter("missing").has_value());
  EXPECT_TRUE(request.keep_alive());
  EXPECT_TRUE(request.body.empty());
}

TEST(HttpRequestParserTest, ByteByByteGivesTheSameRequest) {
  const std::string text =
      "POST /twirp/livekit.RoomService/CreateRoom HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"name\":\"r1\"}";
  HttpRequestParser parser;
  for (size_t i = 0; i < text.size(); ++i) {
    ASSERT_EQ(parser.state(), State::kNeedMore) << i;
    ASSERT_EQ(parser.Feed(std::string_view(text).substr(i, 1)), 1u);
    if (i == 0) {
      EXPECT_TRUE(parser.started());
    }
  }
  ASSERT_EQ(parser.state(), State::kComplete);
  const HttpRequest request = parser.TakeRequest();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/twirp/livekit.RoomService/CreateRoom");
  EXPECT_EQ(request.body, "{\"name\":\"r1\"}");
  EXPECT_FALSE(parser.started());
}

TEST(HttpRequestParserTest, StopsAtTheEndOfEachPipelinedRequest) {
  const std::string first = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string second = "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi";
  const std::string both = first + second + "GET /c";
  HttpRequestParser parser;
  size_t used = parser.Feed(both);
  EXPECT_EQ(used, first.size());
  ASSERT_EQ(parser.state(), State::kComplete);
  EXPECT_EQ(parser.TakeRequest().path, "/a");
  EXPECT_EQ(parser.Feed(std::string_view(both).substr(used)), second.size());
  ASSERT_EQ(parser.state(), State::kComplete);
  const HttpRequest request = parser.TakeRequest();
  EXPECT_EQ(request.path, "/b");
  EXPECT_EQ(request.body, "hi");
}

TEST(HttpRequestParserTest, ChunkedBodyWithExtensionsAndTrailers) {
  const HttpRequest request = ParseWhole(
      "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "7\r\n, world\r\n"
      "0\r\nX-Trailer: yes\r\n\r\n");
  EXPECT_EQ(request.body, "hello, world");
}

TEST(HttpRequestParserTest, KeepAliveFollowsVersionAndConnectionHeader) {
  EXPECT_FALSE(ParseWhole("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").keep_alive());
  EXPECT_FALSE(ParseWhole("GET / HTTP/1.0\r\n\r\n").keep_alive());
  EXPECT_TRUE(ParseWhole("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive());
  const HttpRequest upgrade =
      ParseWhole("GET /rtc HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\n\r\n");
  EXPECT_TRUE(upgrade.HeaderHasToken("connection", "upgrade"));
  EXPECT_FALSE(upgrade.HeaderHasToken("connection", "upgrad"));
}

TEST(HttpRequestParserTest, AcceptsBareLfLeadingBlankLinesAndAbsoluteForm) {
  EXPECT_EQ(ParseWhole("GET /lf HTTP/1.1\nHost: x\n\n").path, "/lf");
  EXPECT_EQ(ParseWhole("\r\nGET /after-blank HTTP/1.1\r\nHost: x\r\n\r\n").path, "/after-blank");
  const HttpRequest absolute =
      ParseWhole("GET http://example.com/p?q=1#frag HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(absolute.path, "/p");
  EXPECT_EQ(absolute.query, "q=1");
  EXPECT_EQ(ParseWhole("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").path, "*");
}

TEST(HttpRequestParserTest, SizeLimitsMapToTheirStatusCodes) {
  HttpParserLimits limits;
  limits.max_request_line_bytes = 64;
  limits.max_header_bytes = 128;
  limits.max_header_count = 3;
  limits.max_body_bytes = 10;
  EXPECT_EQ(ErrorStatus("GET /" + std::string(100, 'a') + " HTTP/1.1\r\n", limits), 414);
  // The limit trips before the line ends, so a never-ending line cannot grow memory.
  EXPECT_EQ(ErrorStatus("GET /" + std::string(100, 'a'), limits), 414);
  EXPECT_EQ(
      ErrorStatus("GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(200, 'v') + "\r\n\r\n", limits),
      431);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits), 431);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", limits), 413);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "6\r\nabcdef\r\n5\r\nghijk\r\n",
                        limits),
            413);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "ffffffffffffffffff\r\n",
                        limits),
            413);
  EXPECT_EQ(
      ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789", limits), 0);
}

TEST(HttpRequestParserTest, MalformedRequestsAreRejected) {
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\n\r\n"), 400);  // no Host
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n"),
            400);
  EXPECT_EQ(
      ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"),
      400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"), 501);
  EXPECT_EQ(ErrorStatus("GET / HTTP/2.0\r\n\r\n"), 505);
  EXPECT_EQ(ErrorStatus("GET / HTTQ/1.1\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET /  HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("G@T / HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET relative HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: x\r\nNo-Colon\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus(std::string("GET / HTTP/1.1\r\nHost: x\0y\r\n\r\n", 30)), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "2\r\nabXY\r\n"),
            400);
}

TEST(HttpRequestParserTest, ErrorStateConsumesNothingUntilReset) {
  HttpRequestParser parser;
  parser.Feed("BROKEN\r\n");
  ASSERT_EQ(parser.state(), State::kError);
  EXPECT_EQ(parser.Feed("GET / HTTP/1.1\r\n"), 0u);
  parser.Reset();
  parser.Feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(parser.state(), State::kComplete);
}

TEST(HttpRequestParserTest, QueryStringDecoding) {
  auto parameters = ParseQueryString("a=1&b=x%20y+z&flag&&empty=&k%3D=v%26");
  ASSERT_TRUE(parameters.ok());
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"a", "1"}, {"b", "x y z"}, {"flag", ""}, {"empty", ""}, {"k=", "v&"}};
  EXPECT_EQ(*parameters, expected);
  EXPECT_FALSE(ParseQueryString("a=%zz").ok());
  EXPECT_FALSE(ParseQueryString("a=%4").ok());
  EXPECT_EQ(PercentDecode("a+b", false).value_or(""), "a+b");
  EXPECT_EQ(PercentDecode("%41%62", false).value_or(""), "Ab");
  EXPECT_FALSE(PercentDecode("%", true).has_value());
}

}  // namespace
}  // namespace auralink::signal::http
