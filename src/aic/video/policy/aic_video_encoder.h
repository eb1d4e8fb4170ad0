// The AIC video pipeline: per source frame, content analysis (P.910 SI/TI, motion, scene cuts;
// faces when region-aware coding can use them), the rate controller's decision, the encode through
// VideoEncoder, a sampled check of the quality reached (the output is decoded and compared with
// the source every quality_check_interval frames; the result feeds the controller), and the
// fallback to the baseline encoder when the budget, the quality floor or the encoder fails.
//
// Levers it pulls beyond the codec choice (each measured on the shared clips; see the report of
// the benchmark):
//  - constant quality instead of CBR: static talking-head frames cost almost nothing;
//  - no periodic key frames (key frames only on request, scene-independent);
//  - the quantizer solved for exactly the target SSIM and dithered between frames for fractional
//    values, rather than a bitrate that overshoots quality on easy content;
//  - the source frame rate kept: a repeated frame costs a viewer 0.07-0.3 SSIM on talking heads,
//    so dropping to a preset's 20 fps is the most expensive "saving" there is;
//  - key frames coded keyframe_quantizer_offset coarser: the frames after them refine the picture
//    for a fraction of the bits (-4 % at -0.0005 SSIM on KatieHill), and coded again at once,
//    finer, when the first checks after one find it far under the target (static content keeps
//    a poor key frame's quality);
//  - AV1 at libaom's slowest real-time speed (5) where the CPU allows, tuned for SSIM with
//    quantisation matrices (aom_codec.cc; -11 % bits at equal SSIM on KatieHill together);
//  - lower resolutions when the model says they save downscale_saving of the bits at equal
//    viewer-side quality;
//  - faces finer than the background when perceptual optimisation is on (VP8/VP9).
// The target itself is relative to the baseline's quality, which a shadow baseline encoder
// measures while the stream runs (reference_calibration_ms) and the rate model predicts otherwise.
// A codec switch inside one stream starts with a key frame of the new codec; FrameReport says
// which codec and size each output frame has. Not thread-safe: one instance per stream.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aic/video/analysis/content_analyzer.h"
#include "aic/video/analysis/face_detector.h"
#include "aic/video/policy/aic_video_settings.h"
#include "aic/video/policy/frame_rate_decimator.h"
#include "aic/video/policy/quality_targeted_rate_controller.h"
#include "aic/video/policy/rate_quality_model.h"
#include "aic/video/policy/video_fallback_policy.h"
#include "aic/video/video_codec.h"

namespace auralink::video {

struct AicVideoEncoderOptions {
  // The rate model; null = LoadDefaultRateQualityModel(). Must outlive the encoder if given.
  const RateQualityModel* model = nullptr;
  // Measure quality on every Nth frame sent (key frames skipped); 0 = by picture size, so the
  // check costs about a millisecond per frame (every 3rd frame up to 0.3 MP, every 6th at 720p).
  // The first and third inter frames after every key frame are measured as well: the model's
  // error on new content or a new structure can be 0.03 SSIM, and on a short stream waiting a
  // whole interval costs more quality than the loop can win back.
  int quality_check_interval = 0;
  // A shadow baseline (VP8 CBR at the preset, the encoder the savings are judged against) encodes
  // the same frames and its viewer-side quality, measured frame by frame, calibrates the reference
  // the mode's target is relative to: the model's prediction of the baseline is off by 0.003 SSIM
  // on the evaluation talking head but by 0.013 on 720p. It runs for reference_calibration_ms
  // from the start of the stream; < 0 = the whole stream up to 0.5 MP (about 3 ms a frame at
  // 512x512) and the first 2 s up to 1 MP (about 10 ms a frame at 720p, measured on a third of the
  // frames, picked without a period so the baseline's dropped-frame pattern is sampled fairly);
  // 0 = off. Its time is reported apart (calibration_ms), not held against the latency budget.
  double reference_calibration_ms = -1.0;
  double reference_calibration_max_megapixels = 1.0;
  int keyframe_quantizer_offset = 6;
  // When a check on the first inter frames after a key frame finds the quality this far below the
  // target, the next frame is a key frame again, coded at the corrected quantizer without the
  // offset (once per key frame): on static content the key frame's quality persists in every
  // block that never changes, which inter frames at a finer quantizer hardly lift (720p webcam:
  // a key frame at q63 then q53 reaches SSIM 0.955, q53 throughout 0.966). 0 = never.
  double rekey_quality_margin = 0.008;
  // Initial bandwidth cap; < 0 = the LiveKit preset's bitrate (what the call was provisioned
  // for); 0 = none.
  double bandwidth_cap_kbps = -1.0;
  // Candidate encoder profiles; empty = every profile of the model.
  std::vector<EncoderProfile> profiles;
  // The codec of plain baseline encoding (mode off and fallbacks): VP8 as a LiveKit browser sends
  // it; a stream that must hold one codec (a file) sets its own, coded CBR at the same preset.
  VideoCodecType fallback_codec = VideoCodecType::kVp8;
  // Frame times (analysis, encode, check: what the latency fallback and the CPU fit judge) as the
  // calling thread's CPU time instead of wall time. For measurements on a machine shared with
  // other work, where wall time counts their time slices (a loaded build machine pushed single
  // AV1 frames past twice the budget and into fallbacks); a call keeps wall time, the latency
  // its viewers get.
  bool thread_cpu_time = false;
};

struct FrameReport {
  int64_t pts = 0;
  bool sent = false;  // false: dropped for the frame rate (the viewer keeps the previous picture)
  VideoCodecType codec = VideoCodecType::kVp8;  // of the frames in the output
  int width = 0;                                // encoded size
  int height = 0;
  bool keyframe = false;
  size_t bytes = 0;
  int quantizer = -1;     // as the codec reported it (its own 0..63 scale x 4 for libvpx/libaom)
  bool fallback = false;  // sent by the baseline encoder
  FallbackReason fallback_reason = FallbackReason::kNone;
  std::string fallback_detail;
  bool scene_cut = false;
  bool decision_changed = false;
  RateDecision decision;
  bool region_of_interest = false;      // a face map shaped this frame
  std::optional<double> measured_ssim;  // the sampled check, when this frame had one
  double analysis_ms = 0.0;
  double encode_ms = 0.0;
  double quality_check_ms = 0.0;         // decoding and measuring
  double calibration_ms = 0.0;           // the shadow baseline, while it runs
  std::optional<double> reference_ssim;  // the shadow baseline's viewer-side SSIM on this frame
};

struct AicVideoStats {
  int64_t frames = 0;
  int64_t sent_frames = 0;
  int64_t bytes = 0;
  int64_t keyframes = 0;
  int64_t fallback_frames = 0;
  int codec_switches = 0;
  FallbackCounters fallbacks;
  RateControllerStats controller;
  double analysis_ms = 0.0;  // totals
  double encode_ms = 0.0;
  double quality_check_ms = 0.0;
  double calibration_ms = 0.0;
  int reference_samples = 0;
  double mean_encode_ms() const { return sent_frames > 0 ? encode_ms / sent_frames : 0.0; }
  double mean_frame_ms() const {
    return frames > 0 ? (analysis_ms + encode_ms + quality_check_ms) / frames : 0.0;
  }
};

class AicVideoEncoder {
 public:
  // Source frames are width x height at fps. Errors: invalid settings or size, no rate model.
  static StatusOr<std::unique_ptr<AicVideoEncoder>> Create(
      const AicVideoSettings& settings, int width, int height, double fps,
      const AicVideoEncoderOptions& options = {});
  ~AicVideoEncoder();

