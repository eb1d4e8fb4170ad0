#include "cli/serve_command.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "signal/api/in_memory_room_control.h"
#include "signal/api/loopback_http_client.h"
#include "signal/api/request_token.h"
#include "signal/auth/access_token_issuer.h"

namespace auralink::cli {
namespace {

StatusOr<ServeSettings> Settings(const std::vector<std::string>& args,
                                 const char* livekit_keys = nullptr) {
  return ServeSettingsFromArguments(args, [livekit_keys](const char* name) -> const char* {
    return std::string(name) == "LIVEKIT_KEYS" ? livekit_keys : nullptr;
  });
}

std::filesystem::path WriteTempFile(const std::string& name, const std::string& text) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / (std::to_string(getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path;
}

// A port nothing listens on right now (the kernel's choice for an ephemeral bind).
uint16_t FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

TEST(ServeSettingsTest, DevModeUsesLiveKitDevDefaults) {
  auto settings = Settings({"--dev"});
  ASSERT_TRUE(settings.ok()) << settings.status().message();
  EXPECT_TRUE(settings->config.development);
  EXPECT_EQ(settings->config.port, 7880);
  EXPECT_EQ(settings->config.keys, (std::map<std::string, std::string>{{"devkey", "secret"}}));
  EXPECT_TRUE(settings->bind_addresses_defaulted);
  ASSERT_FALSE(settings->config.bind_addresses.empty());
  EXPECT_EQ(settings->config.bind_addresses[0], "127.0.0.1");
}

TEST(ServeSettingsTest, FlagsOverrideEnvironmentAndFile) {
  const auto config = WriteTempFile("serve.yaml", "port: 7990\nkeys:\n  filekey: filesecret\n");
  auto from_file = Settings({"--config", config.string()});
  ASSERT_TRUE(from_file.ok()) << from_file.status().message();
  EXPECT_EQ(from_file->config.port, 7990);
  EXPECT_EQ(from_file->config.keys.at("filekey"), "filesecret");
  EXPECT_FALSE(from_file->config.development);

  auto from_environment = Settings({"--config", config.string()}, "envkey: envsecret");
  ASSERT_TRUE(from_environment.ok());
  EXPECT_EQ(from_environment->config.keys,
            (std::map<std::string, std::string>{{"envkey", "envsecret"}}));

  auto from_flags = Settings({"--config", config.string(), "--keys", "k1: s1, k2: s2", "--port",
                              "9001", "--bind", "127.0.0.1, ::1"},
                             "envkey: envsecret");
  ASSERT_TRUE(from_flags.ok()) << from_flags.status().message();
  EXPECT_EQ(from_flags->config.keys.size(), 2u);
  EXPECT_EQ(from_flags->config.keys.at("k2"), "s2");
  EXPECT_EQ(from_flags->config.port, 9001);
  EXPECT_EQ(from_flags->config.bind_addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));

  // --dev keeps configured keys and addresses.
  auto dev = Settings({"--dev", "--keys", "mine: mysecret", "--bind", "127.0.0.1"});
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(dev->config.keys, (std::map<std::string, std::string>{{"mine", "mysecret"}}));
  EXPECT_EQ(dev->config.bind_addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_FALSE(dev->bind_addresses_defaulted);
  std::filesystem::remove(config);
}

TEST(ServeSettingsTest, RefusesBadConfigurations) {
  EXPECT_FALSE(Settings({}).ok());  // no keys without --dev
  EXPECT_NE(Settings({}).status().message().find("keys"), std::string::npos);
  EXPECT_FALSE(Settings({"--dev", "--port", "0"}).ok());
  EXPECT_FALSE(Settings({"--dev", "--port", "70000"}).ok());
  EXPECT_FALSE(Settings({"--dev", "--port", "http"}).ok());
  EXPECT_FALSE(Settings({"--dev", "--bind", "localhost"}).ok());
  EXPECT_FALSE(Settings({"--dev", "--keys", "no-colon"}).ok());
  EXPECT_FALSE(Settings({"--dev", "--verbose"}).ok());
  EXPECT_FALSE(Settings({"--dev", "extra"}).ok());
  EXPECT_FALSE(Settings({"--config", "/nonexistent/auralink.yaml"}).ok());
  const auto unknown = WriteTempFile("unknown.yaml", "keys:\n  a: b\nno_such_setting: 1\n");
  auto refused = Settings({"--config", unknown.string()});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("no_such_setting"), std::string::npos)
      << refused.status().message();
  std::filesystem::remove(unknown);
}

TEST(ServeCommandTest, ExitsWith2OnABadConfigOrWithoutAnRtcServer) {
  SetRtcServerFactory(nullptr);
  EXPECT_EQ(RunServeCommand({"--port", "not-a-port", "--dev"}), 2);
  EXPECT_EQ(RunServeCommand(
                {"--dev", "--bind", "127.0.0.1", "--port", std::to_string(FreeLoopbackPort())}),
            2);
  SetRtcServerFactory([](signal::ServeContext&) { return Status::Error("no ICE port"); });
  EXPECT_EQ(RunServeCommand(
                {"--dev", "--bind", "127.0.0.1", "--port", std::to_string(FreeLoopbackPort())}),
            2);
  SetRtcServerFactory([](signal::ServeContext&) { return Status::Ok(); });  // no RoomControl
  EXPECT_EQ(RunServeCommand(
                {"--dev", "--bind", "127.0.0.1", "--port", std::to_string(FreeLoopbackPort())}),
            2);
  SetRtcServerFactory(nullptr);
}

TEST(ServeCommandTest, ServesTheApiUntilSigterm) {
  signal::InMemoryRoomControl rooms;
  sfu::ParticipantDescription bob;
  bob.identity = "bob";
  rooms.AddParticipant("standup", bob);
  std::promise<signal::ServeContext> attached;
  SetRtcServerFactory([&](signal::ServeContext& context) {
    context.room_control = &rooms;
    context.rtc_server = std::make_shared<int>(1);
    attached.set_value(context);
    return Status::Ok();
  });
  const uint16_t port = FreeLoopbackPort();
  auto exit_status = std::async(std::launch::async, [port] {
    return RunServeCommand({"--dev", "--bind", "127.0.0.1", "--port", std::to_string(port)});
  });
  auto context_future = attached.get_future();
  ASSERT_EQ(context_future.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  const signal::ServeContext context = context_future.get();
  EXPECT_NE(context.loop, nullptr);
  ASSERT_EQ(context.http_servers.size(), 1u);
  EXPECT_EQ(context.http_servers[0]->local_address().port(), port);
  ASSERT_NE(context.config, nullptr);
  EXPECT_TRUE(context.config->development);
  EXPECT_NE(context.verifier, nullptr);
  EXPECT_EQ(context.ice_addresses, std::vector<std::string>{"127.0.0.1"});

  // The loop may not have reached Run() yet; requests wait in the listen queue until it does.
  const signal::LoopbackHttpResponse health = signal::SendLoopbackHttpRequest(port, "GET", "/");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "OK");
  EXPECT_EQ(signal::SendLoopbackHttpRequest(port, "GET", "/no/such/path").status, 404);

  auto issuer = signal::AccessTokenIssuer::Create("devkey", "secret");
  ASSERT_TRUE(issuer.ok());
  const auto token = [&](signal::VideoGrant grant) {
    signal::ClaimGrants grants;
    grants.identity = "alice";
    grants.video = std::move(grant);
    return *(*issuer)->Issue(grants, signal::UnixTimeSeconds());
  };
  signal::VideoGrant join;
  join.room_join = true;
  join.room = "standup";
  const auto validate =
      signal::SendLoopbackHttpRequest(port, "GET", "/rtc/validate?access_token=" + token(join));
  EXPECT_EQ(validate.status, 200);
  EXPECT_EQ(validate.body, "success");
  // livekit-client's default signalling path is served too.
  const auto validate_v1 =
      signal::SendLoopbackHttpRequest(port, "GET", "/rtc/v1/validate?access_token=" + token(join));
  EXPECT_EQ(validate_v1.status, 200);
  EXPECT_EQ(validate_v1.body, "success");

  signal::VideoGrant list;
  list.room_list = true;
  const auto listed = signal::SendLoopbackHttpRequest(
      port, "POST", "/twirp/livekit.RoomService/ListRooms",
      {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token(list)}}, "{}");
  EXPECT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(nlohmann::json::parse(listed.body)["rooms"][0]["name"], "standup");

  // --dev registers the test hook.
  signal::VideoGrant admin;
  admin.room_admin = true;
  admin.room = "standup";
  const auto limited = signal::SendLoopbackHttpRequest(
      port, "POST", "/debug/limit-subscriber-bandwidth",
      {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token(admin)}},
      R"({"room":"standup","identity":"bob","kbps":250})");
  EXPECT_EQ(limited.status, 200) << limited.body;
  EXPECT_EQ(rooms.bandwidth_limits().at("standup/bob"), 250);

  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  ASSERT_EQ(exit_status.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(exit_status.get(), 0);
  SetRtcServerFactory(nullptr);
  // The previous disposition is back: the listener is gone.
  EXPECT_EQ(signal::SendLoopbackHttpRequest(port, "GET", "/").status, 0);
}

}  // namespace
}  // namespace auralink::cli
