#include "aic/video/vpx_codec.h"

#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "aic/video/libvpx_style_encoder.h"
#include "aic/video/region_of_interest_segments.h"
#include "aic/video/temporal_layer_pattern.h"

namespace auralink::video {
namespace {

// libwebrtc's real-time buffer model and rate tolerances for libvpx.
constexpr RealTimeBufferModel kVpxBufferModel{.initial_ms = 500,
                                              .optimal_ms = 600,
                                              .size_ms = 1000,
                                              .undershoot_percent = 100,
                                              .overshoot_percent = 15,
                                              .drop_frame_percent = 30};
constexpr int kDefaultVp8CpuUsed = -6;
constexpr int kDefaultVp9Speed = 7;
// Segments libvpx offers per frame (VP8 per 16x16 macroblock, VP9 per 8x8 block), and the
// largest segment quantiser delta it takes.
constexpr int kVp8Segments = 4;
constexpr int kVp9Segments = 8;
constexpr int kVpxMaxDeltaQ = 63;

const char* Name(VideoCodecType codec) { return codec == VideoCodecType::kVp8 ? "VP8" : "VP9"; }

// libwebrtc's cap on a key frame's size in percent of an average frame: optimal buffer (ms) x 0.5
// x frame rate / 10, at least 300 %.
unsigned MaxIntraBitratePercent(const VideoEncoderConfig& config) {
  const double fps = static_cast<double>(config.fps_numerator) / config.fps_denominator;
  return std::max(300u, static_cast<unsigned>(kVpxBufferModel.optimal_ms * 0.5 * fps / 10.0));
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

vpx_codec_iface_t* EncoderInterface(VideoCodecType codec) {
  return codec == VideoCodecType::kVp8 ? vpx_codec_vp8_cx() : vpx_codec_vp9_cx();
}

// libvpx for LibvpxStyleEncoder (libvpx_style_encoder.h), with the VP8/VP9 tuning and the
// region-of-interest map, which the encoder keeps across a re-creation.
class VpxLibrary {
 public:
  using Context = vpx_codec_ctx_t;
  using EncoderConfig = vpx_codec_enc_cfg_t;
  using Image = vpx_image_t;
  using Packet = vpx_codec_cx_pkt_t;
  using PacketIterator = vpx_codec_iter_t;
  using FrameFlags = vpx_enc_frame_flags_t;

  static constexpr const char* kLibraryName = "libvpx";
  static constexpr const char* kFamilyName = "VP8/VP9";
  static constexpr RealTimeBufferModel kBufferModel = kVpxBufferModel;
  static constexpr vpx_enc_pass kOnePass = VPX_RC_ONE_PASS;
  static constexpr vpx_rc_mode kCbr = VPX_CBR;
  static constexpr vpx_rc_mode kCq = VPX_CQ;
  static constexpr vpx_rc_mode kQ = VPX_Q;
  static constexpr vpx_kf_mode kKeyFramesDisabled = VPX_KF_DISABLED;
  static constexpr vpx_codec_er_flags_t kErrorResilient = VPX_ERROR_RESILIENT_DEFAULT;
  static constexpr FrameFlags kForceKeyFrame = VPX_EFLAG_FORCE_KF;
  static constexpr vpx_codec_cx_pkt_kind kFramePacket = VPX_CODEC_CX_FRAME_PKT;
  static constexpr vpx_codec_frame_flags_t kKeyFramePacket = VPX_FRAME_IS_KEY;
  static constexpr int kPlaneY = VPX_PLANE_Y;
  static constexpr int kPlaneU = VPX_PLANE_U;
  static constexpr int kPlaneV = VPX_PLANE_V;

  static const char* DisplayName(VideoCodecType codec) { return Name(codec); }

  static Status CheckLimits(const VideoEncoderConfig& config) {
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

  static Status DefaultConfig(VideoCodecType codec, EncoderConfig* cfg) {
    if (vpx_codec_enc_config_default(EncoderInterface(codec), cfg, 0) != VPX_CODEC_OK) {
      return Status::Error(std::string("libvpx: no default ") + Name(codec) + " config");
    }
    return Status::Ok();
  }

  static void FillLibraryConfig(const VideoEncoderConfig& config, EncoderConfig* cfg) {
    const int layers = config.temporal_layers;
    // Temporal layers need every frame decodable without the upper layers' state.
    if (layers > 1) cfg->g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
    if (cfg->rc_end_usage == VPX_Q && config.codec == VideoCodecType::kVp8) {
      // VP8's real-time mode ignores cq_level under VPX_Q; pinning the range holds the quantiser.
      cfg->rc_min_quantizer = cfg->rc_max_quantizer = static_cast<unsigned>(config.quality);
    }
    cfg->rc_resize_allowed = 0;
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

  static bool InitEncoder(Context* context, VideoCodecType codec, const EncoderConfig* cfg) {
    return vpx_codec_enc_init(context, EncoderInterface(codec), cfg, 0) == VPX_CODEC_OK;
  }
  static bool ConfigSet(Context* context, const EncoderConfig* cfg) {
    return vpx_codec_enc_config_set(context, cfg) == VPX_CODEC_OK;
  }
  static void Destroy(Context* context) { vpx_codec_destroy(context); }
  static const char* ErrorText(Context* context) { return vpx_codec_error(context); }
  static const char* ErrorDetail(Context* context) { return vpx_codec_error_detail(context); }
  static void WrapI420(Image* image, int width, int height, uint8_t* data) {
    vpx_img_wrap(image, VPX_IMG_FMT_I420, static_cast<unsigned>(width),
                 static_cast<unsigned>(height), 1, data);
  }
  static bool Encode(Context* context, const Image* image, int64_t pts, unsigned long duration,
                     FrameFlags flags) {
    return vpx_codec_encode(context, image, pts, duration, flags, VPX_DL_REALTIME) == VPX_CODEC_OK;
  }
  static const Packet* NextPacket(Context* context, PacketIterator* iterator) {
    return vpx_codec_get_cx_data(context, iterator);
  }
  static bool LastQuantizer(Context* context, int* quantizer) {
    return vpx_codec_control(context, VP8E_GET_LAST_QUANTIZER_64, quantizer) == VPX_CODEC_OK;
  }

  Status Start(Context* context, const EncoderConfig& cfg, const VideoEncoderConfig& config) {
    AURALINK_RETURN_IF_ERROR(ApplyControls(context, cfg, config));
    if (roi_enabled_) AURALINK_RETURN_IF_ERROR(ApplyRegionOfInterest(context, config));
    return Status::Ok();
  }

  Status ApplyControls(Context* context, const EncoderConfig& cfg,
                       const VideoEncoderConfig& config) const {
    const bool vp8 = config.codec == VideoCodecType::kVp8;
    const int speed =
        config.speed != -1 ? config.speed : (vp8 ? kDefaultVp8CpuUsed : kDefaultVp9Speed);
    bool ok = vpx_codec_control(context, VP8E_SET_CPUUSED, speed) == VPX_CODEC_OK &&
              vpx_codec_control(context, VP8E_SET_STATIC_THRESHOLD, 1) == VPX_CODEC_OK &&
              vpx_codec_control(context, VP8E_SET_MAX_INTRA_BITRATE_PCT,
                                MaxIntraBitratePercent(config)) == VPX_CODEC_OK &&
              vpx_codec_control(context, VP8E_SET_CQ_LEVEL, config.quality) == VPX_CODEC_OK;
    const bool screen = config.content == VideoContentType::kScreen;
    if (vp8) {
      ok = ok && vpx_codec_control(context, VP8E_SET_NOISE_SENSITIVITY, 0) == VPX_CODEC_OK &&
           vpx_codec_control(context, VP8E_SET_SCREEN_CONTENT_MODE, screen ? 1 : 0) ==
               VPX_CODEC_OK &&
           vpx_codec_control(context, VP8E_SET_TOKEN_PARTITIONS, VP8_ONE_TOKENPARTITION) ==
               VPX_CODEC_OK;
    } else {
      ok =
          ok && vpx_codec_control(context, VP9E_SET_AQ_MODE, Vp9AqMode(config)) == VPX_CODEC_OK &&
          vpx_codec_control(context, VP9E_SET_TUNE_CONTENT,
                            screen ? VP9E_CONTENT_SCREEN : VP9E_CONTENT_DEFAULT) == VPX_CODEC_OK &&
          vpx_codec_control(context, VP9E_SET_NOISE_SENSITIVITY, 0) == VPX_CODEC_OK &&
          vpx_codec_control(context, VP9E_SET_ROW_MT, config.threads > 1 ? 1 : 0) == VPX_CODEC_OK &&
          vpx_codec_control(context, VP9E_SET_TILE_COLUMNS,
                            static_cast<int>(std::floor(std::log2(config.threads)))) ==
              VPX_CODEC_OK &&
          vpx_codec_control(context, VP9E_SET_FRAME_PARALLEL_DECODING, 0) == VPX_CODEC_OK;
      if (ok && config.temporal_layers > 1) {
        vpx_svc_extra_cfg_t svc{};
        for (int layer = 0; layer < config.temporal_layers; ++layer) {
          svc.max_quantizers[layer] = config.max_quantizer;
          svc.min_quantizers[layer] = config.min_quantizer;
        }
        svc.scaling_factor_num[0] = 1;
        svc.scaling_factor_den[0] = 1;
        svc.speed_per_layer[0] = speed;
        svc.temporal_layering_mode = cfg.temporal_layering_mode;
        ok = vpx_codec_control(context, VP9E_SET_SVC, 1) == VPX_CODEC_OK &&
             vpx_codec_control(context, VP9E_SET_SVC_PARAMETERS, &svc) == VPX_CODEC_OK;
      }
    }
    if (!ok) return LibraryError<VpxLibrary>("encoder control", context);
    return Status::Ok();
  }

  // VP9 signals its layers through the SVC controls of ApplyControls; VP8 takes each frame's
  // layer and references here.
  Status SignalTemporalLayer(Context* context, const VideoEncoderConfig& config, int layer,
                             int64_t /*position*/, FrameFlags* flags) const {
    if (config.codec != VideoCodecType::kVp8) return Status::Ok();
    *flags |= Vp8LayerFlags(config.temporal_layers, layer);
    if (vpx_codec_control(context, VP8E_SET_TEMPORAL_LAYER_ID, layer) != VPX_CODEC_OK) {
      return LibraryError<VpxLibrary>("temporal layer", context);
    }
    return Status::Ok();
  }

  // VP9 picks the layer itself (its 0212 pattern); VP8 codes the one scheduled.
  int CodedTemporalLayer(Context* context, const VideoEncoderConfig& config, int layer) const {
    if (config.codec == VideoCodecType::kVp9 && config.temporal_layers > 1) {
      vpx_svc_layer_id_t layer_id{};
      if (vpx_codec_control(context, VP9E_GET_SVC_LAYER_ID, &layer_id) == VPX_CODEC_OK) {
        return layer_id.temporal_layer_id;
      }
    }
    return layer;
  }

  // A map sized for the old frame must not outlive it.
  void ForgetSize() { roi_enabled_ = false; }

  Status SetRegionOfInterest(const RegionOfInterestMap& map, Context* context,
                             const VideoEncoderConfig& config) {
    const bool vp8 = config.codec == VideoCodecType::kVp8;
    if (map.block_columns == 0 && map.block_rows == 0) {
      roi_enabled_ = false;
    } else {
      auto segments = QuantizeRegionOfInterest(map, config.width, config.height, vp8 ? 16 : 8,
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
      roi_ = std::move(*segments);
      roi_enabled_ = std::any_of(roi_.segment_delta.begin(), roi_.segment_delta.end(),
                                 [](int delta) { return delta != 0; });
    }
    if (!vp8 && vpx_codec_control(context, VP9E_SET_AQ_MODE, Vp9AqMode(config)) != VPX_CODEC_OK) {
      return LibraryError<VpxLibrary>("AQ mode", context);
    }
    return ApplyRegionOfInterest(context, config);
  }

 private:
  int Vp9AqMode(const VideoEncoderConfig& config) const {
    // Cyclic refresh shares the segmentation that ROI needs, so it is off while a map is set; it
    // also only steers a bitrate, so a constant-quality stream (no bitrate to steer) codes the
    // same quality in fewer bits without it.
    if (roi_enabled_ || config.rate_control == RateControlMode::kConstantQuality) return 0;
    return 3;
  }

  Status ApplyRegionOfInterest(Context* context, const VideoEncoderConfig& config) {
    const bool vp8 = config.codec == VideoCodecType::kVp8;
    const int block = vp8 ? 16 : 8;
    vpx_roi_map_t roi{};
    roi.rows = static_cast<unsigned>((config.height + block - 1) / block);
    roi.cols = static_cast<unsigned>((config.width + block - 1) / block);
    for (int& reference : roi.ref_frame) reference = -1;
    if (roi_enabled_) {
      roi.enabled = 1;
      roi.roi_map = roi_.segment_of_block.data();
      for (size_t i = 0; i < roi_.segment_delta.size(); ++i) {
        roi.delta_q[i] = roi_.segment_delta[i];
      }
    }
    // vpx_codec_control is a macro that pastes the control's name, so each gets its own call.
    const vpx_codec_err_t result = vp8 ? vpx_codec_control(context, VP8E_SET_ROI_MAP, &roi)
                                       : vpx_codec_control(context, VP9E_SET_ROI_MAP, &roi);
    if (result != VPX_CODEC_OK) return LibraryError<VpxLibrary>("region of interest", context);
    return Status::Ok();
  }

  bool roi_enabled_ = false;
  RegionOfInterestSegments roi_;  // per codec block (16x16 VP8, 8x8 VP9)
};

}  // namespace

struct VpxEncoder::State {
  explicit State(const VideoEncoderConfig& config) : encoder(config, VpxLibrary()) {}
  LibvpxStyleEncoder<VpxLibrary> encoder;
};

VpxEncoder::VpxEncoder(std::unique_ptr<State> state) : state_(std::move(state)) {}
VpxEncoder::~VpxEncoder() = default;

StatusOr<std::unique_ptr<VpxEncoder>> VpxEncoder::Create(const VideoEncoderConfig& config) {
  if (config.codec != VideoCodecType::kVp8 && config.codec != VideoCodecType::kVp9) {
    return Status::Error("VpxEncoder encodes only VP8 and VP9");
  }
  AURALINK_RETURN_IF_ERROR(LibvpxStyleEncoder<VpxLibrary>::CheckConfig(config));
  std::unique_ptr<VpxEncoder> encoder(new VpxEncoder(std::make_unique<State>(config)));
  AURALINK_RETURN_IF_ERROR(encoder->state_->encoder.Initialize());
  return encoder;
}

VideoCodecType VpxEncoder::codec() const { return state_->encoder.config().codec; }

const VideoEncoderConfig& VpxEncoder::config() const { return state_->encoder.config(); }

Status VpxEncoder::Encode(const VideoFrame& frame, bool force_keyframe,
                          std::vector<EncodedFrame>* out) {
  return state_->encoder.Encode(frame, force_keyframe, out);
}

Status VpxEncoder::Reconfigure(const VideoEncoderConfig& config) {
  return state_->encoder.Reconfigure(config);
}

Status VpxEncoder::SetRegionOfInterest(const RegionOfInterestMap& map) {
  LibvpxStyleEncoder<VpxLibrary>& encoder = state_->encoder;
  return encoder.library().SetRegionOfInterest(map, encoder.context(), encoder.config());
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
    return LibraryError<VpxLibrary>("decoder init", &state->context);
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
    return LibraryError<VpxLibrary>((name + " decode").c_str(), &state.context);
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
