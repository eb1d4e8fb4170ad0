#include "signal/api/room_service_api.h"

#include <google/protobuf/descriptor.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "signal/api/request_token.h"
#include "signal/api/room_control_messages.h"
#include "signal/api/twirp_response.h"
#include "signal/protocol/livekit_room.pb.h"
#include "signal/protocol/twirp_json.h"
#include "signal/protocol/twirp_method.h"

namespace auralink::signal {
namespace {

// What every method sees: the verified token and the room layer it acts on.
struct MethodContext {
  sfu::RoomControl& rooms;
  const RoomServiceApiOptions& options;
  const ClaimGrants& grants;
};

Status PermissionDenied(const std::string& why) {
  // "permissions denied" is LiveKit's wording (ErrPermissionDenied); the rest says which grant.
  return Status::Error(StatusCode::kPermissionDenied, "permissions denied: " + why);
}

Status InvalidArgument(const std::string& message) {
  return Status::Error(StatusCode::kInvalidArgument, message);
}

TwirpError Unimplemented(const std::string& message) {
  return TwirpError{TwirpErrorCode::kUnimplemented, message, {}};
}

// A method's answer: its response message, or the Twirp error to send instead (from a Status of
// the checks or of RoomControl, or a Twirp code Status has no name for, such as unimplemented).
template <typename T>
class MethodResult {
 public:
  MethodResult(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  MethodResult(const Status& status)                   // NOLINT: implicit by design
      : error_(TwirpError{TwirpErrorCodeFor(status.code()), status.message(), {}}) {}
  MethodResult(TwirpError error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const T& value() const { return *value_; }
  const TwirpError& error() const { return *error_; }

 private:
  std::optional<T> value_;
  std::optional<TwirpError> error_;
};

Status RequireRoomCreate(const MethodContext& context) {
  if (!context.grants.video || !context.grants.video->room_create) {
    return PermissionDenied("the token has no roomCreate grant");
  }
  return Status::Ok();
}

Status RequireRoomList(const MethodContext& context) {
  if (!context.grants.video || !context.grants.video->room_list) {
    return PermissionDenied("the token has no roomList grant");
  }
  return Status::Ok();
}

// LiveKit's EnsureAdminPermission: roomAdmin, and the token's room is the request's room.
Status RequireRoomAdmin(const MethodContext& context, const std::string& room) {
  if (!context.grants.video || !context.grants.video->room_admin) {
    return PermissionDenied("the token has no roomAdmin grant");
  }
  if (context.grants.video->room != room) {
    return PermissionDenied("the token's roomAdmin grant is for room \"" +
                            context.grants.video->room.substr(0, 256) + "\", not \"" +
                            room.substr(0, 256) + "\"");
  }
  if (room.empty()) return InvalidArgument("room is required");
  return Status::Ok();
}

Status CheckLength(const std::string& value, uint32_t limit, const char* what) {
  if (limit != 0 && value.size() > limit) {
    return InvalidArgument(std::string(what) + " is " + std::to_string(value.size()) +
                           " bytes, longer than the limit of " + std::to_string(limit));
  }
  return Status::Ok();
}

Status RequireIdentity(const std::string& identity) {
  return identity.empty() ? InvalidArgument("identity is required") : Status::Ok();
}

MethodResult<livekit::Room> CreateRoom(const MethodContext& context,
                                       const livekit::CreateRoomRequest& request) {
  AURALINK_RETURN_IF_ERROR(RequireRoomCreate(context));
  if (request.name().empty()) return InvalidArgument("room name is required");
  AURALINK_RETURN_IF_ERROR(
      CheckLength(request.name(), context.options.limits.max_room_name_length, "room name"));
  AURALINK_RETURN_IF_ERROR(
      CheckLength(request.metadata(), context.options.limits.max_metadata_size, "metadata"));
  sfu::RoomCreateOptions options;
  options.name = request.name();
  // proto3 cannot tell 0 from unset; LiveKit reads 0 as "use the server default".
  if (request.empty_timeout() != 0) options.empty_timeout_s = request.empty_timeout();
  if (request.departure_timeout() != 0) options.departure_timeout_s = request.departure_timeout();
  if (request.max_participants() != 0) options.max_participants = request.max_participants();
  options.metadata = request.metadata();
  StatusOr<sfu::RoomDescription> room = context.rooms.CreateRoom(options);
  if (!room.ok()) return room.status();
  return RoomToProto(*room);
}

MethodResult<livekit::ListRoomsResponse> ListRooms(const MethodContext& context,
                                                   const livekit::ListRoomsRequest& request) {
  AURALINK_RETURN_IF_ERROR(RequireRoomList(context));
  const std::vector<std::string> names(request.names().begin(), request.names().end());
  livekit::ListRoomsResponse response;
  for (const sfu::RoomDescription& room : context.rooms.ListRooms(names)) {
    *response.add_rooms() = RoomToProto(room);
  }
  return response;
}

MethodResult<livekit::DeleteRoomResponse> DeleteRoom(const MethodContext& context,
                                                     const livekit::DeleteRoomRequest& request) {
  AURALINK_RETURN_IF_ERROR(RequireRoomCreate(context));
  if (request.room().empty()) return InvalidArgument("room is required");
  AURALINK_RETURN_IF_ERROR(context.rooms.DeleteRoom(request.room()));
  return livekit::DeleteRoomResponse();
}

MethodResult<livekit::ListParticipantsResponse> ListParticipants(
    const MethodContext& context, const livekit::ListParticipantsRequest& request) {
  AURALINK_RETURN_IF_ERROR(RequireRoomAdmin(context, request.room()));
  auto participants = context.rooms.ListParticipants(request.room());
  if (!participants.ok()) return participants.status();
  livekit::ListParticipantsResponse response;
  for (const sfu::ParticipantDescription& participant : *participants) {
    *response.add_participants() = ParticipantToProto(participant);
  }
  return response;
}

MethodResult<livekit::ParticipantInfo> GetParticipant(
    const MethodContext& context, const livekit::RoomParticipantIdentity& request) {
  AURALINK_RETURN_IF_ERROR(RequireRoomAdmin(context, request.room()));
  AURALINK_RETURN_IF_ERROR(RequireIdentity(request.identity()));
  auto participant = context.rooms.GetParticipant(request.room(), request.identity());
  if (!participant.ok()) return participant.status();
  return ParticipantToProto(*participant);
}

MethodResult<livekit::RemoveParticipantResponse> RemoveParticipant(
    const MethodContext& context, const livekit::RoomParticipantIdentity& request) {
  AURALINK_RETURN_IF_ERROR(RequireRoomAdmin(context, request.room()));
  AURALINK_RETURN_IF_ERROR(RequireIdentity(request.identity()));
  AURALINK_RETURN_IF_ERROR(context.rooms.RemoveParticipant(request.room(), request.identity()));
  return livekit::RemoveParticipantResponse();
}

MethodResult<livekit::MuteRoomTrackResponse> MutePublishedTrack(
    const MethodContext& context, const livekit::MuteRoomTrackRequest& request) {
  AURALINK_RETURN_IF_ERROR(RequireRoomAdmin(context, request.room()));
  AURALINK_RETURN_IF_ERROR(RequireIdentity(request.identity()));
  if (request.track_sid().empty()) return InvalidArgument("track_sid is required");
  auto track = context.rooms.MutePublishedTrack(request.room(), request.identity(),
                                                request.track_sid(), request.muted());
  if (!track.ok()) return track.status();
  livekit::MuteRoomTrackResponse response;
  *response.mutable_track() = TrackToProto(*track);
  return response;
}

MethodResult<livekit::ParticipantInfo> UpdateParticipant(
    const MethodContext& context, const livekit::UpdateParticipantRequest& request) {
  AURALINK_RETURN_IF_ERROR(RequireRoomAdmin(context, request.room()));
  AURALINK_RETURN_IF_ERROR(RequireIdentity(request.identity()));
  if (!request.attributes().empty()) {
    return Unimplemented("participant attributes are not supported by this server");
  }
  AURALINK_RETURN_IF_ERROR(
      CheckLength(request.metadata(), context.options.limits.max_metadata_size, "metadata"));
  AURALINK_RETURN_IF_ERROR(CheckLength(
      request.name(), context.options.limits.max_participant_name_length, "participant name"));
  // As in LiveKit, empty strings and an absent permission leave the participant's value alone.
  sfu::ParticipantUpdate update;
  if (!request.metadata().empty()) update.metadata = request.metadata();
  if (!request.name().empty()) update.name = request.name();
  if (request.has_permission()) update.permissions = PermissionsFromProto(request.permission());
  auto participant = context.rooms.UpdateParticipant(request.room(), request.identity(), update);
  if (!participant.ok()) return participant.status();
  return ParticipantToProto(*participant);
}

MethodResult<livekit::Room> UpdateRoomMetadata(const MethodContext& context,
                                               const livekit::UpdateRoomMetadataRequest& request) {
  AURALINK_RETURN_IF_ERROR(RequireRoomAdmin(context, request.room()));
  AURALINK_RETURN_IF_ERROR(
      CheckLength(request.metadata(), context.options.limits.max_metadata_size, "metadata"));
  auto room = context.rooms.UpdateRoomMetadata(request.room(), request.metadata());
  if (!room.ok()) return room.status();
  return RoomToProto(*room);
}

MethodResult<livekit::SendDataResponse> SendData(const MethodContext& context,
                                                 const livekit::SendDataRequest& request) {
  AURALINK_RETURN_IF_ERROR(RequireRoomAdmin(context, request.room()));
  std::vector<std::string> destinations(request.destination_identities().begin(),
                                        request.destination_identities().end());
  // destination_sids is the deprecated spelling; resolve it to identities.
  if (!request.destination_sids().empty()) {
    auto participants = context.rooms.ListParticipants(request.room());
    if (!participants.ok()) return participants.status();
    for (const std::string& sid : request.destination_sids()) {
      for (const sfu::ParticipantDescription& participant : *participants) {
        if (participant.sid == sid) destinations.push_back(participant.identity);
      }
    }
    // Every named participant has left: nothing to send, as LiveKit drops the packet.
    if (destinations.empty()) return livekit::SendDataResponse();
  }
  const std::vector<uint8_t> payload(request.data().begin(), request.data().end());
  AURALINK_RETURN_IF_ERROR(context.rooms.SendData(
      request.room(), payload, request.kind() == livekit::DataPacket_Kind_RELIABLE, destinations,
      request.topic()));
  return livekit::SendDataResponse();
}

MethodResult<livekit::UpdateSubscriptionsResponse> UpdateSubscriptions(
    const MethodContext& context, const livekit::UpdateSubscriptionsRequest& request) {
  AURALINK_RETURN_IF_ERROR(RequireRoomAdmin(context, request.room()));
  return Unimplemented("UpdateSubscriptions is not supported by this server");
}

MethodResult<livekit::ForwardParticipantResponse> ForwardParticipant(
    const MethodContext& context, const livekit::ForwardParticipantRequest& request) {
  AURALINK_RETURN_IF_ERROR(RequireRoomAdmin(context, request.room()));
  return Unimplemented("ForwardParticipant is not supported by this server");
}

MethodResult<livekit::MoveParticipantResponse> MoveParticipant(
    const MethodContext& context, const livekit::MoveParticipantRequest& request) {
  AURALINK_RETURN_IF_ERROR(RequireRoomAdmin(context, request.room()));
  return Unimplemented("MoveParticipant is not supported by this server");
}

template <typename Request>
Status DecodeBody(const std::string& body, TwirpEncoding encoding, Request* request) {
  if (encoding == TwirpEncoding::kProtobuf) {
    if (!request->ParseFromString(body)) {
      return Status::Error("the body is not a valid protobuf " +
                           Request::descriptor()->full_name());
    }
    return Status::Ok();
  }
  // An empty JSON body stands for the empty message, as an empty protobuf body does.
  if (body.empty()) return Status::Ok();
  return MessageFromTwirpJson(body, request);
}

template <typename Request, typename Response>
http::HttpResponse Invoke(MethodResult<Response> (*method)(const MethodContext&, const Request&),
                          const MethodContext& context, const http::HttpRequest& http_request,
                          TwirpEncoding encoding) {
  Request request;
  if (Status decoded = DecodeBody(http_request.body, encoding, &request); !decoded.ok()) {
    return TwirpErrorResponse(TwirpErrorCode::kMalformed, decoded.message());
  }
  const MethodResult<Response> response = method(context, request);
  if (!response.ok()) return TwirpErrorResponse(response.error().code, response.error().message);
  return TwirpResultResponse(response.value(), encoding);
}

}  // namespace

StatusOr<std::unique_ptr<RoomServiceApi>> RoomServiceApi::Create(
    sfu::RoomControl* rooms, const AccessTokenVerifier* verifier, RoomServiceApiOptions options) {
  if (rooms == nullptr) return Status::Error("RoomService API needs a RoomControl");
  if (verifier == nullptr) return Status::Error("RoomService API needs an access token verifier");
  if (!options.now_s) options.now_s = UnixTimeSeconds;
  return std::unique_ptr<RoomServiceApi>(new RoomServiceApi(rooms, verifier, std::move(options)));
}

http::HttpResponse RoomServiceApi::Handle(const http::HttpRequest& request) const {
  // Twirp spec v7: only POST; unknown routes and content types are bad_route (404).
  if (request.method != "POST") {
    return TwirpErrorResponse(
        TwirpErrorCode::kBadRoute,
        "unsupported method \"" + request.method.substr(0, 16) + "\" (only POST is allowed)");
  }
  auto method = FindTwirpMethod(request.path);
  if (!method.ok()) return TwirpErrorResponse(TwirpErrorCode::kBadRoute, method.status().message());
  const std::optional<TwirpEncoding> encoding =
      TwirpEncodingOf(request.Header("Content-Type").value_or(""));
  if (!encoding) {
    return TwirpErrorResponse(
        TwirpErrorCode::kBadRoute,
        "unexpected Content-Type \"" +
            std::string(request.Header("Content-Type").value_or("").substr(0, 64)) +
            "\"; expected application/json or application/protobuf");
  }
  AuthResult<ClaimGrants> grants = VerifyRequestToken(request, *verifier_, options_.now_s());
  if (!grants.ok()) return TwirpErrorResponse(grants.error());

  const MethodContext context{*rooms_, options_, *grants};
  const std::string& name = (*method)->name();
  if (name == "CreateRoom") return Invoke(&CreateRoom, context, request, *encoding);
  if (name == "ListRooms") return Invoke(&ListRooms, context, request, *encoding);
  if (name == "DeleteRoom") return Invoke(&DeleteRoom, context, request, *encoding);
  if (name == "ListParticipants") return Invoke(&ListParticipants, context, request, *encoding);
  if (name == "GetParticipant") return Invoke(&GetParticipant, context, request, *encoding);
  if (name == "RemoveParticipant") return Invoke(&RemoveParticipant, context, request, *encoding);
  if (name == "MutePublishedTrack") return Invoke(&MutePublishedTrack, context, request, *encoding);
  if (name == "UpdateParticipant") return Invoke(&UpdateParticipant, context, request, *encoding);
  if (name == "UpdateRoomMetadata") return Invoke(&UpdateRoomMetadata, context, request, *encoding);
  if (name == "SendData") return Invoke(&SendData, context, request, *encoding);
  if (name == "UpdateSubscriptions") {
    return Invoke(&UpdateSubscriptions, context, request, *encoding);
  }
  if (name == "ForwardParticipant") return Invoke(&ForwardParticipant, context, request, *encoding);
  if (name == "MoveParticipant") return Invoke(&MoveParticipant, context, request, *encoding);
  return TwirpErrorResponse(TwirpErrorCode::kUnimplemented,
                            "RoomService." + name + " is not supported by this server");
}

Status RegisterRoomServiceApi(http::HttpServer* server, sfu::RoomControl* rooms,
                              const AccessTokenVerifier* verifier, RoomServiceApiOptions options) {
  if (server == nullptr) return Status::Error("RoomService API needs an HTTP server");
  auto api = RoomServiceApi::Create(rooms, verifier, std::move(options));
  if (!api.ok()) return api.status();
  std::shared_ptr<const RoomServiceApi> shared = std::move(api).value();
  server->Handle("", std::string(kTwirpPathPrefix.substr(0, kTwirpPathPrefix.size() - 1)),
                 [shared](const http::HttpRequest& request, http::HttpResponder respond) {
                   respond(shared->Handle(request));
                 });
  return Status::Ok();
}

}  // namespace auralink::signal
