#include "aic/video/livekit_video_presets.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace auralink::video {
namespace {

constexpr std::array<LiveKitVideoPreset, 9> kPresets169 = {{
    {"h90", "16:9", 160, 90, 90, 20},
    {"h180", "16:9", 320, 180, 160, 20},
    {"h216", "16:9", 384, 216, 180, 20},
    {"h360", "16:9", 640, 360, 450, 20},
    {"h540", "16:9", 960, 540, 800, 25},
    {"h720", "16:9", 1280, 720, 1700, 30},
    {"h1080", "16:9", 1920, 1080, 3000, 30},
    {"h1440", "16:9", 2560, 1440, 5000, 30},
    {"h2160", "16:9", 3840, 2160, 8000, 30},
}};

constexpr std::array<LiveKitVideoPreset, 9> kPresets43 = {{
    {"h120", "4:3", 160, 120, 70, 20},
    {"h180", "4:3", 240, 180, 125, 20},
    {"h240", "4:3", 320, 240, 140, 20},
    {"h360", "4:3", 480, 360, 330, 20},
    {"h480", "4:3", 640, 480, 500, 20},
    {"h540", "4:3", 720, 540, 600, 25},
    {"h720", "4:3", 960, 720, 1300, 30},
    {"h1080", "4:3", 1440, 1080, 2300, 30},
    {"h1440", "4:3", 1920, 1440, 3800, 30},
}};

}  // namespace

std::span<const LiveKitVideoPreset> LiveKitVideoPresets169() { return kPresets169; }
std::span<const LiveKitVideoPreset> LiveKitVideoPresets43() { return kPresets43; }

LiveKitVideoPreset LiveKitCameraPresetFor(int width, int height) {
  const double aspect = width > height ? static_cast<double>(width) / height
                                       : static_cast<double>(height) / std::max(1, width);
  const bool wide = std::abs(aspect - 16.0 / 9.0) < std::abs(aspect - 4.0 / 3.0);
  std::span<const LiveKitVideoPreset> presets = wide ? LiveKitVideoPresets169() : LiveKitVideoPresets43();
  const int size = std::max(width, height);
  for (const LiveKitVideoPreset& preset : presets) {
    if (preset.width >= size) return preset;
  }
  return presets.back();
}

}  // namespace auralink::video
