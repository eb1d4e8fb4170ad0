#include "aic/video/policy/encoding_trial.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

#include "aic/video/policy/frame_rate_decimator.h"
#include "quality/video_quality.h"
#include "video/frame_scaler.h"

namespace auralink::video {

StatusOr<EncodingTrialResult> RunEncodingTrial(std::span<const VideoFrame> source, double source_fps,
                                               const VideoEncoderConfig& config,
                                               const EncodingTrialOptions& options) {
  if (source.empty()) return Status::Error("encoding trial: no source frames");
  if (source_fps <= 0.0) return Status::Error("encoding trial: source frame rate must be positive");
  const int width = source.front().width;
  const int height = source.front().height;
  VideoEncoderConfig first_config = config;
  const bool offset_keyframe =
      config.rate_control == RateControlMode::kConstantQuality && options.keyframe_quality_offset != 0;
  if (offset_keyframe) {
    first_config.quality = std::clamp(config.quality + options.keyframe_quality_offset, 0, 63);
    first_config.max_quantizer = std::max(first_config.max_quantizer, first_config.quality);
    first_config.min_quantizer = std::min(first_config.min_quantizer, first_config.quality);
  }
  auto encoder = CreateVideoEncoder(first_config);
  if (!encoder.ok()) return encoder.status();
  auto decoder = CreateVideoDecoder(config.codec);
  if (!decoder.ok()) return decoder.status();
  const double encoded_fps = static_cast<double>(config.fps_numerator) / config.fps_denominator;
  FrameRateDecimator decimator(source_fps, encoded_fps);
  const bool scaled = config.width != width || config.height != height;
  const int measure_every = options.measure_every > 0 ? options.measure_every : 1;

  EncodingTrialResult result;
  std::optional<VideoFrame> on_screen;
  VideoFrame small = VideoFrame::Allocate(config.width, config.height);
  std::vector<EncodedFrame> encoded;
  std::vector<VideoFrame> decoded;
  double encode_seconds = 0.0;
  int given_to_encoder = 0;
  quality::VideoQualityOptions quality_options;
  quality_options.ms_ssim = false;
  double ssim_sum = 0.0;
  double psnr_sum = 0.0;
  for (size_t index = 0; index < source.size(); ++index) {
    const VideoFrame& frame = source[index];
    if (frame.width != width || frame.height != height) {
      return Status::Error("encoding trial: source frames change size");
    }
    if (decimator.Keep(static_cast<int64_t>(index))) {
      const auto start = std::chrono::steady_clock::now();
      const VideoFrame* input = &frame;
      if (scaled) {
        AURALINK_RETURN_IF_ERROR(ScaleFrameInto(frame, &small, ScaleFilter::kBox));
        input = &small;
      }
      VideoFrame timed = *input;
      timed.pts = static_cast<int64_t>(index);
      encoded.clear();
      AURALINK_RETURN_IF_ERROR((*encoder)->Encode(timed, false, &encoded));
      encode_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (offset_keyframe && given_to_encoder == 0) {
        AURALINK_RETURN_IF_ERROR((*encoder)->Reconfigure(config));
      }
      ++given_to_encoder;
      for (const EncodedFrame& unit : encoded) {
        ++result.encoded_frames;
        result.keyframes += unit.keyframe ? 1 : 0;
        result.total_bytes += static_cast<int64_t>(unit.data.size());
        result.frame_bytes.push_back(static_cast<int64_t>(unit.data.size()));
        decoded.clear();
        AURALINK_RETURN_IF_ERROR((*decoder)->Decode(unit.data, &decoded));
        if (decoded.empty()) continue;
        VideoFrame& picture = decoded.back();
        if (picture.width != width || picture.height != height) {
          auto upscaled = ScaleFrame(picture, width, height, ScaleFilter::kBilinear);
          if (!upscaled.ok()) return upscaled.status();
          on_screen = std::move(*upscaled);
        } else {
          on_screen = std::move(picture);
        }
      }
    }
    if (static_cast<int>(index) % measure_every != 0) continue;
    if (!on_screen) {
      // Nothing shown yet: the viewer sees a blank picture, which scores as such.
      on_screen = VideoFrame::Allocate(width, height);
    }
    auto quality = quality::MeasureFrame(frame, *on_screen, quality_options);
    if (!quality.ok()) return quality.status();
    ssim_sum += quality->ssim_y;
    result.frame_ssim_y.push_back(quality->ssim_y);
    psnr_sum += quality->psnr_y;
    ++result.measured_frames;
  }
  result.source_frames = static_cast<int>(source.size());
  result.kbps = static_cast<double>(result.total_bytes) * 8.0 / 1000.0 /
                (static_cast<double>(source.size()) / source_fps);
  result.mean_ssim_y = result.measured_frames > 0 ? ssim_sum / result.measured_frames : 0.0;
  result.mean_psnr_y = result.measured_frames > 0 ? psnr_sum / result.measured_frames : 0.0;
  result.encode_ms_per_frame = given_to_encoder > 0 ? 1000.0 * encode_seconds / given_to_encoder : 0.0;
  return result;
}

}  // namespace auralink::video
