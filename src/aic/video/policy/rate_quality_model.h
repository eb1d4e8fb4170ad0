// The learned rate -> quality model of the AIC video policy: from content features (P.910 SI/TI,
// motion, changed blocks, screen content) and encode settings (codec and real-time speed,
// quantizer, resolution scale, frame rate) it predicts the SSIM-Y a viewer sees, the bitrate and
// the encode time; inverted, it gives the coarsest quantizer that still reaches a target SSIM.
//
// Form (all linear least squares, so the committed coefficients stay small and readable):
//  - per encoder profile, log(1 - SSIM) of the freshly decoded frames and log(bits per encoded
//    pixel) of inter frames, each linear in the features of RateModelFeatureNames();
//  - the viewer-side SSIM with frames repeated (a frame rate below the source's) mixes the fresh
//    SSIM with fresh SSIM x R(gap), where log(1 - R) is linear in the motion features and log(gap):
//    R is the SSIM of a source frame against the one `gap` frames earlier;
//  - the baseline (libwebrtc-style VP8 CBR) fresh SSIM is linear in log(bits per pixel) and the
//    content features, which gives the reference quality the AIC modes aim relative to;
//  - encode time is a per-profile cost in milliseconds per megapixel.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aic/video/video_codec.h"
#include "common/status.h"

namespace auralink::video {

// Content of a scene: means of ContentAnalyzer's per-frame features (frames after the first).
struct RateModelContent {
  double spatial_information = 0.0;
  double temporal_information = 0.0;
  double motion_pixels = 0.0;
  double changed_block_fraction = 0.0;
  bool screen_content = false;
  int width = 0;  // source size and frame rate
  int height = 0;
  double fps = 30.0;
};

// A codec at one real-time speed (speed on the codec's own scale; -1 = the wrapper's default).
struct EncoderProfile {
  VideoCodecType codec = VideoCodecType::kAv1;
  int speed = -1;
  bool operator==(const EncoderProfile&) const = default;
};

std::string EncoderProfileName(const EncoderProfile& profile);  // "av1-s6", "vp8-s-6", "h264-s-1"

// The largest quantizer of a codec's own scale (63 for libvpx/libaom, 51 for H.264).
int MaxQuantizerOf(VideoCodecType codec);

struct RateModelSettings {
  EncoderProfile profile;
  double quantizer = 40.0;        // codec scale; fractional values are dithered between frames
  double resolution_scale = 1.0;  // encoded width / source width, (0, 1]
  double frame_rate = 30.0;       // encoded frames per second, at most the source's
};

struct RatePrediction {
  double ssim_fresh = 0.0;   // freshly decoded frames
  double ssim_viewer = 0.0;  // every source frame, repeats included
  double kbps = 0.0;
  double encode_ms = 0.0;  // per encoded frame
};

// The encoded size for a scale below 1: rounded to even dimensions (4:2:0 and H.264 need them), at
// least 16 and never above the source. A scale of 1 keeps the source size as it is.
void ScaledEncodeSize(int width, int height, double scale, int* scaled_width, int* scaled_height);

// Feature names in the order of the coefficient vectors (the model file must list the same).
const std::vector<std::string>& RateModelFeatureNames();
const std::vector<std::string>& RepeatSimilarityFeatureNames();
const std::vector<std::string>& BaselineFeatureNames();
std::vector<double> RateModelFeatures(const RateModelContent& content,
                                      const RateModelSettings& settings);
std::vector<double> RepeatSimilarityFeatures(const RateModelContent& content, int gap);
std::vector<double> BaselineFeatures(const RateModelContent& content, double kbps, double fps);

// Fraction of source frames shown `age` frames after the source frame they were coded from, when
// frames are kept at encoded_fps out of source_fps (index = age, sums to 1).
std::vector<double> RepeatAgeDistribution(double source_fps, double encoded_fps);

struct ProfileModel {
  EncoderProfile profile;
  std::vector<double> ssim_coefficients;  // log(1 - fresh SSIM)
  std::vector<double> bits_coefficients;  // log(bits per encoded pixel), inter frames
  double encode_ms_per_megapixel = 10.0;
  // Screen content codes far faster (most blocks are static or palette-coded: AV1 speed 6 took
  // a fifth of its camera time on the PDF clip); <= 0 = as camera content.
  double screen_encode_ms_per_megapixel = 0.0;
  double EncodeMsPerMegapixel(bool screen_content) const {
    return screen_content && screen_encode_ms_per_megapixel > 0.0 ? screen_encode_ms_per_megapixel
                                                                  : encode_ms_per_megapixel;
  }
  // The quantizers the profile was trained on; predictions outside are extrapolations.
  double min_trained_quantizer = 0.0;
  double max_trained_quantizer = 63.0;
};

struct RateQualityModelData {
  std::vector<ProfileModel> profiles;
  std::vector<double> repeat_similarity_coefficients;  // log(1 - R(gap))
  std::vector<double> baseline_ssim_coefficients;      // log(1 - fresh SSIM), VP8 CBR
  nlohmann::json provenance;  // how it was trained and its evaluation (kept, not interpreted)
};

class RateQualityModel {
 public:
  // Validates: version 1, the feature lists match this build's, coefficient vectors of the right
  // length with finite values, known codecs, positive encode costs, no duplicate profile.
  static StatusOr<std::unique_ptr<RateQualityModel>> FromJson(const nlohmann::json& json);
  static StatusOr<std::unique_ptr<RateQualityModel>> Load(const std::string& path);
  static StatusOr<std::unique_ptr<RateQualityModel>> Create(RateQualityModelData data);

  nlohmann::json ToJson() const;
  const RateQualityModelData& data() const { return data_; }
  const ProfileModel* FindProfile(const EncoderProfile& profile) const;

  // `ssim_bias` is added to the predicted log(1 - SSIM) of the fresh frames (the closed loop's
  // correction; positive = the model was optimistic). Errors: unknown profile, bad settings.
  StatusOr<RatePrediction> Predict(const RateModelContent& content,
                                   const RateModelSettings& settings, double ssim_bias = 0.0) const;

  // The largest quantizer (in steps of 0.25, within [min_quantizer, the codec's maximum]) whose
  // predicted viewer-side SSIM reaches `target`; nullopt when even min_quantizer falls short.
  std::optional<double> QuantizerForTarget(const RateModelContent& content,
                                           RateModelSettings settings, double target,
                                           double ssim_bias = 0.0,
                                           double min_quantizer = 0.0) const;

  // Viewer-side SSIM of fresh frames of quality `ssim_fresh` shown at encoded_fps from a source
  // at content.fps.
  double ViewerSsim(const RateModelContent& content, double ssim_fresh, double encoded_fps) const;

  // The reference quality: viewer-side SSIM-Y of the baseline (VP8 CBR at `kbps`, frames kept at
  // `fps`) on this content.
  double PredictBaselineSsim(const RateModelContent& content, double kbps, double fps) const;

 private:
  explicit RateQualityModel(RateQualityModelData data) : data_(std::move(data)) {}
  RateQualityModelData data_;
};

// The model the build embeds (data/video_rate_model.json at configure time), unless
// $AURALINK_VIDEO_RATE_MODEL names a file to load instead.
StatusOr<std::unique_ptr<RateQualityModel>> LoadDefaultRateQualityModel();

}  // namespace auralink::video
