// Locates the read-only test media shared beside the checkout, for tests only: $AURALINK_SHARED,
// else <repository>/../shared. Tests skip (GTEST_SKIP) when a file is absent.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace auralink {

// Returns the full path of `relative` under the shared folder, or "" when the file is not there.
inline std::string SharedTestFile(const std::string& relative) {
  std::filesystem::path root;
  if (const char* shared = std::getenv("AURALINK_SHARED"); shared != nullptr && *shared != '\0') {
    root = shared;
  } else {
#ifdef AURALINK_SOURCE_DIR
    root = std::filesystem::path(AURALINK_SOURCE_DIR) / ".." / "shared";
#else
    return "";
#endif
  }
  std::error_code error;
  const std::filesystem::path path = root / relative;
  return std::filesystem::is_regular_file(path, error) ? path.lexically_normal().string() : "";
}

}  // namespace auralink
