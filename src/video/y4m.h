// YUV4MPEG2 (.y4m) files: a one-line text header ("YUV4MPEG2 W352 H288 F30000:1001 C420jpeg ...")
// then, per frame, a "FRAME" line and the raw planes. Only 8-bit 4:2:0 is read or written; the
// 4:2:0 chroma sitings (420, 420jpeg, 420paldv, 420mpeg2) all map to I420, and the interlacing
// (I) and pixel aspect (A) fields are ignored. Layout as written by mjpegtools and ffmpeg
// (yuv4mpeg(5) manual page).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/atomic_file_writer.h"
#include "video/byte_source.h"
#include "video/video_frame.h"

namespace auralink::video {

struct Y4mHeader {
  int width = 0;
  int height = 0;
  int fps_numerator = 30;
  int fps_denominator = 1;
  std::string colour_space = "420jpeg";  // the C field without the 'C'; any 8-bit 4:2:0 siting
};

// Checks the fields a reader would refuse (dimensions 1..16384, a positive frame rate, a 4:2:0
// 8-bit colour space).
Status ValidateY4mHeader(const Y4mHeader& header);

class Y4mReader {
 public:
  // Reads and checks the header. Errors name the path: "clip.y4m: not a YUV4MPEG2 file",
  // "clip.y4m: unsupported colour space C444 (only 8-bit 4:2:0 is read)".
  static StatusOr<std::unique_ptr<Y4mReader>> Create(const std::string& path);
  // The same parser over bytes in memory; `name` stands in for the path in messages.
  static StatusOr<std::unique_ptr<Y4mReader>> CreateFromMemory(std::vector<uint8_t> bytes,
                                                               std::string name = "<memory>");

  const Y4mHeader& header() const { return header_; }
  int width() const { return header_.width; }
  int height() const { return header_.height; }
  // The number of frames when it follows from the file size (every frame line a bare "FRAME").
  std::optional<int64_t> frame_count() const { return frame_count_; }
  int64_t frames_read() const { return frames_read_; }

  // Reads the next frame into `frame` (pts = frame index from 0). Returns false at the clean end
  // of the file; a partial frame is an error ("clip.y4m: truncated frame 12 (expected 152064
  // bytes, got 1000)").
  StatusOr<bool> ReadFrame(VideoFrame* frame);

 private:
  explicit Y4mReader(std::unique_ptr<ByteSource> source) : source_(std::move(source)) {}
  static StatusOr<std::unique_ptr<Y4mReader>> Open(std::unique_ptr<ByteSource> source);
  Status ReadHeader();
  Status Fail(const std::string& message) const;

  std::unique_ptr<ByteSource> source_;
  Y4mHeader header_;
  std::optional<int64_t> frame_count_;
  int64_t frames_read_ = 0;
};

class Y4mWriter {
 public:
  // Writes to a temp file beside `path`; the file appears at `path` only on a successful Close().
  static StatusOr<std::unique_ptr<Y4mWriter>> Create(const std::string& path,
                                                     const Y4mHeader& header);

  // The frame must have the header's dimensions.
  Status WriteFrame(const VideoFrame& frame);
  Status Close();
  int64_t frames_written() const { return frames_written_; }

 private:
  Y4mWriter(std::unique_ptr<AtomicFileWriter> file, Y4mHeader header)
      : file_(std::move(file)), header_(std::move(header)) {}

  std::unique_ptr<AtomicFileWriter> file_;
  Y4mHeader header_;
  int64_t frames_written_ = 0;
};

}  // namespace auralink::video
