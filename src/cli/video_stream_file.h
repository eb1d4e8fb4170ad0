// Encoded video on disk as the CLI writes and reads it: IVF for every codec (pts in source frame
// ticks, so skipped frames stay visible; H.264 under fourcc H264), or a bare H.264 Annex-B stream
// when the output is named .264 / .h264 (no timestamps: a frame the encoder skipped is lost).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "aic/video/video_codec.h"
#include "common/status.h"
#include "video/annexb.h"
#include "video/ivf.h"

namespace auralink::cli {

class EncodedVideoWriter {
 public:
  // Source geometry and rate go into the IVF header (timebase 1/fps), so decoding restores them.
  static StatusOr<std::unique_ptr<EncodedVideoWriter>> Create(const std::string& path,
                                                              video::VideoCodecType codec,
                                                              int width, int height,
                                                              int fps_numerator,
                                                              int fps_denominator);
  Status Write(const video::EncodedFrame& frame);
  Status Close();
  size_t payload_bytes() const { return payload_bytes_; }

 private:
  std::unique_ptr<video::IvfWriter> ivf_;
  std::unique_ptr<video::AnnexBWriter> annexb_;
  size_t payload_bytes_ = 0;
};

struct EncodedVideoUnit {
  std::vector<uint8_t> data;
  int64_t pts = -1;  // source frame index; -1 when the container has none (Annex-B)
};

class EncodedVideoReader {
 public:
  // Detects the container from the first bytes: "DKIF" is IVF, a start code is H.264 Annex-B.
  static StatusOr<std::unique_ptr<EncodedVideoReader>> Create(const std::string& path);
  video::VideoCodecType codec() const { return codec_; }
  int width() const { return width_; }    // 0 when the container does not say (Annex-B)
  int height() const { return height_; }
  // Frame rate from the IVF timebase when it is one tick per frame; 0/0 otherwise.
  int fps_numerator() const { return fps_numerator_; }
  int fps_denominator() const { return fps_denominator_; }
  StatusOr<bool> Read(EncodedVideoUnit* unit);

 private:
  std::unique_ptr<video::IvfReader> ivf_;
  std::unique_ptr<video::AnnexBReader> annexb_;
  video::VideoCodecType codec_ = video::VideoCodecType::kVp8;
  int width_ = 0;
  int height_ = 0;
  int fps_numerator_ = 0;
  int fps_denominator_ = 0;
};

}  // namespace auralink::cli
