#include "aic/video/aom_codec.h"

#include <aom/aom_encoder.h>
#include <aom/aomcx.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "aic/video/temporal_layer_pattern.h"

namespace auralink::video {
namespace {

constexpr int kTimebaseHz = 90000;  // RTP's video clock
// libwebrtc's libaom_av1_encoder buffer model (ms) and rate tolerances (%).
constexpr int kBufferInitialMs = 600;
constexpr int kBufferOptimalMs = 600;
constexpr int kBufferSizeMs = 1000;
constexpr int kUndershootPercent = 50;
constexpr int kOvershootPercent = 50;
constexpr int kDropFrameThresholdPercent = 30;
constexpr int kDefaultSpeed = 8;
constexpr int kMaxIntraBitratePercent = 300;
// AV1 reference names as indices into aom_svc_ref_frame_config_t::reference / ref_idx.
constexpr int kLastFrame = 0;

Status CodecError(const char* what, aom_codec_ctx_t* context) {
  std::string message = std::string("libaom ") + what + ": " + aom_codec_error(context);
  if (const char* detail = aom_codec_error_detail(context); detail != nullptr && *detail) {
    message += std::string(" (") + detail + ")";
  }
  return Status::Error(message);
}

int64_t FrameDuration(const VideoEncoderConfig& config) {
  return std::max<int64_t>(1, std::llround(static_cast<double>(kTimebaseHz) *
                                           config.fps_denominator / config.fps_numerator));
}

void FillConfig(const VideoEncoderConfig& config, aom_codec_enc_cfg_t* cfg) {
  cfg->g_w = static_cast<unsigned>(config.width);
  cfg->g_h = static_cast<unsigned>(config.height);
  cfg->g_timebase = {1, kTimebaseHz};
  cfg->g_threads = static_cast<unsigned>(config.threads);
  cfg->g_pass = AOM_RC_ONE_PASS;
  cfg->g_lag_in_frames = 0;
  cfg->g_error_resilient = config.error_resilient ? AOM_ERROR_RESILIENT_DEFAULT : 0;
  const bool quality = config.rate_control == RateControlMode::kConstantQuality;
  cfg->rc_end_usage = !quality ? AOM_CBR : config.target_kbps > 0 ? AOM_CQ : AOM_Q;
  cfg->rc_target_bitrate =
      static_cast<unsigned>(config.target_kbps > 0 ? config.target_kbps : 100000);
  cfg->rc_min_quantizer = static_cast<unsigned>(config.min_quantizer);
  cfg->rc_max_quantizer = static_cast<unsigned>(config.max_quantizer);
  cfg->rc_undershoot_pct = kUndershootPercent;
  cfg->rc_overshoot_pct = kOvershootPercent;
  cfg->rc_buf_initial_sz = kBufferInitialMs;
  cfg->rc_buf_optimal_sz = kBufferOptimalMs;
  cfg->rc_buf_sz = kBufferSizeMs;
  cfg->rc_dropframe_thresh = quality ? 0 : kDropFrameThresholdPercent;
  cfg->rc_resize_mode = 0;
  cfg->rc_superres_mode = AOM_SUPERRES_NONE;
  // Key frames are scheduled by the wrapper so the temporal layer pattern restarts with each.
  cfg->kf_mode = AOM_KF_DISABLED;
  cfg->kf_min_dist = 0;
  cfg->kf_max_dist = static_cast<unsigned>(config.keyframe_interval);
}

// One frame's references in a temporal layer structure: every frame predicts from LAST only,
// pointing it at the newest frame of a lower or equal layer. Slot 0 holds the newest layer-0
// frame, slot 1 the newest layer-1 frame of the three-layer structure.
aom_svc_ref_frame_config_t LayerReferences(int layers, int64_t position) {
  aom_svc_ref_frame_config_t references{};
  references.reference[kLastFrame] = 1;
  const int phase = static_cast<int>(position % TemporalLayerPeriod(layers));
  if (phase == 0) {
    references.refresh[0] = 1;
  } else if (layers == 3 && phase == 2) {
    references.refresh[1] = 1;
  } else if (layers == 3 && phase == 3) {
    references.ref_idx[kLastFrame] = 1;
  }
  return references;
}

}  // namespace

struct AomEncoder::State {
  aom_codec_ctx_t context{};
  aom_codec_enc_cfg_t cfg{};
  bool initialized = false;
  int64_t timestamp = 0;
  int64_t frames_since_key = 0;
  bool keyframe_pending = true;
  int error_resilient_now = -1;  // what AV1E_SET_ERROR_RESILIENT_MODE last set

