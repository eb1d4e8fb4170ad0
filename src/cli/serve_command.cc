#include "cli/serve_command.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <sstream>
#include <utility>

#include "cli/cli_output.h"
#include "cli/command_line.h"
#include "common/log.h"
#include "net/event_loop.h"
#include "net/socket_address.h"
#include "sfu/rtc_server.h"
#include "signal/api/dev_test_hooks.h"
#include "signal/api/room_service_api.h"
#include "signal/api/rtc_join_admission.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/auth/api_key_provider.h"
#include "signal/config/machine_addresses.h"
#include "signal/http/http_server.h"

namespace auralink::cli {
namespace {

constexpr const char* kServeUsage =
    "usage: auralink serve [--config FILE] [--dev] [--bind IP[,IP...]] [--port N]\n"
    "                      [--keys \"key: secret[, key2: secret2]\"] [--workers N]\n"
    "  --config FILE  YAML configuration (keys as in livekit-server's config.yaml;\n"
    "                 see docs/server-config.md)\n"
    "  --dev          development mode, as livekit-server --dev: API key devkey, secret\n"
    "                 secret, loopback and the machine's addresses, test hooks enabled\n"
    "  --bind IP      listen on these addresses only (default: every address)\n"
    "  --port N       HTTP port for signalling and the API (default 7880)\n"
    "  --keys TEXT    API keys, replacing the file's and LIVEKIT_KEYS\n"
    "  --workers N    SFU worker threads (rtc.workers); worker i uses UDP/TCP port + i\n";

signal::RtcServerFactory& RegisteredFactory() {
  static signal::RtcServerFactory factory;
  return factory;
}

// The loop SIGINT/SIGTERM stop. EventLoop::Stop() only stores an atomic and write()s an eventfd,
// both async-signal-safe.
std::atomic<net::EventLoop*> g_loop_to_stop{nullptr};

extern "C" void StopLoopOnSignal(int) {
  if (net::EventLoop* loop = g_loop_to_stop.load()) loop->Stop();
}

// SIGUSR1: with rtc.measure_hop_latency, each SFU worker logs its hop latency since the last
// report and starts over (one atomic increment, async-signal-safe).
extern "C" void ReportHopLatencyOnSignal(int) { sfu::RtcServer::RequestHopLatencyReport(); }

// Installs the stop handler for SIGINT and SIGTERM and the report handler for SIGUSR1, and
// restores the previous ones when destroyed.
class StopSignals {
 public:
  explicit StopSignals(net::EventLoop* loop) {
    g_loop_to_stop.store(loop);
    struct sigaction action {};
    action.sa_handler = StopLoopOnSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, &previous_interrupt_);
    sigaction(SIGTERM, &action, &previous_terminate_);
    struct sigaction report {};
    report.sa_handler = ReportHopLatencyOnSignal;
    sigemptyset(&report.sa_mask);
    report.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &report, &previous_user1_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &previous_interrupt_, nullptr);
    sigaction(SIGTERM, &previous_terminate_, nullptr);
    sigaction(SIGUSR1, &previous_user1_, nullptr);
    g_loop_to_stop.store(nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction previous_interrupt_ {};
  struct sigaction previous_terminate_ {};
  struct sigaction previous_user1_ {};
};

std::vector<std::string> SplitAddressList(const std::string& text) {
  std::vector<std::string> addresses;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) addresses.push_back(item);
  }
  return addresses;
}

std::string Join(const std::vector<std::string>& items, const char* separator) {
  std::string joined;
  for (const std::string& item : items) {
    if (!joined.empty()) joined += separator;
    joined += item;
  }
  return joined;
}

// Where ICE candidates are gathered: rtc.node_ip when set; else the bind addresses unless they
// are wildcards; else the machine's addresses (plus loopback when enabled).
std::vector<std::string> IceAddresses(const signal::ServerConfig& config) {
  if (!config.rtc.node_ip.empty()) return {config.rtc.node_ip};
  std::vector<std::string> addresses;
  for (const std::string& address : config.bind_addresses) {
    if (address != "0.0.0.0" && address != "::") addresses.push_back(address);
  }
  if (!addresses.empty()) return addresses;
  if (config.rtc.enable_loopback_candidate) addresses.push_back("127.0.0.1");
  for (const std::string& address : signal::ListMachineAddresses()) addresses.push_back(address);
  return addresses;
}

