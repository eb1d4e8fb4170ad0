#include "aic/video/policy/aic_video_encoder.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include "aic/video/livekit_video_presets.h"
#include "aic/video/policy/aic_encoder_config.h"
#include "aic/video/policy/face_quality_map.h"
#include "common/log.h"
#include "quality/video_quality.h"
#include "video/frame_scaler.h"

namespace auralink::video {
namespace {

double WallMilliseconds() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double ThreadCpuMilliseconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return 1e3 * static_cast<double>(now.tv_sec) + 1e-6 * static_cast<double>(now.tv_nsec);
}

bool SameFaces(const std::vector<FaceRectangle>& a, const std::vector<FaceRectangle>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    // Sub-block wobble of the tracker does not change a 16x16 map.
    if (std::abs(a[i].x - b[i].x) > 4 || std::abs(a[i].y - b[i].y) > 4 ||
        std::abs(a[i].width - b[i].width) > 4 || std::abs(a[i].height - b[i].height) > 4) {
      return false;
    }
  }
  return true;
}

}  // namespace

AicVideoEncoder::~AicVideoEncoder() = default;

double AicVideoEncoder::NowMs() const {
  return options_.thread_cpu_time ? ThreadCpuMilliseconds() : WallMilliseconds();
}

StatusOr<std::unique_ptr<AicVideoEncoder>> AicVideoEncoder::Create(
    const AicVideoSettings& settings, int width, int height, double fps,
    const AicVideoEncoderOptions& options) {
  AURALINK_RETURN_IF_ERROR(ValidateAicVideoSettings(settings));
  if (width < 16 || height < 16 || width > kMaxVideoDimension || height > kMaxVideoDimension) {
    return Status::Error("AIC video: source size " + std::to_string(width) + "x" +
                         std::to_string(height) + " is out of range (16.." +
                         std::to_string(kMaxVideoDimension) + ")");
  }
  if (!(fps > 0.0 && fps <= 1000.0))
    return Status::Error("AIC video: source frame rate out of range");
  std::unique_ptr<AicVideoEncoder> encoder(new AicVideoEncoder());
  encoder->settings_ = settings;
  encoder->options_ = options;
  if (options.quality_check_interval <= 0) {
    const double megapixels = width * static_cast<double>(height) / 1e6;
    encoder->options_.quality_check_interval = megapixels <= 0.3 ? 3 : megapixels <= 0.6 ? 4 : 6;
  }
  encoder->width_ = width;
  encoder->height_ = height;
  encoder->fps_ = fps;
  const LiveKitVideoPreset preset = LiveKitCameraPresetFor(width, height);
  encoder->preset_kbps_ = preset.max_bitrate_kbps;
  encoder->preset_fps_ = std::min<double>(fps, preset.max_framerate);
  encoder->cap_kbps_ =
      options.bandwidth_cap_kbps < 0.0 ? preset.max_bitrate_kbps : options.bandwidth_cap_kbps;
  encoder->baseline_decimator_.SetRates(fps, encoder->preset_fps_);

  if (settings.mode == AicMode::kOff) return encoder;

  if (options.model != nullptr) {
    encoder->model_ = options.model;
  } else {
    auto model = LoadDefaultRateQualityModel();
    if (!model.ok()) return model.status();
    encoder->owned_model_ = std::move(*model);
    encoder->model_ = encoder->owned_model_.get();
  }
  auto analyzer = ContentAnalyzer::Create();
  if (!analyzer.ok()) return analyzer.status();
  encoder->analyzer_ = std::move(*analyzer);
  if (settings.enable_perceptual_optimization) {
    auto faces = FaceDetector::Create();
    if (faces.ok()) {
      encoder->faces_ = std::move(*faces);
    } else {
      AURALINK_LOG(kWarning) << "AIC video: region-aware coding off: " << faces.status().message();
    }
  }

  RateControllerConfig config;
  config.settings = settings;
  config.width = width;
  config.height = height;
  config.fps = fps;
  config.baseline_kbps = preset.max_bitrate_kbps;
  config.baseline_fps = encoder->preset_fps_;
  config.cap_kbps = encoder->cap_kbps_;
  config.profiles = options.profiles;
  auto controller = QualityTargetedRateController::Create(config, encoder->model_);
  if (!controller.ok()) return controller.status();
  encoder->controller_ = std::move(*controller);

  VideoFallbackConfig fallback;
  fallback.max_latency_ms = settings.max_latency_ms > 0.0 ? settings.max_latency_ms : 1000.0 / fps;
  fallback.min_quality = settings.min_quality_score;
  // About a second of quality checks: time for the closed loop to correct a dip before the
  // baseline takes over.
  fallback.quality_window =
      std::max(3, static_cast<int>(std::lround(fps / encoder->options_.quality_check_interval)));
  encoder->fallback_ = std::make_unique<VideoFallbackPolicy>(fallback);
  return encoder;
}

