#include "aic/video/vpx_codec.h"

#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "aic/video/region_of_interest_segments.h"
#include "aic/video/temporal_layer_pattern.h"

namespace auralink::video {
namespace {

// libvpx's time base: RTP's 90 kHz video clock, so frame-rate changes only change durations.
constexpr int kTimebaseHz = 90000;
// libwebrtc's real-time buffer model (ms) and rate tolerances (%).
constexpr int kBufferInitialMs = 500;
constexpr int kBufferOptimalMs = 600;
constexpr int kBufferSizeMs = 1000;
constexpr int kUndershootPercent = 100;
constexpr int kOvershootPercent = 15;
constexpr int kDropFrameThresholdPercent = 30;
constexpr int kDefaultVp8CpuUsed = -6;
constexpr int kDefaultVp9Speed = 7;
// Segments libvpx offers per frame (VP8 per 16x16 macroblock, VP9 per 8x8 block), and the
// largest segment quantiser delta it takes.
constexpr int kVp8Segments = 4;
constexpr int kVp9Segments = 8;
constexpr int kVpxMaxDeltaQ = 63;

const char* Name(VideoCodecType codec) { return codec == VideoCodecType::kVp8 ? "VP8" : "VP9"; }

Status CodecError(const char* what, vpx_codec_ctx_t* context) {
  std::string message = std::string("libvpx ") + what + ": " + vpx_codec_error(context);
  if (const char* detail = vpx_codec_error_detail(context); detail != nullptr && *detail) {
    message += std::string(" (") + detail + ")";
  }
  return Status::Error(message);
}

// libwebrtc's cap on a key frame's size in percent of an average frame: optimal buffer (ms) x 0.5
// x frame rate / 10, at least 300 %.
unsigned MaxIntraBitratePercent(const VideoEncoderConfig& config) {
  const double fps = static_cast<double>(config.fps_numerator) / config.fps_denominator;
  return std::max(300u, static_cast<unsigned>(kBufferOptimalMs * 0.5 * fps / 10.0));
}

int64_t FrameDuration(const VideoEncoderConfig& config) {
  return std::max<int64_t>(1, std::llround(static_cast<double>(kTimebaseHz) *
                                           config.fps_denominator / config.fps_numerator));
}

// Reference and update flags for VP8 temporal layers (the structures of libvpx's
// vpx_temporal_svc_encoder example that libwebrtc also uses): layer 0 predicts from and updates
// LAST; layer 1 predicts from LAST and GOLDEN and updates GOLDEN; layer 2 predicts from all and
// updates nothing. Entropy updates stay in layer 0 so dropping upper layers loses nothing.
vpx_enc_frame_flags_t Vp8LayerFlags(int layers, int layer) {
  if (layers == 1) return 0;
  switch (layer) {
    case 0:
      return VP8_EFLAG_NO_REF_GF | VP8_EFLAG_NO_REF_ARF | VP8_EFLAG_NO_UPD_GF |
             VP8_EFLAG_NO_UPD_ARF;
    case 1:
      return VP8_EFLAG_NO_REF_ARF | VP8_EFLAG_NO_UPD_LAST | VP8_EFLAG_NO_UPD_ARF |
             VP8_EFLAG_NO_UPD_ENTROPY;
    default:
      return VP8_EFLAG_NO_REF_ARF | VP8_EFLAG_NO_UPD_LAST | VP8_EFLAG_NO_UPD_GF |
             VP8_EFLAG_NO_UPD_ARF | VP8_EFLAG_NO_UPD_ENTROPY;
  }
}

void FillConfig(const VideoEncoderConfig& config, vpx_codec_enc_cfg_t* cfg) {
  const int layers = config.temporal_layers;
  cfg->g_w = static_cast<unsigned>(config.width);
  cfg->g_h = static_cast<unsigned>(config.height);
  cfg->g_timebase = {1, kTimebaseHz};
  cfg->g_threads = static_cast<unsigned>(config.threads);
  cfg->g_pass = VPX_RC_ONE_PASS;
  cfg->g_lag_in_frames = 0;
  cfg->g_error_resilient = config.error_resilient || layers > 1 ? VPX_ERROR_RESILIENT_DEFAULT : 0;
  const bool quality = config.rate_control == RateControlMode::kConstantQuality;
  cfg->rc_end_usage = !quality ? VPX_CBR : config.target_kbps > 0 ? VPX_CQ : VPX_Q;
  // VPX_Q ignores the target; libvpx still wants a plausible one.
  cfg->rc_target_bitrate =
      static_cast<unsigned>(config.target_kbps > 0 ? config.target_kbps : 100000);
  cfg->rc_min_quantizer = static_cast<unsigned>(config.min_quantizer);
  cfg->rc_max_quantizer = static_cast<unsigned>(config.max_quantizer);
  if (cfg->rc_end_usage == VPX_Q && config.codec == VideoCodecType::kVp8) {
    // VP8's real-time mode ignores cq_level under VPX_Q; pinning the range holds the quantiser.
    cfg->rc_min_quantizer = cfg->rc_max_quantizer = static_cast<unsigned>(config.quality);
  }
  cfg->rc_undershoot_pct = kUndershootPercent;
  cfg->rc_overshoot_pct = kOvershootPercent;
  cfg->rc_buf_initial_sz = kBufferInitialMs;
  cfg->rc_buf_optimal_sz = kBufferOptimalMs;
  cfg->rc_buf_sz = kBufferSizeMs;
  cfg->rc_dropframe_thresh = quality ? 0 : kDropFrameThresholdPercent;
  cfg->rc_resize_allowed = 0;
  // Key frames are scheduled by the wrapper so the temporal layer pattern restarts with each.
  cfg->kf_mode = VPX_KF_DISABLED;
  cfg->kf_min_dist = 0;
  cfg->kf_max_dist = static_cast<unsigned>(config.keyframe_interval);

  cfg->ss_number_layers = 1;
  cfg->ts_number_layers = static_cast<unsigned>(layers);
  cfg->ts_periodicity = static_cast<unsigned>(TemporalLayerPeriod(layers));
  for (int i = 0; i < TemporalLayerPeriod(layers); ++i) {
    cfg->ts_layer_id[i] = static_cast<unsigned>(TemporalLayerAt(layers, i));
  }
  for (int layer = 0; layer < layers; ++layer) {
    const int kbps =
        CumulativeTemporalLayerKbps(layers, layer, static_cast<int>(cfg->rc_target_bitrate));
    cfg->ts_target_bitrate[layer] = static_cast<unsigned>(kbps);
    cfg->layer_target_bitrate[layer] = static_cast<unsigned>(kbps);
    cfg->ts_rate_decimator[layer] =
        static_cast<unsigned>(TemporalLayerRateDecimator(layers, layer));
  }
  cfg->temporal_layering_mode = layers == 3   ? VP9E_TEMPORAL_LAYERING_MODE_0212
                                : layers == 2 ? VP9E_TEMPORAL_LAYERING_MODE_0101
                                              : VP9E_TEMPORAL_LAYERING_MODE_NOLAYERING;
}

Status CheckCodecLimits(const VideoEncoderConfig& config) {
  if (config.codec == VideoCodecType::kVp8) {
    if (config.width > 16383 || config.height > 16383) {
      return Status::Error("VP8 frames are at most 16383x16383");
    }
    if (config.speed < -16 || config.speed > 16) {
      return Status::Error("VP8 speed (cpu-used) must be -16..16, or -1 for the default");
    }
  } else if (config.speed != -1 && (config.speed < 0 || config.speed > 9)) {
    return Status::Error("VP9 speed must be 0..9, or -1 for the default");
  }
  return Status::Ok();
}

}  // namespace

struct VpxEncoder::State {
  vpx_codec_ctx_t context{};
  vpx_codec_enc_cfg_t cfg{};
  bool initialized = false;
  int64_t timestamp = 0;         // 90 kHz
  int64_t frames_since_key = 0;  // also the position in the temporal layer pattern
  bool keyframe_pending = true;  // the first frame, and after a resolution change
  bool roi_enabled = false;
  RegionOfInterestSegments roi;  // per codec block (16x16 VP8, 8x8 VP9)

