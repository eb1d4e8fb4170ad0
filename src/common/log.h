// The project's one logging facility: leveled, to stderr, cheap when disabled.
#pragma once

#include <sstream>
#include <string_view>

namespace auralink {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kNone = 4 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "debug", "info", "warn"/"warning", "error", "none"; returns false on anything else.
bool ParseLogLevel(std::string_view text, LogLevel* level);
void WriteLogLine(LogLevel level, std::string_view file, int line, std::string_view message);

namespace log_internal {
class LogMessage {
 public:
  LogMessage(LogLevel level, const char* file, int line) : level_(level), file_(file), line_(line) {}
  ~LogMessage() { WriteLogLine(level_, file_, line_, stream_.str()); }
  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  const char* file_;
  int line_;
  std::ostringstream stream_;
};
}  // namespace log_internal

}  // namespace auralink

#define AURALINK_LOG(level)                                                            \
  if (::auralink::LogLevel::level < ::auralink::GetLogLevel()) {                       \
  } else                                                                               \
    ::auralink::log_internal::LogMessage(::auralink::LogLevel::level, __FILE__, __LINE__) \
        .stream()
