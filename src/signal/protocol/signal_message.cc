#include "signal/protocol/signal_message.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>

#include <mutex>
#include <string>

#include "common/log.h"

namespace auralink::signal {

void RouteProtobufLogsToAuralinkLog() {
  static std::once_flag once;
  std::call_once(once, [] {
    // protobuf logs every string field with invalid UTF-8 it rejects at ERROR; from a hostile peer
    // that is a log flood, and the parse error already reaches the caller as a Status.
    google::protobuf::SetLogHandler([](google::protobuf::LogLevel level, const char* file, int line,
                                       const std::string& message) {
      const LogLevel ours =
          level >= google::protobuf::LOGLEVEL_FATAL ? LogLevel::kError : LogLevel::kDebug;
      if (ours >= GetLogLevel()) WriteLogLine(ours, file, line, "protobuf: " + message);
    });
  });
}

Status ParseBinaryMessage(std::span<const uint8_t> bytes, size_t max_bytes,
                          google::protobuf::Message* message) {
  RouteProtobufLogsToAuralinkLog();
  const std::string& type = message->GetDescriptor()->full_name();
  if (bytes.size() > max_bytes) {
    return Status::Error(type + ": " + std::to_string(bytes.size()) +
                         " bytes exceed the limit of " + std::to_string(max_bytes));
  }
  message->Clear();
  // ParseFromArray takes an int size; the limit above keeps it in range for any sane max_bytes.
  if (bytes.size() > static_cast<size_t>(INT32_MAX) ||
      !message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    message->Clear();
    return Status::Error(type + ": not a valid protobuf encoding (" + std::to_string(bytes.size()) +
                         " bytes)");
  }
  return Status::Ok();
}

template <typename T>
static StatusOr<T> ParseTyped(std::span<const uint8_t> bytes, size_t max_bytes) {
  T message;
  AURALINK_RETURN_IF_ERROR(ParseBinaryMessage(bytes, max_bytes, &message));
  return message;
}

StatusOr<livekit::SignalRequest> ParseSignalRequest(std::span<const uint8_t> bytes,
                                                    size_t max_bytes) {
  return ParseTyped<livekit::SignalRequest>(bytes, max_bytes);
}

StatusOr<livekit::SignalResponse> ParseSignalResponse(std::span<const uint8_t> bytes,
                                                      size_t max_bytes) {
  return ParseTyped<livekit::SignalResponse>(bytes, max_bytes);
}

StatusOr<livekit::DataPacket> ParseDataPacket(std::span<const uint8_t> bytes, size_t max_bytes) {
  return ParseTyped<livekit::DataPacket>(bytes, max_bytes);
}

std::vector<uint8_t> SerializeMessage(const google::protobuf::Message& message) {
  std::vector<uint8_t> bytes(message.ByteSizeLong());
  google::protobuf::io::ArrayOutputStream array(bytes.data(), static_cast<int>(bytes.size()));
  google::protobuf::io::CodedOutputStream coded(&array);
  coded.SetSerializationDeterministic(true);
  message.SerializeWithCachedSizes(&coded);
  return bytes;
}

}  // namespace auralink::signal