  ~State() {
    if (initialized) vpx_codec_destroy(&context);
  }
};

VpxEncoder::VpxEncoder(std::unique_ptr<State> state) : state_(std::move(state)) {}
VpxEncoder::~VpxEncoder() = default;

StatusOr<std::unique_ptr<VpxEncoder>> VpxEncoder::Create(const VideoEncoderConfig& config) {
  if (config.codec != VideoCodecType::kVp8 && config.codec != VideoCodecType::kVp9) {
    return Status::Error("VpxEncoder encodes only VP8 and VP9");
  }
  AURALINK_RETURN_IF_ERROR(ValidateVideoEncoderConfig(config));
  AURALINK_RETURN_IF_ERROR(CheckCodecLimits(config));
  std::unique_ptr<VpxEncoder> encoder(new VpxEncoder(std::make_unique<State>()));
  encoder->config_ = config;
  AURALINK_RETURN_IF_ERROR(encoder->Initialize());
  return encoder;
}

Status VpxEncoder::Initialize() {
  State& state = *state_;
  if (state.initialized) {
    vpx_codec_destroy(&state.context);
    state.initialized = false;
  }
  vpx_codec_iface_t* iface =
      config_.codec == VideoCodecType::kVp8 ? vpx_codec_vp8_cx() : vpx_codec_vp9_cx();
  if (vpx_codec_enc_config_default(iface, &state.cfg, 0) != VPX_CODEC_OK) {
    return Status::Error(std::string("libvpx: no default ") + Name(config_.codec) + " config");
  }
  FillConfig(config_, &state.cfg);
  if (vpx_codec_enc_init(&state.context, iface, &state.cfg, 0) != VPX_CODEC_OK) {
    Status error = CodecError("encoder init", &state.context);
    vpx_codec_destroy(&state.context);
    return error;
  }
  state.initialized = true;
  state.keyframe_pending = true;
  AURALINK_RETURN_IF_ERROR(ApplyControls());
  if (state.roi_enabled) AURALINK_RETURN_IF_ERROR(ApplyRegionOfInterest());
  return Status::Ok();
}

int VpxEncoder::Vp9AqMode() const {
  // Cyclic refresh shares the segmentation that ROI needs, so it is off while a map is set; it
  // also only steers a bitrate, so a constant-quality stream (no bitrate to steer) codes the same
  // quality in fewer bits without it.
  if (state_->roi_enabled || config_.rate_control == RateControlMode::kConstantQuality) return 0;
  return 3;
}

Status VpxEncoder::ApplyControls() {
  vpx_codec_ctx_t* context = &state_->context;
  const bool vp8 = config_.codec == VideoCodecType::kVp8;
  const int speed =
      config_.speed != -1 ? config_.speed : (vp8 ? kDefaultVp8CpuUsed : kDefaultVp9Speed);
  bool ok = vpx_codec_control(context, VP8E_SET_CPUUSED, speed) == VPX_CODEC_OK &&
            vpx_codec_control(context, VP8E_SET_STATIC_THRESHOLD, 1) == VPX_CODEC_OK &&
            vpx_codec_control(context, VP8E_SET_MAX_INTRA_BITRATE_PCT,
                              MaxIntraBitratePercent(config_)) == VPX_CODEC_OK &&
            vpx_codec_control(context, VP8E_SET_CQ_LEVEL, config_.quality) == VPX_CODEC_OK;
  const bool screen = config_.content == VideoContentType::kScreen;
  if (vp8) {
    ok = ok && vpx_codec_control(context, VP8E_SET_NOISE_SENSITIVITY, 0) == VPX_CODEC_OK &&
         vpx_codec_control(context, VP8E_SET_SCREEN_CONTENT_MODE, screen ? 1 : 0) ==
             VPX_CODEC_OK &&
         vpx_codec_control(context, VP8E_SET_TOKEN_PARTITIONS, VP8_ONE_TOKENPARTITION) ==
             VPX_CODEC_OK;
  } else {
    ok =
        ok &&
        vpx_codec_control(context, VP9E_SET_AQ_MODE, Vp9AqMode()) == VPX_CODEC_OK &&
        vpx_codec_control(context, VP9E_SET_TUNE_CONTENT,
                          screen ? VP9E_CONTENT_SCREEN : VP9E_CONTENT_DEFAULT) == VPX_CODEC_OK &&
        vpx_codec_control(context, VP9E_SET_NOISE_SENSITIVITY, 0) == VPX_CODEC_OK &&
        vpx_codec_control(context, VP9E_SET_ROW_MT, config_.threads > 1 ? 1 : 0) == VPX_CODEC_OK &&
        vpx_codec_control(context, VP9E_SET_TILE_COLUMNS,
                          static_cast<int>(std::floor(std::log2(config_.threads)))) ==
            VPX_CODEC_OK &&
        vpx_codec_control(context, VP9E_SET_FRAME_PARALLEL_DECODING, 0) == VPX_CODEC_OK;
    if (ok && config_.temporal_layers > 1) {
      vpx_svc_extra_cfg_t svc{};
      for (int layer = 0; layer < config_.temporal_layers; ++layer) {
        svc.max_quantizers[layer] = config_.max_quantizer;
        svc.min_quantizers[layer] = config_.min_quantizer;
      }
      svc.scaling_factor_num[0] = 1;
      svc.scaling_factor_den[0] = 1;
      svc.speed_per_layer[0] = speed;
      svc.temporal_layering_mode = state_->cfg.temporal_layering_mode;
      ok = vpx_codec_control(context, VP9E_SET_SVC, 1) == VPX_CODEC_OK &&
           vpx_codec_control(context, VP9E_SET_SVC_PARAMETERS, &svc) == VPX_CODEC_OK;
    }
  }
  if (!ok) return CodecError("encoder control", context);
  return Status::Ok();
}

Status VpxEncoder::Encode(const VideoFrame& frame, bool force_keyframe,
                          std::vector<EncodedFrame>* out) {
  State& state = *state_;
  if (!state.initialized) {
    return Status::Error("VP8/VP9 encoder is not usable after a failed reconfigure");
  }
  if (frame.width != config_.width || frame.height != config_.height ||
      frame.data.size() != VideoFrame::BufferSize(frame.width, frame.height)) {
    return Status::Error(std::string(Name(config_.codec)) + " encoder: frame is " +
                         std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                         ", the encoder is configured for " + std::to_string(config_.width) + "x" +
                         std::to_string(config_.height));
  }
  vpx_image_t image;
  uint8_t* data = const_cast<uint8_t*>(frame.data.data());  // libvpx only reads the source
  vpx_img_wrap(&image, VPX_IMG_FMT_I420, static_cast<unsigned>(frame.width),
               static_cast<unsigned>(frame.height), 1, data);
  // vpx_img_wrap assumes even widths; the frame's planes are packed at their true widths.
  image.planes[VPX_PLANE_Y] = data;
  image.planes[VPX_PLANE_U] = data + frame.y().size();
  image.planes[VPX_PLANE_V] = data + frame.y().size() + frame.u().size();
  image.stride[VPX_PLANE_Y] = frame.width;
  image.stride[VPX_PLANE_U] = frame.chroma_width();
  image.stride[VPX_PLANE_V] = frame.chroma_width();

  const bool keyframe = force_keyframe || state.keyframe_pending ||
                        state.frames_since_key >= config_.keyframe_interval;
  if (keyframe) state.frames_since_key = 0;
  const int layers = config_.temporal_layers;
  const int layer = TemporalLayerAt(layers, state.frames_since_key);
  vpx_enc_frame_flags_t flags = keyframe ? VPX_EFLAG_FORCE_KF : 0;
  if (config_.codec == VideoCodecType::kVp8 && layers > 1) {
    flags |= Vp8LayerFlags(layers, layer);
    if (vpx_codec_control(&state.context, VP8E_SET_TEMPORAL_LAYER_ID, layer) != VPX_CODEC_OK) {
      return CodecError("temporal layer", &state.context);
    }
  }
  const int64_t duration = FrameDuration(config_);
  if (vpx_codec_encode(&state.context, &image, state.timestamp,
                       static_cast<unsigned long>(duration), flags,
                       VPX_DL_REALTIME) != VPX_CODEC_OK) {
    return CodecError("encode", &state.context);
  }
  state.timestamp += duration;

  EncodedFrame encoded;
  vpx_codec_iter_t iterator = nullptr;
  while (const vpx_codec_cx_pkt_t* packet = vpx_codec_get_cx_data(&state.context, &iterator)) {
    if (packet->kind != VPX_CODEC_CX_FRAME_PKT) continue;
    const auto* bytes = static_cast<const uint8_t*>(packet->data.frame.buf);
    encoded.data.insert(encoded.data.end(), bytes, bytes + packet->data.frame.sz);
    encoded.keyframe = encoded.keyframe || (packet->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
  }
  if (encoded.data.empty()) {
    // Dropped by the rate controller; a requested key frame is retried on the next frame.
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
  if (config_.codec == VideoCodecType::kVp9 && layers > 1) {
    vpx_svc_layer_id_t layer_id{};
    if (vpx_codec_control(&state.context, VP9E_GET_SVC_LAYER_ID, &layer_id) == VPX_CODEC_OK) {
      encoded.temporal_layer = layer_id.temporal_layer_id;
    }
  }
  int quantizer = -1;
  if (vpx_codec_control(&state.context, VP8E_GET_LAST_QUANTIZER_64, &quantizer) == VPX_CODEC_OK) {
    encoded.quantizer = quantizer;
  }
  ++state.frames_since_key;
  out->push_back(std::move(encoded));
  return Status::Ok();
}

Status VpxEncoder::Reconfigure(const VideoEncoderConfig& config) {
  if (config.codec != config_.codec) {
    return Status::Error(std::string(Name(config_.codec)) + " encoder cannot switch to " +
                         VideoCodecName(config.codec));
  }
  AURALINK_RETURN_IF_ERROR(ValidateVideoEncoderConfig(config));
  State& state = *state_;
  const bool resized = config.width != config_.width || config.height != config_.height;
  const bool restructured = config.temporal_layers != config_.temporal_layers ||
                            config.error_resilient != config_.error_resilient ||
                            config.rate_control != config_.rate_control;
  AURALINK_RETURN_IF_ERROR(CheckCodecLimits(config));
  config_ = config;
  // A resize rebuilds the encoder: a map sized for the old frame must not outlive it, and Debian's
  // libvpx 1.12 frees a wild pointer in vpx_codec_enc_config_set when a VP9 encoder with
  // cyclic-refresh AQ is resized in place (seen on the screen clip). The resize forces a key frame
  // either way, so rebuilding costs nothing a receiver would see.
  bool reinitialize = restructured || !state.initialized || resized;
  if (resized) state.roi_enabled = false;
  if (!reinitialize) {
    vpx_codec_enc_cfg_t cfg = state.cfg;
    FillConfig(config_, &cfg);
    if (vpx_codec_enc_config_set(&state.context, &cfg) == VPX_CODEC_OK) {
      state.cfg = cfg;
      AURALINK_RETURN_IF_ERROR(ApplyControls());
      if (resized) state.keyframe_pending = true;
    } else {
      reinitialize = true;
    }
  }
  if (reinitialize) AURALINK_RETURN_IF_ERROR(Initialize());
  return Status::Ok();
}

Status VpxEncoder::SetRegionOfInterest(const RegionOfInterestMap& map) {
  const bool vp8 = config_.codec == VideoCodecType::kVp8;
  if (map.block_columns == 0 && map.block_rows == 0) {
    state_->roi_enabled = false;
  } else {
    auto segments = QuantizeRegionOfInterest(map, config_.width, config_.height, vp8 ? 16 : 8,
                                             vp8 ? kVp8Segments : kVp9Segments, kVpxMaxDeltaQ);
    if (!segments.ok()) return segments.status();
    if (!vp8) {
      // Debian's libvpx 1.12 mis-codes negative VP9 segment deltas (measured: -20 on a face
      // lowered its PSNR by 3 dB at the same rate; positive deltas behave), so the map is
      // shifted to be non-negative. Only the differences between regions matter to CBR, whose
      // base quantiser absorbs the shift; in quality mode the region keeps `quality` and the
      // rest is coded coarser.
      const int lowest =
          *std::min_element(segments->segment_delta.begin(), segments->segment_delta.end());
      if (lowest < 0) {
        for (int& delta : segments->segment_delta) {
          delta = std::min(delta - lowest, kVpxMaxDeltaQ);
        }
      }
    }
    state_->roi = std::move(*segments);
    state_->roi_enabled =
        std::any_of(state_->roi.segment_delta.begin(), state_->roi.segment_delta.end(),
                    [](int delta) { return delta != 0; });
  }
  if (!vp8 && vpx_codec_control(&state_->context, VP9E_SET_AQ_MODE, Vp9AqMode()) != VPX_CODEC_OK) {
    return CodecError("AQ mode", &state_->context);
  }
  return ApplyRegionOfInterest();
}

Status VpxEncoder::ApplyRegionOfInterest() {
  State& state = *state_;
  const bool vp8 = config_.codec == VideoCodecType::kVp8;
  const int block = vp8 ? 16 : 8;
  vpx_roi_map_t roi{};
  roi.rows = static_cast<unsigned>((config_.height + block - 1) / block);
  roi.cols = static_cast<unsigned>((config_.width + block - 1) / block);
  for (int& reference : roi.ref_frame) reference = -1;
  if (state.roi_enabled) {
    roi.enabled = 1;
    roi.roi_map = state.roi.segment_of_block.data();
    for (size_t i = 0; i < state.roi.segment_delta.size(); ++i) {
      roi.delta_q[i] = state.roi.segment_delta[i];
    }
  }
  // vpx_codec_control is a macro that pastes the control's name, so each gets its own call.
  const vpx_codec_err_t result = vp8 ? vpx_codec_control(&state.context, VP8E_SET_ROI_MAP, &roi)
                                     : vpx_codec_control(&state.context, VP9E_SET_ROI_MAP, &roi);
  if (result != VPX_CODEC_OK) {
    return CodecError("region of interest", &state.context);
  }
  return Status::Ok();
}

struct VpxDecoder::State {
  vpx_codec_ctx_t context{};
  vpx_codec_iface_t* iface = nullptr;
  bool waiting_for_keyframe = false;
  int64_t frames_decoded = 0;
  ~State() { vpx_codec_destroy(&context); }
};

VpxDecoder::VpxDecoder(VideoCodecType codec, std::unique_ptr<State> state)
    : codec_(codec), state_(std::move(state)) {}
VpxDecoder::~VpxDecoder() = default;

StatusOr<std::unique_ptr<VpxDecoder>> VpxDecoder::Create(VideoCodecType codec) {
  if (codec != VideoCodecType::kVp8 && codec != VideoCodecType::kVp9) {
    return Status::Error("VpxDecoder decodes only VP8 and VP9");
  }
  auto state = std::make_unique<State>();
  state->iface = codec == VideoCodecType::kVp8 ? vpx_codec_vp8_dx() : vpx_codec_vp9_dx();
  vpx_codec_dec_cfg_t cfg{};
  cfg.threads = 1;
  if (vpx_codec_dec_init(&state->context, state->iface, &cfg, 0) != VPX_CODEC_OK) {
    Status error = CodecError("decoder init", &state->context);
    return error;
  }
  return std::unique_ptr<VpxDecoder>(new VpxDecoder(codec, std::move(state)));
}

Status VpxDecoder::Decode(std::span<const uint8_t> data, std::vector<VideoFrame>* out) {
  State& state = *state_;
  const std::string name = Name(codec_);
  if (data.empty()) return Status::Error(name + " decoder: empty frame");
  if (data.size() > UINT32_MAX) return Status::Error(name + " decoder: frame too large");
  vpx_codec_stream_info_t info{};
  info.sz = sizeof(info);
  const bool keyframe =
      vpx_codec_peek_stream_info(state.iface, data.data(), static_cast<unsigned>(data.size()),
                                 &info) == VPX_CODEC_OK &&
      info.is_kf;
  if (state.waiting_for_keyframe && !keyframe) {
    return Status::Error(name + " decoder: waiting for a key frame after a corrupt frame");
  }
  if (vpx_codec_decode(&state.context, data.data(), static_cast<unsigned>(data.size()), nullptr,
                       0) != VPX_CODEC_OK) {
    state.waiting_for_keyframe = true;
    return CodecError((name + " decode").c_str(), &state.context);
  }
  int corrupted = 0;
  vpx_codec_control(&state.context, VP8D_GET_FRAME_CORRUPTED, &corrupted);
  std::vector<VideoFrame> frames;
  vpx_codec_iter_t iterator = nullptr;
  while (vpx_image_t* image = vpx_codec_get_frame(&state.context, &iterator)) {
    if (image->fmt != VPX_IMG_FMT_I420) {
      return Status::Error(name + " decoder: the stream is not 8-bit 4:2:0");
    }
    VideoFrame frame = VideoFrame::CopyFromPlanes(
        static_cast<int>(image->d_w), static_cast<int>(image->d_h), image->planes[VPX_PLANE_Y],
        image->stride[VPX_PLANE_Y], image->planes[VPX_PLANE_U], image->stride[VPX_PLANE_U],
        image->planes[VPX_PLANE_V], image->stride[VPX_PLANE_V]);
    frame.pts = state.frames_decoded++;
    frames.push_back(std::move(frame));
  }
  if (corrupted) {
    state.waiting_for_keyframe = true;
    return Status::Error(name + " decoder: corrupt frame");
  }
  if (keyframe) state.waiting_for_keyframe = false;
  for (VideoFrame& frame : frames) out->push_back(std::move(frame));
  return Status::Ok();
}

}  // namespace auralink::video
