// Resizing and cropping of I420 frames, with libyuv doing the filtering.
#pragma once

#include "common/status.h"
#include "video/video_frame.h"

namespace auralink::video {

enum class ScaleFilter {
  kBox,       // area averaging: the right choice for downscaling (no aliasing)
  kBilinear,  // cheaper; fine for upscaling and small ratios
};

// Scales `source` to width x height (1..16384 each; aspect ratio is not preserved). The pts is
// kept.
StatusOr<VideoFrame> ScaleFrame(const VideoFrame& source, int width, int height,
                                ScaleFilter filter = ScaleFilter::kBox);

// As ScaleFrame(), into a frame whose width and height the caller has set; reuses its buffer.
Status ScaleFrameInto(const VideoFrame& source, VideoFrame* destination,
                      ScaleFilter filter = ScaleFilter::kBox);

// Copies the width x height rectangle at (x, y). x and y must be even so the chroma planes stay
// aligned with luma.
StatusOr<VideoFrame> CropFrame(const VideoFrame& source, int x, int y, int width, int height);

}  // namespace auralink::video