void AicVideoEncoder::SetBandwidthCap(double kbps) {
  cap_kbps_ = std::max(0.0, kbps);
  if (controller_) {
    controller_->SetBandwidthCap(static_cast<int64_t>(frame_index_ * 1000.0 / fps_), cap_kbps_);
  }
  if (baseline_) {
    VideoEncoderConfig config = baseline_->config();
    const int target =
        cap_kbps_ > 0.0 ? std::min(preset_kbps_, static_cast<int>(cap_kbps_)) : preset_kbps_;
    if (config.target_kbps != std::max(1, target)) {
      config.target_kbps = std::max(1, target);
      if (!baseline_->Reconfigure(config).ok()) baseline_.reset();
    }
  }
}

int AicVideoEncoder::NextQuantizer(const EncoderProfile& profile, double quantizer) {
  // Every wrapper changes the quantizer in place (openh264 through
  // ENCODER_OPTION_SVC_ENCODE_PARAM_EXT, no IDR picture), so H.264 follows the loop like the rest:
  // holding its quantizer for two seconds left the screen clip 0.02 SSIM over its target.
  // Error diffusion: a fractional quantizer alternates between its neighbours in proportion.
  const double wanted = quantizer + dither_error_;
  const int chosen = static_cast<int>(std::floor(wanted + 0.5));
  dither_error_ = std::clamp(wanted - chosen, -1.0, 1.0);
  return std::clamp(chosen, 0, MaxQuantizerOf(profile.codec));
}

Status AicVideoEncoder::EncodeBaseline(const VideoFrame& frame, int64_t index, bool resume_keyframe,
                                       std::vector<EncodedFrame>* out, FrameReport* report) {
  if (!baseline_) {
    VideoEncoderConfig config = BaselineEncoderConfig(width_, height_, fps_);
    if (options_.fallback_codec != config.codec) {
      config.codec = options_.fallback_codec;
      config.speed = -1;  // the wrapper's real-time default for that codec
      config.max_quantizer = std::min(config.max_quantizer, MaxQuantizerOf(config.codec));
    }
    if (cap_kbps_ > 0.0)
      config.target_kbps = std::max(1, std::min(config.target_kbps, static_cast<int>(cap_kbps_)));
    auto encoder = CreateVideoEncoder(config);
    if (!encoder.ok()) return encoder.status().WithContext("AIC video: baseline encoder");
    baseline_ = std::move(*encoder);
    baseline_decimator_.SetRates(fps_, preset_fps_);
    resume_keyframe = true;
  }
  report->codec = options_.fallback_codec;
  report->width = width_;
  report->height = height_;
  if (!baseline_decimator_.Keep(index)) return Status::Ok();
  const double start = NowMs();
  const size_t before = out->size();
  VideoFrame timed;
  const VideoFrame* input = &frame;
  if (frame.pts != index) {
    timed = frame;
    timed.pts = index;
    input = &timed;
  }
  AURALINK_RETURN_IF_ERROR(baseline_->Encode(*input, resume_keyframe || keyframe_requested_, out));
  report->encode_ms = NowMs() - start;
  for (size_t i = before; i < out->size(); ++i) {
    EncodedFrame& encoded = (*out)[i];
    encoded.pts = frame.pts;
    report->sent = true;
    report->keyframe = report->keyframe || encoded.keyframe;
    report->bytes += encoded.data.size();
    report->quantizer = encoded.quantizer;
  }
  if (report->keyframe) keyframe_requested_ = false;
  return Status::Ok();
}