  ~State() {
    if (initialized) aom_codec_destroy(&context);
  }
};

AomEncoder::AomEncoder(std::unique_ptr<State> state) : state_(std::move(state)) {}
AomEncoder::~AomEncoder() = default;

StatusOr<std::unique_ptr<AomEncoder>> AomEncoder::Create(const VideoEncoderConfig& config) {
  if (config.codec != VideoCodecType::kAv1) return Status::Error("AomEncoder encodes only AV1");
  AURALINK_RETURN_IF_ERROR(ValidateVideoEncoderConfig(config));
  if (config.speed != -1 && (config.speed < 0 || config.speed > 10)) {
    return Status::Error("AV1 speed must be 0..10, or -1 for the default");
  }
  std::unique_ptr<AomEncoder> encoder(new AomEncoder(std::make_unique<State>()));
  encoder->config_ = config;
  AURALINK_RETURN_IF_ERROR(encoder->Initialize());
  return encoder;
}

Status AomEncoder::Initialize() {
  State& state = *state_;
  if (state.initialized) {
    aom_codec_destroy(&state.context);
    state.initialized = false;
  }
  aom_codec_iface_t* iface = aom_codec_av1_cx();
  if (aom_codec_enc_config_default(iface, &state.cfg, AOM_USAGE_REALTIME) != AOM_CODEC_OK) {
    return Status::Error("libaom: no default real-time AV1 config");
  }
  FillConfig(config_, &state.cfg);
  if (aom_codec_enc_init(&state.context, iface, &state.cfg, 0) != AOM_CODEC_OK) {
    Status error = CodecError("encoder init", &state.context);
    aom_codec_destroy(&state.context);
    return error;
  }
  state.initialized = true;
  state.keyframe_pending = true;
  state.error_resilient_now = -1;
  return ApplyControls();
}

Status AomEncoder::ApplyControls() {
  aom_codec_ctx_t* context = &state_->context;
  const int speed = config_.speed != -1 ? config_.speed : kDefaultSpeed;
  const int tile_columns = static_cast<int>(std::floor(std::log2(config_.threads)));
  const bool screen = config_.content == VideoContentType::kScreen;
  // Cyclic-refresh AQ spends bits refreshing blocks to steer a bitrate; a constant-quality stream
  // has no bitrate to steer, and without it the same quality costs 10-15 % fewer bits (measured
  // on the shared talking heads).
  const int aq_mode = config_.rate_control == RateControlMode::kConstantQuality ? 0 : 3;
  // Constant quality is what the AIC policy runs, aiming at an SSIM target: SSIM tuning and
  // quantisation matrices each take 2-3 % off the bits at equal SSIM-Y (KatieHill 512x512 at
  // SSIM 0.9235: 156 -> 148 kbps together; foreman -6 %, the screen clip -14 %).
  const bool quality = config_.rate_control == RateControlMode::kConstantQuality;
  bool ok =
      aom_codec_control(context, AOME_SET_CPUUSED, speed) == AOM_CODEC_OK &&
      aom_codec_control(context, AOME_SET_CQ_LEVEL, config_.quality) == AOM_CODEC_OK &&
      aom_codec_control(context, AOME_SET_MAX_INTRA_BITRATE_PCT, kMaxIntraBitratePercent) ==
          AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_ENABLE_CDEF, 1) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_ENABLE_TPL_MODEL, 0) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_DELTAQ_MODE, 0) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_ENABLE_ORDER_HINT, 0) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_AQ_MODE, aq_mode) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_COEFF_COST_UPD_FREQ, 3) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_MODE_COST_UPD_FREQ, 3) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_MV_COST_UPD_FREQ, 3) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_ENABLE_PALETTE, screen ? 1 : 0) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_TUNE_CONTENT,
                        screen ? AOM_CONTENT_SCREEN : AOM_CONTENT_DEFAULT) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_TILE_COLUMNS, tile_columns) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_ROW_MT, config_.threads > 1 ? 1 : 0) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_ENABLE_OBMC, 0) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_NOISE_SENSITIVITY, 0) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_ENABLE_WARPED_MOTION, 0) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_ENABLE_GLOBAL_MOTION, 0) == AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_ENABLE_REF_FRAME_MVS, 0) == AOM_CODEC_OK &&
      aom_codec_control(context, AOME_SET_TUNING, quality ? AOM_TUNE_SSIM : AOM_TUNE_PSNR) ==
          AOM_CODEC_OK &&
      aom_codec_control(context, AV1E_SET_ENABLE_QM, quality ? 1 : 0) == AOM_CODEC_OK;
  const int layers = config_.temporal_layers;
  if (ok && layers > 1) {
    aom_svc_params_t svc{};
    svc.number_spatial_layers = 1;
    svc.number_temporal_layers = layers;
    svc.scaling_factor_num[0] = 1;
    svc.scaling_factor_den[0] = 1;
    for (int layer = 0; layer < layers; ++layer) {
      svc.max_quantizers[layer] = config_.max_quantizer;
      svc.min_quantizers[layer] = config_.min_quantizer;
      svc.layer_target_bitrate[layer] = CumulativeTemporalLayerKbps(
          layers, layer, static_cast<int>(state_->cfg.rc_target_bitrate));
      svc.framerate_factor[layer] = TemporalLayerRateDecimator(layers, layer);
    }
    ok = aom_codec_control(context, AV1E_SET_SVC_PARAMS, &svc) == AOM_CODEC_OK;
  }
  if (!ok) return CodecError("encoder control", context);
  return Status::Ok();
}

