#include "aic/video/aom_codec.h"

#include <aom/aom_encoder.h>
#include <aom/aomcx.h>

#include <cmath>
#include <string>

#include "aic/video/libvpx_style_encoder.h"
#include "aic/video/temporal_layer_pattern.h"

namespace auralink::video {
namespace {

constexpr int kDefaultSpeed = 8;
constexpr int kMaxIntraBitratePercent = 300;
// AV1 reference names as indices into aom_svc_ref_frame_config_t::reference / ref_idx.
constexpr int kLastFrame = 0;

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

// libaom's real-time mode for LibvpxStyleEncoder (libvpx_style_encoder.h), with the AV1 tuning and
// the per-frame error resilience of temporal layers.
class AomLibrary {
 public:
  using Context = aom_codec_ctx_t;
  using EncoderConfig = aom_codec_enc_cfg_t;
  using Image = aom_image_t;
  using Packet = aom_codec_cx_pkt_t;
  using PacketIterator = aom_codec_iter_t;
  using FrameFlags = aom_enc_frame_flags_t;

  static constexpr const char* kLibraryName = "libaom";
  static constexpr const char* kFamilyName = "AV1";
  // libwebrtc's libaom_av1_encoder buffer model and rate tolerances.
  static constexpr RealTimeBufferModel kBufferModel{.initial_ms = 600,
                                                    .optimal_ms = 600,
                                                    .size_ms = 1000,
                                                    .undershoot_percent = 50,
                                                    .overshoot_percent = 50,
                                                    .drop_frame_percent = 30};
  static constexpr aom_enc_pass kOnePass = AOM_RC_ONE_PASS;
  static constexpr aom_rc_mode kCbr = AOM_CBR;
  static constexpr aom_rc_mode kCq = AOM_CQ;
  static constexpr aom_rc_mode kQ = AOM_Q;
  static constexpr aom_kf_mode kKeyFramesDisabled = AOM_KF_DISABLED;
  static constexpr aom_codec_er_flags_t kErrorResilient = AOM_ERROR_RESILIENT_DEFAULT;
  static constexpr FrameFlags kForceKeyFrame = AOM_EFLAG_FORCE_KF;
  static constexpr aom_codec_cx_pkt_kind kFramePacket = AOM_CODEC_CX_FRAME_PKT;
  static constexpr aom_codec_frame_flags_t kKeyFramePacket = AOM_FRAME_IS_KEY;
  static constexpr int kPlaneY = AOM_PLANE_Y;
  static constexpr int kPlaneU = AOM_PLANE_U;
  static constexpr int kPlaneV = AOM_PLANE_V;

  static const char* DisplayName(VideoCodecType /*codec*/) { return "AV1"; }

  static Status CheckLimits(const VideoEncoderConfig& config) {
    if (config.speed != -1 && (config.speed < 0 || config.speed > 10)) {
      return Status::Error("AV1 speed must be 0..10, or -1 for the default");
    }
    return Status::Ok();
  }

  static Status DefaultConfig(VideoCodecType /*codec*/, EncoderConfig* cfg) {
    if (aom_codec_enc_config_default(aom_codec_av1_cx(), cfg, AOM_USAGE_REALTIME) != AOM_CODEC_OK) {
      return Status::Error("libaom: no default real-time AV1 config");
    }
    return Status::Ok();
  }

  static void FillLibraryConfig(const VideoEncoderConfig& /*config*/, EncoderConfig* cfg) {
    cfg->rc_resize_mode = 0;
    cfg->rc_superres_mode = AOM_SUPERRES_NONE;
  }

