// AV1 encoding through SVT-AV1 (Debian's 1.4.1) in its low-delay prediction structure, the second
// AV1 encoder beside libaom (VideoEncoderConfig::av1_encoder): presets 10-12, no look-ahead, no
// temporal filtering, TPL or scene-change detection, no periodic key frames. Its temporal units go
// to IVF and decode with dav1d like libaom's.
//
// What SVT-AV1 1.4.1 does not allow in low delay, and what the wrapper does instead:
// - It holds one frame: Encode() puts out the previous frame's temporal unit, Flush() the last.
// - It forces no key frame ("Force key frame is only supported with RA CRF/CQP mode"): a key
//   frame on demand (or at keyframe_interval) flushes the encoder and starts a new one, whose first
//   frame is a key frame.
// - It changes no bitrate, frame rate, size, preset or content type after initialisation: those
//   start a new encoder too (a key frame), as does a new quality under a bitrate cap (capped CRF
//   fixes its CRF at initialisation).
// - It offers no temporal layers, error-resilient mode or region-of-interest map here, and frames
//   must be at least 64x64 with even sides.
// What it does allow: constant quality without a cap runs as CQP with a QP per picture
// (use_qp_file, EbBufferHeaderType::qp), so `quality` and the quantiser range change between
// frames with no new encoder.
#pragma once

#include <memory>

#include "aic/video/video_codec.h"

namespace auralink::video {

class SvtAv1Encoder final : public VideoEncoder {
 public:
  // config.codec must be kAv1; speed is the SVT-AV1 preset, 10..12, or -1 for 10.
  // kConstantBitrate is SVT-AV1's CBR (libwebrtc's 600/600/1000 ms buffer, 50 % under/overshoot);
  // kConstantQuality is CQP at `quality` without a target, capped CRF (max_bit_rate) with one.
  static StatusOr<std::unique_ptr<SvtAv1Encoder>> Create(const VideoEncoderConfig& config);
  ~SvtAv1Encoder() override;

  VideoCodecType codec() const override { return VideoCodecType::kAv1; }
  const VideoEncoderConfig& config() const override { return config_; }
  Status Encode(const VideoFrame& frame, bool force_keyframe,
                std::vector<EncodedFrame>* out) override;
  Status Flush(std::vector<EncodedFrame>* out) override;
  // In place: quality and quantiser range in uncapped constant quality. Anything else flushes
  // the held frame (put out by the next Encode or Flush) and starts a new encoder.
  Status Reconfigure(const VideoEncoderConfig& config) override;
  // An error unless the map is empty: SVT-AV1 1.4 takes no per-block quantiser input.
  Status SetRegionOfInterest(const RegionOfInterestMap& map) override;

 private:
  struct State;
  explicit SvtAv1Encoder(std::unique_ptr<State> state);
  Status Initialize();
  Status Drain();
  int FrameQp() const;

  VideoEncoderConfig config_;
  std::unique_ptr<State> state_;
};

}  // namespace auralink::video
