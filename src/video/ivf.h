// IVF, the bare container libvpx and libaom tools write: a 32-byte little-endian file header
// ('DKIF', version 0, header size 32, fourcc, width, height, time base rate and scale, frame
// count) and a 12-byte header (payload size, 64-bit pts) before each frame.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/atomic_file_writer.h"
#include "video/byte_source.h"

namespace auralink::video {

// H264 (Annex-B access units, as ffmpeg writes and reads them) keeps per-frame timestamps that a
// bare Annex-B stream lacks.
enum class IvfCodec { kVp8, kVp9, kAv1, kH264 };

inline constexpr size_t kIvfFileHeaderBytes = 32;
inline constexpr size_t kIvfFrameHeaderBytes = 12;
// Larger frames are refused as corrupt (the limit libvpx's own IVF reader uses).
inline constexpr uint32_t kIvfMaxFrameBytes = 256u << 20;

const char* IvfFourcc(IvfCodec codec);  // "VP80", "VP90", "AV01", "H264"
std::optional<IvfCodec> ParseIvfFourcc(std::string_view fourcc);

struct IvfHeader {
  IvfCodec codec = IvfCodec::kVp8;
  int width = 0;
  int height = 0;
  // pts are in units of timebase_numerator / timebase_denominator seconds (the file stores the
  // denominator as "rate" and the numerator as "scale").
  uint32_t timebase_numerator = 1;
  uint32_t timebase_denominator = 30;
  uint32_t frame_count = 0;  // as written in the file; the writer sets it at Close()
};

struct IvfFrame {
  std::vector<uint8_t> data;
  int64_t pts = 0;
};

class IvfReader {
 public:
  // Errors name the path: "x.ivf: not an IVF file (bad magic)", "x.ivf: unknown fourcc 'H265'",
  // "x.ivf: truncated header", "x.ivf: frame 3 claims 4294967295 bytes (corrupt)".
  static StatusOr<std::unique_ptr<IvfReader>> Create(const std::string& path);
  static StatusOr<std::unique_ptr<IvfReader>> CreateFromMemory(std::vector<uint8_t> bytes,
                                                               std::string name = "<memory>");

  const IvfHeader& header() const { return header_; }
  int64_t frames_read() const { return frames_read_; }

  // Returns false at the clean end; a partial frame header or payload is an error.
  StatusOr<bool> ReadFrame(IvfFrame* frame);

 private:
  explicit IvfReader(std::unique_ptr<ByteSource> source) : source_(std::move(source)) {}
  static StatusOr<std::unique_ptr<IvfReader>> Open(std::unique_ptr<ByteSource> source);
  Status ReadHeader();
  Status Fail(const std::string& message) const;

  std::unique_ptr<ByteSource> source_;
  IvfHeader header_;
  int64_t frames_read_ = 0;
};

class IvfWriter {
 public:
  // Writes to a temp file beside `path`; Close() fills in the frame count and renames it over
  // `path`. Without a successful Close() nothing appears at `path`.
  static StatusOr<std::unique_ptr<IvfWriter>> Create(const std::string& path,
                                                     const IvfHeader& header);

  Status WriteFrame(std::span<const uint8_t> data, int64_t pts);
  Status Close();
  uint32_t frames_written() const { return frames_written_; }

 private:
  explicit IvfWriter(std::unique_ptr<AtomicFileWriter> file) : file_(std::move(file)) {}

  std::unique_ptr<AtomicFileWriter> file_;
  uint32_t frames_written_ = 0;
};

}  // namespace auralink::video
