// The AIC video engine's rate decisions: per scene, the encode settings with the fewest bits
// whose predicted viewer-side SSIM-Y reaches the target: encoder profile (codec and speed),
// quantizer, resolution and frame rate. Pure: it is fed content features, measurements and the
// bandwidth cap, and returns decisions; the pipeline (AicVideoEncoder) does the encoding.
//
// - Target: the mode's offset from the reference quality, the rate model's prediction of what the
//   baseline (VP8 CBR at the LiveKit preset) reaches on this scene (aic_video_settings.h), or
//   what a shadow baseline measured when the pipeline runs one.
// - Scenes: a scene cut from the analyzer restarts the content averages and the decision (a new
//   structure may be chosen freely); within a scene the structure (profile, size, frame rate)
//   changes only when the ladder moves, or when another structure saves structure_switch_saving
//   of the bits and the current one has run structure_dwell_ms, since a new codec or size costs a
//   key frame; the quantizer follows freely. Until a scene's second frame, its motion features
//   are the previous scene's (a talking head's at the start of a stream).
// - Closed loop: each sampled measurement of the fresh SSIM corrects the model's bias for the
//   profile at that resolution (an exponential average of log(1 - SSIM) residuals, i.e. an
//   integral of the error with leakage), and the quantizer is re-solved at once; measured
//   inter-frame bitrate and encode time correct the bitrate and CPU predictions the same way.
//   Candidates whose quantizer is finer than what the model was trained on are taken only when
//   no other reaches the target, and a structure whose quantizer the loop has pushed out of that
//   range may be left at once (the model was wrong about it).
// - CPU: a profile is a candidate at a size only if its predicted encode time (corrected by what
//   was measured) fits the encode budget.
// - Bandwidth: the ladder (codec_ladder.h) picks how far below the target to go; at rung 0 a
//   target_compression_ratio may lower the target towards the floor, never below it.
// - Without predictive compression the structure is fixed (the most efficient profile that fits
//   the CPU, full size and rate) and the quantizer starts at default_quantizer_fraction of the
//   codec's range and moves by integral control on the measured SSIM alone.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "aic/video/analysis/content_analyzer.h"
#include "aic/video/policy/aic_video_settings.h"
#include "aic/video/policy/codec_ladder.h"
#include "aic/video/policy/rate_quality_model.h"

namespace auralink::video {

struct RateControllerConfig {
  AicVideoSettings settings;
  int width = 0;  // source
  int height = 0;
  double fps = 30.0;
  double baseline_kbps = 500.0;  // the LiveKit preset's bitrate and frame rate
  double baseline_fps = 20.0;
  double cap_kbps = 0.0;  // bandwidth cap; 0 = none
  // Candidate profiles in order of preference when predictions tie; empty = the model's.
  std::vector<EncoderProfile> profiles;
  std::vector<double> resolution_scales = {1.0, 0.75, 0.5};
  // A reduced size is chosen only when it is predicted to save this share of the bits: the model
  // is least sure of scaled encodes (the upscaling loss depends on detail the features barely
  // see; on the 720p webcam clip it rated 3/4 size at par with full size where 3/4 size measured
  // 50% dearer at equal SSIM), and a needless step-down costs a key frame to undo.
  double downscale_saving = 0.15;
  // Encoder time per encoded frame; 0 = 70% of the frame budget (max_latency_ms, or one frame
  // interval at the source rate but at least 30 fps), the rest being analysis, the quality check
  // and slack.
  double encode_budget_ms = 0.0;
  int redecide_frames = 0;  // full re-decision period; 0 = one second of frames
  // Weight of a new residual in the bias averages (the first few are plain means: 1/n while that
  // is larger, so the loop starts fast and then settles).
  double bias_gain = 0.3;
  // Within a scene, a new structure (a key frame) must save this share of the bits, and the last
  // structure must have run this long.
  double structure_switch_saving = 0.2;
  int64_t structure_dwell_ms = 5000;
  double default_quantizer_fraction = 0.76;  // without prediction: 48 of 63
  double reference_memory_seconds = 5.0;
  std::vector<LadderRung> rungs = DefaultLadderRungs();
  CodecLadderConfig ladder;
};

struct RateDecision {
  EncoderProfile profile;
  double quantizer = 40.0;  // codec scale; fractional values are dithered by the pipeline
  double resolution_scale = 1.0;
  int width = 0;  // encoded size
  int height = 0;
  double frame_rate = 30.0;
  bool screen_content = false;  // the scene is screen content: full size, the codec's screen tools
  double reference_ssim = 0.0;  // predicted baseline quality
  double target_ssim = 0.0;     // after the ladder and the compression-ratio goal
  double predicted_ssim = 0.0;  // viewer side, bias-corrected
  double predicted_kbps = 0.0;  // bias-corrected
  int ladder_rung = 0;
  bool bandwidth_limited = false;  // the cap holds quality below the mode's target
  int64_t version = 0;             // increases with every change
};

struct RateControllerStats {
  int decisions = 0;          // changes of the decision
  int structure_changes = 0;  // of profile, size or frame rate
  int scene_cuts = 0;
  int quality_measurements = 0;
};

class QualityTargetedRateController {
 public:
  // `model` must outlive the controller. Errors: a bad size or frame rate, invalid settings, no
  // candidate profile the model knows.
  static StatusOr<std::unique_ptr<QualityTargetedRateController>> Create(
      const RateControllerConfig& config, const RateQualityModel* model);

