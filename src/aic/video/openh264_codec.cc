#include "aic/video/openh264_codec.h"

#include <wels/codec_api.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <string>

#include "video/annexb.h"

namespace auralink::video {
namespace {

constexpr int kMaxH264Qp = 51;
// openh264 refuses frame rates above this in its parameter check.
constexpr float kMaxOpenH264FrameRate = 60.0f;

float FrameRate(const VideoEncoderConfig& config) {
  return std::min(kMaxOpenH264FrameRate,
                  static_cast<float>(config.fps_numerator) / config.fps_denominator);
}

Status CheckH264Limits(const VideoEncoderConfig& config) {
  if (config.codec != VideoCodecType::kH264) {
    return Status::Error("OpenH264Encoder encodes only H.264");
  }
  AURALINK_RETURN_IF_ERROR(ValidateVideoEncoderConfig(config));
  if (config.width % 2 != 0 || config.height % 2 != 0) {
    return Status::Error("H.264 encoder: frame size " + std::to_string(config.width) + "x" +
                         std::to_string(config.height) + " must be even");
  }
  if (config.speed < -1 || config.speed > 2) {
    return Status::Error("H.264 encoder: speed must be 0..2, or -1 for the default");
  }
  return Status::Ok();
}

// openh264 reads its bitrate controller's QP bounds only when the encoder is initialised
// (RcInitSequenceParameter), and re-creates its context (an IDR picture) in
// ENCODER_OPTION_SVC_ENCODE_PARAM_EXT when the picture size, slicing, thread count or usage
// type changes (WelsEncoderParamAdjust). Everything else goes in place.
bool NeedsNewEncoder(const VideoEncoderConfig& before, const VideoEncoderConfig& after) {
  const bool bounds_changed =
      before.min_quantizer != after.min_quantizer || before.max_quantizer != after.max_quantizer;
  return before.width != after.width || before.height != after.height ||
         before.rate_control != after.rate_control ||
         before.temporal_layers != after.temporal_layers || before.threads != after.threads ||
         before.content != after.content ||
         (after.rate_control == RateControlMode::kConstantBitrate && bounds_changed);
}

int MinQp(const VideoEncoderConfig& config) { return std::min(config.min_quantizer, kMaxH264Qp); }
int MaxQp(const VideoEncoderConfig& config) { return std::min(config.max_quantizer, kMaxH264Qp); }

// Constant quality runs with openh264's rate control off (the picture QP is the layer's
// iDLayerQp, which ENCODER_OPTION_SVC_ENCODE_PARAM_EXT changes between frames); its own QP bounds
// stay at the full range so they never clip a later QP, and the wrapper applies the configured
// range itself.
SEncParamExt EncoderParams(ISVCEncoder* encoder, const VideoEncoderConfig& config, int frame_qp) {
  SEncParamExt params;
  encoder->GetDefaultParams(&params);
  params.iUsageType = config.content == VideoContentType::kScreen ? SCREEN_CONTENT_REAL_TIME
                                                                  : CAMERA_VIDEO_REAL_TIME;
  params.iPicWidth = config.width;
  params.iPicHeight = config.height;
  params.fMaxFrameRate = FrameRate(config);
  params.iTemporalLayerNum = config.temporal_layers;
  params.iSpatialLayerNum = 1;
  // Key frames are scheduled by the wrapper (ForceIntraFrame) so every codec follows one policy.
  params.uiIntraPeriod = 0;
  params.eSpsPpsIdStrategy = CONSTANT_ID;
  params.iMultipleThreadIdc = static_cast<unsigned short>(config.threads);
  if (config.speed >= 0) {
    static constexpr ECOMPLEXITY_MODE kComplexity[] = {HIGH_COMPLEXITY, MEDIUM_COMPLEXITY,
                                                       LOW_COMPLEXITY};
    params.iComplexityMode = kComplexity[config.speed];
  }
  if (config.rate_control == RateControlMode::kConstantBitrate) {
    const int bitrate_bps = config.target_kbps * 1000;
    params.iRCMode = RC_BITRATE_MODE;
    params.iTargetBitrate = bitrate_bps;
    params.iMaxBitrate = bitrate_bps;
    params.iMinQp = MinQp(config);
    params.iMaxQp = MaxQp(config);
    params.bEnableFrameSkip = true;
  } else {
    params.iRCMode = RC_OFF_MODE;
    params.iTargetBitrate = 0;
    params.iMaxBitrate = UNSPECIFIED_BIT_RATE;
    params.iMinQp = 0;
    params.iMaxQp = kMaxH264Qp;
    params.bEnableFrameSkip = false;
  }
  SSpatialLayerConfig& layer = params.sSpatialLayers[0];
  layer.iVideoWidth = config.width;
  layer.iVideoHeight = config.height;
  layer.fFrameRate = params.fMaxFrameRate;
  layer.iSpatialBitrate = params.iTargetBitrate;
  layer.iMaxSpatialBitrate = params.iMaxBitrate;
  layer.iDLayerQp = frame_qp;
  layer.sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
  layer.sSliceArgument.uiSliceNum = 1;
  return params;
}

std::string DecodingStateText(int state) {
  static constexpr std::pair<int, const char*> kFlags[] = {
      {dsRefLost, "reference lost"},
      {dsBitstreamError, "bitstream error"},
      {dsDepLayerLost, "dependent layer lost"},
      {dsNoParamSets, "no SPS/PPS"},
      {dsDataErrorConcealed, "error concealed"},
      {dsRefListNullPtrs, "empty reference list"},
      {dsInvalidArgument, "invalid argument"},
      {dsInitialOptExpected, "not initialised"},
      {dsOutOfMemory, "out of memory"},
      {dsFramePending, "frame pending"},
  };
  std::string text;
  for (const auto& [flag, name] : kFlags) {
    if (state & flag) text += (text.empty() ? "" : ", ") + std::string(name);
  }
  return text.empty() ? "state " + std::to_string(state) : text;
}

}  // namespace

struct OpenH264Encoder::State {
  ISVCEncoder* encoder = nullptr;
  bool initialized = false;
  double timestamp_ms = 0;
  int64_t frames_since_key = 0;
  bool keyframe_pending = true;
  int applied_qp = -1;         // the iDLayerQp openh264 holds (constant quality)
  int cap_qp_offset = 0;       // QP steps the bitrate cap adds above `quality`
  double cap_bucket_bits = 0;  // the cap's leaky bucket, drained at target_kbps
  ~State() {
    if (encoder != nullptr) {
      if (initialized) encoder->Uninitialize();
      WelsDestroySVCEncoder(encoder);
    }
  }
};

OpenH264Encoder::OpenH264Encoder(std::unique_ptr<State> state) : state_(std::move(state)) {}
OpenH264Encoder::~OpenH264Encoder() = default;

StatusOr<std::unique_ptr<OpenH264Encoder>> OpenH264Encoder::Create(
    const VideoEncoderConfig& config) {
  AURALINK_RETURN_IF_ERROR(CheckH264Limits(config));
  auto state = std::make_unique<State>();
  if (WelsCreateSVCEncoder(&state->encoder) != 0 || state->encoder == nullptr) {
    return Status::Error("openh264: cannot create an encoder");
  }
  int quiet = WELS_LOG_QUIET;
  state->encoder->SetOption(ENCODER_OPTION_TRACE_LEVEL, &quiet);
  std::unique_ptr<OpenH264Encoder> encoder(new OpenH264Encoder(std::move(state)));
  encoder->config_ = config;
  AURALINK_RETURN_IF_ERROR(encoder->Initialize());
  return encoder;
}

int OpenH264Encoder::FrameQp() const {
  const int low = MinQp(config_);
  const int high = std::max(low, MaxQp(config_));
  return std::clamp(std::clamp(config_.quality, low, high) + state_->cap_qp_offset, low, high);
}

Status OpenH264Encoder::Initialize() {
  State& state = *state_;
  if (state.initialized) {
    state.encoder->Uninitialize();
    state.initialized = false;
  }
  state.cap_qp_offset = 0;
  state.cap_bucket_bits = 0;
  const int qp = FrameQp();
  SEncParamExt params = EncoderParams(state.encoder, config_, qp);
  if (state.encoder->InitializeExt(&params) != cmResultSuccess) {
    return Status::Error("openh264: encoder refused its parameters");
  }
  state.initialized = true;
  state.applied_qp = qp;
  int format = videoFormatI420;
  int quiet = WELS_LOG_QUIET;
  state.encoder->SetOption(ENCODER_OPTION_DATAFORMAT, &format);
  state.encoder->SetOption(ENCODER_OPTION_TRACE_LEVEL, &quiet);
  state.keyframe_pending = true;
  return Status::Ok();
}

Status OpenH264Encoder::ApplyInPlace(int frame_qp) {
  State& state = *state_;
  SEncParamExt params = EncoderParams(state.encoder, config_, frame_qp);
  if (state.encoder->SetOption(ENCODER_OPTION_SVC_ENCODE_PARAM_EXT, &params) != cmResultSuccess) {
    return Status::Error("openh264: encoder refused the new parameters");
  }
  state.applied_qp = frame_qp;
  return Status::Ok();
}

// The cap of constant quality with a bitrate (openh264's own bitrate controller cannot take a new
// QP floor in place): a one-second leaky bucket drained at target_kbps; while it is more than
// half full each frame is coded one QP coarser, and once it is nearly empty one QP finer, down
// to `quality`. Six QP steps halve an H.264 picture's bits, so a 2x overshoot is corrected
// within about six frames.
void OpenH264Encoder::UpdateBitrateCap(size_t frame_bytes) {
  State& state = *state_;
  const double bits_per_second = config_.target_kbps * 1000.0;
  const double frames_per_second =
      static_cast<double>(config_.fps_numerator) / config_.fps_denominator;
  state.cap_bucket_bits = std::max(
      0.0, state.cap_bucket_bits + 8.0 * frame_bytes - bits_per_second / frames_per_second);
  if (state.cap_bucket_bits > 0.5 * bits_per_second) {
    state.cap_qp_offset = std::min(state.cap_qp_offset + 1, kMaxH264Qp);
  } else if (state.cap_bucket_bits < 0.1 * bits_per_second && state.cap_qp_offset > 0) {
    --state.cap_qp_offset;
  }
}

Status OpenH264Encoder::Encode(const VideoFrame& frame, bool force_keyframe,
                               std::vector<EncodedFrame>* out) {
  State& state = *state_;
  if (!state.initialized) {
    return Status::Error("H.264 encoder is not usable after a failed reconfigure");
  }
  if (frame.width != config_.width || frame.height != config_.height ||
      frame.data.size() != VideoFrame::BufferSize(frame.width, frame.height)) {
    return Status::Error("H.264 encoder: frame is " + std::to_string(frame.width) + "x" +
                         std::to_string(frame.height) + ", the encoder is configured for " +
                         std::to_string(config_.width) + "x" + std::to_string(config_.height));
  }
  const bool quality_mode = config_.rate_control == RateControlMode::kConstantQuality;
  if (quality_mode && FrameQp() != state.applied_qp) {
    AURALINK_RETURN_IF_ERROR(ApplyInPlace(FrameQp()));
  }
  SSourcePicture picture{};
  picture.iColorFormat = videoFormatI420;
  picture.iPicWidth = frame.width;
  picture.iPicHeight = frame.height;
  uint8_t* data = const_cast<uint8_t*>(frame.data.data());  // openh264 only reads the source
  picture.pData[0] = data;
  picture.pData[1] = data + frame.y().size();
  picture.pData[2] = data + frame.y().size() + frame.u().size();
  picture.iStride[0] = frame.width;
  picture.iStride[1] = frame.chroma_width();
  picture.iStride[2] = frame.chroma_width();
  picture.uiTimeStamp = std::llround(state.timestamp_ms);
  state.timestamp_ms += 1000.0 * config_.fps_denominator / config_.fps_numerator;

  const bool keyframe = force_keyframe || state.keyframe_pending ||
                        state.frames_since_key >= config_.keyframe_interval;
  if (keyframe && state.encoder->ForceIntraFrame(true) != cmResultSuccess) {
    return Status::Error("openh264: cannot force an IDR picture");
  }
  SFrameBSInfo info{};
  if (state.encoder->EncodeFrame(&picture, &info) != cmResultSuccess) {
    return Status::Error("openh264: encoding failed");
  }
  if (info.eFrameType == videoFrameTypeSkip || info.eFrameType == videoFrameTypeInvalid) {
    if (keyframe) {
      state.keyframe_pending = true;
    } else {
      ++state.frames_since_key;
    }
    return Status::Ok();
  }
  EncodedFrame encoded;
  for (int i = 0; i < info.iLayerNum; ++i) {
    const SLayerBSInfo& layer = info.sLayerInfo[i];
    size_t size = 0;
    for (int nal = 0; nal < layer.iNalCount; ++nal) {
      size += static_cast<size_t>(layer.pNalLengthInByte[nal]);
    }
    encoded.data.insert(encoded.data.end(), layer.pBsBuf, layer.pBsBuf + size);
    if (layer.uiLayerType == VIDEO_CODING_LAYER) encoded.temporal_layer = layer.uiTemporalId;
  }
  if (encoded.data.empty()) return Status::Ok();
  encoded.keyframe = info.eFrameType == videoFrameTypeIDR;
  encoded.pts = frame.pts;
  if (quality_mode) {
    encoded.quantizer = state.applied_qp;
    if (config_.target_kbps > 0) UpdateBitrateCap(encoded.data.size());
  } else {
    SEncoderStatistics statistics{};
    if (state.encoder->GetOption(ENCODER_OPTION_GET_STATISTICS, &statistics) == cmResultSuccess) {
      encoded.quantizer = static_cast<int>(statistics.uiAverageFrameQP);
    }
  }
  if (encoded.keyframe) {
    state.frames_since_key = 0;
    state.keyframe_pending = false;
  }
  ++state.frames_since_key;
  out->push_back(std::move(encoded));
  return Status::Ok();
}

Status OpenH264Encoder::Reconfigure(const VideoEncoderConfig& config) {
  AURALINK_RETURN_IF_ERROR(CheckH264Limits(config));
  State& state = *state_;
  const bool rebuild = !state.initialized || NeedsNewEncoder(config_, config);
  config_ = config;
  if (rebuild) return Initialize();
  if (config_.target_kbps <= 0) {
    state.cap_qp_offset = 0;
    state.cap_bucket_bits = 0;
  }
  return ApplyInPlace(FrameQp());
}

Status OpenH264Encoder::SetRegionOfInterest(const RegionOfInterestMap& map) {
  if (map.block_columns == 0 && map.block_rows == 0) return Status::Ok();
  return Status::Error("H.264 encoder: openh264 offers no region-of-interest quantiser map");
}

struct OpenH264Decoder::State {
  ISVCDecoder* decoder = nullptr;
  bool initialized = false;
  bool waiting_for_idr = false;
  int64_t frames_decoded = 0;
  ~State() {
    if (decoder != nullptr) {
      if (initialized) decoder->Uninitialize();
      WelsDestroyDecoder(decoder);
    }
  }
};

OpenH264Decoder::OpenH264Decoder(std::unique_ptr<State> state) : state_(std::move(state)) {}
OpenH264Decoder::~OpenH264Decoder() = default;

StatusOr<std::unique_ptr<OpenH264Decoder>> OpenH264Decoder::Create() {
  auto state = std::make_unique<State>();
  if (WelsCreateDecoder(&state->decoder) != 0 || state->decoder == nullptr) {
    return Status::Error("openh264: cannot create a decoder");
  }
  int quiet = WELS_LOG_QUIET;
  state->decoder->SetOption(DECODER_OPTION_TRACE_LEVEL, &quiet);
  SDecodingParam params{};
  params.sVideoProperty.size = sizeof(params.sVideoProperty);
  params.sVideoProperty.eVideoBsType = VIDEO_BITSTREAM_AVC;
  params.eEcActiveIdc = ERROR_CON_DISABLE;
  params.uiTargetDqLayer = UCHAR_MAX;
  if (state->decoder->Initialize(&params) != cmResultSuccess) {
    return Status::Error("openh264: decoder refused its parameters");
  }
  state->initialized = true;
  return std::unique_ptr<OpenH264Decoder>(new OpenH264Decoder(std::move(state)));
}

Status OpenH264Decoder::Decode(std::span<const uint8_t> data, std::vector<VideoFrame>* out) {
  State& state = *state_;
  if (data.empty()) return Status::Error("H.264 decoder: empty access unit");
  if (data.size() > static_cast<size_t>(INT_MAX)) {
    return Status::Error("H.264 decoder: access unit too large");
  }
  bool has_idr = false;
  for (std::span<const uint8_t> nal : SplitAnnexBNalUnits(data)) {
    has_idr = has_idr || (nal[0] & 0x1f) == static_cast<int>(H264NalType::kIdrSlice);
  }
  if (state.waiting_for_idr && !has_idr) {
    return Status::Error("H.264 decoder: waiting for an IDR picture after a corrupt one");
  }
  unsigned char* planes[3] = {nullptr, nullptr, nullptr};
  SBufferInfo info{};
  const DECODING_STATE result =
      state.decoder->DecodeFrameNoDelay(data.data(), static_cast<int>(data.size()), planes, &info);
  if (result != dsErrorFree) {
    state.waiting_for_idr = true;
    return Status::Error("H.264 decoder: " + DecodingStateText(result));
  }
  if (has_idr) state.waiting_for_idr = false;
  if (info.iBufferStatus != 1) return Status::Ok();
  const SSysMEMBuffer& buffer = info.UsrData.sSystemBuffer;
  if (buffer.iFormat != videoFormatI420 || planes[0] == nullptr || planes[1] == nullptr ||
      planes[2] == nullptr) {
    return Status::Error("H.264 decoder: unexpected output format");
  }
  VideoFrame frame =
      VideoFrame::CopyFromPlanes(buffer.iWidth, buffer.iHeight, planes[0], buffer.iStride[0],
                                 planes[1], buffer.iStride[1], planes[2], buffer.iStride[1]);
  frame.pts = state.frames_decoded++;
  out->push_back(std::move(frame));
  return Status::Ok();
}

}  // namespace auralink::video
