#include "signal/config/server_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace auralink::signal {
namespace {

// The defaults docs/server-config.md documents, checked field by field.
TEST(ServerConfigTest, DefaultsAreTheDocumentedOnes) {
  const ServerConfig config;
  EXPECT_EQ(config.port, 7880);
  EXPECT_TRUE(config.bind_addresses.empty());
  EXPECT_EQ(config.rtc.udp_port, 7882);
  EXPECT_EQ(config.rtc.tcp_port, 7881);
  EXPECT_EQ(config.rtc.port_range_start, 50000);
  EXPECT_EQ(config.rtc.port_range_end, 60000);
  EXPECT_FALSE(config.rtc.use_external_ip);
  EXPECT_TRUE(config.rtc.node_ip.empty());
  EXPECT_FALSE(config.rtc.enable_loopback_candidate);
  EXPECT_EQ(config.rtc.workers, 1u);
  EXPECT_FALSE(config.rtc.measure_hop_latency);
  EXPECT_FALSE(config.rtc.raw_udp_send);
  EXPECT_TRUE(config.keys.empty());
  EXPECT_EQ(config.logging.level, "info");
  EXPECT_TRUE(config.room.auto_create);
  EXPECT_EQ(config.room.empty_timeout_s, 300u);
  EXPECT_EQ(config.room.departure_timeout_s, 20u);
  EXPECT_EQ(config.room.max_participants, 0u);
  EXPECT_EQ(config.limit.num_tracks, -1);
  EXPECT_FALSE(config.development);

  const auto empty = ParseServerConfig("");
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_EQ(*empty, config);
}

TEST(ServerConfigTest, ReadsLivekitStyleYaml) {
  const auto config = ParseServerConfig(R"(
# a livekit-server config.yaml restricted to the settings AuraLink shares
port: 7890
bind_addresses:
  - 127.0.0.1
  - "::1"
rtc:
  udp_port: 7892
  tcp_port: 0
  port_range_start: 40000
  port_range_end: 40100
  use_external_ip: true
  node_ip: 203.0.113.7
  enable_loopback_candidate: true
  interfaces:
    includes: [eth0]
    excludes: [docker0, "veth*"]
keys:
  APIabc: "secretsecretsecretsecretsecret12"
  devkey: secret
logging:
  level: debug
  json: true
room:
  auto_create: false
  empty_timeout: 60
  departure_timeout: 5
  max_participants: 50
limit:
  num_tracks: 100
  bytes_per_sec: 10000000000
  max_metadata_size: 1024
development: false
)");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->port, 7890);
  EXPECT_EQ(config->bind_addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(config->rtc.udp_port, 7892);
  EXPECT_EQ(config->rtc.tcp_port, 0);
  EXPECT_EQ(config->rtc.port_range_start, 40000);
  EXPECT_EQ(config->rtc.port_range_end, 40100);
  EXPECT_TRUE(config->rtc.use_external_ip);
  EXPECT_EQ(config->rtc.node_ip, "203.0.113.7");
  EXPECT_TRUE(config->rtc.enable_loopback_candidate);
  EXPECT_EQ(config->rtc.interface_includes, std::vector<std::string>{"eth0"});
  EXPECT_EQ(config->rtc.interface_excludes, (std::vector<std::string>{"docker0", "veth*"}));
  EXPECT_EQ(config->keys.size(), 2u);
  EXPECT_EQ(config->keys.at("devkey"), "secret");
  EXPECT_EQ(config->logging.level, "debug");
  EXPECT_TRUE(config->logging.json);
  EXPECT_FALSE(config->room.auto_create);
  EXPECT_EQ(config->room.empty_timeout_s, 60u);
  EXPECT_EQ(config->room.departure_timeout_s, 5u);
  EXPECT_EQ(config->room.max_participants, 50u);
  EXPECT_EQ(config->limit.num_tracks, 100);
  EXPECT_EQ(config->limit.bytes_per_sec, 10000000000u);
  EXPECT_EQ(config->limit.max_metadata_size, 1024u);
  EXPECT_EQ(config->limit.max_room_name_length, 256u);  // untouched default
  EXPECT_TRUE(config->Validate().ok()) << config->Validate().message();
}

TEST(ServerConfigTest, ReadsAuralinksOwnRtcKeys) {
  const auto config =
      ParseServerConfig("rtc:\n  workers: 2\n  measure_hop_latency: true\n  raw_udp_send: true\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->rtc.workers, 2u);
  EXPECT_TRUE(config->rtc.measure_hop_latency);
  EXPECT_TRUE(config->rtc.raw_udp_send);
}

TEST(ServerConfigTest, UnknownKeysAreErrorsNamingTheKeyAndLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"port: 7880\nprot: 1\n", "config line 2: \"prot\" is not a known setting"},
      {"rtc:\n  udp_prot: 7882\n", "config line 2: \"rtc.udp_prot\" is not a known setting"},
      {"rtc:\n  interfaces:\n    include: [a]\n", "\"rtc.interfaces.include\" is not a known"},
      {"redis:\n  address: x\n", "\"redis\" is a livekit-server setting AuraLink does not support"},
      {"room:\n  enabled_codecs: []\n", "\"room.enabled_codecs\" is a livekit-server setting"},
  };
  for (const auto& [yaml, expected] : cases) {
    const auto config = ParseServerConfig(yaml);
    ASSERT_FALSE(config.ok()) << yaml;
    EXPECT_NE(config.status().message().find(expected), std::string::npos)
        << config.status().message();
  }
}

TEST(ServerConfigTest, WrongTypesAreErrorsWithTheLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"port: seventy\n",
       "config line 1: \"port\" must be an integer in 0..65535, got \"seventy\""},
      {"\nport: 70000\n", "config line 2: \"port\" must be an integer"},
      {"port: -1\n", "\"port\" must be an integer"},
      {"port: 7880.5\n", "\"port\" must be an integer"},
      {"rtc:\n  use_external_ip: maybe\n",
       "config line 2: \"rtc.use_external_ip\" must be true or false"},
      {"rtc: 5\n", "config line 1: \"rtc\" must be a map of settings"},
      {"bind_addresses: 127.0.0.1\n", "\"bind_addresses\" must be a list of strings"},
      {"keys: [a, b]\n", "\"keys\" must be a map of API key to secret"},
      {"keys:\n  a: [1]\n", "\"keys\" must be a map"},
      {"room:\n\n  empty_timeout: 5m\n",
       "config line 3: \"room.empty_timeout\" must be an integer"},
      {"limit:\n  num_tracks: -2\n", "\"limit.num_tracks\" must be an integer in -1.."},
      {"logging:\n  level: [debug]\n", "\"logging.level\" must be a string"},
      {"- a\n- b\n", "\"config\" must be a map of settings"},
      {"port: [7880\n", "YAML syntax error"},
      {"port: 1\nport: 2\n",
       ""},  // duplicate keys: either an error or the last wins, never a crash
  };
  for (const auto& [yaml, expected] : cases) {
    const auto config = ParseServerConfig(yaml);
    if (*expected == '\0') continue;
    ASSERT_FALSE(config.ok()) << yaml;
    EXPECT_NE(config.status().message().find(expected), std::string::npos)
        << yaml << " -> " << config.status().message();
  }
}

