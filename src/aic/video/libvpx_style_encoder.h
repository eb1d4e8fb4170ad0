// The real-time encoder loop that libvpx (VP8, VP9) and libaom (AV1) share. Both libraries expose
// one API shape: a config struct filled from the library's defaults, a codec context, an image
// that wraps the caller's planes, a packet iterator after each encode and typed control calls. So
// one template runs what libwebrtc's wrappers for both do: one pass, no lag, a 90 kHz time base,
// key frames scheduled here (so the temporal layer pattern restarts with each and a dropped key
// frame is retried), the packet loop, and changes between frames in place where the library
// takes them.
//
// `Library` (vpx_codec.cc, aom_codec.cc) supplies the library's types, constants and calls, and
// holds what only it keeps (libvpx's region-of-interest map, libaom's error-resilience state):
//
//   types      Context, EncoderConfig, Image, Packet, PacketIterator, FrameFlags
//   constants  kLibraryName, kFamilyName, kBufferModel (RealTimeBufferModel), kOnePass, kCbr,
//              kCq, kQ, kKeyFramesDisabled, kErrorResilient, kForceKeyFrame, kFramePacket,
//              kKeyFramePacket, kPlaneY, kPlaneU, kPlaneV
//   static     DisplayName(codec), CheckLimits(config), DefaultConfig(codec, cfg) -> Status,
//              InitEncoder(context, codec, cfg) -> bool, ConfigSet(context, cfg) -> bool,
//              Destroy(context), ErrorText(context), ErrorDetail(context),
//              WrapI420(image, width, height, data), Encode(context, image, pts, duration,
//              flags) -> bool, NextPacket(context, iterator), LastQuantizer(context, int*) -> bool,
//              FillLibraryConfig(config, cfg): the fields beyond the shared ones
//   members    Start(context, cfg, config): after the encoder is (re-)created
//              ApplyControls(context, cfg, config): after an in-place change
//              SignalTemporalLayer(context, config, layer, position, FrameFlags*): before each
//                frame when there are temporal layers
//              CodedTemporalLayer(context, config, scheduled_layer): after a coded frame
//              ForgetSize(): a new size is coming
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "aic/video/temporal_layer_pattern.h"
#include "aic/video/video_codec.h"

namespace auralink::video {

// libwebrtc's real-time rate control for one library: the decoder buffer model (ms) and the rate
// tolerances (%).
struct RealTimeBufferModel {
  int initial_ms = 0;
  int optimal_ms = 0;
  int size_ms = 0;
  int undershoot_percent = 0;
  int overshoot_percent = 0;
  int drop_frame_percent = 0;  // CBR drops frames when the buffer falls under this level
};

// The libraries' time base: RTP's 90 kHz video clock, so frame-rate changes only change durations.
inline constexpr int kLibvpxStyleTimebaseHz = 90000;

// "libvpx encode: <library's error> (<detail>)".
template <typename Library>
Status LibraryError(const char* what, typename Library::Context* context) {
  std::string message =
      std::string(Library::kLibraryName) + " " + what + ": " + Library::ErrorText(context);
  if (const char* detail = Library::ErrorDetail(context); detail != nullptr && *detail) {
    message += std::string(" (") + detail + ")";
  }
  return Status::Error(message);
}

template <typename Library>
class LibvpxStyleEncoder {
 public:
  using Context = typename Library::Context;
  using EncoderConfig = typename Library::EncoderConfig;

  // The checks every encoder applies, then the library's own limits.
  static Status CheckConfig(const VideoEncoderConfig& config) {
    AURALINK_RETURN_IF_ERROR(ValidateVideoEncoderConfig(config));
    return Library::CheckLimits(config);
  }

  // `config` has passed CheckConfig; Initialize() creates the library's encoder.
  LibvpxStyleEncoder(const VideoEncoderConfig& config, Library library)
      : config_(config), library_(std::move(library)) {}
  ~LibvpxStyleEncoder() {
    if (initialized_) Library::Destroy(&context_);
  }
  LibvpxStyleEncoder(const LibvpxStyleEncoder&) = delete;
  LibvpxStyleEncoder& operator=(const LibvpxStyleEncoder&) = delete;

  // (Re-)creates the library's encoder for config(); its first frame is a key frame.
  Status Initialize();
  Status Encode(const VideoFrame& frame, bool force_keyframe, std::vector<EncodedFrame>* out);
  // In place where the library takes the new config; a new size, layer count, error resilience
  // or rate-control mode re-creates the encoder (which starts with a key frame).
  Status Reconfigure(const VideoEncoderConfig& config);

