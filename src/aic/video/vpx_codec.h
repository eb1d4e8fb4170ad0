// VP8 and VP9 through libvpx, set up the way libwebrtc runs them for real-time calls: one pass, no
// lag, CBR with a 1 s buffer (start 500 ms, optimal 600 ms), 100 % undershoot and 15 % overshoot,
// frame dropping at 30 % buffer, VP8 at cpu-used -6 and VP9 at speed 7 with cyclic-refresh
// adaptive quantisation, noise reduction off, static threshold 1.
#pragma once

#include <memory>

#include "aic/video/video_codec.h"

namespace auralink::video {

class VpxEncoder final : public VideoEncoder {
 public:
  // config.codec must be kVp8 or kVp9.
  static StatusOr<std::unique_ptr<VpxEncoder>> Create(const VideoEncoderConfig& config);
  ~VpxEncoder() override;

  VideoCodecType codec() const override;
  const VideoEncoderConfig& config() const override;
  Status Encode(const VideoFrame& frame, bool force_keyframe,
                std::vector<EncodedFrame>* out) override;
  // Bitrate, quantiser range, quality and frame rate change in place; a new size, layer count or
  // rate-control mode that libvpx refuses in place re-creates the encoder. A resolution change
  // sends a key frame and clears the region-of-interest map.
  Status Reconfigure(const VideoEncoderConfig& config) override;
  // Quantiser deltas go to libvpx's segmentation: the map's distinct deltas are grouped into at
  // most 4 (VP8, per 16x16 macroblock) or 8 (VP9, per 8x8 block) segments, each coded with its
  // group's mean delta (clamped to +-63). VP9 maps are shifted to non-negative deltas (libvpx
  // 1.12 mis-codes negative ones; see the .cc). An empty map (0 columns) turns ROI off.
  Status SetRegionOfInterest(const RegionOfInterestMap& map) override;

 private:
  struct State;  // the shared libvpx/libaom loop (libvpx_style_encoder.h) with libvpx's part
  explicit VpxEncoder(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
};

class VpxDecoder final : public VideoDecoder {
 public:
  // codec must be kVp8 or kVp9.
  static StatusOr<std::unique_ptr<VpxDecoder>> Create(VideoCodecType codec);
  ~VpxDecoder() override;

  VideoCodecType codec() const override { return codec_; }
  // After a corrupt frame, inter frames are refused until the next key frame decodes. A decoded
  // frame's pts counts the pictures this decoder has put out (the bitstream carries none).
  Status Decode(std::span<const uint8_t> data, std::vector<VideoFrame>* out) override;

 private:
  struct State;
  VpxDecoder(VideoCodecType codec, std::unique_ptr<State> state);

  VideoCodecType codec_;
  std::unique_ptr<State> state_;
};

}  // namespace auralink::video
