// `auralink video ...`: AIC encode, the LiveKit baseline, decode and compare. Keys of --json output
// are a contract other tools depend on (docs/cli.md).
#pragma once

#include <string>
#include <vector>

namespace auralink::cli {

// Returns the process exit status: 0 on success, 2 on any error (printed as one line on stderr).
int RunVideoCommand(const std::vector<std::string>& args);

}  // namespace auralink::cli
