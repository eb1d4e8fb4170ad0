// Where the SoundStream weights live. Order: an explicit directory (--models), then $AURALINK_MODELS,
// then ./models, then ../shared/models/lyra-v1.3.2; the last two are also tried relative to the
// repository root that holds the running binary (build/auralink -> ..).
#pragma once

#include <string>

#include "common/status.h"

namespace auralink {

// Returns the first candidate directory that holds all three SoundStream graphs, or an error that
// lists every place looked at. An explicit directory that lacks them is an error, not skipped.
StatusOr<std::string> ResolveModelDirectory(const std::string& explicit_directory);

}  // namespace auralink
