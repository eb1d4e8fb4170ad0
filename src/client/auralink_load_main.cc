// auralink-load: one emulated publisher and N subscribers against a LiveKit-compatible server;
// prints one JSON report (see load_generator.h and bench/sfu/README.md).
#include <iostream>
#include <string>
#include <vector>

#include "client/load_generator.h"
#include "common/log.h"

int main(int argc, char** argv) {
  auralink::SetLogLevel(auralink::LogLevel::kWarning);
  std::string error;
  const std::optional<auralink::client::LoadOptions> options =
      auralink::client::ParseLoadOptions(std::vector<std::string>(argv + 1, argv + argc), &error);
  if (!options) {
    (error.empty() ? std::cout : std::cerr)
        << (error.empty() ? "" : "auralink-load: " + error + "\n")
        << "usage: auralink-load [options]\n"
        << auralink::client::kLoadUsage;
    return error.empty() ? 0 : 2;
  }
  auto report = auralink::client::RunLoad(*options);
  if (!report.ok()) {
    std::cerr << "auralink-load: " << report.status().message() << "\n";
    return 1;
  }
  std::cout << report->dump(2) << std::endl;
  return 0;
}
