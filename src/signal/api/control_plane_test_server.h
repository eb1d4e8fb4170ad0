// The control plane's HTTP side on loopback for tests: an HttpServer with the RoomService API,
// /rtc/validate and the dev test hooks over an InMemoryRoomControl, its loop on a thread of its
// own, and an issuer of tokens for the configured key.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "net/event_loop.h"
#include "signal/api/in_memory_room_control.h"
#include "signal/api/room_service_api.h"
#include "signal/api/rtc_join_admission.h"
#include "signal/auth/access_token_issuer.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/http/http_server.h"

namespace auralink::signal {

inline constexpr const char* kTestApiKey = "APItestkey";
inline constexpr const char* kTestApiSecret = "a-secret-of-reasonable-length-0123456789";

struct ControlPlaneTestOptions {
  RoomServiceApiOptions api;
  RtcJoinPolicy join_policy;  // room_exists is wired to the in-memory rooms when unset
  bool dev_hooks = true;
  // Registers a stand-in for the lead's /rtc WebSocket route, to check that the longer
  // /rtc/validate and /rtc/v1 routes win over it.
  bool rtc_websocket_route = true;
};

class ControlPlaneTestServer {
 public:
  explicit ControlPlaneTestServer(ControlPlaneTestOptions options = {});
  ~ControlPlaneTestServer();

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }
  InMemoryRoomControl& rooms() { return rooms_; }

  // A token signed with the test key for `identity` with `grant`, valid from now for `ttl_s`
  // (negative `issued_offset_s` issues it in the past, for expired tokens).
  std::string Token(const VideoGrant& grant, const std::string& identity = "admin",
                    int64_t issued_offset_s = 0, int64_t ttl_s = 600) const;
  // The same claims signed with another secret under the test key (bad signature).
  std::string ForgedToken(const VideoGrant& grant) const;

 private:
  Status Start(ControlPlaneTestOptions options);

  InMemoryRoomControl rooms_;
  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<AccessTokenVerifier> verifier_;
  std::unique_ptr<AccessTokenIssuer> issuer_;
  std::unique_ptr<AccessTokenIssuer> forger_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
  std::string error_;
};

}  // namespace auralink::signal
