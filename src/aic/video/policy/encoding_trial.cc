#include "aic/video/policy/encoding_trial.h"

#include <algorithm>
#include <ctime>
#include <optional>
#include <vector>

#include "aic/video/policy/frame_rate_decimator.h"
#include "quality/video_quality.h"
#include "video/frame_scaler.h"

namespace auralink::video {
namespace {

// The encoders run single-threaded on the calling thread: its CPU time is the encode's cost
// whatever else the machine runs (wall time on a shared build machine nearly doubled the costs
// the model learned).
double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

}  // namespace

StatusOr<EncodingTrialResult> RunEncodingTrial(std::span<const VideoFrame> source,
                                               double source_fps, const VideoEncoderConfig& config,
                                               const EncodingTrialOptions& options) {
  if (source.empty()) return Status::Error("encoding trial: no source frames");
  if (!options.reference.empty() && options.reference.size() != source.size()) {
    return Status::Error("encoding trial: reference and source differ in length");
  }
  if (source_fps <= 0.0) return Status::Error("encoding trial: source frame rate must be positive");
  const int width = source.front().width;
  const int height = source.front().height;
  VideoEncoderConfig first_config = config;
  if (config.rate_control == RateControlMode::kConstantQuality) {
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
  int64_t on_screen_source = -1;  // the source frame the picture on screen was coded from
  double fresh_sum = 0.0;
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
      const double start = ThreadCpuSeconds();
      const VideoFrame* input = &frame;
      if (scaled) {
        AURALINK_RETURN_IF_ERROR(ScaleFrameInto(frame, &small, ScaleFilter::kBox));
        input = &small;
      }
      if (given_to_encoder > 0 && config.rate_control == RateControlMode::kConstantQuality) {
        VideoEncoderConfig next = config;
        if (!options.quality_cycle.empty()) {
          next.quality += options.quality_cycle[static_cast<size_t>(given_to_encoder - 1) %
                                                options.quality_cycle.size()];
          next.quality = std::clamp(next.quality, 0, 63);
          next.max_quantizer = std::max(next.max_quantizer, next.quality);
          next.min_quantizer = std::min(next.min_quantizer, next.quality);
        }
        if (next.quality != (*encoder)->config().quality) {
          AURALINK_RETURN_IF_ERROR((*encoder)->Reconfigure(next));
        }
      }
      VideoFrame timed = *input;
      timed.pts = static_cast<int64_t>(index);
      encoded.clear();
      AURALINK_RETURN_IF_ERROR((*encoder)->Encode(timed, false, &encoded));
      const double seconds = ThreadCpuSeconds() - start;
      encode_seconds += seconds;
      result.frame_encode_ms.push_back(1000.0 * seconds);
      ++given_to_encoder;
      for (const EncodedFrame& unit : encoded) {
        ++result.encoded_frames;
        result.keyframes += unit.keyframe ? 1 : 0;
        result.total_bytes += static_cast<int64_t>(unit.data.size());
        result.frame_bytes.push_back(static_cast<int64_t>(unit.data.size()));
        if (unit.keyframe) result.keyframe_bytes += static_cast<int64_t>(unit.data.size());
        decoded.clear();
        AURALINK_RETURN_IF_ERROR((*decoder)->Decode(unit.data, &decoded));
        if (decoded.empty()) continue;
        VideoFrame& picture = decoded.back();
        on_screen_source = static_cast<int64_t>(index);
        if (picture.width != width || picture.height != height) {
          auto upscaled = ScaleFrame(picture, width, height, ScaleFilter::kBilinear);
          if (!upscaled.ok()) return upscaled.status();
          on_screen = std::move(*upscaled);
        } else {
          on_screen = std::move(picture);
        }
      }
    }
    if (static_cast<int>(index) % measure_every != 0 ||
        static_cast<int>(index) <
            std::min<int>(options.settle_frames, static_cast<int>(source.size()) - 1)) {
      continue;
    }
    if (!on_screen) {
      // Nothing shown yet: the viewer sees a blank picture, which scores as such.
      on_screen = VideoFrame::Allocate(width, height);
    }
    const VideoFrame& reference = options.reference.empty() ? frame : options.reference[index];
    auto quality = quality::MeasureFrame(reference, *on_screen, quality_options);
    if (!quality.ok()) return quality.status();
    ssim_sum += quality->ssim_y;
    result.frame_ssim_y.push_back(quality->ssim_y);
    if (on_screen_source == static_cast<int64_t>(index)) {
      fresh_sum += quality->ssim_y;
      ++result.fresh_frames;
    }
    psnr_sum += quality->psnr_y;
    ++result.measured_frames;
  }
  result.source_frames = static_cast<int>(source.size());
  result.kbps = static_cast<double>(result.total_bytes) * 8.0 / 1000.0 /
                (static_cast<double>(source.size()) / source_fps);
  result.mean_ssim_y = result.measured_frames > 0 ? ssim_sum / result.measured_frames : 0.0;
  result.mean_ssim_fresh = result.fresh_frames > 0 ? fresh_sum / result.fresh_frames : 0.0;
  result.mean_psnr_y = result.measured_frames > 0 ? psnr_sum / result.measured_frames : 0.0;
  result.encode_ms_per_frame =
      given_to_encoder > 0 ? 1000.0 * encode_seconds / given_to_encoder : 0.0;
  return result;
}

}  // namespace auralink::video