TEST(ServerConfigTest, ValidateNamesTheBadSetting) {
  ServerConfig config;
  EXPECT_NE(config.Validate().message().find("no API keys"), std::string::npos);
  config.keys = {{"devkey", "secret"}};
  EXPECT_TRUE(config.Validate().ok());

  ServerConfig clash = config;
  clash.rtc.udp_port = 7880;
  EXPECT_NE(clash.Validate().message().find("rtc.udp_port"), std::string::npos);
  ServerConfig no_media = config;
  no_media.rtc.udp_port = 0;
  no_media.rtc.port_range_start = 6000;
  no_media.rtc.port_range_end = 5000;
  EXPECT_NE(no_media.Validate().message().find("rtc.port_range_start"), std::string::npos);
  no_media.rtc.port_range_end = 6000;
  EXPECT_TRUE(no_media.Validate().ok());
  ServerConfig workers = config;
  workers.rtc.workers = 4;
  EXPECT_TRUE(workers.Validate().ok());  // UDP 7882..7885, TCP 7881..7884
  workers.rtc.tcp_port = 7877;           // TCP 7877..7880 would take the HTTP port
  EXPECT_NE(workers.Validate().message().find("rtc.tcp_port"), std::string::npos);
  workers.rtc.tcp_port = 7881;
  workers.rtc.udp_port = 65534;
  EXPECT_NE(workers.Validate().message().find("65535"), std::string::npos);
  ServerConfig bad_level = config;
  bad_level.logging.level = "loud";
  EXPECT_NE(bad_level.Validate().message().find("logging.level"), std::string::npos);
  ServerConfig empty_secret = config;
  empty_secret.keys["other"] = "";
  EXPECT_NE(empty_secret.Validate().message().find("\"other\""), std::string::npos);
}

