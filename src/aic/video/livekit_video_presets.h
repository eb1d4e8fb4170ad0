// What a browser in a LiveKit call sends for a camera of a given size: livekit-client 2.23.0's default
// video presets and how it picks one (src/room/track/options.ts `VideoPresets`, `VideoPresets43`;
// src/room/participant/publishUtils.ts `determineAppropriateEncoding`, `presetsForResolution`). The
// AIC video engine's savings are measured against this baseline.
#pragma once

#include <span>
#include <string_view>

namespace auralink::video {

struct LiveKitVideoPreset {
  std::string_view name;  // e.g. "h480" (with `aspect` "4:3")
  std::string_view aspect;
  int width = 0;
  int height = 0;
  int max_bitrate_kbps = 0;
  int max_framerate = 0;
};

std::span<const LiveKitVideoPreset> LiveKitVideoPresets169();
std::span<const LiveKitVideoPreset> LiveKitVideoPresets43();

// Mirrors determineAppropriateEncoding(isScreenShare = false, width, height) for VP8: the preset
// list whose aspect ratio is nearer (square counts as 4:3), then the first preset whose width is at
// least max(width, height), else the largest.
LiveKitVideoPreset LiveKitCameraPresetFor(int width, int height);

}  // namespace auralink::video
