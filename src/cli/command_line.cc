#include "cli/command_line.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace auralink::cli {

StatusOr<ParsedArguments> ParsedArguments::Parse(const std::vector<std::string>& args,
                                                 const std::vector<FlagSpec>& flags) {
  ParsedArguments parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      std::string name = arg.substr(2);
      std::optional<std::string> inline_value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      const FlagSpec* spec = nullptr;
      for (const FlagSpec& f : flags) {
        if (f.name == name) spec = &f;
      }
      if (spec == nullptr) return Status::Error("unknown option '--" + name + "'");
      if (spec->takes_value) {
        if (inline_value) {
          parsed.values_[name] = *inline_value;
        } else if (i + 1 < args.size()) {
          parsed.values_[name] = args[++i];
        } else {
          return Status::Error("option '--" + name + "' needs a value");
        }
      } else {
        if (inline_value) return Status::Error("option '--" + name + "' takes no value");
        parsed.values_[name] = "";
      }
    } else {
      parsed.positional_.push_back(arg);
    }
  }
  return parsed;
}

std::optional<std::string> ParsedArguments::Value(const std::string& flag) const {
  auto it = values_.find(flag);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

StatusOr<long long> ParsedArguments::Integer(const std::string& flag, long long fallback,
                                             long long min, long long max) const {
  auto text = Value(flag);
  if (!text) return fallback;
  errno = 0;
  char* end = nullptr;
  long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno != 0) {
    return Status::Error("option '--" + flag + "' needs an integer, got '" + *text + "'");
  }
  if (value < min || value > max) {
    return Status::Error("option '--" + flag + "' must be between " + std::to_string(min) +
                         " and " + std::to_string(max) + ", got " + *text);
  }
  return value;
}

StatusOr<double> ParsedArguments::Number(const std::string& flag, double fallback, double min,
                                         double max) const {
  auto text = Value(flag);
  if (!text) return fallback;
  errno = 0;
  char* end = nullptr;
  double value = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0' || errno != 0 || !std::isfinite(value)) {
    return Status::Error("option '--" + flag + "' needs a number, got '" + *text + "'");
  }
  if (value < min || value > max) {
    return Status::Error("option '--" + flag + "' must be between " + std::to_string(min) +
                         " and " + std::to_string(max) + ", got " + *text);
  }
  return value;
}

}  // namespace auralink::cli
