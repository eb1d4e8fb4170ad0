#include "signal/config/server_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>

#include "common/log.h"
#include "common/whole_file.h"

namespace auralink::signal {
namespace {

// livekit-server settings outside what AuraLink implements: named as such rather than as typos.
const std::set<std::string, std::less<>> kLivekitOnlyKeys = {"redis",
                                                             "turn",
                                                             "webhook",
                                                             "prometheus_port",
                                                             "prometheus",
                                                             "ingress",
                                                             "egress",
                                                             "sip",
                                                             "node_selector",
                                                             "signal_relay",
                                                             "psrpc",
                                                             "region",
                                                             "key_file",
                                                             "audio",
                                                             "video",
                                                             "rpc",
                                                             "agents",
                                                             "store",
                                                             "rtc.stun_servers",
                                                             "rtc.turn_servers",
                                                             "rtc.congestion_control",
                                                             "rtc.allow_tcp_fallback",
                                                             "rtc.ips",
                                                             "rtc.use_ice_lite",
                                                             "rtc.batch_io",
                                                             "rtc.pli_throttle",
                                                             "room.enabled_codecs",
                                                             "room.playout_delay",
                                                             "room.sync_streams",
                                                             "logging.pion_level",
                                                             "logging.sample"};

std::string Where(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? std::string("config") : "config line " + std::to_string(mark.line + 1);
}

Status NodeError(const YAML::Node& node, const std::string& key, const std::string& problem) {
  return Status::Error(Where(node) + ": \"" + key + "\" " + problem);
}

std::string ScalarText(const YAML::Node& node) {
  return node.IsScalar() ? node.Scalar() : (node.IsSequence() ? "a list" : "a map");
}

template <typename T>
Status ReadInteger(const YAML::Node& node, const std::string& key, T min, T max, T* out) {
  const auto fail = [&] {
    return NodeError(node, key,
                     "must be an integer in " + std::to_string(min) + ".." + std::to_string(max) +
                         ", got \"" + ScalarText(node).substr(0, 64) + "\"");
  };
  if (!node.IsScalar()) return fail();
  const std::string& text = node.Scalar();
  if (text.empty()) return fail();
  if constexpr (std::is_signed_v<T>) {
    int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
      return fail();
    }
    *out = static_cast<T>(value);
  } else {
    uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
      return fail();
    }
    *out = static_cast<T>(value);
  }
  return Status::Ok();
}

Status ReadPort(const YAML::Node& node, const std::string& key, uint16_t* out) {
  return ReadInteger<uint16_t>(node, key, 0, 65535, out);
}

Status ReadBool(const YAML::Node& node, const std::string& key, bool* out) {
  if (node.IsScalar()) {
    const std::string& text = node.Scalar();
    if (text == "true" || text == "True" || text == "TRUE") {
      *out = true;
      return Status::Ok();
    }
    if (text == "false" || text == "False" || text == "FALSE") {
      *out = false;
      return Status::Ok();
    }
  }
  return NodeError(node, key,
                   "must be true or false, got \"" + ScalarText(node).substr(0, 64) + "\"");
}

Status ReadString(const YAML::Node& node, const std::string& key, std::string* out) {
  if (node.IsNull()) {
    out->clear();
    return Status::Ok();
  }
  if (!node.IsScalar()) return NodeError(node, key, "must be a string, got " + ScalarText(node));
  *out = node.Scalar();
  return Status::Ok();
}

Status ReadStringList(const YAML::Node& node, const std::string& key,
                      std::vector<std::string>* out) {
  out->clear();
  if (node.IsNull()) return Status::Ok();
  if (!node.IsSequence()) return NodeError(node, key, "must be a list of strings");
  for (const auto& item : node) {
    if (!item.IsScalar()) return NodeError(item, key, "must be a list of strings");
    out->push_back(item.Scalar());
  }
  return Status::Ok();
}

using FieldReader = std::function<Status(const YAML::Node& value, const std::string& key)>;

