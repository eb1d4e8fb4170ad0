// A file written in pieces that appears at its path all at once: bytes go to
// "<path>.tmp-<pid>-<n>" beside the target and Commit() renames it over the path (atomic within
// one POSIX file system). Dropping the writer without Commit(), or any failure, removes the temp
// file and leaves `path` as it was, so a failed encode never leaves a partial video behind.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/status.h"

namespace auralink {

class AtomicFileWriter {
 public:
  static StatusOr<std::unique_ptr<AtomicFileWriter>> Create(const std::string& path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }

  Status Append(std::span<const uint8_t> bytes);
  // Replaces bytes already written (a header field known only at the end, e.g. a frame count).
  Status OverwriteAt(uint64_t offset, std::span<const uint8_t> bytes);
  // Flushes and renames the temp file over `path`. The writer is finished afterwards.
  Status Commit();

 private:
  AtomicFileWriter(std::string path, std::string temp_path, int fd)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}
  Status Fail(const std::string& what, int error);
  void Abandon();

  std::string path_;
  std::string temp_path_;
  int fd_;
  uint64_t size_ = 0;
  bool finished_ = false;
};

}  // namespace auralink
