#include "video/frame_scaler.h"

#include <libyuv/scale.h>

#include <cstring>
#include <string>

namespace auralink::video {
namespace {

Status CheckFrame(const VideoFrame& frame, const char* what) {
  if (frame.width < 1 || frame.height < 1 || frame.width > kMaxVideoDimension ||
      frame.height > kMaxVideoDimension) {
    return Status::Error(std::string(what) + " frame size " + std::to_string(frame.width) + "x" +
                         std::to_string(frame.height) + " is out of range (1.." +
                         std::to_string(kMaxVideoDimension) + ")");
  }
  if (frame.data.size() != VideoFrame::BufferSize(frame.width, frame.height)) {
    return Status::Error(std::string(what) + " frame holds " + std::to_string(frame.data.size()) +
                         " bytes, an I420 " + std::to_string(frame.width) + "x" +
                         std::to_string(frame.height) + " frame needs " +
                         std::to_string(VideoFrame::BufferSize(frame.width, frame.height)));
  }
  return Status::Ok();
}

}  // namespace

Status ScaleFrameInto(const VideoFrame& source, VideoFrame* destination, ScaleFilter filter) {
  AURALINK_RETURN_IF_ERROR(CheckFrame(source, "source"));
  if (destination->data.size() != VideoFrame::BufferSize(destination->width, destination->height)) {
    destination->data.resize(VideoFrame::BufferSize(destination->width, destination->height));
  }
  AURALINK_RETURN_IF_ERROR(CheckFrame(*destination, "destination"));
  destination->pts = source.pts;
  const libyuv::FilterMode mode =
      filter == ScaleFilter::kBox ? libyuv::kFilterBox : libyuv::kFilterBilinear;
  const int result =
      libyuv::I420Scale(source.y().data(), source.width, source.u().data(), source.chroma_width(),
                        source.v().data(), source.chroma_width(), source.width, source.height,
                        destination->y().data(), destination->width, destination->u().data(),
                        destination->chroma_width(), destination->v().data(),
                        destination->chroma_width(), destination->width, destination->height, mode);
  if (result != 0) return Status::Error("libyuv I420Scale failed");
  return Status::Ok();
}

StatusOr<VideoFrame> ScaleFrame(const VideoFrame& source, int width, int height,
                                ScaleFilter filter) {
  if (width < 1 || height < 1 || width > kMaxVideoDimension || height > kMaxVideoDimension) {
    return Status::Error("cannot scale to " + std::to_string(width) + "x" + std::to_string(height) +
                         " (1.." + std::to_string(kMaxVideoDimension) + " per side)");
  }
  VideoFrame destination = VideoFrame::Allocate(width, height);
  AURALINK_RETURN_IF_ERROR(ScaleFrameInto(source, &destination, filter));
  return destination;
}

StatusOr<VideoFrame> CropFrame(const VideoFrame& source, int x, int y, int width, int height) {
  AURALINK_RETURN_IF_ERROR(CheckFrame(source, "source"));
  if (x < 0 || y < 0 || width < 1 || height < 1 || x > source.width - width ||
      y > source.height - height) {
    return Status::Error("crop " + std::to_string(width) + "x" + std::to_string(height) + " at (" +
                         std::to_string(x) + "," + std::to_string(y) + ") leaves the " +
                         std::to_string(source.width) + "x" + std::to_string(source.height) +
                         " frame");
  }
  if (x % 2 != 0 || y % 2 != 0) {
    return Status::Error("crop offset (" + std::to_string(x) + "," + std::to_string(y) +
                         ") must be even for I420");
  }
  VideoFrame out = VideoFrame::Allocate(width, height);
  out.pts = source.pts;
  for (int row = 0; row < height; ++row) {
    std::memcpy(out.y().data() + static_cast<size_t>(row) * width,
                source.y().data() + static_cast<size_t>(y + row) * source.width + x, width);
  }
  const int chroma_x = x / 2, chroma_y = y / 2;
  for (int row = 0; row < out.chroma_height(); ++row) {
    const size_t from = static_cast<size_t>(chroma_y + row) * source.chroma_width() + chroma_x;
    const size_t to = static_cast<size_t>(row) * out.chroma_width();
    std::memcpy(out.u().data() + to, source.u().data() + from, out.chroma_width());
    std::memcpy(out.v().data() + to, source.v().data() + from, out.chroma_width());
  }
  return out;
}

}  // namespace auralink::video