Status AicVideoEncoder::ApplyDecision(const RateDecision& decision, bool* keyframe_needed) {
  const int quantizer = NextQuantizer(decision.profile, decision.quantizer);
  const bool codec_changed = !encoder_ || decision.profile.codec != active_profile_.codec;
  const bool resized = !codec_changed && (active_config_.width != decision.width ||
                                          active_config_.height != decision.height);
  if (codec_changed || resized) *keyframe_needed = true;
  // What runs after this frame; a key frame itself is coded keyframe_quantizer_offset coarser.
  active_config_ = QualityEncoderConfig(
      decision.profile, decision.width, decision.height, decision.frame_rate, quantizer,
      decision.screen_content ? VideoContentType::kScreen : VideoContentType::kCamera);
  active_profile_ = decision.profile;
  VideoEncoderConfig config = active_config_;
  if (*keyframe_needed && options_.keyframe_quantizer_offset != 0 && !rekey_pending_) {
    config.quality = std::clamp(quantizer + options_.keyframe_quantizer_offset, 0,
                                MaxQuantizerOf(decision.profile.codec));
  }
  if (codec_changed) {
    auto encoder = CreateVideoEncoder(config);
    if (!encoder.ok()) return encoder.status();
    auto checker = CreateVideoDecoder(config.codec);
    if (!checker.ok()) return checker.status();
    if (encoder_) ++stats_.codec_switches;
    encoder_ = std::move(*encoder);
    checker_ = std::move(*checker);
    map_applied_ = false;
    last_faces_.clear();
  } else {
    const VideoEncoderConfig& current = encoder_->config();
    const bool same = current.quality == config.quality && current.width == config.width &&
                      current.height == config.height && current.speed == config.speed &&
                      current.fps_numerator == config.fps_numerator &&
                      current.target_kbps == config.target_kbps;
    if (resized) {
      map_applied_ = false;
      last_faces_.clear();
    }
    if (!same) AURALINK_RETURN_IF_ERROR(encoder_->Reconfigure(config));
  }
  return Status::Ok();
}

Status AicVideoEncoder::EncodeAic(const VideoFrame& frame, int64_t index,
                                  std::vector<EncodedFrame>* out, FrameReport* report) {
  const RateDecision& decision = controller_->decision();
  report->decision = decision;
  const bool resumed = in_fallback_;
  bool keyframe = keyframe_requested_ || resumed;
  if (resumed) {
    in_fallback_ = false;
    baseline_.reset();
  }
  const double start = NowMs();
  // The frame rate decides before anything is configured: a dropped frame costs nothing.
  const bool rate_changed = std::abs(decimator_.output_fps() - decision.frame_rate) > 1e-6;
  if (rate_changed) decimator_.SetRates(fps_, decision.frame_rate);
  if (!decimator_.Keep(index)) {
    report->codec = active_profile_.codec;
    report->width = active_config_.width;
    report->height = active_config_.height;
    return Status::Ok();
  }
  AURALINK_RETURN_IF_ERROR(ApplyDecision(decision, &keyframe));
  report->codec = decision.profile.codec;
  report->width = decision.width;
  report->height = decision.height;

  const VideoFrame* input = &frame;
  if (decision.width != width_ || decision.height != height_) {
    scaled_.width = decision.width;
    scaled_.height = decision.height;
    AURALINK_RETURN_IF_ERROR(ScaleFrameInto(frame, &scaled_, ScaleFilter::kBox));
    input = &scaled_;
  }

  if (faces_ && TakesRegionOfInterestMap(decision.profile.codec)) {
    auto faces = faces_->Track(frame);
    if (faces.ok() && (!map_applied_ || !SameFaces(*faces, last_faces_))) {
      const RegionOfInterestMap map = FaceQualityMap(decision.profile.codec, width_, height_,
                                                     decision.width, decision.height, *faces);
      if (encoder_->SetRegionOfInterest(map).ok()) {
        map_applied_ = true;
        last_faces_ = *faces;
      }
    }
    report->region_of_interest = map_applied_ && !last_faces_.empty();
  }

  const size_t before = out->size();
  VideoFrame timed;
  if (input->pts != index) {
    timed = *input;
    timed.pts = index;
    input = &timed;
  }
  AURALINK_RETURN_IF_ERROR(encoder_->Encode(*input, keyframe, out));
  report->encode_ms = NowMs() - start;
  // The key frame's coarser quantizer is for that frame only.
  if (encoder_->config().quality != active_config_.quality) {
    AURALINK_RETURN_IF_ERROR(encoder_->Reconfigure(active_config_));
  }

  for (size_t i = before; i < out->size(); ++i) {
    EncodedFrame& encoded = (*out)[i];
    encoded.pts = frame.pts;
    report->sent = true;
    report->keyframe = report->keyframe || encoded.keyframe;
    report->bytes += encoded.data.size();
    report->quantizer = encoded.quantizer;
  }
  if (!report->sent) return Status::Ok();
  if (report->keyframe) {
    keyframe_requested_ = false;
    // A corrective key frame gets no correction of its own.
    rekey_allowed_ = !rekey_pending_;
    rekey_pending_ = false;
  }
  controller_->OnFrameEncoded(static_cast<int64_t>(index * 1000.0 / fps_), report->bytes,
                              report->keyframe, report->encode_ms);

  // The check: decode every frame (the decoder needs them all), measure every Nth.
  const double check_start = NowMs();
  decoded_.clear();
  for (size_t i = before; i < out->size(); ++i) {
    const Status status = checker_->Decode((*out)[i].data, &decoded_);
    if (!status.ok()) {
      AURALINK_LOG(kWarning) << "AIC video: the quality check could not decode: "
                             << status.message();
      break;
    }
  }
  ++sent_since_check_;
  inter_since_keyframe_ = report->keyframe ? 0 : inter_since_keyframe_ + 1;
  const bool early = inter_since_keyframe_ == 1 || inter_since_keyframe_ == 3;
  if (!report->keyframe && !decoded_.empty() &&
      (early || sent_since_check_ >= options_.quality_check_interval)) {
    const VideoFrame* shown = &decoded_.back();
    bool usable = true;
    if (shown->width != width_ || shown->height != height_) {
      upscaled_.width = width_;
      upscaled_.height = height_;
      usable = ScaleFrameInto(*shown, &upscaled_, ScaleFilter::kBilinear).ok();
      shown = &upscaled_;
    }
    quality::VideoQualityOptions quality_options;
    quality_options.ms_ssim = false;
    auto measured = usable ? quality::MeasureFrame(frame, *shown, quality_options)
                           : StatusOr<quality::FrameQuality>(Status::Error("upscale failed"));
    if (measured.ok()) {
      report->measured_ssim = measured->ssim_y;
      // Right after a key frame the picture is mostly the key frame's: a check there says the
      // quantizer is too coarse when it is, but its good news is the key frame's, which the
      // inter frames lose over the next second, so only bad news is taken early.
      const bool regular = sent_since_check_ >= options_.quality_check_interval;
      if (regular || measured->ssim_y < decision.target_ssim) {
        controller_->OnQualityMeasured(measured->ssim_y);
      }
      if (early && rekey_allowed_ && options_.rekey_quality_margin > 0.0 &&
          measured->ssim_y < decision.target_ssim - options_.rekey_quality_margin) {
        keyframe_requested_ = true;
        rekey_pending_ = true;
        rekey_allowed_ = false;
      }
      fallback_->OnQualityMeasured(static_cast<int64_t>(index * 1000.0 / fps_), measured->ssim_y,
                                   decision.bandwidth_limited);
    }
    sent_since_check_ = 0;
  }
  report->quality_check_ms = NowMs() - check_start;
  return Status::Ok();
}

