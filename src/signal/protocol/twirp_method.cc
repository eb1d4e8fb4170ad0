#include "signal/protocol/twirp_method.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <string>

#include "signal/protocol/livekit_room.pb.h"

namespace auralink::signal {

StatusOr<const google::protobuf::MethodDescriptor*> FindTwirpMethod(std::string_view path) {
  const auto bad_route = [&] {
    return Status::Error("no Twirp method at \"" + std::string(path.substr(0, 200)) + "\"");
  };
  if (!path.starts_with(kTwirpPathPrefix)) return bad_route();
  const std::string_view route = path.substr(kTwirpPathPrefix.size());
  const size_t slash = route.find('/');
  if (slash == std::string_view::npos) return bad_route();
  const std::string_view service_name = route.substr(0, slash);
  const std::string_view method_name = route.substr(slash + 1);
  // Referencing a message of livekit_room.proto keeps its descriptor linked in and registered.
  const google::protobuf::FileDescriptor* room_file =
      livekit::CreateRoomRequest::descriptor()->file();
  const google::protobuf::ServiceDescriptor* service =
      room_file->pool()->FindServiceByName(std::string(service_name));
  if (service == nullptr) return bad_route();
  const google::protobuf::MethodDescriptor* method =
      service->FindMethodByName(std::string(method_name));
  if (method == nullptr) return bad_route();
  return method;
}

static std::unique_ptr<google::protobuf::Message> NewMessage(
    const google::protobuf::Descriptor* type) {
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  return std::unique_ptr<google::protobuf::Message>(prototype->New());
}

std::unique_ptr<google::protobuf::Message> NewTwirpRequest(
    const google::protobuf::MethodDescriptor& method) {
  return NewMessage(method.input_type());
}

std::unique_ptr<google::protobuf::Message> NewTwirpResponse(
    const google::protobuf::MethodDescriptor& method) {
  return NewMessage(method.output_type());
}

}  // namespace auralink::signal
