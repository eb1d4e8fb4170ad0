// auralink: the command-line entry point. Each subcommand lives in its own file under src/cli.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/audio_commands.h"
#include "cli/serve_command.h"
#include "cli/video_commands.h"
#include "signal/session/rtc_server_attachment.h"

namespace {

constexpr const char* kUsage =
    "AuraLink: a real-time media server with AI compression.\n"
    "usage: auralink <command> [args]\n"
    "commands:\n"
    "  audio encode|decode|compare|bench   speech codecs (SoundStream, Opus) and their quality\n"
    "  video baseline|decode|compare       video codecs, the LiveKit baseline, video quality\n"
    "  serve [--dev] [--config FILE]       the media server (LiveKit-compatible; 'serve --help')\n"
    "  version                             print the version\n"
    "run 'auralink audio help' for the audio options.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "audio") return auralink::cli::RunAudioCommand(rest);
  if (command == "video") return auralink::cli::RunVideoCommand(rest);
  if (command == "serve") {
    auralink::cli::SetRtcServerFactory(auralink::signal::AttachRtcServer);
    return auralink::cli::RunServeCommand(rest);
  }
  if (command == "version" || command == "--version") {
    std::printf("auralink %s\n", AURALINK_VERSION);
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "auralink: error: unknown command '%s' (see 'auralink help')\n",
               command.c_str());
  return 2;
}