// Reads each entry of the map `node` with the reader registered for its key; `prefix` makes the
// dotted name used in errors ("rtc." for the rtc section).
Status ReadSection(const YAML::Node& node, const std::string& prefix,
                   const std::map<std::string, FieldReader, std::less<>>& readers) {
  if (node.IsNull()) return Status::Ok();
  if (!node.IsMap()) {
    return NodeError(node, prefix.empty() ? "config" : prefix.substr(0, prefix.size() - 1),
                     "must be a map of settings");
  }
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) return NodeError(entry.first, prefix + "?", "key is not a string");
    const std::string key = prefix + entry.first.Scalar();
    const auto reader = readers.find(entry.first.Scalar());
    if (reader == readers.end()) {
      if (kLivekitOnlyKeys.count(key) != 0) {
        return NodeError(entry.first, key, "is a livekit-server setting AuraLink does not support");
      }
      return NodeError(entry.first, key, "is not a known setting (see docs/server-config.md)");
    }
    AURALINK_RETURN_IF_ERROR(reader->second(entry.second, key));
  }
  return Status::Ok();
}

Status ReadRtc(const YAML::Node& node, RtcConfig* rtc) {
  return ReadSection(
      node, "rtc.",
      {
          {"udp_port", [&](auto& v, auto& k) { return ReadPort(v, k, &rtc->udp_port); }},
          {"tcp_port", [&](auto& v, auto& k) { return ReadPort(v, k, &rtc->tcp_port); }},
          {"port_range_start",
           [&](auto& v, auto& k) { return ReadPort(v, k, &rtc->port_range_start); }},
          {"port_range_end",
           [&](auto& v, auto& k) { return ReadPort(v, k, &rtc->port_range_end); }},
          {"use_external_ip",
           [&](auto& v, auto& k) { return ReadBool(v, k, &rtc->use_external_ip); }},
          {"node_ip", [&](auto& v, auto& k) { return ReadString(v, k, &rtc->node_ip); }},
          {"workers",
           [&](auto& v, auto& k) { return ReadInteger<uint32_t>(v, k, 1, 256, &rtc->workers); }},
          {"enable_loopback_candidate",
           [&](auto& v, auto& k) { return ReadBool(v, k, &rtc->enable_loopback_candidate); }},
          {"measure_hop_latency",
           [&](auto& v, auto& k) { return ReadBool(v, k, &rtc->measure_hop_latency); }},
          {"raw_udp_send", [&](auto& v, auto& k) { return ReadBool(v, k, &rtc->raw_udp_send); }},
          {"interfaces",
           [&](auto& v, auto&) {
             return ReadSection(v, "rtc.interfaces.",
                                {
                                    {"includes",
                                     [&](auto& v2, auto& k2) {
                                       return ReadStringList(v2, k2, &rtc->interface_includes);
                                     }},
                                    {"excludes",
                                     [&](auto& v2, auto& k2) {
                                       return ReadStringList(v2, k2, &rtc->interface_excludes);
                                     }},
                                });
           }},
      });
}

Status ReadRoom(const YAML::Node& node, RoomConfig* room) {
  constexpr uint32_t kMax = std::numeric_limits<uint32_t>::max();
  return ReadSection(
      node, "room.",
      {
          {"auto_create", [&](auto& v, auto& k) { return ReadBool(v, k, &room->auto_create); }},
          {"empty_timeout",
           [&](auto& v, auto& k) {
             return ReadInteger<uint32_t>(v, k, 0, kMax, &room->empty_timeout_s);
           }},
          {"departure_timeout",
           [&](auto& v, auto& k) {
             return ReadInteger<uint32_t>(v, k, 0, kMax, &room->departure_timeout_s);
           }},
          {"max_participants",
           [&](auto& v, auto& k) {
             return ReadInteger<uint32_t>(v, k, 0, kMax, &room->max_participants);
           }},
      });
}