std::string HttpUrl(const net::SocketAddress& address) { return "http://" + address.ToString(); }

}  // namespace

void SetRtcServerFactory(signal::RtcServerFactory factory) {
  RegisteredFactory() = std::move(factory);
}

StatusOr<ServeSettings> ServeSettingsFromArguments(
    const std::vector<std::string>& raw, const std::function<const char*(const char*)>& getenv) {
  auto args = ParsedArguments::Parse(raw, {{"config", true},
                                           {"dev", false},
                                           {"bind", true},
                                           {"port", true},
                                           {"keys", true},
                                           {"workers", true}});
  if (!args.ok()) return args.status();
  if (!args->positional().empty()) {
    return Status::Error("serve takes no positional arguments, got '" + args->positional()[0] +
                         "'");
  }
  ServeSettings settings;
  if (auto path = args->Value("config")) {
    auto loaded = signal::LoadServerConfigFile(*path);
    if (!loaded.ok()) return loaded.status().WithContext(*path);
    settings.config = std::move(loaded).value();
  }
  AURALINK_RETURN_IF_ERROR(signal::ApplyEnvironment(&settings.config, getenv));
  if (auto keys = args->Value("keys")) {
    auto parsed = signal::ParseKeyList(*keys);
    if (!parsed.ok()) return parsed.status().WithContext("--keys");
    if (parsed->empty()) return Status::Error("--keys lists no \"key: secret\" pair");
    settings.config.keys = std::move(parsed).value();
  }
  if (auto bind = args->Value("bind")) {
    settings.config.bind_addresses = SplitAddressList(*bind);
    if (settings.config.bind_addresses.empty()) return Status::Error("--bind lists no address");
  }
  for (const std::string& address : settings.config.bind_addresses) {
    if (!net::SocketAddress::FromIp(address, 0)) {
      return Status::Error("bind address \"" + address + "\" is not an IP address");
    }
  }
  auto port = args->Integer("port", settings.config.port, 1, 65535);
  if (!port.ok()) return port.status();
  settings.config.port = static_cast<uint16_t>(*port);
  auto workers = args->Integer("workers", settings.config.rtc.workers, 1, 256);
  if (!workers.ok()) return workers.status();
  settings.config.rtc.workers = static_cast<uint32_t>(*workers);
  if (args->Has("dev")) {
    settings.bind_addresses_defaulted = settings.config.bind_addresses.empty();
    signal::ApplyDevelopmentDefaults(&settings.config, signal::ListMachineAddresses());
  }
  AURALINK_RETURN_IF_ERROR(settings.config.Validate());
  return settings;
}

