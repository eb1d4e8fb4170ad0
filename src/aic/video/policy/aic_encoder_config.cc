#include "aic/video/policy/aic_encoder_config.h"

#include <algorithm>
#include <cmath>

#include "aic/video/livekit_video_presets.h"

namespace auralink::video {
namespace {

// Long enough never to fire in a call; validation wants a positive interval.
constexpr int kNoPeriodicKeyframes = 1 << 30;

}  // namespace

void SetFrameRate(double fps, VideoEncoderConfig* config) {
  config->fps_numerator = std::max(1, static_cast<int>(std::lround(fps * 1000.0)));
  config->fps_denominator = 1000;
}

VideoEncoderConfig QualityEncoderConfig(const EncoderProfile& profile, int width, int height,
                                        double fps, int quantizer, VideoContentType content) {
  VideoEncoderConfig config;
  config.codec = profile.codec;
  config.width = width;
  config.height = height;
  SetFrameRate(fps, &config);
  config.rate_control = RateControlMode::kConstantQuality;
  config.target_kbps = 0;
  config.quality = std::clamp(quantizer, 0, MaxQuantizerOf(profile.codec));
  config.min_quantizer = 0;
  config.max_quantizer = 63;
  config.speed = profile.speed;
  config.keyframe_interval = kNoPeriodicKeyframes;
  config.threads = 1;
  config.error_resilient = false;
  config.content = content;
  return config;
}

VideoEncoderConfig BaselineEncoderConfig(int width, int height, double source_fps) {
  const LiveKitVideoPreset preset = LiveKitCameraPresetFor(width, height);
  VideoEncoderConfig config;
  config.codec = VideoCodecType::kVp8;
  config.width = width;
  config.height = height;
  SetFrameRate(std::min<double>(source_fps, preset.max_framerate), &config);
  config.rate_control = RateControlMode::kConstantBitrate;
  config.target_kbps = preset.max_bitrate_kbps;
  config.max_quantizer = 56;
  config.speed = -6;
  return config;
}

}  // namespace auralink::video