Status ReadLimit(const YAML::Node& node, LimitConfig* limit) {
  constexpr uint32_t kMax = std::numeric_limits<uint32_t>::max();
  const auto u32 = [&](uint32_t* field) {
    return [field, kMax](const YAML::Node& v, const std::string& k) {
      return ReadInteger<uint32_t>(v, k, 0, kMax, field);
    };
  };
  return ReadSection(
      node, "limit.",
      {
          {"num_tracks",
           [&](auto& v, auto& k) {
             return ReadInteger<int32_t>(v, k, -1, std::numeric_limits<int32_t>::max(),
                                         &limit->num_tracks);
           }},
          {"bytes_per_sec",
           [&](auto& v, auto& k) {
             return ReadInteger<uint64_t>(v, k, 0, std::numeric_limits<uint64_t>::max(),
                                          &limit->bytes_per_sec);
           }},
          {"subscription_limit_video", u32(&limit->subscription_limit_video)},
          {"subscription_limit_audio", u32(&limit->subscription_limit_audio)},
          {"max_metadata_size", u32(&limit->max_metadata_size)},
          {"max_attributes_size", u32(&limit->max_attributes_size)},
          {"max_room_name_length", u32(&limit->max_room_name_length)},
          {"max_participant_identity_length", u32(&limit->max_participant_identity_length)},
          {"max_participant_name_length", u32(&limit->max_participant_name_length)},
      });
}

Status ReadKeys(const YAML::Node& node, std::map<std::string, std::string>* keys) {
  keys->clear();
  if (node.IsNull()) return Status::Ok();
  if (!node.IsMap()) return NodeError(node, "keys", "must be a map of API key to secret");
  for (const auto& entry : node) {
    if (!entry.first.IsScalar() || !entry.second.IsScalar()) {
      return NodeError(entry.first, "keys", "must be a map of API key to secret");
    }
    (*keys)[entry.first.Scalar()] = entry.second.Scalar();
  }
  return Status::Ok();
}

Status ReadServerConfig(const YAML::Node& root, ServerConfig* config) {
  return ReadSection(
      root, "",
      {
          {"port", [&](auto& v, auto& k) { return ReadPort(v, k, &config->port); }},
          {"bind_addresses",
           [&](auto& v, auto& k) { return ReadStringList(v, k, &config->bind_addresses); }},
          {"rtc", [&](auto& v, auto&) { return ReadRtc(v, &config->rtc); }},
          {"keys", [&](auto& v, auto&) { return ReadKeys(v, &config->keys); }},
          {"logging",
           [&](auto& v, auto&) {
             return ReadSection(
                 v, "logging.",
                 {
                     {"level",
                      [&](auto& v2, auto& k2) {
                        return ReadString(v2, k2, &config->logging.level);
                      }},
                     {"json",
                      [&](auto& v2, auto& k2) { return ReadBool(v2, k2, &config->logging.json); }},
                 });
           }},
          {"room", [&](auto& v, auto&) { return ReadRoom(v, &config->room); }},
          {"limit", [&](auto& v, auto&) { return ReadLimit(v, &config->limit); }},
          {"development", [&](auto& v, auto& k) { return ReadBool(v, k, &config->development); }},
      });
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

Status ServerConfig::Validate() const {
  if (port == 0) return Status::Error("\"port\" must not be 0");
  if (rtc.udp_port != 0 && rtc.udp_port == port) {
    return Status::Error("\"rtc.udp_port\" and \"port\" are both " + std::to_string(port));
  }
  if (rtc.tcp_port != 0 && rtc.tcp_port == port) {
    return Status::Error("\"rtc.tcp_port\" and \"port\" are both " + std::to_string(port));
  }
  if (rtc.udp_port == 0 &&
      (rtc.port_range_start == 0 || rtc.port_range_end < rtc.port_range_start)) {
    return Status::Error("\"rtc.port_range_start\".. \"rtc.port_range_end\" (" +
                         std::to_string(rtc.port_range_start) + ".." +
                         std::to_string(rtc.port_range_end) +
                         ") is empty and \"rtc.udp_port\" is 0: no UDP port for media");
  }
  if (rtc.workers > 1) {
    // Worker i takes udp_port + i and tcp_port + i: each run must fit below 65536 and keep off
    // the HTTP port.
    const uint32_t workers = rtc.workers;
    auto overlaps = [workers](uint32_t first, uint32_t other) {
      return other >= first && other < first + workers;
    };
    for (const auto& [name, first] :
         {std::pair<const char*, uint32_t>{"rtc.udp_port", rtc.udp_port},
          std::pair<const char*, uint32_t>{"rtc.tcp_port", rtc.tcp_port}}) {
      if (first == 0) continue;
      if (first + workers - 1 > 65535 || overlaps(first, port)) {
        return Status::Error("\"" + std::string(name) + "\" " + std::to_string(first) + ".." +
                             std::to_string(first + workers - 1) + " for " +
                             std::to_string(workers) + " workers passes 65535 or holds \"port\"");
      }
    }
  }
  LogLevel level;
  if (!ParseLogLevel(logging.level, &level)) {
    return Status::Error("\"logging.level\" is \"" + logging.level +
                         "\"; expected debug, info, warn or error");
  }
  if (keys.empty()) {
    return Status::Error("no API keys: set \"keys\", LIVEKIT_KEYS, or start with --dev");
  }
  for (const auto& [key, secret] : keys) {
    if (key.empty()) return Status::Error("\"keys\" has an empty API key");
    if (secret.empty()) return Status::Error("\"keys\": API key \"" + key + "\" has no secret");
  }
  return Status::Ok();
}

StatusOr<ServerConfig> ParseServerConfig(std::string_view yaml) {
  ServerConfig config;
  YAML::Node root;
  // yaml-cpp reports syntax errors by exception; they stop here, as values.
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& error) {
    return Status::Error("config line " + std::to_string(error.mark.line + 1) +
                         ": YAML syntax error: " + error.msg);
  }
  try {
    AURALINK_RETURN_IF_ERROR(ReadServerConfig(root, &config));
  } catch (const YAML::Exception& error) {
    return Status::Error("config line " + std::to_string(error.mark.line + 1) + ": " + error.msg);
  }
  return config;
}