void AicVideoEncoder::RunShadowBaseline(const VideoFrame& frame, int64_t index,
                                        FrameReport* report) {
  const double start = NowMs();
  if (!shadow_) {
    // The baseline as a browser would have started it with this stream.
    VideoEncoderConfig config = BaselineEncoderConfig(width_, height_, fps_);
    auto encoder = CreateVideoEncoder(config);
    auto decoder = CreateVideoDecoder(config.codec);
    if (!encoder.ok() || !decoder.ok()) {
      shadow_done_ = true;
      return;
    }
    shadow_ = std::move(*encoder);
    shadow_decoder_ = std::move(*decoder);
    shadow_decimator_.SetRates(fps_, preset_fps_);
  }
  if (shadow_decimator_.Keep(index)) {
    std::vector<EncodedFrame> encoded;
    VideoFrame timed = frame;
    timed.pts = index;
    if (shadow_->Encode(timed, false, &encoded).ok()) {
      for (const EncodedFrame& unit : encoded) {
        decoded_.clear();
        if (shadow_decoder_->Decode(unit.data, &decoded_).ok() && !decoded_.empty()) {
          shadow_on_screen_ = std::move(decoded_.back());
        }
      }
    }
  }
  // Frames sampled by a multiplicative hash: no period to alias with the baseline's frame drops.
  const bool sampled = width_ * static_cast<double>(height_) <= 0.5e6 ||
                       (static_cast<uint64_t>(index) * 2654435761u) % 3 == 0;
  if (shadow_on_screen_ && sampled) {
    quality::VideoQualityOptions quality_options;
    quality_options.ms_ssim = false;
    auto measured = quality::MeasureFrame(frame, *shadow_on_screen_, quality_options);
    if (measured.ok()) {
      report->reference_ssim = measured->ssim_y;
      ++stats_.reference_samples;
      controller_->OnReferenceMeasured(measured->ssim_y);
    }
  }
  report->calibration_ms = NowMs() - start;
}

