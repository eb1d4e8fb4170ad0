#include "signal/protocol/twirp_json.h"

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include "signal/protocol/signal_message.h"

namespace auralink::signal {

Status MessageFromTwirpJson(std::string_view json, google::protobuf::Message* message,
                            size_t max_bytes) {
  RouteProtobufLogsToAuralinkLog();
  const std::string& type = message->GetDescriptor()->full_name();
  message->Clear();
  if (json.size() > max_bytes) {
    return Status::Error(type + ": JSON body of " + std::to_string(json.size()) +
                         " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (!status.ok()) {
    message->Clear();
    return Status::Error(type + ": invalid JSON: " + std::string(status.message()));
  }
  return Status::Ok();
}

std::string MessageToTwirpJson(const google::protobuf::Message& message,
                               const TwirpJsonStyle& style) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = style.proto_field_names;
  options.always_print_primitive_fields = style.emit_defaults;
  options.always_print_enums_as_ints = false;
  std::string json;
  // Printing a well-formed in-memory message cannot fail: every type it can hold is known to the
  // generated pool and no Any fields reach the LiveKit messages we print.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

}  // namespace auralink::signal
