// H.264 (Constrained Baseline) through Cisco's openh264, the codec libwebrtc ships for H.264:
// CAMERA_VIDEO_REAL_TIME usage, one slice per picture, CBR by RC_BITRATE_MODE with frame skipping,
// temporal layers by iTemporalLayerNum (openh264's dyadic 0 1 | 0 2 1 2 structure). Access units
// come out and go in as Annex-B byte streams (start codes, SPS/PPS with each IDR).
#pragma once

#include <memory>

#include "aic/video/video_codec.h"

namespace auralink::video {

class OpenH264Encoder final : public VideoEncoder {
 public:
  // config.codec must be kH264; width and height must be even (4:2:0 cropping is in pairs).
  // Quantisers are on H.264's 0..51 scale (larger values are clamped to 51). kConstantQuality
  // holds QP at `quality` (RC_OFF_MODE) when target_kbps is 0, else runs the bitrate controller
  // with `quality` as its lowest QP, so the bitrate is a cap. speed: -1 openh264's default,
  // 0 high, 1 medium, 2 low complexity.
  static StatusOr<std::unique_ptr<OpenH264Encoder>> Create(const VideoEncoderConfig& config);
  ~OpenH264Encoder() override;

  VideoCodecType codec() const override { return VideoCodecType::kH264; }
  const VideoEncoderConfig& config() const override { return config_; }
  Status Encode(const VideoFrame& frame, bool force_keyframe,
                std::vector<EncodedFrame>* out) override;
  // Bitrate and frame rate change in place (ENCODER_OPTION_BITRATE / _FRAME_RATE); anything else
  // re-creates the encoder, which starts with an IDR picture.
  Status Reconfigure(const VideoEncoderConfig& config) override;
  // openh264 takes no per-block quantiser input: an error unless the map is empty.
  Status SetRegionOfInterest(const RegionOfInterestMap& map) override;

 private:
  struct State;
  explicit OpenH264Encoder(std::unique_ptr<State> state);
  Status Initialize();

  VideoEncoderConfig config_;
  std::unique_ptr<State> state_;
};

class OpenH264Decoder final : public VideoDecoder {
 public:
  static StatusOr<std::unique_ptr<OpenH264Decoder>> Create();
  ~OpenH264Decoder() override;

  VideoCodecType codec() const override { return VideoCodecType::kH264; }
  // Takes one Annex-B access unit. Error concealment is off: a damaged access unit is an error,
  // and access units are refused until one carrying an IDR slice decodes. A decoded frame's pts
  // counts the pictures this decoder has put out.
  Status Decode(std::span<const uint8_t> data, std::vector<VideoFrame>* out) override;

 private:
  struct State;
  explicit OpenH264Decoder(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace auralink::video