  static bool InitEncoder(Context* context, VideoCodecType /*codec*/, const EncoderConfig* cfg) {
    return aom_codec_enc_init(context, aom_codec_av1_cx(), cfg, 0) == AOM_CODEC_OK;
  }
  static bool ConfigSet(Context* context, const EncoderConfig* cfg) {
    return aom_codec_enc_config_set(context, cfg) == AOM_CODEC_OK;
  }
  static void Destroy(Context* context) { aom_codec_destroy(context); }
  static const char* ErrorText(Context* context) { return aom_codec_error(context); }
  static const char* ErrorDetail(Context* context) { return aom_codec_error_detail(context); }
  static void WrapI420(Image* image, int width, int height, uint8_t* data) {
    aom_img_wrap(image, AOM_IMG_FMT_I420, static_cast<unsigned>(width),
                 static_cast<unsigned>(height), 1, data);
  }
  static bool Encode(Context* context, const Image* image, int64_t pts, unsigned long duration,
                     FrameFlags flags) {
    return aom_codec_encode(context, image, pts, duration, flags) == AOM_CODEC_OK;
  }
  static const Packet* NextPacket(Context* context, PacketIterator* iterator) {
    return aom_codec_get_cx_data(context, iterator);
  }
  static bool LastQuantizer(Context* context, int* quantizer) {
    return aom_codec_control(context, AOME_GET_LAST_QUANTIZER_64, quantizer) == AOM_CODEC_OK;
  }

  Status Start(Context* context, const EncoderConfig& cfg, const VideoEncoderConfig& config) {
    error_resilient_now_ = -1;
    return ApplyControls(context, cfg, config);
  }

  Status ApplyControls(Context* context, const EncoderConfig& cfg,
                       const VideoEncoderConfig& config) const {
    const int speed = config.speed != -1 ? config.speed : kDefaultSpeed;
    const int tile_columns = static_cast<int>(std::floor(std::log2(config.threads)));
    const bool screen = config.content == VideoContentType::kScreen;
    // Cyclic-refresh AQ spends bits refreshing blocks to steer a bitrate; a constant-quality
    // stream has no bitrate to steer, and without it the same quality costs 10-15 % fewer bits
    // (measured on the shared talking heads).
    const int aq_mode = config.rate_control == RateControlMode::kConstantQuality ? 0 : 3;
    // Constant quality is what the AIC policy runs, aiming at an SSIM target: SSIM tuning and
    // quantisation matrices each take 2-3 % off the bits at equal SSIM-Y (KatieHill 512x512 at
    // SSIM 0.9235: 156 -> 148 kbps together; foreman -6 %, the screen clip -14 %).
    const bool quality = config.rate_control == RateControlMode::kConstantQuality;
    bool ok =
        aom_codec_control(context, AOME_SET_CPUUSED, speed) == AOM_CODEC_OK &&
        aom_codec_control(context, AOME_SET_CQ_LEVEL, config.quality) == AOM_CODEC_OK &&
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
        aom_codec_control(context, AV1E_SET_ROW_MT, config.threads > 1 ? 1 : 0) == AOM_CODEC_OK &&
        aom_codec_control(context, AV1E_SET_ENABLE_OBMC, 0) == AOM_CODEC_OK &&
        aom_codec_control(context, AV1E_SET_NOISE_SENSITIVITY, 0) == AOM_CODEC_OK &&
        aom_codec_control(context, AV1E_SET_ENABLE_WARPED_MOTION, 0) == AOM_CODEC_OK &&
        aom_codec_control(context, AV1E_SET_ENABLE_GLOBAL_MOTION, 0) == AOM_CODEC_OK &&
        aom_codec_control(context, AV1E_SET_ENABLE_REF_FRAME_MVS, 0) == AOM_CODEC_OK &&
        aom_codec_control(context, AOME_SET_TUNING, quality ? AOM_TUNE_SSIM : AOM_TUNE_PSNR) ==
            AOM_CODEC_OK &&
        aom_codec_control(context, AV1E_SET_ENABLE_QM, quality ? 1 : 0) == AOM_CODEC_OK;
    const int layers = config.temporal_layers;
    if (ok && layers > 1) {
      aom_svc_params_t svc{};
      svc.number_spatial_layers = 1;
      svc.number_temporal_layers = layers;
      svc.scaling_factor_num[0] = 1;
      svc.scaling_factor_den[0] = 1;
      for (int layer = 0; layer < layers; ++layer) {
        svc.max_quantizers[layer] = config.max_quantizer;
        svc.min_quantizers[layer] = config.min_quantizer;
        svc.layer_target_bitrate[layer] =
            CumulativeTemporalLayerKbps(layers, layer, static_cast<int>(cfg.rc_target_bitrate));
        svc.framerate_factor[layer] = TemporalLayerRateDecimator(layers, layer);
      }
      ok = aom_codec_control(context, AV1E_SET_SVC_PARAMS, &svc) == AOM_CODEC_OK;
    }
    if (!ok) return LibraryError<AomLibrary>("encoder control", context);
    return Status::Ok();
  }

