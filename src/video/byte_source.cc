#include "video/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace auralink::video {
namespace {

class FileByteSource final : public ByteSource {
 public:
  FileByteSource(std::string path, int fd, std::optional<uint64_t> size)
      : ByteSource(std::move(path)), fd_(fd), size_(size) {}
  ~FileByteSource() override { ::close(fd_); }
  FileByteSource(const FileByteSource&) = delete;
  FileByteSource& operator=(const FileByteSource&) = delete;

  StatusOr<size_t> Read(uint8_t* destination, size_t count) override {
    size_t done = 0;
    while (done < count) {
      const ssize_t got = ::read(fd_, destination + done, count - done);
      if (got < 0) {
        if (errno == EINTR) continue;
        return Status::Error(name() + ": cannot read (" + std::strerror(errno) + ")");
      }
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    position_ += done;
    return done;
  }

  StatusOr<uint64_t> Skip(uint64_t count) override {
    uint8_t chunk[65536];
    uint64_t skipped = 0;
    while (skipped < count) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(sizeof(chunk), count - skipped));
      auto got = Read(chunk, want);
      if (!got.ok()) return got.status();
      skipped += *got;
      if (*got < want) break;
    }
    return skipped;
  }

  uint64_t position() const override { return position_; }
  std::optional<uint64_t> size() const override { return size_; }

 private:
  int fd_;
  std::optional<uint64_t> size_;
  uint64_t position_ = 0;
};

class MemoryByteSource final : public ByteSource {
 public:
  MemoryByteSource(std::vector<uint8_t> bytes, std::string name)
      : ByteSource(std::move(name)), bytes_(std::move(bytes)) {}

  StatusOr<size_t> Read(uint8_t* destination, size_t count) override {
    const size_t available = bytes_.size() - position_;
    const size_t take = std::min(count, available);
    if (take > 0) std::memcpy(destination, bytes_.data() + position_, take);
    position_ += take;
    return take;
  }

  StatusOr<uint64_t> Skip(uint64_t count) override {
    const uint64_t take = std::min<uint64_t>(count, bytes_.size() - position_);
    position_ += static_cast<size_t>(take);
    return take;
  }

  uint64_t position() const override { return position_; }
  std::optional<uint64_t> size() const override { return bytes_.size(); }

 private:
  std::vector<uint8_t> bytes_;
  size_t position_ = 0;
};

}  // namespace

StatusOr<std::unique_ptr<ByteSource>> ByteSource::OpenFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) return Status::Error(path + ": file not found");
    return Status::Error(path + ": cannot open (" + std::strerror(error) + ")");
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    return Status::Error(path + ": cannot open (" + std::strerror(error) + ")");
  }
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    return Status::Error(path + ": is a directory");
  }
  std::optional<uint64_t> size;
  if (S_ISREG(info.st_mode)) size = static_cast<uint64_t>(info.st_size);
  return std::unique_ptr<ByteSource>(std::make_unique<FileByteSource>(path, fd, size));
}

std::unique_ptr<ByteSource> ByteSource::FromMemory(std::vector<uint8_t> bytes, std::string name) {
  return std::make_unique<MemoryByteSource>(std::move(bytes), std::move(name));
}

}  // namespace auralink::video