  const VideoEncoderConfig& config() const { return config_; }
  // For the library's own calls outside this loop (libvpx's region-of-interest map).
  Library& library() { return library_; }
  Context* context() { return &context_; }

 private:
  void FillConfig(EncoderConfig* cfg) const;
  int64_t FrameDuration() const {
    return std::max<int64_t>(1, std::llround(static_cast<double>(kLibvpxStyleTimebaseHz) *
                                             config_.fps_denominator / config_.fps_numerator));
  }

  VideoEncoderConfig config_;
  Library library_;
  Context context_{};
  EncoderConfig cfg_{};
  bool initialized_ = false;
  int64_t timestamp_ = 0;         // 90 kHz
  int64_t frames_since_key_ = 0;  // also the position in the temporal layer pattern
  bool keyframe_pending_ = true;  // the first frame, and after the encoder is re-created
};

template <typename Library>
void LibvpxStyleEncoder<Library>::FillConfig(EncoderConfig* cfg) const {
  const VideoEncoderConfig& config = config_;
  constexpr RealTimeBufferModel kModel = Library::kBufferModel;
  cfg->g_w = static_cast<unsigned>(config.width);
  cfg->g_h = static_cast<unsigned>(config.height);
  cfg->g_timebase = {1, kLibvpxStyleTimebaseHz};
  cfg->g_threads = static_cast<unsigned>(config.threads);
  cfg->g_pass = Library::kOnePass;
  cfg->g_lag_in_frames = 0;
  cfg->g_error_resilient = config.error_resilient ? Library::kErrorResilient : 0;
  const bool quality = config.rate_control == RateControlMode::kConstantQuality;
  cfg->rc_end_usage = !quality                 ? Library::kCbr
                      : config.target_kbps > 0 ? Library::kCq
                                               : Library::kQ;
  // Q ignores the target; the libraries still want a plausible one.
  cfg->rc_target_bitrate =
      static_cast<unsigned>(config.target_kbps > 0 ? config.target_kbps : 100000);
  cfg->rc_min_quantizer = static_cast<unsigned>(config.min_quantizer);
  cfg->rc_max_quantizer = static_cast<unsigned>(config.max_quantizer);
  cfg->rc_undershoot_pct = static_cast<unsigned>(kModel.undershoot_percent);
  cfg->rc_overshoot_pct = static_cast<unsigned>(kModel.overshoot_percent);
  cfg->rc_buf_initial_sz = static_cast<unsigned>(kModel.initial_ms);
  cfg->rc_buf_optimal_sz = static_cast<unsigned>(kModel.optimal_ms);
  cfg->rc_buf_sz = static_cast<unsigned>(kModel.size_ms);
  cfg->rc_dropframe_thresh = quality ? 0 : static_cast<unsigned>(kModel.drop_frame_percent);
  // Key frames are scheduled here so the temporal layer pattern restarts with each.
  cfg->kf_mode = Library::kKeyFramesDisabled;
  cfg->kf_min_dist = 0;
  cfg->kf_max_dist = static_cast<unsigned>(config.keyframe_interval);
  Library::FillLibraryConfig(config, cfg);
}

template <typename Library>
Status LibvpxStyleEncoder<Library>::Initialize() {
  if (initialized_) {
    Library::Destroy(&context_);
    initialized_ = false;
  }
  AURALINK_RETURN_IF_ERROR(Library::DefaultConfig(config_.codec, &cfg_));
  FillConfig(&cfg_);
  if (!Library::InitEncoder(&context_, config_.codec, &cfg_)) {
    Status error = LibraryError<Library>("encoder init", &context_);
    Library::Destroy(&context_);
    return error;
  }
  initialized_ = true;
  keyframe_pending_ = true;
  return library_.Start(&context_, cfg_, config_);
}

template <typename Library>
Status LibvpxStyleEncoder<Library>::Encode(const VideoFrame& frame, bool force_keyframe,
                                           std::vector<EncodedFrame>* out) {
  if (!initialized_) {
    return Status::Error(std::string(Library::kFamilyName) +
                         " encoder is not usable after a failed reconfigure");
  }
  if (frame.width != config_.width || frame.height != config_.height ||
      frame.data.size() != VideoFrame::BufferSize(frame.width, frame.height)) {
    return Status::Error(std::string(Library::DisplayName(config_.codec)) + " encoder: frame is " +
                         std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                         ", the encoder is configured for " + std::to_string(config_.width) + "x" +
                         std::to_string(config_.height));
  }
  typename Library::Image image;
  uint8_t* data = const_cast<uint8_t*>(frame.data.data());  // the libraries only read the source
  Library::WrapI420(&image, frame.width, frame.height, data);
  // The wrap assumes even widths; the frame's planes are packed at their true widths.
  image.planes[Library::kPlaneY] = data;
  image.planes[Library::kPlaneU] = data + frame.y().size();
  image.planes[Library::kPlaneV] = data + frame.y().size() + frame.u().size();
  image.stride[Library::kPlaneY] = frame.width;
  image.stride[Library::kPlaneU] = frame.chroma_width();
  image.stride[Library::kPlaneV] = frame.chroma_width();

  const bool keyframe =
      force_keyframe || keyframe_pending_ || frames_since_key_ >= config_.keyframe_interval;
  if (keyframe) frames_since_key_ = 0;
  const int layers = config_.temporal_layers;
  const int layer = TemporalLayerAt(layers, frames_since_key_);
  typename Library::FrameFlags flags = keyframe ? Library::kForceKeyFrame : 0;
  if (layers > 1) {
    AURALINK_RETURN_IF_ERROR(
        library_.SignalTemporalLayer(&context_, config_, layer, frames_since_key_, &flags));
  }
  const int64_t duration = FrameDuration();
  if (!Library::Encode(&context_, &image, timestamp_, static_cast<unsigned long>(duration),
                       flags)) {
    return LibraryError<Library>("encode", &context_);
  }
  timestamp_ += duration;

  EncodedFrame encoded;
  typename Library::PacketIterator iterator = nullptr;
  while (const typename Library::Packet* packet = Library::NextPacket(&context_, &iterator)) {
    if (packet->kind != Library::kFramePacket) continue;
    const auto* bytes = static_cast<const uint8_t*>(packet->data.frame.buf);
    encoded.data.insert(encoded.data.end(), bytes, bytes + packet->data.frame.sz);
    encoded.keyframe =
        encoded.keyframe || (packet->data.frame.flags & Library::kKeyFramePacket) != 0;
  }
  if (encoded.data.empty()) {
    // Dropped by the rate controller; a requested key frame is retried on the next frame.
    if (keyframe) {
      keyframe_pending_ = true;
    } else {
      ++frames_since_key_;
    }
    return Status::Ok();
  }
  keyframe_pending_ = false;
  encoded.pts = frame.pts;
  encoded.temporal_layer = library_.CodedTemporalLayer(&context_, config_, layer);
  int quantizer = -1;
  if (Library::LastQuantizer(&context_, &quantizer)) encoded.quantizer = quantizer;
  ++frames_since_key_;
  out->push_back(std::move(encoded));
  return Status::Ok();
}

template <typename Library>
Status LibvpxStyleEncoder<Library>::Reconfigure(const VideoEncoderConfig& config) {
  if (config.codec != config_.codec) {
    return Status::Error(std::string(Library::DisplayName(config_.codec)) +
                         " encoder cannot switch to " + VideoCodecName(config.codec));
  }
  AURALINK_RETURN_IF_ERROR(CheckConfig(config));
  const bool resized = config.width != config_.width || config.height != config_.height;
  // Both libraries fail inside when an encoder with cyclic-refresh AQ is resized in place
  // (libvpx 1.12 frees a wild pointer in vpx_codec_enc_config_set for VP9, seen on the screen
  // clip; libaom 3.6's next encode fails), so a new size gets a new encoder, as libwebrtc does.
  // The resize forces a key frame either way, so rebuilding costs nothing a receiver would see.
  bool reinitialize = !initialized_ || resized ||
                      config.temporal_layers != config_.temporal_layers ||
                      config.error_resilient != config_.error_resilient ||
                      config.rate_control != config_.rate_control;
  config_ = config;
  if (resized) library_.ForgetSize();
  if (!reinitialize) {
    EncoderConfig cfg = cfg_;
    FillConfig(&cfg);
    if (Library::ConfigSet(&context_, &cfg)) {
      cfg_ = cfg;
      AURALINK_RETURN_IF_ERROR(library_.ApplyControls(&context_, cfg_, config_));
    } else {
      reinitialize = true;
    }
  }
  if (reinitialize) AURALINK_RETURN_IF_ERROR(Initialize());
  return Status::Ok();
}

}  // namespace auralink::video
