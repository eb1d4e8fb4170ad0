// Sequential reads from a file or from bytes in memory, so each video container parser is written
// once and the fuzz targets drive exactly the code that reads files.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace auralink::video {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Errors name the path: "<path>: file not found", "<path>: is a directory", "<path>: cannot
  // open (<reason>)".
  static StatusOr<std::unique_ptr<ByteSource>> OpenFile(const std::string& path);
  // `name` stands in for a path in error messages.
  static std::unique_ptr<ByteSource> FromMemory(std::vector<uint8_t> bytes,
                                                std::string name = "<memory>");

  const std::string& name() const { return name_; }
  // Reads up to `count` bytes into `destination`; fewer only at the end of the data.
  virtual StatusOr<size_t> Read(uint8_t* destination, size_t count) = 0;
  // Reads and drops up to `count` bytes; returns how many were skipped.
  virtual StatusOr<uint64_t> Skip(uint64_t count) = 0;
  // Bytes consumed so far.
  virtual uint64_t position() const = 0;
  // Total size when known up front (regular files and memory), for cheap frame counts.
  virtual std::optional<uint64_t> size() const = 0;

 protected:
  explicit ByteSource(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};

}  // namespace auralink::video