TEST(ServerConfigTest, DevelopmentDefaultsLikeLivekitServerDev) {
  ServerConfig config;
  ApplyDevelopmentDefaults(&config, {"192.0.2.10", "2001:db8::10", "127.0.0.1"});
  EXPECT_TRUE(config.development);
  EXPECT_EQ(config.keys, (std::map<std::string, std::string>{{"devkey", "secret"}}));
  EXPECT_EQ(config.bind_addresses,
            (std::vector<std::string>{"127.0.0.1", "::1", "192.0.2.10", "2001:db8::10"}));
  EXPECT_TRUE(config.rtc.enable_loopback_candidate);
  EXPECT_EQ(config.port, 7880);
  EXPECT_TRUE(config.Validate().ok());

  // Configured keys and addresses are kept.
  ServerConfig configured;
  configured.keys = {{"mine", "mysecret"}};
  configured.bind_addresses = {"10.0.0.1"};
  ApplyDevelopmentDefaults(&configured, {"192.0.2.10"});
  EXPECT_EQ(configured.keys, (std::map<std::string, std::string>{{"mine", "mysecret"}}));
  EXPECT_EQ(configured.bind_addresses, std::vector<std::string>{"10.0.0.1"});
}

TEST(ServerConfigTest, LivekitKeysEnvironmentReplacesKeys) {
  ServerConfig config;
  config.keys = {{"fromfile", "x"}};
  const auto env = [](const char* value) {
    return [value](const char* name) -> const char* {
      return std::string(name) == "LIVEKIT_KEYS" ? value : nullptr;
    };
  };
  ASSERT_TRUE(ApplyEnvironment(&config, env("key1: secret1, key2:secret2")).ok());
  EXPECT_EQ(config.keys,
            (std::map<std::string, std::string>{{"key1", "secret1"}, {"key2", "secret2"}}));
  ASSERT_TRUE(ApplyEnvironment(&config, env("a: b\nc: d:e\n")).ok());
  EXPECT_EQ(config.keys, (std::map<std::string, std::string>{{"a", "b"}, {"c", "d:e"}}));
  ASSERT_TRUE(ApplyEnvironment(&config, env(nullptr)).ok());  // unset: unchanged
  EXPECT_EQ(config.keys.size(), 2u);
  EXPECT_FALSE(ApplyEnvironment(&config, env("novalue")).ok());
  EXPECT_FALSE(ApplyEnvironment(&config, env("key: ")).ok());
  EXPECT_FALSE(ApplyEnvironment(&config, env(" , ")).ok());
}

TEST(ServerConfigTest, LoadsFilesAndNamesThemInErrors) {
  const std::string path =
      testing::TempDir() + "auralink_server_config_" + std::to_string(getpid()) + ".yaml";
  std::ofstream(path) << "port: 7999\nkeys:\n  k: s\n";
  const auto config = LoadServerConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->port, 7999);
  std::ofstream(path) << "port: x\n";
  const auto bad = LoadServerConfigFile(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(path), std::string::npos);
  EXPECT_NE(bad.status().message().find("line 1"), std::string::npos);
  std::filesystem::remove(path);
  EXPECT_FALSE(LoadServerConfigFile(path).ok());
}

}  // namespace
}  // namespace auralink::signal
