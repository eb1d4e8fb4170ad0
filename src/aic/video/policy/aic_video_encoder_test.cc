#include "aic/video/policy/aic_video_encoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "aic/video/policy/test_rate_model.h"
#include "aic/video/test_video_clip.h"
#include "quality/video_quality.h"
#include "video/frame_scaler.h"

namespace auralink::video {
namespace {

using testing::LoadTestClip;

constexpr int kSize = 192;
constexpr double kFps = 25.0;

struct WatchedRun {
  std::vector<FrameReport> reports;
  int64_t bytes = 0;
  double viewer_ssim = 0.0;
  bool decoded_all = true;
};

// Encodes `frames` and decodes every output frame with a decoder of the codec its report names,
// measuring viewer-side SSIM-Y (the picture on screen, upscaled, against each source frame).
WatchedRun EncodeAndWatch(AicVideoEncoder& encoder, const std::vector<VideoFrame>& frames,
                          const std::function<void(int)>& before_frame = nullptr) {
  WatchedRun run;
  std::map<VideoCodecType, std::unique_ptr<VideoDecoder>> decoders;
  std::optional<VideoFrame> on_screen;
  std::optional<VideoCodecType> last_codec;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (before_frame) before_frame(static_cast<int>(i));
    std::vector<EncodedFrame> out;
    FrameReport report;
    const Status status = encoder.Encode(frames[i], &out, &report);
    EXPECT_TRUE(status.ok()) << status.message();
    for (const EncodedFrame& unit : out) {
      run.bytes += static_cast<int64_t>(unit.data.size());
      // A codec switch inside the stream starts with a key frame of the new codec.
      if (last_codec && *last_codec != report.codec) {
        EXPECT_TRUE(unit.keyframe) << "frame " << i;
      }
      last_codec = report.codec;
      auto& decoder = decoders[report.codec];
      if (!decoder) {
        auto created = CreateVideoDecoder(report.codec);
        EXPECT_TRUE(created.ok());
        if (!created.ok()) return run;
        decoder = std::move(*created);
      }
      std::vector<VideoFrame> decoded;
      if (!decoder->Decode(unit.data, &decoded).ok()) run.decoded_all = false;
      if (!decoded.empty()) {
        on_screen =
            *ScaleFrame(decoded.back(), frames[i].width, frames[i].height, ScaleFilter::kBilinear);
      }
    }
    EXPECT_EQ(report.sent, !out.empty());
    if (on_screen) {
      run.viewer_ssim +=
          quality::PlaneSsim(frames[i].y().data(), frames[i].width, on_screen->y().data(),
                             on_screen->width, frames[i].width, frames[i].height);
    }
    run.reports.push_back(report);
  }
  run.viewer_ssim /= static_cast<double>(frames.size());
  return run;
}

AicVideoSettings Settings(AicMode mode) {
  AicVideoSettings settings;
  settings.mode = mode;
  return settings;
}

// For tests of what the encoder chooses rather than how fast: the largest latency budget, so a
// loaded test machine (parallel tests, sanitizers) cannot set off the latency fallback.
AicVideoSettings UntimedSettings(AicMode mode) {
  AicVideoSettings settings = Settings(mode);
  settings.max_latency_ms = 10000.0;
  return settings;
}

TEST(AicVideoEncoderTest, OffModeIsTheLiveKitBaseline) {
  const auto frames = LoadTestClip(kSize, kSize, 25);
  auto encoder = AicVideoEncoder::Create(Settings(AicMode::kOff), kSize, kSize, kFps);
  ASSERT_TRUE(encoder.ok()) << encoder.status().message();
  const WatchedRun run = EncodeAndWatch(**encoder, frames);
  EXPECT_TRUE(run.decoded_all);
  int sent = 0;
  for (const FrameReport& report : run.reports) {
    EXPECT_EQ(report.codec, VideoCodecType::kVp8);
    sent += report.sent ? 1 : 0;
  }
  // 192x192 takes the h180 4:3 preset: 20 fps, so 4 of every 5 frames at 25 fps.
  EXPECT_EQ(sent, 20);
  EXPECT_TRUE(run.reports[0].keyframe);
}

TEST(AicVideoEncoderTest, AdaptiveEncodesADecodableStreamAndChecksItsQuality) {
  const auto frames = LoadTestClip(kSize, kSize, 40);
  auto encoder = AicVideoEncoder::Create(UntimedSettings(AicMode::kAdaptive), kSize, kSize, kFps);
  ASSERT_TRUE(encoder.ok()) << encoder.status().message();
  const WatchedRun run = EncodeAndWatch(**encoder, frames);
  EXPECT_TRUE(run.decoded_all);
  EXPECT_TRUE(run.reports[0].keyframe);
  int measured = 0;
  int64_t reported_bytes = 0;
  for (const FrameReport& report : run.reports) {
    measured += report.measured_ssim ? 1 : 0;
    reported_bytes += static_cast<int64_t>(report.bytes);
    EXPECT_FALSE(report.fallback);
    EXPECT_GT(report.decision.target_ssim, 0.0);
    EXPECT_GT(report.width, 0);
  }
  EXPECT_GE(measured, 5);
  EXPECT_EQ(reported_bytes, run.bytes);
  const AicVideoStats& stats = (*encoder)->stats();
  EXPECT_EQ(stats.frames, 40);
  EXPECT_EQ(stats.bytes, run.bytes);
  EXPECT_GT(stats.controller.decisions, 0);
  EXPECT_GT(stats.reference_samples, 0);  // the shadow baseline ran
  EXPECT_GT(run.viewer_ssim, 0.7);
}

TEST(AicVideoEncoderTest, SendsFewerBitsThanTheBaselineOnATalkingHead) {
  if (SharedTestFile(testing::kTalkingHeadClip).empty()) {
    GTEST_SKIP() << "needs the shared talking-head clip";
  }
  const auto frames = LoadTestClip(256, 256, 50);
  auto baseline = AicVideoEncoder::Create(Settings(AicMode::kOff), 256, 256, kFps);
  auto adaptive = AicVideoEncoder::Create(UntimedSettings(AicMode::kAdaptive), 256, 256, kFps);
  ASSERT_TRUE(baseline.ok() && adaptive.ok());
  const WatchedRun base = EncodeAndWatch(**baseline, frames);
  const WatchedRun aic = EncodeAndWatch(**adaptive, frames);
  EXPECT_LT(aic.bytes, base.bytes) << aic.bytes << " vs " << base.bytes;
  EXPECT_GT(aic.viewer_ssim, base.viewer_ssim - 0.02)
      << aic.viewer_ssim << " vs " << base.viewer_ssim;
}

TEST(AicVideoEncoderTest, AnImpossibleLatencyBudgetFallsBackToTheBaselineAndSaysWhy) {
  const auto frames = LoadTestClip(kSize, kSize, 30);
  AicVideoSettings settings = Settings(AicMode::kAdaptive);
  settings.max_latency_ms = 0.001;
  auto encoder = AicVideoEncoder::Create(settings, kSize, kSize, kFps);
  ASSERT_TRUE(encoder.ok());
  const WatchedRun run = EncodeAndWatch(**encoder, frames);
  EXPECT_TRUE(run.decoded_all);
  bool fell_back = false;
  for (const FrameReport& report : run.reports) {
    if (!report.fallback) continue;
    fell_back = true;
    EXPECT_EQ(report.fallback_reason, FallbackReason::kLatency);
    EXPECT_EQ(report.codec, VideoCodecType::kVp8);
    EXPECT_FALSE(report.fallback_detail.empty());
  }
  EXPECT_TRUE(fell_back);
  EXPECT_GE((*encoder)->stats().fallbacks.latency, 1);
  EXPECT_GT((*encoder)->stats().fallback_frames, 0);
}

TEST(AicVideoEncoderTest, QualityUnderTheFloorFallsBackWhenTheCapIsNotTheCause) {
  const auto frames = LoadTestClip(kSize, kSize, 40);
  // Without prediction the quantizer starts at 48 of 63 and the integral control lowers it by at
  // most 3 a measurement: well under a 0.98 floor for the first measurements.
  AicVideoSettings settings = UntimedSettings(AicMode::kAdaptive);
  settings.enable_predictive_compression = false;
  settings.min_quality_score = 0.98;
  AicVideoEncoderOptions options;
  options.bandwidth_cap_kbps = 0;  // no cap
  auto encoder = AicVideoEncoder::Create(settings, kSize, kSize, kFps, options);
  ASSERT_TRUE(encoder.ok());
  const WatchedRun run = EncodeAndWatch(**encoder, frames);
  EXPECT_TRUE(run.decoded_all);
  EXPECT_GE((*encoder)->stats().fallbacks.quality, 1);
}

TEST(AicVideoEncoderTest, ALowerCapLowersTheBitrate) {
  const auto frames = LoadTestClip(kSize, kSize, 80);
  AicVideoEncoderOptions options;
  options.bandwidth_cap_kbps = 0;
  auto encoder =
      AicVideoEncoder::Create(UntimedSettings(AicMode::kConservative), kSize, kSize, kFps, options);
  ASSERT_TRUE(encoder.ok());
  const WatchedRun run = EncodeAndWatch(**encoder, frames, [&](int frame) {
    if (frame == 40) (*encoder)->SetBandwidthCap(30);
  });
  int64_t first = 0;
  int64_t second = 0;
  for (size_t i = 0; i < run.reports.size(); ++i) {
    if (i >= 10 && i < 40) first += static_cast<int64_t>(run.reports[i].bytes);
    if (i >= 50) second += static_cast<int64_t>(run.reports[i].bytes);
  }
  EXPECT_LT(second, first);
  EXPECT_GT(run.reports.back().decision.ladder_rung, 0);
  EXPECT_TRUE(run.reports.back().decision.bandwidth_limited);
}

TEST(AicVideoEncoderTest, AKeyframeRequestIsHonouredOnTheNextFrameSent) {
  const auto frames = LoadTestClip(kSize, kSize, 20);
  auto encoder = AicVideoEncoder::Create(Settings(AicMode::kAdaptive), kSize, kSize, kFps);
  ASSERT_TRUE(encoder.ok());
  const WatchedRun run = EncodeAndWatch(**encoder, frames, [&](int frame) {
    if (frame == 12) (*encoder)->RequestKeyframe();
  });
  for (size_t i = 12; i < run.reports.size(); ++i) {
    if (!run.reports[i].sent) continue;
    EXPECT_TRUE(run.reports[i].keyframe);
    break;
  }
}

TEST(AicVideoEncoderTest, RefusesBadSetUpsAndFrames) {
  EXPECT_FALSE(AicVideoEncoder::Create(Settings(AicMode::kAdaptive), 8, 8, kFps).ok());
  EXPECT_FALSE(AicVideoEncoder::Create(Settings(AicMode::kAdaptive), kSize, kSize, 0).ok());
  AicVideoSettings bad = Settings(AicMode::kAdaptive);
  bad.min_quality_score = 2;
  EXPECT_FALSE(AicVideoEncoder::Create(bad, kSize, kSize, kFps).ok());
  auto encoder = AicVideoEncoder::Create(Settings(AicMode::kAdaptive), kSize, kSize, kFps);
  ASSERT_TRUE(encoder.ok());
  std::vector<EncodedFrame> out;
  FrameReport report;
  EXPECT_FALSE((*encoder)->Encode(VideoFrame::Allocate(kSize / 2, kSize), &out, &report).ok());
  VideoFrame truncated = VideoFrame::Allocate(kSize, kSize);
  truncated.data.resize(10);
  EXPECT_FALSE((*encoder)->Encode(truncated, &out, &report).ok());
  EXPECT_TRUE(out.empty());
}

// The corrective key frame (AicVideoEncoderOptions::rekey_quality_margin). A synthetic model
// with one VP8 profile holds the stream to one codec and size, so no key frame comes from a
// change of structure, and without the shadow baseline the target stays the model's. The model
// rates every encode `model_optimism` better in log(1 - SSIM) than the synthetic one: an
// optimistic model picks a quantizer too coarse for the target, as a model does on content it
// was not trained on.
std::vector<FrameReport> EncodeWithModelOptimism(double model_optimism) {
  RateQualityModelData data = testing::SyntheticRateModelData();
  const std::vector<std::string>& names = RateModelFeatureNames();
  const size_t bias =
      static_cast<size_t>(std::find(names.begin(), names.end(), "bias") - names.begin());
  for (ProfileModel& profile : data.profiles) profile.ssim_coefficients.at(bias) -= model_optimism;
  auto model = RateQualityModel::Create(data);
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (!model.ok()) return {};
  AicVideoEncoderOptions options;
  options.model = model->get();
  options.profiles = {EncoderProfile{VideoCodecType::kVp8, -6}};
  options.reference_calibration_ms = 0.0;
  options.bandwidth_cap_kbps = 0.0;
  options.keyframe_quantizer_offset = 0;  // the key frame at the quantizer solved for the target
  auto encoder =
      AicVideoEncoder::Create(UntimedSettings(AicMode::kAdaptive), kSize, kSize, kFps, options);
  EXPECT_TRUE(encoder.ok()) << encoder.status().message();
  if (!encoder.ok()) return {};
  return EncodeAndWatch(**encoder, LoadTestClip(kSize, kSize, 20)).reports;
}

std::vector<size_t> KeyframesOf(const std::vector<FrameReport>& reports) {
  std::vector<size_t> keyframes;
  for (size_t i = 0; i < reports.size(); ++i) {
    EXPECT_FALSE(reports[i].fallback) << "frame " << i;
    if (reports[i].keyframe) keyframes.push_back(i);
  }
  return keyframes;
}

// The first quality check after the key frame at `keyframe` (on the first inter frame).
std::optional<size_t> FirstCheckAfter(const std::vector<FrameReport>& reports, size_t keyframe) {
  for (size_t i = keyframe + 1; i < reports.size(); ++i) {
    if (reports[i].measured_ssim) return i;
  }
  return std::nullopt;
}

TEST(AicVideoEncoderTest, AKeyFrameFarUnderTheTargetIsCodedAgainOnceAtAFinerQuantizer) {
  const double margin = AicVideoEncoderOptions().rekey_quality_margin;
  // A whole step of optimism: the key frame and the inter frame after it are coded about 12
  // quantizer steps too coarse.
  const std::vector<FrameReport> reports = EncodeWithModelOptimism(1.0);
  ASSERT_FALSE(reports.empty());
  const std::vector<size_t> keyframes = KeyframesOf(reports);
  ASSERT_EQ(keyframes.size(), 2u) << "the first key frame and exactly one correction";
  const std::optional<size_t> check = FirstCheckAfter(reports, keyframes[0]);
  ASSERT_TRUE(check.has_value());
  ASSERT_LT(*check, keyframes[1]);
  // The premise: the check after the first key frame finds it more than the margin under.
  EXPECT_LT(*reports[*check].measured_ssim, reports[*check].decision.target_ssim - margin);
  // The correction is the next frame sent, at a finer quantizer than the key frame it replaces.
  for (size_t i = *check + 1; i < keyframes[1]; ++i) EXPECT_FALSE(reports[i].sent) << i;
  EXPECT_LT(reports[keyframes[1]].quantizer, reports[keyframes[0]].quantizer);
}

TEST(AicVideoEncoderTest, AKeyFrameThatReachesTheTargetIsNotCodedAgain) {
  const double margin = AicVideoEncoderOptions().rekey_quality_margin;
  // A quarter step of optimism puts the solved quantizer's first inter frame within 0.004 of the
  // target on both the shared clip and the synthetic scene.
  const std::vector<FrameReport> reports = EncodeWithModelOptimism(0.25);
  ASSERT_FALSE(reports.empty());
  const std::vector<size_t> keyframes = KeyframesOf(reports);
  ASSERT_FALSE(keyframes.empty());
  const std::optional<size_t> check = FirstCheckAfter(reports, keyframes[0]);
  ASSERT_TRUE(check.has_value());
  // The premise: the check after the key frame is within the margin of the target (or over it).
  EXPECT_GE(*reports[*check].measured_ssim, reports[*check].decision.target_ssim - margin);
  EXPECT_EQ(keyframes.size(), 1u);
}

}  // namespace
}  // namespace auralink::video