StatusOr<ServerConfig> LoadServerConfigFile(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  auto config = ParseServerConfig(
      std::string_view(reinterpret_cast<const char*>(text->data()), text->size()));
  if (!config.ok()) return config.status().WithContext(path);
  return config;
}

void ApplyDevelopmentDefaults(ServerConfig* config,
                              const std::vector<std::string>& machine_addresses) {
  config->development = true;
  if (config->keys.empty()) config->keys = {{"devkey", "secret"}};
  if (config->bind_addresses.empty()) {
    config->bind_addresses = {"127.0.0.1", "::1"};
    for (const auto& address : machine_addresses) {
      if (std::find(config->bind_addresses.begin(), config->bind_addresses.end(), address) ==
          config->bind_addresses.end()) {
        config->bind_addresses.push_back(address);
      }
    }
  }
  config->rtc.enable_loopback_candidate = true;
}

StatusOr<std::map<std::string, std::string>> ParseKeyList(std::string_view text) {
  std::map<std::string, std::string> keys;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = text.find_first_of(",\n", start);
    const std::string_view pair = Trim(
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    start = end == std::string_view::npos ? text.size() + 1 : end + 1;
    if (pair.empty()) continue;
    const size_t colon = pair.find(':');
    if (colon == std::string_view::npos) {
      return Status::Error("LIVEKIT_KEYS entry \"" + std::string(pair.substr(0, 64)) +
                           "\" is not \"key: secret\"");
    }
    const std::string key(Trim(pair.substr(0, colon)));
    const std::string secret(Trim(pair.substr(colon + 1)));
    if (key.empty() || secret.empty()) {
      return Status::Error("LIVEKIT_KEYS entry \"" + std::string(pair.substr(0, 64)) +
                           "\" has an empty key or secret");
    }
    keys[key] = secret;
  }
  return keys;
}

Status ApplyEnvironment(ServerConfig* config,
                        const std::function<const char*(const char*)>& getenv) {
  const char* keys = getenv("LIVEKIT_KEYS");
  if (keys == nullptr || *keys == '\0') return Status::Ok();
  auto parsed = ParseKeyList(keys);
  if (!parsed.ok()) return parsed.status();
  if (parsed->empty()) return Status::Error("LIVEKIT_KEYS is set but lists no keys");
  config->keys = std::move(parsed).value();
  return Status::Ok();
}

}  // namespace auralink::signal
