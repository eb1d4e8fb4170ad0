// One fixed-settings encode of a clip, measured the way a viewer sees it: every source frame is
// compared with the decoded picture on screen at its time (frames the encoder never got or
// dropped repeat the previous picture; pictures coded at a lower resolution are upscaled with
// libyuv to the source size). The rate model is trained on these, and the benchmark's quality
// numbers are measured the same way.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "aic/video/video_codec.h"
#include "common/status.h"
#include "video/video_frame.h"

namespace auralink::video {

struct EncodingTrialResult {
  int source_frames = 0;
  int encoded_frames = 0;  // frames the encoder emitted
  int keyframes = 0;
  int64_t total_bytes = 0;
  double kbps = 0.0;         // over the source duration
  double mean_ssim_y = 0.0;  // viewer side, over the measured frames
  // Over the measured frames whose picture on screen was coded from that very source frame.
  double mean_ssim_fresh = 0.0;
  int fresh_frames = 0;
  int64_t keyframe_bytes = 0;
  double mean_psnr_y = 0.0;
  int measured_frames = 0;
  // Encoder CPU time (the calling thread's, scaling included), per frame given to the encoder.
  double encode_ms_per_frame = 0.0;
  std::vector<int64_t> frame_bytes;     // per emitted frame
  std::vector<double> frame_encode_ms;  // per frame given to the encoder
  std::vector<double> frame_ssim_y;     // per measured source frame
};

struct EncodingTrialOptions {
  // Viewer-side quality on every Nth source frame (1 = all). The decoder still sees every frame.
  int measure_every = 1;
  // The first (key) frame's quantizer relative to config.quality in constant-quality mode.
  int keyframe_quality_offset = 0;
  // Quantizer offsets cycled over the frames after the key frame (constant-quality mode; empty =
  // none): a low-delay QP cascade, coarser frames between finer ones.
  std::vector<int> quality_cycle;
  // Source frames at the start left out of the quality means: right after the key frame a
  // picture is mostly the key frame's, and the key frame's quality fades over a second of inter
  // frames (KatieHill, AV1 q55: SSIM 0.946 over the first 8 frames, 0.916 afterwards), so short
  // segments measured from their key frame promise more than a call gets.
  int settle_frames = 0;
  // What the viewer-side quality is measured against; empty = the source itself. A pre-processed
  // source (denoised, say) is judged against the original this way.
  std::span<const VideoFrame> reference;
};

// Encodes `source` (frames of one size at source_fps) with `config`. The encoded size is
// config.width x config.height (the source is box-downscaled to it); the encoded frame rate is
// config's, reached by dropping source frames (FrameRateDecimator). The first frame is a key
// frame; no other is forced.
StatusOr<EncodingTrialResult> RunEncodingTrial(std::span<const VideoFrame> source,
                                               double source_fps, const VideoEncoderConfig& config,
                                               const EncodingTrialOptions& options = {});

}  // namespace auralink::video
