// A small, strict command-line parser: each subcommand declares its flags; anything else is a usage
// error (exit status 2), never silently ignored.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace auralink::cli {

struct FlagSpec {
  std::string name;  // without the leading "--"
  bool takes_value = false;
};

class ParsedArguments {
 public:
  static StatusOr<ParsedArguments> Parse(const std::vector<std::string>& args,
                                         const std::vector<FlagSpec>& flags);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& flag) const { return values_.count(flag) > 0; }
  std::optional<std::string> Value(const std::string& flag) const;
  // Parses an integer flag within [min, max]; a missing flag gives `fallback`.
  StatusOr<long long> Integer(const std::string& flag, long long fallback, long long min,
                              long long max) const;
  StatusOr<double> Number(const std::string& flag, double fallback, double min, double max) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string> values_;
};

}  // namespace auralink::cli