Status AomEncoder::Encode(const VideoFrame& frame, bool force_keyframe,
                          std::vector<EncodedFrame>* out) {
  State& state = *state_;
  if (!state.initialized) {
    return Status::Error("AV1 encoder is not usable after a failed reconfigure");
  }
  if (frame.width != config_.width || frame.height != config_.height ||
      frame.data.size() != VideoFrame::BufferSize(frame.width, frame.height)) {
    return Status::Error("AV1 encoder: frame is " + std::to_string(frame.width) + "x" +
                         std::to_string(frame.height) + ", the encoder is configured for " +
                         std::to_string(config_.width) + "x" + std::to_string(config_.height));
  }
  aom_image_t image;
  uint8_t* data = const_cast<uint8_t*>(frame.data.data());  // libaom only reads the source
  aom_img_wrap(&image, AOM_IMG_FMT_I420, static_cast<unsigned>(frame.width),
               static_cast<unsigned>(frame.height), 1, data);
  // aom_img_wrap assumes even widths; the frame's planes are packed at their true widths.
  image.planes[AOM_PLANE_Y] = data;
  image.planes[AOM_PLANE_U] = data + frame.y().size();
  image.planes[AOM_PLANE_V] = data + frame.y().size() + frame.u().size();
  image.stride[AOM_PLANE_Y] = frame.width;
  image.stride[AOM_PLANE_U] = frame.chroma_width();
  image.stride[AOM_PLANE_V] = frame.chroma_width();

  const bool keyframe = force_keyframe || state.keyframe_pending ||
                        state.frames_since_key >= config_.keyframe_interval;
  if (keyframe) state.frames_since_key = 0;
  const int layers = config_.temporal_layers;
  const int layer = TemporalLayerAt(layers, state.frames_since_key);
  if (layers > 1) {
    aom_svc_layer_id_t layer_id{0, layer};
    aom_svc_ref_frame_config_t references = LayerReferences(layers, state.frames_since_key);
    // Frames of upper layers may be dropped, so they never carry state forward (as libwebrtc).
    const int error_resilient = layer > 0 || config_.error_resilient ? 1 : 0;
    bool ok = aom_codec_control(&state.context, AV1E_SET_SVC_LAYER_ID, &layer_id) == AOM_CODEC_OK &&
              aom_codec_control(&state.context, AV1E_SET_SVC_REF_FRAME_CONFIG, &references) ==
                  AOM_CODEC_OK;
    if (ok && error_resilient != state.error_resilient_now) {
      ok = aom_codec_control(&state.context, AV1E_SET_ERROR_RESILIENT_MODE, error_resilient) ==
           AOM_CODEC_OK;
      state.error_resilient_now = error_resilient;
    }
    if (!ok) return CodecError("temporal layer", &state.context);
  }
  const int64_t duration = FrameDuration(config_);
  if (aom_codec_encode(&state.context, &image, state.timestamp,
                       static_cast<unsigned long>(duration),
                       keyframe ? AOM_EFLAG_FORCE_KF : 0) != AOM_CODEC_OK) {
    return CodecError("encode", &state.context);
  }
  state.timestamp += duration;

  EncodedFrame encoded;
  aom_codec_iter_t iterator = nullptr;
  while (const aom_codec_cx_pkt_t* packet = aom_codec_get_cx_data(&state.context, &iterator)) {
    if (packet->kind != AOM_CODEC_CX_FRAME_PKT) continue;
    const auto* bytes = static_cast<const uint8_t*>(packet->data.frame.buf);
    encoded.data.insert(encoded.data.end(), bytes, bytes + packet->data.frame.sz);
    encoded.keyframe = encoded.keyframe || (packet->data.frame.flags & AOM_FRAME_IS_KEY) != 0;
  }
  if (encoded.data.empty()) {
    if (keyframe) {
      state.keyframe_pending = true;
    } else {
      ++state.frames_since_key;
    }
    return Status::Ok();
  }
  state.keyframe_pending = false;
  encoded.pts = frame.pts;
  encoded.temporal_layer = layer;
  int quantizer = -1;
  if (aom_codec_control(&state.context, AOME_GET_LAST_QUANTIZER_64, &quantizer) == AOM_CODEC_OK) {
    encoded.quantizer = quantizer;
  }
  ++state.frames_since_key;
  out->push_back(std::move(encoded));
  return Status::Ok();
}