Status AicVideoEncoder::Encode(const VideoFrame& frame, std::vector<EncodedFrame>* out,
                               FrameReport* report) {
  if (out == nullptr || report == nullptr) return Status::Error("AIC video: no output given");
  *report = FrameReport();
  report->pts = frame.pts;
  if (frame.width != width_ || frame.height != height_ ||
      frame.data.size() != VideoFrame::BufferSize(frame.width, frame.height)) {
    return Status::Error("AIC video: frame is " + std::to_string(frame.width) + "x" +
                         std::to_string(frame.height) + ", the stream is " +
                         std::to_string(width_) + "x" + std::to_string(height_));
  }
  const int64_t index = frame_index_++;
  const int64_t now_ms = static_cast<int64_t>(index * 1000.0 / fps_);
  ++stats_.frames;

  if (settings_.mode == AicMode::kOff) {
    AURALINK_RETURN_IF_ERROR(EncodeBaseline(frame, index, false, out, report));
  } else {
    const double analysis_start = NowMs();
    auto features = analyzer_->Analyze(frame);
    if (features.ok()) {
      report->scene_cut = features->scene_cut;
      report->decision_changed = controller_->OnFrame(now_ms, &*features);
    } else {
      report->decision_changed = controller_->OnFrame(now_ms, nullptr);
    }
    report->analysis_ms = NowMs() - analysis_start;

    const double megapixels = width_ * static_cast<double>(height_) / 1e6;
    const double calibration_ms = options_.reference_calibration_ms >= 0.0
                                      ? options_.reference_calibration_ms
                                  : megapixels <= 0.5 ? 1e300
                                                      : 2000.0;
    if (!shadow_done_ && calibration_ms > 0.0 &&
        megapixels <= options_.reference_calibration_max_megapixels) {
      if (now_ms < calibration_ms) {
        RunShadowBaseline(frame, index, report);
      } else {
        shadow_done_ = true;
        shadow_.reset();
        shadow_decoder_.reset();
        shadow_on_screen_.reset();
      }
    }

    if (fallback_->Active(now_ms)) {
      const bool entering = !in_fallback_;
      in_fallback_ = true;
      report->fallback = true;
      report->fallback_reason = fallback_->reason();
      report->fallback_detail = fallback_->detail();
      report->decision = controller_->decision();
      AURALINK_RETURN_IF_ERROR(EncodeBaseline(frame, index, entering, out, report));
      ++stats_.fallback_frames;
    } else {
      const size_t before = out->size();
      const Status status = EncodeAic(frame, index, out, report);
      if (!status.ok()) {
        // The AIC encoder is dropped; after the hold a fresh one starts with a key frame.
        out->resize(before);
        encoder_.reset();
        checker_.reset();
        fallback_->OnEncoderError(now_ms, status.message());
        AURALINK_LOG(kWarning) << "AIC video: falling back to the baseline: " << status.message();
        in_fallback_ = true;
        report->fallback = true;
        report->fallback_reason = FallbackReason::kEncoderError;
        report->fallback_detail = fallback_->detail();
        report->sent = false;
        report->bytes = 0;
        report->keyframe = false;
        AURALINK_RETURN_IF_ERROR(EncodeBaseline(frame, index, true, out, report));
        ++stats_.fallback_frames;
      } else if (report->sent && !report->keyframe) {
        // Key frames take several inter frames' time and are rare; a receiver's jitter buffer
        // absorbs one. The budget is for the steady state.
        fallback_->OnFrameTime(now_ms, report->analysis_ms + report->encode_ms);
      }
    }
    stats_.fallbacks = fallback_->counters();
    stats_.controller = controller_->stats();
  }
  if (report->sent) {
    ++stats_.sent_frames;
    stats_.bytes += static_cast<int64_t>(report->bytes);
    stats_.keyframes += report->keyframe ? 1 : 0;
  }
  stats_.analysis_ms += report->analysis_ms;
  stats_.encode_ms += report->encode_ms;
  stats_.quality_check_ms += report->quality_check_ms;
  stats_.calibration_ms += report->calibration_ms;
  return Status::Ok();
}

}  // namespace auralink::video
