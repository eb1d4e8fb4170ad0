// One interface for every real-time video encoder and decoder AuraLink drives: VP8 and VP9
// (libvpx), AV1 (libaom or SVT-AV1 to encode, dav1d to decode), H.264 (openh264). Real-time
// settings only: one pass, no look-ahead, low delay, error resilient; everything below can change
// between frames.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "video/video_frame.h"

namespace auralink::video {

enum class VideoCodecType { kVp8, kVp9, kAv1, kH264 };

const char* VideoCodecName(VideoCodecType codec);  // "vp8", "vp9", "av1", "h264"
std::optional<VideoCodecType> ParseVideoCodecName(std::string_view name);

enum class RateControlMode {
  kConstantBitrate,  // CBR at target_kbps (what libwebrtc does)
  kConstantQuality,  // quantizer-targeted (cq_level / crf), capped at target_kbps when it is > 0
};

// What the picture is: screen content (text, UI, slides) gets the codecs' screen tools (palette
// and intra block copy in AV1, screen tuning in VP9, screen-content mode in VP8 and openh264).
enum class VideoContentType { kCamera, kScreen };

// Which library encodes AV1. Both write the same bitstream (dav1d decodes either).
enum class Av1Encoder {
  kLibaom,  // libaom's real-time mode: everything changes between frames, temporal layers
  kSvtAv1,  // SVT-AV1 low delay: fewer in-place changes, one frame of latency (svt_av1_encoder.h)
};

const char* Av1EncoderName(Av1Encoder encoder);  // "aom", "svt"
std::optional<Av1Encoder> ParseAv1EncoderName(std::string_view name);

struct VideoEncoderConfig {
  VideoCodecType codec = VideoCodecType::kVp8;
  Av1Encoder av1_encoder = Av1Encoder::kLibaom;  // codec kAv1 only
  int width = 0;
  int height = 0;
  int fps_numerator = 30;
  int fps_denominator = 1;
  RateControlMode rate_control = RateControlMode::kConstantBitrate;
  int target_kbps = 500;
  int quality = 32;        // kConstantQuality: codec quantizer on the codec's own scale (0..63
                           // libvpx/aom, 0..51 h264)
  int min_quantizer = 2;   // codec's own scale
  int max_quantizer = 56;  // libwebrtc's VP8 qmax
  int speed = -1;  // codec-specific real-time speed; -1 = the codec's libwebrtc-like default
  int temporal_layers = 1;       // 1..3 where the codec offers them
  int keyframe_interval = 3000;  // frames; key frames are also sent on demand
  int threads = 1;
  // Frames decodable without the state a lost frame would have left (VP8/VP9/AV1 error-resilient
  // mode). Off trades loss robustness for a few percent of bitrate; frames of upper temporal
  // layers stay error resilient either way. H.264 has no such mode and ignores it.
  bool error_resilient = true;
  VideoContentType content = VideoContentType::kCamera;
};

struct EncodedFrame {
  std::vector<uint8_t> data;  // one temporal unit / frame in the codec's bitstream format
  int64_t pts = 0;
  bool keyframe = false;
  int temporal_layer = 0;
  int quantizer = -1;  // average frame quantizer when the codec reports it
};

// Per-block quality offsets for region-aware coding: one value per 16x16 block (row-major,
// ceil(w/16) x ceil(h/16)); negative = better quality (lower quantizer) for faces and other regions
// of interest. Codecs without ROI support return an error from SetRegionOfInterest.
struct RegionOfInterestMap {
  int block_columns = 0;
  int block_rows = 0;
  std::vector<int8_t> quantizer_delta;  // codec quantizer steps, clamped to what the codec offers
};

class VideoEncoder {
 public:
  virtual ~VideoEncoder() = default;
  virtual VideoCodecType codec() const = 0;
  virtual const VideoEncoderConfig& config() const = 0;
  // Encodes one frame (its size must equal the configured size). Appends zero or more frames to
  // `out` (zero when the rate controller drops the frame, or while an encoder with latency holds
  // it); each carries the pts of the frame it codes.
  virtual Status Encode(const VideoFrame& frame, bool force_keyframe,
                        std::vector<EncodedFrame>* out) = 0;
  // Frames the encoder still holds, at the end of a stream. Only encoders with latency (SVT-AV1)
  // hold any; the encoder stays usable.
  virtual Status Flush(std::vector<EncodedFrame>* out) { return Status::Ok(); }
  // Changes bitrate, quality, quantizer range, resolution or frame rate between frames. A
  // resolution change may force a key frame.
  virtual Status Reconfigure(const VideoEncoderConfig& config) = 0;
  virtual Status SetRegionOfInterest(const RegionOfInterestMap& map) = 0;
};

class VideoDecoder {
 public:
  virtual ~VideoDecoder() = default;
  virtual VideoCodecType codec() const = 0;
  // Decodes one encoded frame. Appends the decoded picture(s) to `out`. A corrupt frame is an error
  // and the decoder stays usable (it recovers at the next key frame).
  virtual Status Decode(std::span<const uint8_t> data, std::vector<VideoFrame>* out) = 0;
};

// The checks every encoder applies: size 1..16384, a positive frame rate up to 1000 fps, a positive
// target_kbps for CBR, 0 <= min_quantizer <= max_quantizer <= 63, quality 0..63, 1..3 temporal
// layers, a positive key frame interval, 1..64 threads. Codecs add their own limits.
Status ValidateVideoEncoderConfig(const VideoEncoderConfig& config);

StatusOr<std::unique_ptr<VideoEncoder>> CreateVideoEncoder(const VideoEncoderConfig& config);
StatusOr<std::unique_ptr<VideoDecoder>> CreateVideoDecoder(VideoCodecType codec);

}  // namespace auralink::video