int RunServeCommand(const std::vector<std::string>& args) {
  if (std::find(args.begin(), args.end(), "--help") != args.end() ||
      std::find(args.begin(), args.end(), "help") != args.end()) {
    std::fputs(kServeUsage, stdout);
    return 0;
  }
  auto settings = ServeSettingsFromArguments(args);
  if (!settings.ok()) return Fail(settings.status().WithContext("configuration"));
  const signal::ServerConfig& config = settings->config;
  LogLevel level = LogLevel::kInfo;
  if (ParseLogLevel(config.logging.level, &level)) SetLogLevel(level);
  if (!RegisteredFactory()) {
    return Fail(
        Status::Error("no RTC server is attached to this build (the SFU registers one with "
                      "SetRtcServerFactory); the HTTP API alone cannot serve rooms"));
  }

  auto keys = signal::StaticApiKeyProvider::Create(config.keys);
  if (!keys.ok()) return Fail(keys.status());
  auto verifier = signal::AccessTokenVerifier::Create(
      std::shared_ptr<const signal::ApiKeyProvider>(std::move(keys).value()));
  if (!verifier.ok()) return Fail(verifier.status());
  auto loop = net::EventLoop::Create();
  if (!loop.ok()) return Fail(loop.status());

  // Owned outside the context so they are destroyed in order: HTTP servers (closing connections
  // whose callbacks may reach the RTC server), then the RTC server, then the loop.
  std::vector<std::unique_ptr<signal::http::HttpServer>> http_servers;
  signal::ServeContext context;
  const auto listen = [&](const std::string& ip) -> Status {
    auto server =
        signal::http::HttpServer::Create(loop->get(), *net::SocketAddress::FromIp(ip, config.port));
    if (!server.ok()) return server.status();
    http_servers.push_back(std::move(server).value());
    return Status::Ok();
  };
  if (config.bind_addresses.empty()) {
    // "::" takes IPv4 too where the kernel allows dual-stack sockets; otherwise IPv4 only.
    if (Status status = listen("::"); !status.ok()) {
      if (Status fallback = listen("0.0.0.0"); !fallback.ok()) return Fail(fallback);
    }
  } else {
    for (const std::string& address : config.bind_addresses) {
      Status status = listen(address);
      if (status.ok()) continue;
      if (!settings->bind_addresses_defaulted) {
        return Fail(status.WithContext("listening on " + address));
      }
      AURALINK_LOG(kWarning) << "skipping " << address << ": " << status.message();
    }
    if (http_servers.empty()) return Fail(Status::Error("could not listen on any address"));
  }

  context.loop = loop->get();
  context.config = &config;
  context.verifier = verifier->get();
  context.ice_addresses = IceAddresses(config);
  for (const auto& server : http_servers) context.http_servers.push_back(server.get());

  // Signals stop the loop from the moment the RTC server may start threads of its own.
  StopSignals stop_signals(loop->get());
  if (Status attached = RegisteredFactory()(context); !attached.ok()) {
    return Fail(attached.WithContext("starting the RTC server"));
  }
  if (context.room_control == nullptr) {
    return Fail(Status::Error("the RTC server factory attached no RoomControl"));
  }

  signal::RoomServiceApiOptions api_options;
  api_options.limits = config.limit;
  signal::RtcJoinPolicy join_policy;
  join_policy.auto_create_rooms = config.room.auto_create;
  sfu::RoomControl* rooms = context.room_control;
  join_policy.room_exists = [rooms](const std::string& room) {
    return !rooms->ListRooms({room}).empty();
  };
  for (const auto& server : http_servers) {
    Status registered =
        signal::RegisterRoomServiceApi(server.get(), rooms, verifier->get(), api_options);
    if (registered.ok()) {
      registered = signal::RegisterRtcValidateRoutes(server.get(), verifier->get(), join_policy);
    }
    if (registered.ok() && config.development) {
      registered = signal::RegisterDevTestHooks(server.get(), rooms, verifier->get());
    }
    if (!registered.ok()) return Fail(registered);
    // livekit-server answers "OK" on / and health checks rely on it. The route is everything's
    // fallback, so other unknown paths get their 404 here.
    server->Handle(
        "", "/", [](const signal::http::HttpRequest& request, signal::http::HttpResponder respond) {
          respond(request.path == "/" ? signal::http::HttpResponse::Text(200, "OK")
                                      : signal::http::HttpResponse::Text(404, "not found\n"));
        });
  }

  for (const auto& server : http_servers) {
    AURALINK_LOG(kInfo) << "AuraLink listening on " << HttpUrl(server->local_address())
                        << " (signalling ws:// on /rtc and /rtc/v1, RoomService on /twirp)";
  }
  // Worker i listens on port + i.
  const auto ports = [&config](uint16_t first) {
    return config.rtc.workers > 1
               ? std::to_string(first) + "-" + std::to_string(first + config.rtc.workers - 1)
               : std::to_string(first);
  };
  AURALINK_LOG(kInfo) << "ICE on " << Join(context.ice_addresses, ", ") << " (UDP "
                      << (config.rtc.udp_port != 0
                              ? ports(config.rtc.udp_port)
                              : std::to_string(config.rtc.port_range_start) + "-" +
                                    std::to_string(config.rtc.port_range_end))
                      << (config.rtc.tcp_port != 0 ? ", TCP " + ports(config.rtc.tcp_port)
                                                   : std::string())
                      << "; " << config.rtc.workers
                      << (config.rtc.workers == 1 ? " worker" : " workers") << ")";
  if (config.development) {
    for (const auto& [key, secret] : config.keys) {
      AURALINK_LOG(kInfo) << "development mode: API key \"" << key << "\", secret \"" << secret
                          << "\"";
    }
  } else {
    std::vector<std::string> names;
    for (const auto& [key, secret] : config.keys) names.push_back(key);
    AURALINK_LOG(kInfo) << "API keys: " << Join(names, ", ");
  }

  (*loop)->Run();
  AURALINK_LOG(kInfo) << "stopping";
  http_servers.clear();
  context.http_servers.clear();
  context.room_control = nullptr;
  context.rtc_server.reset();
  return 0;
}

}  // namespace auralink::cli