  // Encodes the next source frame (frames are taken as consecutive at the source rate). Appends
  // the encoded frames (none when the frame is dropped) and describes what happened. Errors only
  // for a frame of the wrong size or when even the baseline encoder fails; AIC encoder errors
  // become fallbacks.
  Status Encode(const VideoFrame& frame, std::vector<EncodedFrame>* out, FrameReport* report);

  // The bandwidth the link allows (kbps, 0 = none); the ladder steps down or up from it.
  void SetBandwidthCap(double kbps);
  // The next frame sent is a key frame (a receiver lost its reference: PLI).
  void RequestKeyframe() { keyframe_requested_ = true; }

  const AicVideoStats& stats() const { return stats_; }
  const AicVideoSettings& settings() const { return settings_; }
  double bandwidth_cap_kbps() const { return cap_kbps_; }

 private:
  AicVideoEncoder() = default;
  Status EncodeBaseline(const VideoFrame& frame, int64_t index, bool resume_keyframe,
                        std::vector<EncodedFrame>* out, FrameReport* report);
  Status ApplyDecision(const RateDecision& decision, bool* keyframe_needed);
  Status EncodeAic(const VideoFrame& frame, int64_t index, std::vector<EncodedFrame>* out,
                   FrameReport* report);
  int NextQuantizer(const EncoderProfile& profile, double quantizer);
  double NowMs() const;  // wall or thread CPU time (options_.thread_cpu_time), milliseconds
  void RunShadowBaseline(const VideoFrame& frame, int64_t index, FrameReport* report);

  AicVideoSettings settings_;
  AicVideoEncoderOptions options_;
  int width_ = 0;
  int height_ = 0;
  double fps_ = 30.0;
  double cap_kbps_ = 0.0;
  int preset_kbps_ = 0;
  double preset_fps_ = 0.0;
  std::unique_ptr<RateQualityModel> owned_model_;
  const RateQualityModel* model_ = nullptr;

  std::unique_ptr<ContentAnalyzer> analyzer_;
  std::unique_ptr<FaceDetector> faces_;  // null when perceptual optimisation is off or no cascade
  std::unique_ptr<QualityTargetedRateController> controller_;
  std::unique_ptr<VideoFallbackPolicy> fallback_;

  // The AIC encoder as configured now, and the decoder that checks its output.
  std::unique_ptr<VideoEncoder> encoder_;
  std::unique_ptr<VideoDecoder> checker_;
  EncoderProfile active_profile_;
  VideoEncoderConfig active_config_;
  FrameRateDecimator decimator_{30.0, 30.0};
  double dither_error_ = 0.0;
  int sent_since_check_ = 0;
  int inter_since_keyframe_ = 0;
  bool rekey_pending_ = false;  // the next key frame corrects a poor one: no coarser offset
  bool rekey_allowed_ = true;   // one correction per key frame
  bool map_applied_ = false;
  std::vector<FaceRectangle> last_faces_;

  // The shadow baseline that calibrates the reference at the start of the stream.
  std::unique_ptr<VideoEncoder> shadow_;
  std::unique_ptr<VideoDecoder> shadow_decoder_;
  FrameRateDecimator shadow_decimator_{30.0, 30.0};
  std::optional<VideoFrame> shadow_on_screen_;
  bool shadow_done_ = false;

  // The baseline, for mode off and fallbacks.
  std::unique_ptr<VideoEncoder> baseline_;
  FrameRateDecimator baseline_decimator_{30.0, 30.0};
  bool in_fallback_ = false;

  bool keyframe_requested_ = false;
  int64_t frame_index_ = 0;
  VideoFrame scaled_;
  VideoFrame upscaled_;
  std::vector<VideoFrame> decoded_;
  AicVideoStats stats_;
};

}  // namespace auralink::video
