#include "cli/cli_output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace auralink::cli {

int Fail(const Status& status) {
  std::fprintf(stderr, "auralink: error: %s\n", status.message().c_str());
  return 2;
}

void PrintJson(const Json& json) { std::cout << json.dump() << std::endl; }

double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(values.size())));
  return values[std::min(rank == 0 ? 0 : rank - 1, values.size() - 1)];
}

}  // namespace auralink::cli
