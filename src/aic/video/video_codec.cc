#include "aic/video/video_codec.h"

#include <string>

#include "aic/video/aom_codec.h"
#include "aic/video/dav1d_decoder.h"
#include "aic/video/openh264_codec.h"
#include "aic/video/svt_av1_encoder.h"
#include "aic/video/vpx_codec.h"

namespace auralink::video {

const char* VideoCodecName(VideoCodecType codec) {
  switch (codec) {
    case VideoCodecType::kVp8:
      return "vp8";
    case VideoCodecType::kVp9:
      return "vp9";
    case VideoCodecType::kAv1:
      return "av1";
    case VideoCodecType::kH264:
      return "h264";
  }
  return "unknown";
}

std::optional<VideoCodecType> ParseVideoCodecName(std::string_view name) {
  for (VideoCodecType codec :
       {VideoCodecType::kVp8, VideoCodecType::kVp9, VideoCodecType::kAv1, VideoCodecType::kH264}) {
    if (name == VideoCodecName(codec)) return codec;
  }
  return std::nullopt;
}

const char* Av1EncoderName(Av1Encoder encoder) {
  return encoder == Av1Encoder::kSvtAv1 ? "svt" : "aom";
}

std::optional<Av1Encoder> ParseAv1EncoderName(std::string_view name) {
  for (Av1Encoder encoder : {Av1Encoder::kLibaom, Av1Encoder::kSvtAv1}) {
    if (name == Av1EncoderName(encoder)) return encoder;
  }
  return std::nullopt;
}

Status ValidateVideoEncoderConfig(const VideoEncoderConfig& config) {
  const std::string codec = VideoCodecName(config.codec);
  if (config.width < 1 || config.height < 1 || config.width > kMaxVideoDimension ||
      config.height > kMaxVideoDimension) {
    return Status::Error(codec + " encoder: frame size " + std::to_string(config.width) + "x" +
                         std::to_string(config.height) + " is out of range (1.." +
                         std::to_string(kMaxVideoDimension) + " per side)");
  }
  if (config.fps_numerator <= 0 || config.fps_denominator <= 0 ||
      config.fps_numerator > 1000LL * config.fps_denominator) {
    return Status::Error(codec + " encoder: frame rate " + std::to_string(config.fps_numerator) +
                         "/" + std::to_string(config.fps_denominator) +
                         " is out of range (above 0, at most 1000 fps)");
  }
  if (config.rate_control == RateControlMode::kConstantBitrate && config.target_kbps <= 0) {
    return Status::Error(codec + " encoder: constant bitrate needs a positive target_kbps");
  }
  if (config.target_kbps > 1000000) {
    return Status::Error(codec + " encoder: target_kbps above 1 Gbps");
  }
  if (config.min_quantizer < 0 || config.max_quantizer > 63 ||
      config.min_quantizer > config.max_quantizer) {
    return Status::Error(codec + " encoder: quantiser range " +
                         std::to_string(config.min_quantizer) + ".." +
                         std::to_string(config.max_quantizer) + " is not within 0..63");
  }
  if (config.quality < 0 || config.quality > 63) {
    return Status::Error(codec + " encoder: quality " + std::to_string(config.quality) +
                         " is not within 0..63");
  }
  if (config.temporal_layers < 1 || config.temporal_layers > 3) {
    return Status::Error(codec + " encoder: " + std::to_string(config.temporal_layers) +
                         " temporal layers (1..3 are offered)");
  }
  if (config.keyframe_interval < 1) {
    return Status::Error(codec + " encoder: key frame interval must be at least 1 frame");
  }
  if (config.threads < 1 || config.threads > 64) {
    return Status::Error(codec + " encoder: threads must be 1..64");
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<VideoEncoder>> CreateVideoEncoder(const VideoEncoderConfig& config) {
  switch (config.codec) {
    case VideoCodecType::kVp8:
    case VideoCodecType::kVp9: {
      auto encoder = VpxEncoder::Create(config);
      if (!encoder.ok()) return encoder.status();
      return std::unique_ptr<VideoEncoder>(std::move(*encoder));
    }
    case VideoCodecType::kAv1: {
      if (config.av1_encoder == Av1Encoder::kSvtAv1) {
        auto encoder = SvtAv1Encoder::Create(config);
        if (!encoder.ok()) return encoder.status();
        return std::unique_ptr<VideoEncoder>(std::move(*encoder));
      }
      auto encoder = AomEncoder::Create(config);
      if (!encoder.ok()) return encoder.status();
      return std::unique_ptr<VideoEncoder>(std::move(*encoder));
    }
    case VideoCodecType::kH264: {
      auto encoder = OpenH264Encoder::Create(config);
      if (!encoder.ok()) return encoder.status();
      return std::unique_ptr<VideoEncoder>(std::move(*encoder));
    }
  }
  return Status::Error("unknown video codec");
}

StatusOr<std::unique_ptr<VideoDecoder>> CreateVideoDecoder(VideoCodecType codec) {
  switch (codec) {
    case VideoCodecType::kVp8:
    case VideoCodecType::kVp9: {
      auto decoder = VpxDecoder::Create(codec);
      if (!decoder.ok()) return decoder.status();
      return std::unique_ptr<VideoDecoder>(std::move(*decoder));
    }
    case VideoCodecType::kAv1: {
      auto decoder = Dav1dDecoder::Create();
      if (!decoder.ok()) return decoder.status();
      return std::unique_ptr<VideoDecoder>(std::move(*decoder));
    }
    case VideoCodecType::kH264: {
      auto decoder = OpenH264Decoder::Create();
      if (!decoder.ok()) return decoder.status();
      return std::unique_ptr<VideoDecoder>(std::move(*decoder));
    }
  }
  return Status::Error("unknown video codec");
}

}  // namespace auralink::video
