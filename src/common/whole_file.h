// Whole-file reads and all-or-nothing writes for the audio and .aus files: a reader sees either the
// old file or the complete new one, never a partial write (temp file in the same directory +
// rename, which POSIX makes atomic within one file system).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace auralink {

// Errors name the path: "<path>: file not found", "<path>: empty file", "<path>: is a directory",
// "<path>: cannot read (<reason>)".
StatusOr<std::vector<uint8_t>> ReadWholeFile(const std::string& path);

// Writes `bytes` to "<path>.tmp-<pid>-<n>" beside `path`, flushes it and renames it over `path`. On
// any failure the temp file is removed and `path` is left as it was.
Status WriteWholeFileAtomically(const std::string& path, std::span<const uint8_t> bytes);

}  // namespace auralink
