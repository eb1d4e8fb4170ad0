// Twirp routes: POST <prefix>/<package>.<Service>/<Method>, e.g.
// /twirp/livekit.RoomService/CreateRoom. The method's request and response types come from the
// service declared in livekit_room.proto, so a handler can build the right message for any route
// without a table of its own.
#pragma once

#include <memory>
#include <string_view>

#include "common/status.h"

namespace google::protobuf {
class Message;
class MethodDescriptor;
}  // namespace google::protobuf

namespace auralink::signal {

inline constexpr std::string_view kTwirpPathPrefix = "/twirp/";

// Finds the method a Twirp path names among the services compiled into this library (RoomService).
// Fails with a message naming the path for anything else: the caller answers Twirp "bad_route"
// (404).
StatusOr<const google::protobuf::MethodDescriptor*> FindTwirpMethod(std::string_view path);

// Empty request and response messages of `method`'s types.
std::unique_ptr<google::protobuf::Message> NewTwirpRequest(
    const google::protobuf::MethodDescriptor& method);
std::unique_ptr<google::protobuf::Message> NewTwirpResponse(
    const google::protobuf::MethodDescriptor& method);

}  // namespace auralink::signal
