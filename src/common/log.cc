#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <string>

namespace auralink {
namespace {
std::atomic<LogLevel> g_level{LogLevel::kWarning};
}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(level, std::memory_order_relaxed); }
LogLevel GetLogLevel() { return g_level.load(std::memory_order_relaxed); }

bool ParseLogLevel(std::string_view text, LogLevel* level) {
  if (text == "debug") *level = LogLevel::kDebug;
  else if (text == "info") *level = LogLevel::kInfo;
  else if (text == "warn" || text == "warning") *level = LogLevel::kWarning;
  else if (text == "error") *level = LogLevel::kError;
  else if (text == "none") *level = LogLevel::kNone;
  else return false;
  return true;
}

void WriteLogLine(LogLevel level, std::string_view file, int line, std::string_view message) {
  static constexpr const char* kNames[] = {"debug", "info", "warning", "error", "none"};
  auto slash = file.find_last_of('/');
  if (slash != std::string_view::npos) file.remove_prefix(slash + 1);
  std::string out = std::string(kNames[static_cast<int>(level)]) + " " + std::string(file) + ":" +
                    std::to_string(line) + "] " + std::string(message) + "\n";
  std::fwrite(out.data(), 1, out.size(), stderr);
}

}  // namespace auralink