  Status SignalTemporalLayer(Context* context, const VideoEncoderConfig& config, int layer,
                             int64_t position, FrameFlags* /*flags*/) {
    aom_svc_layer_id_t layer_id{0, layer};
    aom_svc_ref_frame_config_t references = LayerReferences(config.temporal_layers, position);
    // Frames of upper layers may be dropped, so they never carry state forward (as libwebrtc).
    const int error_resilient = layer > 0 || config.error_resilient ? 1 : 0;
    bool ok =
        aom_codec_control(context, AV1E_SET_SVC_LAYER_ID, &layer_id) == AOM_CODEC_OK &&
        aom_codec_control(context, AV1E_SET_SVC_REF_FRAME_CONFIG, &references) == AOM_CODEC_OK;
    if (ok && error_resilient != error_resilient_now_) {
      ok = aom_codec_control(context, AV1E_SET_ERROR_RESILIENT_MODE, error_resilient) ==
           AOM_CODEC_OK;
      error_resilient_now_ = error_resilient;
    }
    if (!ok) return LibraryError<AomLibrary>("temporal layer", context);
    return Status::Ok();
  }

  int CodedTemporalLayer(Context* /*context*/, const VideoEncoderConfig& /*config*/,
                         int layer) const {
    return layer;
  }

  void ForgetSize() {}

 private:
  int error_resilient_now_ = -1;  // what AV1E_SET_ERROR_RESILIENT_MODE last set
};

}  // namespace

struct AomEncoder::State {
  explicit State(const VideoEncoderConfig& config) : encoder(config, AomLibrary()) {}
  LibvpxStyleEncoder<AomLibrary> encoder;
};

AomEncoder::AomEncoder(std::unique_ptr<State> state) : state_(std::move(state)) {}
AomEncoder::~AomEncoder() = default;

StatusOr<std::unique_ptr<AomEncoder>> AomEncoder::Create(const VideoEncoderConfig& config) {
  if (config.codec != VideoCodecType::kAv1) return Status::Error("AomEncoder encodes only AV1");
  AURALINK_RETURN_IF_ERROR(LibvpxStyleEncoder<AomLibrary>::CheckConfig(config));
  std::unique_ptr<AomEncoder> encoder(new AomEncoder(std::make_unique<State>(config)));
  AURALINK_RETURN_IF_ERROR(encoder->state_->encoder.Initialize());
  return encoder;
}

const VideoEncoderConfig& AomEncoder::config() const { return state_->encoder.config(); }

Status AomEncoder::Encode(const VideoFrame& frame, bool force_keyframe,
                          std::vector<EncodedFrame>* out) {
  return state_->encoder.Encode(frame, force_keyframe, out);
}

Status AomEncoder::Reconfigure(const VideoEncoderConfig& config) {
  return state_->encoder.Reconfigure(config);
}

Status AomEncoder::SetRegionOfInterest(const RegionOfInterestMap& map) {
  if (map.block_columns == 0 && map.block_rows == 0) return Status::Ok();
  return Status::Error(
      "AV1 encoder: libaom 3.6 offers no region-of-interest map (AOME_SET_ROI_MAP is not "
      "implemented and its delta-q modes take no per-block input)");
}

}  // namespace auralink::video
