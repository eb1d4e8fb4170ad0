// Errors as values at boundaries: every parser of outside input returns a Status (or StatusOr<T>)
// whose message names the problem in one line. Exceptions are kept for programmer errors.
#pragma once

#include <cassert>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace auralink {

// What kind of failure, for boundaries that map errors onto protocol codes (HTTP statuses, Twirp
// and LiveKit error codes). Most errors are kUnknown and only carry their message.
enum class StatusCode {
  kOk,
  kUnknown,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,  // authenticated, but not allowed
  kUnauthenticated,   // missing or bad credentials
  kResourceExhausted,
  kUnavailable,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }
  static Status Error(StatusCode code, std::string message) {
    Status status(std::move(message));
    status.code_ = code == StatusCode::kOk ? StatusCode::kUnknown : code;
    return status;
  }

  bool ok() const { return !message_.has_value(); }
  StatusCode code() const { return ok() ? StatusCode::kOk : code_; }
  const std::string& message() const {
    static const std::string kOk = "ok";
    return message_ ? *message_ : kOk;
  }
  // Prefixes context to an error ("reading foo.wav: " + message); a no-op on success.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    Status status(context + ": " + *message_);
    status.code_ = code_;
    return status;
  }

 private:
  explicit Status(std::string message) : message_(std::move(message)) {}
  std::optional<std::string> message_;
  StatusCode code_ = StatusCode::kUnknown;
};

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "StatusOr needs a value or an error");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

// "what: <strerror(error)>", the message of an error from a system call; `error` is errno as the
// call left it unless given.
inline std::string ErrnoText(std::string_view what, int error = errno) {
  std::string text(what);
  text += ": ";
  text += std::strerror(error);
  return text;
}

}  // namespace auralink

#define AURALINK_RETURN_IF_ERROR(expr)   \
  do {                                   \
    ::auralink::Status status_ = (expr); \
    if (!status_.ok()) return status_;   \
  } while (0)
