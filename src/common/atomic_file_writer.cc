#include "common/atomic_file_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace auralink {

StatusOr<std::unique_ptr<AtomicFileWriter>> AtomicFileWriter::Create(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  std::string temp_path;
  int fd = -1;
  // O_EXCL with a fresh name: never clobber another writer's temp file.
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    temp_path = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) return Status::Error(path + ": cannot create (" + std::strerror(errno) + ")");
  return std::unique_ptr<AtomicFileWriter>(new AtomicFileWriter(path, std::move(temp_path), fd));
}

AtomicFileWriter::~AtomicFileWriter() { Abandon(); }

void AtomicFileWriter::Abandon() {
  if (finished_) return;
  finished_ = true;
  ::close(fd_);
  ::unlink(temp_path_.c_str());
}

Status AtomicFileWriter::Fail(const std::string& what, int error) {
  Abandon();
  return Status::Error(path_ + ": " + what + " (" + std::strerror(error) + ")");
}

Status AtomicFileWriter::Append(std::span<const uint8_t> bytes) {
  if (finished_) return Status::Error(path_ + ": writer already closed");
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t put = ::write(fd_, bytes.data() + written, bytes.size() - written);
    if (put < 0) {
      if (errno == EINTR) continue;
      return Fail("cannot write", errno);
    }
    written += static_cast<size_t>(put);
  }
  size_ += bytes.size();
  return Status::Ok();
}

Status AtomicFileWriter::OverwriteAt(uint64_t offset, std::span<const uint8_t> bytes) {
  if (finished_) return Status::Error(path_ + ": writer already closed");
  if (offset + bytes.size() > size_) {
    return Status::Error(path_ + ": overwrite past the end of the written data");
  }
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t put = ::pwrite(fd_, bytes.data() + written, bytes.size() - written,
                                 static_cast<off_t>(offset + written));
    if (put < 0) {
      if (errno == EINTR) continue;
      return Fail("cannot write", errno);
    }
    written += static_cast<size_t>(put);
  }
  return Status::Ok();
}

Status AtomicFileWriter::Commit() {
  if (finished_) return Status::Error(path_ + ": writer already closed");
  if (::fsync(fd_) != 0) return Fail("cannot write", errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return Fail("cannot write", errno);
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) return Fail("cannot replace", errno);
  finished_ = true;
  return Status::Ok();
}

}  // namespace auralink
