#include "aic/video/svt_av1_encoder.h"

#include <svt-av1/EbSvtAv1Enc.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

namespace auralink::video {
namespace {

constexpr int kDefaultPreset = 10;
constexpr int kFastestRealTimePreset = 12;
constexpr int kMinSide = 64;  // SVT-AV1's smallest source width and height
constexpr int kMaxHeight = 8704;
// libwebrtc's libaom_av1_encoder buffer model (ms) and rate tolerances (%), as AomEncoder.
constexpr int kBufferInitialMs = 600;
constexpr int kBufferOptimalMs = 600;
constexpr int kBufferSizeMs = 1000;
constexpr int kUndershootPercent = 50;
constexpr int kOvershootPercent = 50;
// SVT-AV1's enable_adaptive_quantization: 0 makes rate-control mode 0 CQP, 2 CRF.
constexpr int kCqp = 0;
constexpr int kCrf = 2;

Status CheckSvtLimits(const VideoEncoderConfig& config) {
  if (config.codec != VideoCodecType::kAv1) {
    return Status::Error("SvtAv1Encoder encodes only AV1");
  }
  AURALINK_RETURN_IF_ERROR(ValidateVideoEncoderConfig(config));
  if (config.width < kMinSide || config.height < kMinSide || config.height > kMaxHeight ||
      config.width % 2 != 0 || config.height % 2 != 0) {
    return Status::Error("SVT-AV1 encoder: frame size " + std::to_string(config.width) + "x" +
                         std::to_string(config.height) +
                         " must be even, at least 64x64 and at most 8704 high");
  }
  if (config.speed != -1 &&
      (config.speed < kDefaultPreset || config.speed > kFastestRealTimePreset)) {
    return Status::Error("SVT-AV1 encoder: real-time presets are 10..12, or -1 for 10");
  }
  if (config.temporal_layers != 1) {
    return Status::Error("SVT-AV1 encoder: temporal layers are not offered (1 only)");
  }
  return Status::Ok();
}

bool UncappedQuality(const VideoEncoderConfig& config) {
  return config.rate_control == RateControlMode::kConstantQuality && config.target_kbps <= 0;
}

// Whether SVT-AV1 must start again to go from `before` to `after` (see the header).
bool NeedsNewEncoder(const VideoEncoderConfig& before, const VideoEncoderConfig& after) {
  return before.width != after.width || before.height != after.height ||
         before.fps_numerator != after.fps_numerator ||
         before.fps_denominator != after.fps_denominator ||
         before.rate_control != after.rate_control || before.target_kbps != after.target_kbps ||
         before.speed != after.speed || before.threads != after.threads ||
         before.content != after.content ||
         (!UncappedQuality(after) &&
          (before.quality != after.quality || before.min_quantizer != after.min_quantizer ||
           before.max_quantizer != after.max_quantizer));
}

std::string SvtError(const char* what, EbErrorType error) {
  char code[16];
  std::snprintf(code, sizeof(code), "0x%x", static_cast<unsigned>(error));
  return std::string("SVT-AV1 ") + what + " failed (" + code + ")";
}

EncodedFrame FromPacket(const EbBufferHeaderType& packet) {
  EncodedFrame encoded;
  encoded.data.assign(packet.p_buffer, packet.p_buffer + packet.n_filled_len);
  encoded.pts = packet.pts;
  encoded.keyframe = packet.pic_type == EB_AV1_KEY_PICTURE;
  encoded.quantizer = static_cast<int>(packet.qp);
  return encoded;
}

}  // namespace

struct SvtAv1Encoder::State {
  EbComponentType* handle = nullptr;  // configured (svt_av1_enc_set_parameter)
  // svt_av1_enc_init ran. It runs with the first frame: SVT-AV1 1.4.1 hangs ending a stream
  // that has had no picture, and cannot be freed after init without ending it.
  bool started = false;
  int held = 0;  // frames sent whose temporal units have not come out
  int64_t frames_since_key = 0;
  std::vector<EncodedFrame> ready;  // put out by a flush in Reconfigure, returned next

