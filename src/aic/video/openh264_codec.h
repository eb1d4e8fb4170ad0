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
  // codes every picture at QP `quality` (openh264's RC_OFF_MODE, clamped to the quantiser
  // range); with a target_kbps the wrapper caps the bitrate by coding coarser than `quality`
  // while a one-second leaky bucket is over half full. kConstantBitrate is openh264's
  // RC_BITRATE_MODE with frame skipping. speed: -1 openh264's default, 0 high, 1 medium, 2 low
  // complexity.
  static StatusOr<std::unique_ptr<OpenH264Encoder>> Create(const VideoEncoderConfig& config);
  ~OpenH264Encoder() override;

  VideoCodecType codec() const override { return VideoCodecType::kH264; }
  const VideoEncoderConfig& config() const override { return config_; }
  Status Encode(const VideoFrame& frame, bool force_keyframe,
                std::vector<EncodedFrame>* out) override;
  // Quality, quantiser range, bitrate, frame rate and speed change in place
  // (ENCODER_OPTION_SVC_ENCODE_PARAM_EXT), with no IDR picture. A new size, rate-control mode,
  // temporal layer count, thread count or content type re-creates the encoder (an IDR picture),
  // and so does a new quantiser range in kConstantBitrate: openh264 reads its bitrate
  // controller's QP bounds only at initialisation.
  Status Reconfigure(const VideoEncoderConfig& config) override;
  // openh264 takes no per-block quantiser input: an error unless the map is empty.
  Status SetRegionOfInterest(const RegionOfInterestMap& map) override;

 private:
  struct State;
  explicit OpenH264Encoder(std::unique_ptr<State> state);
  Status Initialize();
  Status ApplyInPlace(int frame_qp);
  int FrameQp() const;
  void UpdateBitrateCap(size_t frame_bytes);

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
