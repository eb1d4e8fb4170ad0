#include "video/ivf.h"

#include <array>
#include <cstring>

#include "video/video_frame.h"

namespace auralink::video {
namespace {

constexpr std::array<uint8_t, 4> kMagic = {'D', 'K', 'I', 'F'};
// Bytes of an over-long header that a reader is willing to skip.
constexpr uint16_t kMaxHeaderBytes = 1024;

uint16_t ReadLe16(const uint8_t* bytes) { return static_cast<uint16_t>(bytes[0] | bytes[1] << 8); }
uint32_t ReadLe32(const uint8_t* bytes) {
  return static_cast<uint32_t>(bytes[0]) | static_cast<uint32_t>(bytes[1]) << 8 |
         static_cast<uint32_t>(bytes[2]) << 16 | static_cast<uint32_t>(bytes[3]) << 24;
}
uint64_t ReadLe64(const uint8_t* bytes) {
  return static_cast<uint64_t>(ReadLe32(bytes)) | static_cast<uint64_t>(ReadLe32(bytes + 4)) << 32;
}
void WriteLe16(uint8_t* bytes, uint16_t value) {
  bytes[0] = static_cast<uint8_t>(value);
  bytes[1] = static_cast<uint8_t>(value >> 8);
}
void WriteLe32(uint8_t* bytes, uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
}
void WriteLe64(uint8_t* bytes, uint64_t value) {
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
}

// Shows a fourcc in a message with anything unprintable escaped.
std::string PrintableFourcc(const uint8_t* bytes) {
  std::string text;
  for (int i = 0; i < 4; ++i) {
    const uint8_t c = bytes[i];
    if (c >= 0x20 && c < 0x7f && c != '\'') {
      text.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      text += "\\x";
      text.push_back(kHex[c >> 4]);
      text.push_back(kHex[c & 15]);
    }
  }
  return text;
}

Status ValidateHeader(const IvfHeader& header) {
  if (header.width < 1 || header.height < 1 || header.width > kMaxVideoDimension ||
      header.height > kMaxVideoDimension) {
    return Status::Error("unsupported frame size " + std::to_string(header.width) + "x" +
                         std::to_string(header.height) + " (1.." +
                         std::to_string(kMaxVideoDimension) + " per side)");
  }
  if (header.timebase_numerator == 0 || header.timebase_denominator == 0) {
    return Status::Error("bad time base " + std::to_string(header.timebase_numerator) + "/" +
                         std::to_string(header.timebase_denominator));
  }
  return Status::Ok();
}

}  // namespace

const char* IvfFourcc(IvfCodec codec) {
  switch (codec) {
    case IvfCodec::kVp8:
      return "VP80";
    case IvfCodec::kVp9:
      return "VP90";
    case IvfCodec::kAv1:
      return "AV01";
    case IvfCodec::kH264:
      return "H264";
  }
  return "????";
}

std::optional<IvfCodec> ParseIvfFourcc(std::string_view fourcc) {
  for (IvfCodec codec : {IvfCodec::kVp8, IvfCodec::kVp9, IvfCodec::kAv1, IvfCodec::kH264}) {
    if (fourcc == IvfFourcc(codec)) return codec;
  }
  return std::nullopt;
}

Status IvfReader::Fail(const std::string& message) const {
  return Status::Error(source_->name() + ": " + message);
}

StatusOr<std::unique_ptr<IvfReader>> IvfReader::Create(const std::string& path) {
  auto source = ByteSource::OpenFile(path);
  if (!source.ok()) return source.status();
  return Open(std::move(*source));
}

StatusOr<std::unique_ptr<IvfReader>> IvfReader::CreateFromMemory(std::vector<uint8_t> bytes,
                                                                 std::string name) {
  return Open(ByteSource::FromMemory(std::move(bytes), std::move(name)));
}

StatusOr<std::unique_ptr<IvfReader>> IvfReader::Open(std::unique_ptr<ByteSource> source) {
  std::unique_ptr<IvfReader> reader(new IvfReader(std::move(source)));
  AURALINK_RETURN_IF_ERROR(reader->ReadHeader());
  return reader;
}

Status IvfReader::ReadHeader() {
  uint8_t bytes[kIvfFileHeaderBytes];
  auto got = source_->Read(bytes, sizeof(bytes));
  if (!got.ok()) return got.status();
  if (*got == 0) return Fail("empty file");
  if (*got >= kMagic.size() && std::memcmp(bytes, kMagic.data(), kMagic.size()) != 0) {
    return Fail("not an IVF file (bad magic)");
  }
  if (*got < sizeof(bytes)) {
    return Fail("truncated header (" + std::to_string(*got) + " of 32 bytes)");
  }
  const uint16_t version = ReadLe16(bytes + 4);
  const uint16_t header_bytes = ReadLe16(bytes + 6);
  if (version != 0) return Fail("unsupported IVF version " + std::to_string(version));
  if (header_bytes < kIvfFileHeaderBytes || header_bytes > kMaxHeaderBytes) {
    return Fail("bad header size " + std::to_string(header_bytes));
  }
  const auto codec = ParseIvfFourcc(std::string_view(reinterpret_cast<const char*>(bytes + 8), 4));
  if (!codec) return Fail("unknown fourcc '" + PrintableFourcc(bytes + 8) + "'");
  header_.codec = *codec;
  header_.width = ReadLe16(bytes + 12);
  header_.height = ReadLe16(bytes + 14);
  header_.timebase_denominator = ReadLe32(bytes + 16);
  header_.timebase_numerator = ReadLe32(bytes + 20);
  header_.frame_count = ReadLe32(bytes + 24);
  if (Status valid = ValidateHeader(header_); !valid.ok()) return Fail(valid.message());
  const uint64_t extra = header_bytes - kIvfFileHeaderBytes;
  auto skipped = source_->Skip(extra);
  if (!skipped.ok()) return skipped.status();
  if (*skipped != extra) return Fail("truncated header");
  return Status::Ok();
}

StatusOr<bool> IvfReader::ReadFrame(IvfFrame* frame) {
  const std::string index = std::to_string(frames_read_);
  uint8_t bytes[kIvfFrameHeaderBytes];
  auto got = source_->Read(bytes, sizeof(bytes));
  if (!got.ok()) return got.status();
  if (*got == 0) return false;
  if (*got < sizeof(bytes)) return Fail("truncated frame " + index + " header");
  const uint32_t size = ReadLe32(bytes);
  if (size > kIvfMaxFrameBytes) {
    return Fail("frame " + index + " claims " + std::to_string(size) + " bytes (corrupt)");
  }
  // Refuse before allocating when the size is known, so a forged length cannot force a large
  // allocation.
  if (const auto total = source_->size()) {
    const uint64_t left = *total - source_->position();
    if (left < size) {
      (void)source_->Skip(left);
      return Fail("truncated frame " + index + " (expected " + std::to_string(size) +
                  " bytes, got " + std::to_string(left) + ")");
    }
  }
  frame->data.resize(size);
  got = source_->Read(frame->data.data(), size);
  if (!got.ok()) return got.status();
  if (*got != size) {
    return Fail("truncated frame " + index + " (expected " + std::to_string(size) + " bytes, got " +
                std::to_string(*got) + ")");
  }
  frame->pts = static_cast<int64_t>(ReadLe64(bytes + 4));
  ++frames_read_;
  return true;
}

StatusOr<std::unique_ptr<IvfWriter>> IvfWriter::Create(const std::string& path,
                                                       const IvfHeader& header) {
  if (Status valid = ValidateHeader(header); !valid.ok()) {
    return Status::Error(path + ": " + valid.message());
  }
  auto file = AtomicFileWriter::Create(path);
  if (!file.ok()) return file.status();
  uint8_t bytes[kIvfFileHeaderBytes] = {};
  std::memcpy(bytes, kMagic.data(), kMagic.size());
  WriteLe16(bytes + 4, 0);
  WriteLe16(bytes + 6, kIvfFileHeaderBytes);
  std::memcpy(bytes + 8, IvfFourcc(header.codec), 4);
  WriteLe16(bytes + 12, static_cast<uint16_t>(header.width));
  WriteLe16(bytes + 14, static_cast<uint16_t>(header.height));
  WriteLe32(bytes + 16, header.timebase_denominator);
  WriteLe32(bytes + 20, header.timebase_numerator);
  WriteLe32(bytes + 24, 0);
  AURALINK_RETURN_IF_ERROR((*file)->Append(bytes));
  return std::unique_ptr<IvfWriter>(new IvfWriter(std::move(*file)));
}

Status IvfWriter::WriteFrame(std::span<const uint8_t> data, int64_t pts) {
  if (data.size() > kIvfMaxFrameBytes) {
    return Status::Error(file_->path() + ": frame of " + std::to_string(data.size()) +
                         " bytes is too large for IVF");
  }
  uint8_t bytes[kIvfFrameHeaderBytes];
  WriteLe32(bytes, static_cast<uint32_t>(data.size()));
  WriteLe64(bytes + 4, static_cast<uint64_t>(pts));
  AURALINK_RETURN_IF_ERROR(file_->Append(bytes));
  AURALINK_RETURN_IF_ERROR(file_->Append(data));
  ++frames_written_;
  return Status::Ok();
}

Status IvfWriter::Close() {
  uint8_t count[4];
  WriteLe32(count, frames_written_);
  AURALINK_RETURN_IF_ERROR(file_->OverwriteAt(24, count));
  return file_->Commit();
}

}  // namespace auralink::video