  // Ends the stream (SVT-AV1 hangs in deinit without one) and frees the encoder; what it still
  // held goes to `ready`.
  EbErrorType Close() {
    EbErrorType result = EB_ErrorNone;
    if (handle == nullptr) return result;
    if (started) {
      EbBufferHeaderType end{};
      end.size = sizeof(end);
      end.flags = EB_BUFFERFLAG_EOS;
      result = svt_av1_enc_send_picture(handle, &end);
      while (result == EB_ErrorNone) {
        EbBufferHeaderType* packet = nullptr;
        result = svt_av1_enc_get_packet(handle, &packet, /*pic_send_done=*/1);
        if (result != EB_ErrorNone || packet == nullptr) break;
        const bool last = (packet->flags & EB_BUFFERFLAG_EOS) != 0;
        if (packet->n_filled_len > 0) ready.push_back(FromPacket(*packet));
        svt_av1_enc_release_out_buffer(&packet);
        if (last) break;
      }
      svt_av1_enc_deinit(handle);
    }
    svt_av1_enc_deinit_handle(handle);
    handle = nullptr;
    started = false;
    held = 0;
    return result;
  }
  ~State() { Close(); }
};

SvtAv1Encoder::SvtAv1Encoder(std::unique_ptr<State> state) : state_(std::move(state)) {}
SvtAv1Encoder::~SvtAv1Encoder() = default;

StatusOr<std::unique_ptr<SvtAv1Encoder>> SvtAv1Encoder::Create(const VideoEncoderConfig& config) {
  AURALINK_RETURN_IF_ERROR(CheckSvtLimits(config));
  // SVT-AV1 logs its configuration to stderr at every start unless told otherwise; errors only
  // (level 1), unless the user has asked for a level.
  setenv("SVT_LOG", "1", /*overwrite=*/0);
  std::unique_ptr<SvtAv1Encoder> encoder(new SvtAv1Encoder(std::make_unique<State>()));
  encoder->config_ = config;
  AURALINK_RETURN_IF_ERROR(encoder->Initialize());
  return encoder;
}

int SvtAv1Encoder::FrameQp() const {
  const int low = config_.min_quantizer;
  const int high = std::max(low, config_.max_quantizer);
  return std::clamp(config_.quality, low, high);
}

Status SvtAv1Encoder::Initialize() {
  State& state = *state_;
  AURALINK_RETURN_IF_ERROR(Drain());
  EbSvtAv1EncConfiguration cfg;
  EbErrorType error = svt_av1_enc_init_handle(&state.handle, nullptr, &cfg);
  if (error != EB_ErrorNone) {
    state.handle = nullptr;
    return Status::Error(SvtError("handle", error));
  }
  cfg.enc_mode = static_cast<int8_t>(config_.speed == -1 ? kDefaultPreset : config_.speed);
  cfg.source_width = static_cast<uint32_t>(config_.width);
  cfg.source_height = static_cast<uint32_t>(config_.height);
  cfg.frame_rate_numerator = static_cast<uint32_t>(config_.fps_numerator);
  cfg.frame_rate_denominator = static_cast<uint32_t>(config_.fps_denominator);
  cfg.pred_structure = SVT_AV1_PRED_LOW_DELAY_B;
  cfg.look_ahead_distance = 0;
  cfg.enable_tpl_la = 0;
  cfg.enable_tf = 0;
  cfg.enable_overlays = 0;
  cfg.scene_change_detection = 0;
  // Key frames are the wrapper's: the first frame of each encoder, none after it.
  cfg.intra_period_length = -1;
  cfg.intra_refresh_type = SVT_AV1_KF_REFRESH;
  cfg.screen_content_mode = config_.content == VideoContentType::kScreen ? 1 : 0;
  cfg.logical_processors = static_cast<uint32_t>(config_.threads);
  cfg.tile_columns = static_cast<int32_t>(std::floor(std::log2(config_.threads)));
  cfg.min_qp_allowed = static_cast<uint32_t>(config_.min_quantizer);
  cfg.max_qp_allowed = static_cast<uint32_t>(config_.max_quantizer);
  if (config_.rate_control == RateControlMode::kConstantBitrate) {
    cfg.rate_control_mode = SVT_AV1_RC_MODE_CBR;
    cfg.target_bit_rate = static_cast<uint32_t>(config_.target_kbps) * 1000u;
    cfg.starting_buffer_level_ms = kBufferInitialMs;
    cfg.optimal_buffer_level_ms = kBufferOptimalMs;
    cfg.maximum_buffer_size_ms = kBufferSizeMs;
    cfg.under_shoot_pct = kUndershootPercent;
    cfg.over_shoot_pct = kOvershootPercent;
  } else {
    cfg.rate_control_mode = SVT_AV1_RC_MODE_CQP_OR_CRF;
    cfg.qp = static_cast<uint32_t>(FrameQp());
    if (UncappedQuality(config_)) {
      cfg.enable_adaptive_quantization = kCqp;
      cfg.use_qp_file = 1;  // the QP of each picture comes with it
    } else {
      cfg.enable_adaptive_quantization = kCrf;
      cfg.max_bit_rate = static_cast<uint32_t>(config_.target_kbps) * 1000u;
    }
  }
  error = svt_av1_enc_set_parameter(state.handle, &cfg);
  if (error != EB_ErrorNone) {
    state.Close();
    return Status::Error(SvtError("encoder set-up", error));
  }
  state.frames_since_key = 0;
  return Status::Ok();
}

// Ends the stream of the running encoder and keeps what it still held in `ready`.
Status SvtAv1Encoder::Drain() {
  const EbErrorType error = state_->Close();
  if (error != EB_ErrorNone) return Status::Error(SvtError("end of stream", error));
  return Status::Ok();
}

Status SvtAv1Encoder::Encode(const VideoFrame& frame, bool force_keyframe,
                             std::vector<EncodedFrame>* out) {
  State& state = *state_;
  if (frame.width != config_.width || frame.height != config_.height ||
      frame.data.size() != VideoFrame::BufferSize(frame.width, frame.height)) {
    return Status::Error("SVT-AV1 encoder: frame is " + std::to_string(frame.width) + "x" +
                         std::to_string(frame.height) + ", the encoder is configured for " +
                         std::to_string(config_.width) + "x" + std::to_string(config_.height));
  }
  const bool keyframe = force_keyframe || state.frames_since_key >= config_.keyframe_interval;
  if (state.started && keyframe && state.frames_since_key > 0) {
    AURALINK_RETURN_IF_ERROR(Drain());
  }
  if (state.handle == nullptr) AURALINK_RETURN_IF_ERROR(Initialize());
  if (!state.started) {
    const EbErrorType error = svt_av1_enc_init(state.handle);
    if (error != EB_ErrorNone) {
      state.Close();
      return Status::Error(SvtError("encoder start", error));
    }
    state.started = true;
  }
  for (EncodedFrame& ready : state.ready) out->push_back(std::move(ready));
  state.ready.clear();

  EbSvtIOFormat planes{};
  uint8_t* data = const_cast<uint8_t*>(frame.data.data());  // SVT-AV1 copies the source
  planes.luma = data;
  planes.cb = data + frame.y().size();
  planes.cr = data + frame.y().size() + frame.u().size();
  planes.y_stride = static_cast<uint32_t>(frame.width);
  planes.cb_stride = static_cast<uint32_t>(frame.chroma_width());
  planes.cr_stride = static_cast<uint32_t>(frame.chroma_width());
  planes.width = static_cast<uint32_t>(frame.width);
  planes.height = static_cast<uint32_t>(frame.height);
  planes.color_fmt = EB_YUV420;
  planes.bit_depth = EB_EIGHT_BIT;
  EbBufferHeaderType input{};
  input.size = sizeof(input);
  input.p_buffer = reinterpret_cast<uint8_t*>(&planes);
  input.n_filled_len = static_cast<uint32_t>(frame.data.size());
  input.n_alloc_len = input.n_filled_len;
  input.pts = frame.pts;
  input.pic_type = EB_AV1_INVALID_PICTURE;  // the encoder decides
  input.qp = static_cast<uint32_t>(FrameQp());
  EbErrorType error = svt_av1_enc_send_picture(state.handle, &input);
  if (error != EB_ErrorNone) return Status::Error(SvtError("send picture", error));
  ++state.held;
  ++state.frames_since_key;
  // Low delay holds exactly one frame: once two are in, the older one's temporal unit is due and
  // waiting for it cannot block for good.
  while (state.held >= 2) {
    EbBufferHeaderType* packet = nullptr;
    error = svt_av1_enc_get_packet(state.handle, &packet, /*pic_send_done=*/1);
    if (error != EB_ErrorNone || packet == nullptr) {
      return Status::Error(SvtError("get packet", error));
    }
    if (packet->n_filled_len > 0) out->push_back(FromPacket(*packet));
    svt_av1_enc_release_out_buffer(&packet);
    --state.held;
  }
  return Status::Ok();
}

Status SvtAv1Encoder::Flush(std::vector<EncodedFrame>* out) {
  State& state = *state_;
  AURALINK_RETURN_IF_ERROR(Drain());
  for (EncodedFrame& ready : state.ready) out->push_back(std::move(ready));
  state.ready.clear();
  return Status::Ok();
}

Status SvtAv1Encoder::Reconfigure(const VideoEncoderConfig& config) {
  AURALINK_RETURN_IF_ERROR(CheckSvtLimits(config));
  const bool restart = state_->handle == nullptr || NeedsNewEncoder(config_, config);
  if (restart) AURALINK_RETURN_IF_ERROR(Drain());
  config_ = config;
  if (restart) return Initialize();
  return Status::Ok();
}

Status SvtAv1Encoder::SetRegionOfInterest(const RegionOfInterestMap& map) {
  if (map.block_columns == 0 && map.block_rows == 0) return Status::Ok();
  return Status::Error("AV1 encoder: SVT-AV1 1.4 offers no region-of-interest quantiser map");
}

}  // namespace auralink::video
