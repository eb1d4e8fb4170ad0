#include "common/model_path.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace auralink {
namespace {

namespace fs = std::filesystem;

bool HoldsSoundStreamGraphs(const fs::path& dir) {
  std::error_code ec;
  for (const char* name : {"soundstream_encoder.tflite", "quantizer.tflite", "lyragan.tflite"}) {
    if (!fs::is_regular_file(dir / name, ec)) return false;
  }
  return true;
}

fs::path RepositoryRootOfBinary() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return exe.parent_path().parent_path();  // build/auralink -> repository root
}

}  // namespace

StatusOr<std::string> ResolveModelDirectory(const std::string& explicit_directory) {
  if (!explicit_directory.empty()) {
    if (HoldsSoundStreamGraphs(explicit_directory)) return explicit_directory;
    return Status::Error("model directory '" + explicit_directory +
                         "' does not hold soundstream_encoder.tflite, quantizer.tflite and "
                         "lyragan.tflite");
  }
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("AURALINK_MODELS"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  }
  candidates.emplace_back("models");
  candidates.emplace_back("../shared/models/lyra-v1.3.2");
  if (fs::path root = RepositoryRootOfBinary(); !root.empty()) {
    candidates.push_back(root / "models");
    candidates.push_back(root / ".." / "shared" / "models" / "lyra-v1.3.2");
  }
  std::string tried;
  for (const fs::path& dir : candidates) {
    if (HoldsSoundStreamGraphs(dir)) return dir.lexically_normal().string();
    tried += (tried.empty() ? "" : ", ") + dir.string();
  }
  return Status::Error("SoundStream model files not found (looked in " + tried +
                       "); pass --models DIR or set AURALINK_MODELS");
}

}  // namespace auralink