  // Per source frame at `now_ms` (non-decreasing), with its features when it was analysed.
  // Returns true when the decision changed.
  bool OnFrame(int64_t now_ms, const FrameFeatures* features);
  // The fresh SSIM-Y of a sampled frame coded with the current decision (key frames excluded).
  // Returns true when the decision changed.
  bool OnQualityMeasured(double ssim);
  // Every frame the encoder emitted under the current decision, and the encoder's time for it.
  void OnFrameEncoded(int64_t now_ms, size_t bytes, bool keyframe, double encode_ms);
  // Returns true when the decision changed.
  bool SetBandwidthCap(int64_t now_ms, double kbps);
  // The viewer-side SSIM-Y the baseline itself reached on a frame (a shadow baseline encoder run
  // for calibration): their average over the last reference_memory_seconds replaces the model's
  // prediction as the reference, in proportion to their number until a dozen have come in.
  // Returns true when the decision changed.
  bool OnReferenceMeasured(double baseline_ssim);
  // The reference quality for the scene as now known (prediction, calibrated when measured).
  double ReferenceSsim() const;

  const RateDecision& decision() const { return decision_; }
  const RateControllerStats& stats() const { return stats_; }
  RateModelContent SceneContent() const;
  double quality_bias(const EncoderProfile& profile) const;
  const RateControllerConfig& config() const { return config_; }

 private:
  struct Candidate {
    RateModelSettings settings;
    double kbps = 0.0;
    double ssim = 0.0;
    bool trained = true;  // the quantizer is not finer than the model was trained on
  };
  struct Bias {
    double value = 0.0;
    int samples = 0;
  };
  struct ProfileState {
    EncoderProfile profile;
    double quality_bias = 0.0;  // added to predicted log(1 - SSIM)
    double bits_bias = 0.0;     // log(measured / predicted kbps)
    int bits_samples = 0;
    double time_factor = 1.0;  // measured / predicted encode time
    int quality_samples = 0;
    // Per resolution scale (x1000): the model's error need not be the same at every size (the
    // upscaling loss depends on the content's detail). Unmeasured scales use quality_bias.
    std::map<int, Bias> scale_bias;
  };

  QualityTargetedRateController(const RateControllerConfig& config, const RateQualityModel* model);
  ProfileState* StateOf(const EncoderProfile& profile);
  double QualityBiasAt(const ProfileState& state, double scale) const;
  double BitsBiasOf(const ProfileState& state) const;
  const ProfileState* StateOf(const EncoderProfile& profile) const;
  bool FitsCpu(const EncoderProfile& profile, double scale) const;
  std::optional<Candidate> Evaluate(const RateModelContent& content, RateModelSettings settings,
                                    double target) const;
  // The cheapest candidate reaching `target` within a rung's limits.
  std::optional<Candidate> Cheapest(const RateModelContent& content, const LadderRung& rung,
                                    double target, const EncoderProfile* only_profile) const;
  bool Decide(int64_t now_ms, bool free_structure);
  bool DecideWithoutModel(int64_t now_ms, bool free_structure);
  bool Adopt(const RateDecision& next);
  double EncodeBudgetMs() const;

  RateControllerConfig config_;
  const RateQualityModel* model_;
  std::vector<ProfileState> profiles_;
  RateDecision decision_;
  bool has_decision_ = false;
  CodecLadder ladder_;
  RateControllerStats stats_;
  int64_t now_ms_ = 0;
  int frames_since_decision_ = 0;

  // Scene averages (frames after the cut contribute temporal features).
  double sum_si_ = 0.0;
  int count_si_ = 0;
  double sum_ti_ = 0.0;
  double sum_motion_ = 0.0;
  double sum_changed_ = 0.0;
  int count_temporal_ = 0;
  int screen_frames_ = 0;
  int scene_frames_ = 0;
  double prior_temporal_information_ = 12.0;
  double prior_motion_pixels_ = 1.5;
  double prior_changed_block_fraction_ = 0.4;
  int64_t last_structure_change_ms_ = 0;
  // What was measured on whatever ran, for profiles and sizes not measured yet: the content's
  // share of the model's error is common to them all, and an unmeasured profile left at zero
  // would look better than the measured one merely for being unmeasured.
  Bias shared_quality_bias_;
  Bias shared_bits_bias_;
  std::map<int, Bias> shared_scale_bias_;  // per resolution scale (x1000), any profile
  // While re-deciding because the loop pushed the structure out of the model's trained range:
  // sizes never measured are taken at the model's word (bias 0) rather than at the bias learned
  // where the model was wrong.
  bool exploring_ = false;
  double reference_measured_ = 0.0;  // the shadow baseline's mean viewer-side SSIM
  int reference_samples_ = 0;

  // Non-predictive path: the quantizer the integral control holds.
  double free_quantizer_ = -1.0;
  // The model's bitrate for the decision before the bits bias, and the measured inter-frame bits
  // against it over about a second.
  double decision_model_kbps_ = 0.0;
  int64_t window_start_ms_ = -1;
  double window_bits_ = 0.0;
  double window_predicted_bits_ = 0.0;
  double window_encode_ms_ = 0.0;
  double window_predicted_ms_ = 0.0;
};

}  // namespace auralink::video
