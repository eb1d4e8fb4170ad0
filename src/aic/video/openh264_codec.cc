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

// Whether Reconfigure() can go from `before` to `after` with SetOption calls alone.
bool ChangesInPlace(const VideoEncoderConfig& before, const VideoEncoderConfig& after) {
  const bool bitrate_driven_before =
      before.rate_control == RateControlMode::kConstantBitrate || before.target_kbps > 0;
  const bool bitrate_driven_after =
      after.rate_control == RateControlMode::kConstantBitrate || after.target_kbps > 0;
  return before.width == after.width && before.height == after.height &&
         before.rate_control == after.rate_control &&
         bitrate_driven_before == bitrate_driven_after && before.quality == after.quality &&
         before.min_quantizer == after.min_quantizer &&
         before.max_quantizer == after.max_quantizer && before.speed == after.speed &&
         before.temporal_layers == after.temporal_layers && before.threads == after.threads &&
         before.content == after.content;
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

Status OpenH264Encoder::Initialize() {
  State& state = *state_;
  if (state.initialized) {
    state.encoder->Uninitialize();
    state.initialized = false;
  }
  SEncParamExt params;
  state.encoder->GetDefaultParams(&params);
  params.iUsageType = config_.content == VideoContentType::kScreen ? SCREEN_CONTENT_REAL_TIME
                                                                : CAMERA_VIDEO_REAL_TIME;
  params.iPicWidth = config_.width;
  params.iPicHeight = config_.height;
  params.fMaxFrameRate = FrameRate(config_);
  params.iTemporalLayerNum = config_.temporal_layers;
  params.iSpatialLayerNum = 1;
  // Key frames are scheduled by the wrapper (ForceIntraFrame) so every codec follows one policy.
  params.uiIntraPeriod = 0;
  params.eSpsPpsIdStrategy = CONSTANT_ID;
  params.iMultipleThreadIdc = static_cast<unsigned short>(config_.threads);
  if (config_.speed >= 0) {
    static constexpr ECOMPLEXITY_MODE kComplexity[] = {HIGH_COMPLEXITY, MEDIUM_COMPLEXITY,
                                                       LOW_COMPLEXITY};
    params.iComplexityMode = kComplexity[config_.speed];
  }
  const int min_qp = std::min(config_.min_quantizer, kMaxH264Qp);
  const int max_qp = std::min(config_.max_quantizer, kMaxH264Qp);
  const int quality_qp = std::clamp(config_.quality, min_qp, max_qp);
  const int bitrate_bps = config_.target_kbps * 1000;
  params.iMinQp = min_qp;
  params.iMaxQp = max_qp;
  if (config_.rate_control == RateControlMode::kConstantBitrate) {
    params.iRCMode = RC_BITRATE_MODE;
    params.iTargetBitrate = bitrate_bps;
    params.iMaxBitrate = bitrate_bps;
    params.bEnableFrameSkip = true;
  } else if (config_.target_kbps > 0) {
    params.iRCMode = RC_BITRATE_MODE;
    params.iTargetBitrate = bitrate_bps;
    params.iMaxBitrate = bitrate_bps;
    params.iMinQp = quality_qp;
    params.bEnableFrameSkip = false;
  } else {
    params.iRCMode = RC_OFF_MODE;
    params.iTargetBitrate = 0;
    params.iMaxBitrate = UNSPECIFIED_BIT_RATE;
    params.iMinQp = quality_qp;
    params.iMaxQp = quality_qp;
    params.bEnableFrameSkip = false;
  }
  SSpatialLayerConfig& layer = params.sSpatialLayers[0];
  layer.iVideoWidth = config_.width;
  layer.iVideoHeight = config_.height;
  layer.fFrameRate = params.fMaxFrameRate;
  layer.iSpatialBitrate = params.iTargetBitrate;
  layer.iMaxSpatialBitrate = params.iMaxBitrate;
  layer.iDLayerQp = quality_qp;
  layer.sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
  layer.sSliceArgument.uiSliceNum = 1;
  if (state.encoder->InitializeExt(&params) != cmResultSuccess) {
    return Status::Error("openh264: encoder refused its parameters");
  }
  state.initialized = true;
  int format = videoFormatI420;
  int quiet = WELS_LOG_QUIET;
  state.encoder->SetOption(ENCODER_OPTION_DATAFORMAT, &format);
  state.encoder->SetOption(ENCODER_OPTION_TRACE_LEVEL, &quiet);
  state.keyframe_pending = true;
  return Status::Ok();
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
  SEncoderStatistics statistics{};
  if (state.encoder->GetOption(ENCODER_OPTION_GET_STATISTICS, &statistics) == cmResultSuccess) {
    encoded.quantizer = static_cast<int>(statistics.uiAverageFrameQP);
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
  const bool in_place = state.initialized && ChangesInPlace(config_, config);
  const bool rising = config.target_kbps > config_.target_kbps;
  config_ = config;
  if (!in_place) return Initialize();
  if (config_.target_kbps > 0) {
    // openh264 refuses a target above the layer's maximum, so the two move in an order that
    // keeps target <= maximum; SPATIAL_LAYER_ALL would leave the layer's own maximum behind.
    SBitrateInfo bitrate{};
    bitrate.iLayer = SPATIAL_LAYER_0;
    bitrate.iBitrate = config_.target_kbps * 1000;
    const ENCODER_OPTION first = rising ? ENCODER_OPTION_MAX_BITRATE : ENCODER_OPTION_BITRATE;
    const ENCODER_OPTION second = rising ? ENCODER_OPTION_BITRATE : ENCODER_OPTION_MAX_BITRATE;
    if (state.encoder->SetOption(first, &bitrate) != cmResultSuccess ||
        state.encoder->SetOption(second, &bitrate) != cmResultSuccess) {
      return Status::Error("openh264: cannot change the bitrate");
    }
  }
  float frame_rate = FrameRate(config_);
  if (state.encoder->SetOption(ENCODER_OPTION_FRAME_RATE, &frame_rate) != cmResultSuccess) {
    return Status::Error("openh264: cannot change the frame rate");
  }
  return Status::Ok();
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
