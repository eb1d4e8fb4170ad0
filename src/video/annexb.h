// H.264 Annex-B byte streams (.264/.h264): NAL units behind 00 00 01 / 00 00 00 01 start codes
// (ITU-T H.264 Annex B). The reader groups NAL units into access units, one coded picture each,
// using the boundary rules of H.264 s7.4.1.2.3.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/atomic_file_writer.h"
#include "video/byte_source.h"

namespace auralink::video {

// nal_unit_type values used to find access unit boundaries (H.264 Table 7-1).
enum class H264NalType : uint8_t {
  kSlice = 1,
  kIdrSlice = 5,
  kSei = 6,
  kSps = 7,
  kPps = 8,
  kAccessUnitDelimiter = 9,
  kEndOfSequence = 10,
  kEndOfStream = 11,
  kPrefix = 14,
};

// The NAL unit payloads (from the NAL header byte, start codes and trailing zero bytes removed)
// of an Annex-B buffer, in order. Bytes before the first start code are skipped.
std::vector<std::span<const uint8_t>> SplitAnnexBNalUnits(std::span<const uint8_t> stream);

class AnnexBReader {
 public:
  // Errors name the path: "x.264: not an H.264 Annex-B stream (no start code)".
  static StatusOr<std::unique_ptr<AnnexBReader>> Create(const std::string& path);
  static StatusOr<std::unique_ptr<AnnexBReader>> CreateFromMemory(std::vector<uint8_t> bytes,
                                                                  std::string name = "<memory>");

  // Reads the next access unit (its NAL units with their start codes, as in the file). Returns
  // false at the end of the stream.
  StatusOr<bool> ReadAccessUnit(std::vector<uint8_t>* access_unit);
  int64_t access_units_read() const { return access_units_read_; }

 private:
  struct NalUnit {
    std::vector<uint8_t> payload;
    bool long_start_code = false;  // 00 00 00 01 rather than 00 00 01
  };

  explicit AnnexBReader(std::unique_ptr<ByteSource> source) : source_(std::move(source)) {}
  static StatusOr<std::unique_ptr<AnnexBReader>> Open(std::unique_ptr<ByteSource> source);
  Status FindFirstStartCode();
  StatusOr<bool> Refill();
  StatusOr<bool> ReadNalUnit(NalUnit* nal);
  Status Fail(const std::string& message) const;

  std::unique_ptr<ByteSource> source_;
  std::vector<uint8_t> buffer_;
  size_t begin_ = 0;  // first byte of the next NAL unit's payload
  bool next_long_start_code_ = false;
  bool end_of_data_ = false;
  // A NAL unit read past the end of the previous access unit, opening the next one.
  std::vector<NalUnit> carried_;
  int64_t nal_units_read_ = 0;
  int64_t access_units_read_ = 0;
};

class AnnexBWriter {
 public:
  // Writes to a temp file beside `path`; it appears at `path` only on a successful Close().
  static StatusOr<std::unique_ptr<AnnexBWriter>> Create(const std::string& path);
  // The access unit must begin with a start code.
  Status WriteAccessUnit(std::span<const uint8_t> access_unit);
  Status Close();

 private:
  explicit AnnexBWriter(std::unique_ptr<AtomicFileWriter> file) : file_(std::move(file)) {}
  std::unique_ptr<AtomicFileWriter> file_;
};

}  // namespace auralink::video
