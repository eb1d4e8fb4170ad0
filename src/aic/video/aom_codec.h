// AV1 encoding through libaom in its real-time mode (AOM_USAGE_REALTIME), set up as libwebrtc's
// libaom_av1_encoder sets it: one pass, no lag, CBR with a 1 s buffer (start and optimal 600 ms),
// 50 % under/overshoot, cyclic-refresh AQ, no TPL/delta-q/order hints, tools that cost more than
// they give at real-time speeds off, cpu-used 8 by default (MEASURED.md: speed 8 saves more than
// 10 at a few percent of speed). Temporal layers use libaom's SVC controls with the reference
// structure of temporal_layer_pattern.h. Decoding is dav1d's (dav1d_decoder.h).
#pragma once

#include <memory>

#include "aic/video/video_codec.h"

namespace auralink::video {

class AomEncoder final : public VideoEncoder {
 public:
  // config.codec must be kAv1; speed -1 (default 8) or 0..10.
  static StatusOr<std::unique_ptr<AomEncoder>> Create(const VideoEncoderConfig& config);
  ~AomEncoder() override;

  VideoCodecType codec() const override { return VideoCodecType::kAv1; }
  const VideoEncoderConfig& config() const override;
  Status Encode(const VideoFrame& frame, bool force_keyframe,
                std::vector<EncodedFrame>* out) override;
  // Changes bitrate, quantiser range, quality and frame rate in place (aom_codec_enc_config_set);
  // a new size, layer count, error resilience or rate-control mode re-creates the encoder, which
  // starts with a key frame.
  Status Reconfigure(const VideoEncoderConfig& config) override;
  // libaom 3.6's AOME_SET_ROI_MAP is a stub that refuses every map, and its delta-q modes are
  // internal (perceptual/objective) with no per-block input, so this returns an error naming
  // that; an empty map (0 columns) is accepted as "no ROI".
  Status SetRegionOfInterest(const RegionOfInterestMap& map) override;

 private:
  struct State;  // the shared libvpx/libaom loop (libvpx_style_encoder.h) with libaom's part
  explicit AomEncoder(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
};

}  // namespace auralink::video
