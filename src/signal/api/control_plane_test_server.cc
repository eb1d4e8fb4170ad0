#include "signal/api/control_plane_test_server.h"

#include "signal/api/dev_test_hooks.h"
#include "signal/api/request_token.h"
#include "signal/auth/api_key_provider.h"

namespace auralink::signal {

ControlPlaneTestServer::ControlPlaneTestServer(ControlPlaneTestOptions options) {
  if (Status started = Start(std::move(options)); !started.ok()) error_ = started.message();
}

Status ControlPlaneTestServer::Start(ControlPlaneTestOptions options) {
  auto loop = net::EventLoop::Create();
  if (!loop.ok()) return loop.status();
  loop_ = std::move(loop).value();
  auto keys = StaticApiKeyProvider::Create({{kTestApiKey, kTestApiSecret}});
  if (!keys.ok()) return keys.status();
  auto verifier =
      AccessTokenVerifier::Create(std::shared_ptr<const ApiKeyProvider>(std::move(keys).value()));
  if (!verifier.ok()) return verifier.status();
  verifier_ = std::move(verifier).value();
  auto issuer = AccessTokenIssuer::Create(kTestApiKey, kTestApiSecret);
  auto forger = AccessTokenIssuer::Create(kTestApiKey, "not-the-secret-at-all-0123456789");
  if (!issuer.ok()) return issuer.status();
  if (!forger.ok()) return forger.status();
  issuer_ = std::move(issuer).value();
  forger_ = std::move(forger).value();

  auto server = http::HttpServer::Create(loop_.get(), *net::SocketAddress::FromIp("127.0.0.1", 0));
  if (!server.ok()) return server.status();
  server_ = std::move(server).value();
  port_ = server_->local_address().port();
  if (options.rtc_websocket_route) {
    server_->HandleWebSocket("/rtc", [](const http::HttpRequest&, http::WebSocketUpgrade& upgrade) {
      upgrade.Reject(http::HttpResponse::Text(418, "the test's stand-in for /rtc"));
    });
  }
  if (Status registered =
          RegisterRoomServiceApi(server_.get(), &rooms_, verifier_.get(), std::move(options.api));
      !registered.ok()) {
    return registered;
  }
  if (!options.join_policy.room_exists) {
    options.join_policy.room_exists = [this](const std::string& room) {
      return !rooms_.ListRooms({room}).empty();
    };
  }
  if (Status registered =
          RegisterRtcValidateRoutes(server_.get(), verifier_.get(), options.join_policy);
      !registered.ok()) {
    return registered;
  }
  if (options.dev_hooks) {
    if (Status registered = RegisterDevTestHooks(server_.get(), &rooms_, verifier_.get());
        !registered.ok()) {
      return registered;
    }
  }
  thread_ = std::thread([this] { loop_->Run(); });
  return Status::Ok();
}

ControlPlaneTestServer::~ControlPlaneTestServer() {
  if (thread_.joinable()) {
    loop_->Post([this] { server_.reset(); });
    // Stop after the posted task has run: a second post is queued behind it.
    loop_->Post([this] { loop_->Stop(); });
    thread_.join();
  }
  server_.reset();
}

std::string ControlPlaneTestServer::Token(const VideoGrant& grant, const std::string& identity,
                                          int64_t issued_offset_s, int64_t ttl_s) const {
  ClaimGrants grants;
  grants.identity = identity;
  grants.video = grant;
  auto token = issuer_->Issue(grants, UnixTimeSeconds() + issued_offset_s, ttl_s);
  return token.ok() ? *token : std::string();
}

std::string ControlPlaneTestServer::ForgedToken(const VideoGrant& grant) const {
  ClaimGrants grants;
  grants.identity = "mallory";
  grants.video = grant;
  auto token = forger_->Issue(grants, UnixTimeSeconds());
  return token.ok() ? *token : std::string();
}

}  // namespace auralink::signal