Status AomEncoder::Reconfigure(const VideoEncoderConfig& config) {
  if (config.codec != VideoCodecType::kAv1) {
    return Status::Error(std::string("AV1 encoder cannot switch to ") +
                         VideoCodecName(config.codec));
  }
  AURALINK_RETURN_IF_ERROR(ValidateVideoEncoderConfig(config));
  if (config.speed != -1 && (config.speed < 0 || config.speed > 10)) {
    return Status::Error("AV1 speed must be 0..10, or -1 for the default");
  }
  State& state = *state_;
  const bool resized = config.width != config_.width || config.height != config_.height;
  // libaom 3.6 resizes in place only when it drops its cyclic-refresh state correctly, which it
  // does not with AQ mode 3 (the next encode fails inside libaom), so a new size gets a new
  // encoder, as libwebrtc does.
  bool reinitialize = !state.initialized || resized ||
                      config.temporal_layers != config_.temporal_layers ||
                      config.error_resilient != config_.error_resilient ||
                      config.rate_control != config_.rate_control;
  config_ = config;
  if (!reinitialize) {
    aom_codec_enc_cfg_t cfg = state.cfg;
    FillConfig(config_, &cfg);
    if (aom_codec_enc_config_set(&state.context, &cfg) == AOM_CODEC_OK) {
      state.cfg = cfg;
      AURALINK_RETURN_IF_ERROR(ApplyControls());
    } else {
      reinitialize = true;
    }
  }
  if (reinitialize) AURALINK_RETURN_IF_ERROR(Initialize());
  return Status::Ok();
}

Status AomEncoder::SetRegionOfInterest(const RegionOfInterestMap& map) {
  if (map.block_columns == 0 && map.block_rows == 0) return Status::Ok();
  return Status::Error(
      "AV1 encoder: libaom 3.6 offers no region-of-interest map (AOME_SET_ROI_MAP is not "
      "implemented and its delta-q modes take no per-block input)");
}

}  // namespace auralink::video
