#include "video/y4m.h"

#include <charconv>
#include <string_view>

namespace auralink::video {
namespace {

constexpr std::string_view kMagic = "YUV4MPEG2";
constexpr std::string_view kFrameMarker = "FRAME";
// Longest header or FRAME line accepted; real files use well under 100 bytes.
constexpr size_t kMaxHeaderLine = 4096;
constexpr size_t kMaxFrameLine = 1024;

bool IsSupportedColourSpace(std::string_view colour_space) {
  return colour_space == "420" || colour_space == "420jpeg" || colour_space == "420paldv" ||
         colour_space == "420mpeg2";
}

std::optional<int> ParseInt(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

enum class LineResult { kLine, kEnd, kTooLong, kUnterminated };

// Reads bytes up to '\n' (not included). kEnd when no byte was left at all.
StatusOr<LineResult> ReadLine(ByteSource& source, size_t max_length, std::string* line) {
  line->clear();
  while (true) {
    uint8_t byte = 0;
    auto got = source.Read(&byte, 1);
    if (!got.ok()) return got.status();
    if (*got == 0) return line->empty() ? LineResult::kEnd : LineResult::kUnterminated;
    if (byte == '\n') return LineResult::kLine;
    if (line->size() >= max_length) return LineResult::kTooLong;
    line->push_back(static_cast<char>(byte));
  }
}

}  // namespace

Status ValidateY4mHeader(const Y4mHeader& header) {
  if (header.width < 1 || header.height < 1 || header.width > kMaxVideoDimension ||
      header.height > kMaxVideoDimension) {
    return Status::Error("unsupported frame size " + std::to_string(header.width) + "x" +
                         std::to_string(header.height) + " (1.." +
                         std::to_string(kMaxVideoDimension) + " per side)");
  }
  if (header.fps_numerator <= 0 || header.fps_denominator <= 0) {
    return Status::Error("bad frame rate " + std::to_string(header.fps_numerator) + ":" +
                         std::to_string(header.fps_denominator));
  }
  if (!IsSupportedColourSpace(header.colour_space)) {
    return Status::Error("unsupported colour space C" + header.colour_space +
                         " (only 8-bit 4:2:0 is read)");
  }
  return Status::Ok();
}

Status Y4mReader::Fail(const std::string& message) const {
  return Status::Error(source_->name() + ": " + message);
}

StatusOr<std::unique_ptr<Y4mReader>> Y4mReader::Create(const std::string& path) {
  auto source = ByteSource::OpenFile(path);
  if (!source.ok()) return source.status();
  return Open(std::move(*source));
}

StatusOr<std::unique_ptr<Y4mReader>> Y4mReader::CreateFromMemory(std::vector<uint8_t> bytes,
                                                                 std::string name) {
  return Open(ByteSource::FromMemory(std::move(bytes), std::move(name)));
}

StatusOr<std::unique_ptr<Y4mReader>> Y4mReader::Open(std::unique_ptr<ByteSource> source) {
  std::unique_ptr<Y4mReader> reader(new Y4mReader(std::move(source)));
  AURALINK_RETURN_IF_ERROR(reader->ReadHeader());
  return reader;
}

Status Y4mReader::ReadHeader() {
  std::string line;
  auto result = ReadLine(*source_, kMaxHeaderLine, &line);
  if (!result.ok()) return result.status();
  if (*result == LineResult::kEnd) return Fail("empty file");
  const std::string_view text(line);
  if (text.substr(0, kMagic.size()) != kMagic ||
      (text.size() > kMagic.size() && text[kMagic.size()] != ' ')) {
    return Fail("not a YUV4MPEG2 file");
  }
  if (*result == LineResult::kTooLong) return Fail("header line too long");
  if (*result == LineResult::kUnterminated) return Fail("truncated header (no newline)");

  bool have_width = false, have_height = false, have_rate = false;
  size_t position = kMagic.size();
  while (position < text.size()) {
    if (text[position] == ' ') {
      ++position;
      continue;
    }
    size_t end = text.find(' ', position);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view field = text.substr(position, end - position);
    position = end;
    const char tag = field[0];
    const std::string_view value = field.substr(1);
    if (tag == 'W' || tag == 'H') {
      const auto number = ParseInt(value);
      if (!number) {
        return Fail("bad " + std::string(1, tag) + " field '" + std::string(field) + "'");
      }
      (tag == 'W' ? header_.width : header_.height) = *number;
      (tag == 'W' ? have_width : have_height) = true;
    } else if (tag == 'F') {
      const size_t colon = value.find(':');
      const auto numerator =
          colon == std::string_view::npos ? std::nullopt : ParseInt(value.substr(0, colon));
      const auto denominator =
          colon == std::string_view::npos ? std::nullopt : ParseInt(value.substr(colon + 1));
      if (!numerator || !denominator) {
        return Fail("bad frame rate field '" + std::string(field) + "'");
      }
      header_.fps_numerator = *numerator;
      header_.fps_denominator = *denominator;
      have_rate = true;
    } else if (tag == 'C') {
      header_.colour_space = std::string(value);
    }
    // I (interlacing), A (pixel aspect), X (extensions) and unknown tags are ignored.
  }
  if (!have_width || !have_height) return Fail("header lacks the frame size (W and H)");
  if (!have_rate) return Fail("header lacks the frame rate (F)");
  if (Status valid = ValidateY4mHeader(header_); !valid.ok()) return Fail(valid.message());

  if (const auto size = source_->size()) {
    // Files written by ffmpeg and mjpegtools carry bare "FRAME\n" lines.
    const uint64_t record = VideoFrame::BufferSize(header_.width, header_.height) + 6;
    const uint64_t body = *size - source_->position();
    if (body % record == 0) frame_count_ = static_cast<int64_t>(body / record);
  }
  return Status::Ok();
}

StatusOr<bool> Y4mReader::ReadFrame(VideoFrame* frame) {
  const std::string index = std::to_string(frames_read_);
  std::string line;
  auto result = ReadLine(*source_, kMaxFrameLine, &line);
  if (!result.ok()) return result.status();
  if (*result == LineResult::kEnd) return false;
  if (std::string_view(line).substr(0, kFrameMarker.size()) != kFrameMarker ||
      (line.size() > kFrameMarker.size() && line[kFrameMarker.size()] != ' ')) {
    return Fail("frame " + index + ": expected a FRAME line");
  }
  if (*result == LineResult::kTooLong) return Fail("frame " + index + ": FRAME line too long");
  if (*result == LineResult::kUnterminated) return Fail("truncated frame " + index + " header");

  const size_t expected = VideoFrame::BufferSize(header_.width, header_.height);
  // Refuse before allocating when the size is known, so a forged header cannot force a huge
  // allocation.
  if (const auto size = source_->size()) {
    const uint64_t left = *size - source_->position();
    if (left < expected) {
      (void)source_->Skip(left);
      return Fail("truncated frame " + index + " (expected " + std::to_string(expected) +
                  " bytes, got " + std::to_string(left) + ")");
    }
  }
  if (frame->width != header_.width || frame->height != header_.height ||
      frame->data.size() != expected) {
    *frame = VideoFrame::Allocate(header_.width, header_.height);
  }
  auto got = source_->Read(frame->data.data(), expected);
  if (!got.ok()) return got.status();
  if (*got != expected) {
    return Fail("truncated frame " + index + " (expected " + std::to_string(expected) +
                " bytes, got " + std::to_string(*got) + ")");
  }
  frame->pts = frames_read_++;
  return true;
}

StatusOr<std::unique_ptr<Y4mWriter>> Y4mWriter::Create(const std::string& path,
                                                       const Y4mHeader& header) {
  if (Status valid = ValidateY4mHeader(header); !valid.ok()) {
    return Status::Error(path + ": " + valid.message());
  }
  auto file = AtomicFileWriter::Create(path);
  if (!file.ok()) return file.status();
  const std::string text =
      std::string(kMagic) + " W" + std::to_string(header.width) + " H" +
      std::to_string(header.height) + " F" + std::to_string(header.fps_numerator) + ":" +
      std::to_string(header.fps_denominator) + " Ip A0:0 C" + header.colour_space + "\n";
  AURALINK_RETURN_IF_ERROR(
      (*file)->Append({reinterpret_cast<const uint8_t*>(text.data()), text.size()}));
  return std::unique_ptr<Y4mWriter>(new Y4mWriter(std::move(*file), header));
}

Status Y4mWriter::WriteFrame(const VideoFrame& frame) {
  if (frame.width != header_.width || frame.height != header_.height ||
      frame.data.size() != VideoFrame::BufferSize(frame.width, frame.height)) {
    return Status::Error(file_->path() + ": frame is " + std::to_string(frame.width) + "x" +
                         std::to_string(frame.height) + ", the file is " +
                         std::to_string(header_.width) + "x" + std::to_string(header_.height));
  }
  static constexpr uint8_t kLine[] = {'F', 'R', 'A', 'M', 'E', '\n'};
  AURALINK_RETURN_IF_ERROR(file_->Append(kLine));
  AURALINK_RETURN_IF_ERROR(file_->Append(frame.data));
  ++frames_written_;
  return Status::Ok();
}

Status Y4mWriter::Close() { return file_->Commit(); }

}  // namespace auralink::video
