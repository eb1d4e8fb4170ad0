// Interoperability with Node's own HTTP and WebSocket clients (undici's fetch and WebSocket, the
// ones browsers' semantics follow): the server runs its loop on a thread while node talks to it.
// Skips when node is not installed; the WebSocket part needs Node 22, Node 20 with
// --experimental-websocket, or the `ws` package under tests/livekit/node_modules.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "signal/http/http_server.h"

namespace auralink::signal::http {
namespace {

constexpr const char* kScript = R"JS(
const port = process.argv[2];
const wsPackage = process.argv[3];
const base = `127.0.0.1:${port}`;
(async () => {
  const out = {};
  const validate = await fetch(`http://${base}/rtc/validate?access_token=good`,
                               {headers: {Origin: 'http://app.example'}});
  out.validate = {status: validate.status, body: await validate.text(),
                  cors: validate.headers.get('access-control-allow-origin')};
  const post = await fetch(`http://${base}/echo`, {method: 'POST', body: JSON.stringify({x: 1}),
                                                   headers: {'content-type': 'application/json'}});
  out.post = {status: post.status, body: await post.text()};
  let WS = globalThis.WebSocket;
  if (!WS) { try { WS = require(wsPackage); } catch (e) {} }
  if (!WS) { out.websocket = 'unavailable'; console.log(JSON.stringify(out)); return; }
  out.websocket = await new Promise((resolve) => {
    const ws = new WS(`ws://${base}/rtc?access_token=good`);
    ws.binaryType = 'arraybuffer';
    const got = [];
    ws.onopen = () => {
      ws.send('hello from node');
      ws.send(new Uint8Array([1, 2, 3, 250]).buffer);
      ws.send('x'.repeat(300000));
    };
    ws.onmessage = (event) => {
      const data = event.data;
      got.push(typeof data === 'string'
                   ? (data.length > 100 ? `long:${data.length}` : data)
                   : `bin:${Array.from(new Uint8Array(data)).join(',')}`);
      if (got.length === 3) ws.close(4001, 'node done');
    };
    ws.onerror = () => {};
    ws.onclose = (event) => resolve({got, code: event.code, reason: event.reason});
  });
  out.rejected = await new Promise((resolve) => {
    const ws = new WS(`ws://${base}/rtc?access_token=bad`);
    // Node 20's undici reports a refused handshake with 'error' and may never fire 'close'.
    ws.onerror = () => resolve({failed: true});
    ws.onclose = (event) => resolve({failed: event.code === 1006});
    ws.onopen = () => resolve({failed: false});
  });
  console.log(JSON.stringify(out));
})().catch((error) => console.log(JSON.stringify({error: String(error)})));
)JS";

std::string RunCommand(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  size_t count;
  while ((count = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, count);
  const int status = pclose(pipe);
  if (status != 0) output += "\n(exit status " + std::to_string(status) + ")";
  return output;
}

TEST(NodeInteropTest, FetchAndWebSocketFromNode) {
  if (std::system("node --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed";
  const std::string flags = std::system("node --experimental-websocket -e 0 > /dev/null 2>&1") == 0
                                ? "--experimental-websocket --no-warnings"
                                : "--no-warnings";
  const std::filesystem::path script =
      std::filesystem::temp_directory_path() /
      ("auralink_node_interop_" + std::to_string(getpid()) + ".js");
  std::ofstream(script) << kScript;

  auto created_loop = net::EventLoop::Create();
  ASSERT_TRUE(created_loop.ok()) << created_loop.status().message();
  std::unique_ptr<net::EventLoop> loop = std::move(created_loop).value();
  HttpServerOptions options;
  options.websocket.max_message_bytes = 1 << 20;
  auto created =
      HttpServer::Create(loop.get(), *net::SocketAddress::FromIp("127.0.0.1", 0), options);
  ASSERT_TRUE(created.ok()) << created.status().message();
  std::unique_ptr<HttpServer> server = std::move(created).value();
  std::string validate_origin;
  server->Handle("GET", "/rtc/validate", [&](const HttpRequest& request, HttpResponder respond) {
    validate_origin = request.Header("Origin").value_or("");
    respond(HttpResponse::Text(200, "success"));
  });
  server->Handle("POST", "/echo", [](const HttpRequest& request, HttpResponder respond) {
    respond(HttpResponse::Json(200, request.body));
  });
  std::vector<uint16_t> close_codes;
  server->HandleWebSocket("/rtc", [&](const HttpRequest& request, WebSocketUpgrade& upgrade) {
    if (request.QueryParameter("access_token") != "good") {
      upgrade.Reject(HttpResponse::Text(401, "invalid token"));
      return;
    }
    auto websocket = upgrade.Accept();
    WebSocketConnection* raw = websocket.get();
    websocket->set_message_callback([raw](WebSocketMessageType type,
                                          std::span<const uint8_t> data) {
      if (type == WebSocketMessageType::kText) {
        raw->SendText(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
      } else {
        raw->SendBinary(data);
      }
    });
    websocket->set_close_callback(
        [&](uint16_t code, std::string_view) { close_codes.push_back(code); });
  });
  const uint16_t port = server->local_address().port();
  std::thread loop_thread([&] { loop->Run(); });
  const std::string ws_package =
      (std::filesystem::path(AURALINK_SOURCE_DIR) / "tests/livekit/node_modules/ws").string();
  const std::string output = RunCommand("timeout 60 node " + flags + " " + script.string() + " " +
                                        std::to_string(port) + " " + ws_package + " 2>&1");
  loop->Post([&] { server.reset(); });
  loop->Stop();
  loop_thread.join();
  server.reset();
  std::filesystem::remove(script);

  const nlohmann::json result = nlohmann::json::parse(output, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(result.is_discarded()) << "node printed: " << output << " for: " << flags;
  ASSERT_FALSE(result.contains("error")) << output;
  EXPECT_EQ(result["validate"]["status"], 200);
  EXPECT_EQ(result["validate"]["body"], "success");
  EXPECT_EQ(result["validate"]["cors"], "*");
  EXPECT_EQ(validate_origin, "http://app.example");
  EXPECT_EQ(result["post"]["status"], 200);
  EXPECT_EQ(result["post"]["body"], "{\"x\":1}");
  if (result["websocket"] == "unavailable") {
    GTEST_SKIP() << "no WebSocket in this node (" << output << ")";
  }
  EXPECT_EQ(result["websocket"]["got"],
            nlohmann::json::array({"hello from node", "bin:1,2,3,250", "long:300000"}));
  EXPECT_EQ(result["websocket"]["code"], 4001);
  EXPECT_EQ(result["websocket"]["reason"], "node done");
  ASSERT_EQ(close_codes.size(), 1u);
  EXPECT_EQ(close_codes[0], 4001);
  // A refused handshake is a failed connection to the browser API (error event / close 1006).
  EXPECT_EQ(result["rejected"]["failed"], true);
}

}  // namespace
}  // namespace auralink::signal::http
