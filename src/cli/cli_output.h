// What every subcommand prints: one-line errors (exit status 2), one JSON object per --json run,
// and the percentiles its timings are summarised by.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "common/status.h"

namespace auralink::cli {

using Json = nlohmann::ordered_json;

// Prints "auralink: error: <message>" on stderr and returns exit status 2.
int Fail(const Status& status);
void PrintJson(const Json& json);
// Nearest-rank percentile (fraction in 0..1) of `values`; 0 for none.
double Percentile(std::vector<double> values, double fraction);

}  // namespace auralink::cli
