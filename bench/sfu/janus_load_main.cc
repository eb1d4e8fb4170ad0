// auralink-janus-load: auralink-load's test (same options and JSON) against a Janus VideoRoom
// (room 1234, WebSocket transport), for bench/sfu/run.sh's side-by-side.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "common/log.h"
#include "janus_participant.h"

int main(int argc, char** argv) {
  auralink::SetLogLevel(std::getenv("AURALINK_LOAD_DEBUG") ? auralink::LogLevel::kDebug
                                                           : auralink::LogLevel::kWarning);
  std::vector<std::string> arguments = {"--url", "ws://127.0.0.1:8188"};
  arguments.insert(arguments.end(), argv + 1, argv + argc);
  std::string error;
  auto options = auralink::client::ParseLoadOptions(arguments, &error);
  if (!options) {
    (error.empty() ? std::cout : std::cerr)
        << (error.empty() ? "" : "auralink-janus-load: " + error + "\n")
        << "usage: auralink-janus-load [options]\n"
        << auralink::client::kLoadUsage;
    return error.empty() ? 0 : 2;
  }
  const std::optional<std::string> bind_ip = auralink::bench::FirstNonLoopbackIpv4();
  if (!bind_ip) {
    std::cerr << "auralink-janus-load: no non-loopback IPv4 address for Janus's candidates\n";
    return 1;
  }
  auto room = std::make_shared<auralink::bench::JanusRoomState>();
  if (options->rooms != 1) {
    std::cerr << "auralink-janus-load: --rooms: the Janus driver runs one VideoRoom\n";
    return 2;
  }
  auto report = auralink::client::RunLoad(
      *options, auralink::bench::JanusParticipants(options->server_url, room, *bind_ip));
  if (!report.ok()) {
    std::cerr << "auralink-janus-load: " << report.status().message() << "\n";
    return 1;
  }
  (*report)["server_kind"] = "janus";
  std::cout << report->dump(2) << std::endl;
  return 0;
}
