// An uncompressed picture: 8-bit I420 (Y full size, U and V at half width and height, rounded up),
// planes tightly packed. The one frame type every video library in AuraLink passes around.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace auralink::video {

// Largest width or height any reader, scaler or codec wrapper accepts.
inline constexpr int kMaxVideoDimension = 16384;

struct VideoFrame {
  int width = 0;
  int height = 0;
  int64_t pts = 0;  // presentation time in frame-rate ticks (frame index for constant-rate clips)
  std::vector<uint8_t> data;  // Y plane, then U, then V

  static int ChromaWidth(int width) { return (width + 1) / 2; }
  static int ChromaHeight(int height) { return (height + 1) / 2; }
  static size_t BufferSize(int width, int height) {
    return static_cast<size_t>(width) * height +
           2 * static_cast<size_t>(ChromaWidth(width)) * ChromaHeight(height);
  }

  // Allocates a frame of the given size (black: Y 16, U/V 128 is left to the caller; zeroed here).
  static VideoFrame Allocate(int width, int height) {
    VideoFrame frame;
    frame.width = width;
    frame.height = height;
    frame.data.assign(BufferSize(width, height), 0);
    return frame;
  }

  // Copies planes laid out with any row strides (a decoder's or capturer's buffers) into a packed
  // frame.
  static VideoFrame CopyFromPlanes(int width, int height, const uint8_t* y, int y_stride,
                                   const uint8_t* u, int u_stride, const uint8_t* v, int v_stride) {
    VideoFrame frame = Allocate(width, height);
    const int chroma_width = ChromaWidth(width);
    for (int row = 0; row < height; ++row) {
      std::memcpy(frame.data.data() + static_cast<size_t>(row) * width,
                  y + static_cast<std::ptrdiff_t>(row) * y_stride, static_cast<size_t>(width));
    }
    uint8_t* const u_plane = frame.data.data() + static_cast<size_t>(width) * height;
    uint8_t* const v_plane = u_plane + static_cast<size_t>(chroma_width) * ChromaHeight(height);
    for (int row = 0; row < ChromaHeight(height); ++row) {
      std::memcpy(u_plane + static_cast<size_t>(row) * chroma_width,
                  u + static_cast<std::ptrdiff_t>(row) * u_stride,
                  static_cast<size_t>(chroma_width));
      std::memcpy(v_plane + static_cast<size_t>(row) * chroma_width,
                  v + static_cast<std::ptrdiff_t>(row) * v_stride,
                  static_cast<size_t>(chroma_width));
    }
    return frame;
  }

  int chroma_width() const { return ChromaWidth(width); }
  int chroma_height() const { return ChromaHeight(height); }
  std::span<uint8_t> y() { return {data.data(), static_cast<size_t>(width) * height}; }
  std::span<uint8_t> u() {
    return {data.data() + static_cast<size_t>(width) * height,
            static_cast<size_t>(chroma_width()) * chroma_height()};
  }
  std::span<uint8_t> v() {
    size_t chroma = static_cast<size_t>(chroma_width()) * chroma_height();
    return {data.data() + static_cast<size_t>(width) * height + chroma, chroma};
  }
  std::span<const uint8_t> y() const { return const_cast<VideoFrame*>(this)->y(); }
  std::span<const uint8_t> u() const { return const_cast<VideoFrame*>(this)->u(); }
  std::span<const uint8_t> v() const { return const_cast<VideoFrame*>(this)->v(); }
};

}  // namespace auralink::video
