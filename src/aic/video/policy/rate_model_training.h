// Trains the rate -> quality model (rate_quality_model.h) from encodes it makes itself: every
// encoder profile over a sweep of quantizers, two lower resolutions and half the frame rate, plus
// the baseline (VP8 CBR at the LiveKit preset, half and twice its bitrate), on short segments of
// the shared clips, each measured viewer-side (encoding_trial.h) in its steady state: quality is
// averaged from a third of the way into the segment, after the key frame's quality has faded (the
// pipeline sends key frames only on request, so that is what a call sees), and segments hold at
// least 16 frames (the 720p clip's 8-frame segment had promised 0.01 SSIM more than its 19 frames
// reach). Encode costs are the encoding thread's CPU time, not wall time, so a busy machine does
// not teach the model that a profile is slow.
//
// Training and evaluation are split by clip. Training: foreman (high motion), the PDF-reader
// screen capture, CiscoVT2people, the 720p Zhling webcam clip (decoded from its .264 with
// openh264, also at 640x360) and the AlexandriaOcasioCortez talking head (decoded from its .mp4 by
// ffmpeg into a temporary folder, also at 256x256). Evaluation: the KatieHill talking head only
// (its .y4m; the KatieHill .mp4 is never read), which is the clip the savings are reported on.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aic/video/policy/rate_quality_model.h"
#include "common/status.h"
#include "video/video_frame.h"

namespace auralink::video {

// One encode of one segment.
// Frames [start, start + count) of a Y4M clip (fewer when it ends first), numbered from 0; `fps`
// gets the clip's frame rate.
StatusOr<std::vector<VideoFrame>> ReadY4mFrames(const std::string& path, int start, int count,
                                                double* fps);

struct RateTrialSample {
  std::string clip;
  RateModelContent content;
  RateModelSettings settings;
  double ssim_fresh = 0.0;
  double ssim_viewer = 0.0;
  double inter_kbps = 0.0;               // inter frames only: key frames are rare in a call
  double log_bits_per_pixel = 0.0;       // inter frames, per encoded pixel
  double encode_ms_per_megapixel = 0.0;  // median frame
};

// SSIM-Y of a source frame against the one `gap` frames earlier, averaged over a segment.
struct RepeatSimilaritySample {
  std::string clip;
  RateModelContent content;
  int gap = 1;
  double similarity = 0.0;
};

struct BaselineSample {
  std::string clip;
  RateModelContent content;
  double kbps = 0.0;  // the CBR target
  double fps = 0.0;   // frames kept
  double ssim_fresh = 0.0;
  double ssim_viewer = 0.0;
};

struct RateTrainingSamples {
  std::vector<RateTrialSample> trials;
  std::vector<RepeatSimilaritySample> repeats;
  std::vector<BaselineSample> baselines;
  void Append(const RateTrainingSamples& other);
  nlohmann::json ToJson() const;
  static StatusOr<RateTrainingSamples> FromJson(const nlohmann::json& json);
};

// The encoder profiles the model covers and the quantizers swept for each.
struct TrainingGrid {
  std::vector<EncoderProfile> profiles;
  // Per profile (same order): quantizers at full resolution and frame rate. The scaled and
  // half-rate encodes reuse the middle ones.
  std::vector<std::vector<int>> quantizers;
  std::vector<double> resolution_scales = {0.75, 0.5};
  bool half_frame_rate = true;
  std::vector<double> baseline_bitrate_factors = {0.5, 1.0, 2.0};
};

// AV1 (libaom) at speeds 5 (the efficient choice up to ~0.4 MP at 30 fps on one core; libaom's
// real-time mode goes no lower: speeds 3 and 4 code the same bits; 6 % fewer bits than speed 6 at
// equal SSIM on KatieHill for 10 % more time) and 10 (720p), VP9 speed 7, VP8 at libwebrtc's -6,
// H.264 at openh264's default.
TrainingGrid DefaultTrainingGrid();

// Content features of a segment: the means of ContentAnalyzer's features over its frames after
// the first; screen content when most frames are classed so.
StatusOr<RateModelContent> AnalyzeSegmentContent(const std::vector<VideoFrame>& frames, double fps);

// Encodes one segment (frames of one size) with every grid entry and the baselines.
StatusOr<RateTrainingSamples> MeasureSegment(const std::string& clip,
                                             const std::vector<VideoFrame>& frames, double fps,
                                             const TrainingGrid& grid);

// Ridge penalties of the four regressions.
struct RidgePenalties {
  double ssim = 1e-3;
  double bits = 1e-3;
  double repeat = 1e-3;
  double baseline = 1e-3;
};

// Fits the model: per profile, log(1 - fresh SSIM) and log(bits per pixel) by ridge regression
// over all trials of that profile; the repeat similarity and the baseline likewise.
StatusOr<RateQualityModelData> FitRateQualityModel(const RateTrainingSamples& samples,
                                                   const std::vector<EncoderProfile>& profiles,
                                                   const RidgePenalties& penalties = {});

// Chooses each penalty from 1e-4..1 by leave-one-clip-out cross-validation on the training
// samples (clips named "x@WxH" count as clip x): with a handful of clips, a free fit would learn
// the clips rather than the content. The mean absolute error of each held-out clip is what is
// minimised (fresh SSIM, log bits per pixel, repeat similarity, baseline fresh SSIM).
RidgePenalties SelectRidgePenalties(const RateTrainingSamples& samples,
                                    const std::vector<EncoderProfile>& profiles);

struct RateModelError {
  int trials = 0;
  double ssim_mae = 0.0;      // predicted vs measured viewer-side SSIM
  double log_kbps_mae = 0.0;  // natural log of predicted vs measured inter-frame kbps
  int baselines = 0;
  double baseline_ssim_mae = 0.0;
  nlohmann::json per_profile;  // {"av1-s6": {"trials", "ssim_mae", "log_kbps_mae"}, ...}
};

RateModelError EvaluateRateQualityModel(const RateQualityModel& model,
                                        const RateTrainingSamples& samples);

struct TrainingOptions {
  std::string out_path;  // where the model is written; "" = not written
  // Folder of the shared clips; "" = $AURALINK_SHARED/media/video, else
  // <repository>/../shared/media/video.
  std::string clips_directory;
  std::string ffmpeg = "ffmpeg";  // decodes the .mp4 training talking head; skipped when it fails
  // Frames per segment at <= 0.3 MP; fewer for larger pictures, but at least 16.
  int segment_frames = 24;
  // When set, every trial (training and evaluation) with the model's prediction, as CSV.
  std::string samples_csv_path;
  // When set: the measured encodes are read from this JSON file if it exists (to refit without
  // encoding again), else written to it.
  std::string cache_path;
};

struct TrainingReport {
  std::vector<std::string> training_clips;
  std::vector<std::string> evaluation_clips;
  std::vector<std::string> skipped;  // clips not found or not decodable, with why
  int training_trials = 0;
  RidgePenalties penalties;
  RateModelError training_error;
  RateModelError evaluation_error;
  double seconds = 0.0;
  nlohmann::json ToJson() const;
};

// Trains on the training clips, evaluates on the evaluation clip, writes the model (with the
// report as its provenance) to options.out_path.
Status TrainRateModel(const TrainingOptions& options, TrainingReport* report);

}  // namespace auralink::video
