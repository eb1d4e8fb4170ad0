#include "common/whole_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/atomic_file_writer.h"

namespace auralink {
namespace {

// Files larger than this are refused rather than read into memory (over three hours of 48 kHz
// stereo 32-bit audio).
constexpr off_t kMaxFileBytes = off_t{2} << 30;

std::string ErrnoText(int error) { return std::strerror(error); }

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

StatusOr<std::vector<uint8_t>> ReadWholeFile(const std::string& path) {
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) {
    const int error = errno;
    if (error == ENOENT) return Status::Error(path + ": file not found");
    return Status::Error(path + ": cannot open (" + ErrnoText(error) + ")");
  }
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) {
    return Status::Error(path + ": cannot read (" + ErrnoText(errno) + ")");
  }
  if (S_ISDIR(info.st_mode)) return Status::Error(path + ": is a directory");
  if (S_ISREG(info.st_mode) && info.st_size > kMaxFileBytes) {
    return Status::Error(path + ": file too large (" + std::to_string(info.st_size) +
                         " bytes; the limit is 2 GiB)");
  }
  std::vector<uint8_t> bytes;
  if (S_ISREG(info.st_mode)) bytes.reserve(static_cast<size_t>(info.st_size));
  uint8_t chunk[65536];
  while (true) {
    const ssize_t got = ::read(file.get(), chunk, sizeof(chunk));
    if (got < 0) {
      if (errno == EINTR) continue;
      return Status::Error(path + ": cannot read (" + ErrnoText(errno) + ")");
    }
    if (got == 0) break;
    if (bytes.size() + static_cast<size_t>(got) > static_cast<size_t>(kMaxFileBytes)) {
      return Status::Error(path + ": file too large (the limit is 2 GiB)");
    }
    bytes.insert(bytes.end(), chunk, chunk + got);
  }
  if (bytes.empty()) return Status::Error(path + ": empty file");
  return bytes;
}

Status WriteWholeFileAtomically(const std::string& path, std::span<const uint8_t> bytes) {
  auto file = AtomicFileWriter::Create(path);
  if (!file.ok()) return file.status();
  AURALINK_RETURN_IF_ERROR((*file)->Append(bytes));
  return (*file)->Commit();
}

}  // namespace auralink
