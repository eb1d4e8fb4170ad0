// Field-by-field conversion between the SFU's plain room descriptions (sfu/room_control.h) and
// LiveKit's protobuf messages (livekit_models.proto), for the RoomService API and for signalling
// updates (ParticipantUpdate, RoomUpdate) that carry the same messages.
#pragma once

#include <optional>
#include <string_view>

#include "sfu/room_control.h"
#include "signal/protocol/livekit_models.pb.h"

namespace auralink::signal {

livekit::TrackType TrackKindToProto(sfu::TrackKind kind);
livekit::TrackSource TrackSourceToProto(sfu::TrackSource source);
// Unknown enum numbers (a newer client) become TrackSource::kUnknown.
sfu::TrackSource TrackSourceFromProto(int source);

livekit::VideoLayer VideoLayerToProto(const sfu::VideoLayerDescription& layer);
livekit::TrackInfo TrackToProto(const sfu::TrackDescription& track);
livekit::ParticipantPermission PermissionsToProto(const sfu::ParticipantPermissions& permissions);
sfu::ParticipantPermissions PermissionsFromProto(const livekit::ParticipantPermission& permission);
livekit::ParticipantInfo ParticipantToProto(const sfu::ParticipantDescription& participant);
livekit::Room RoomToProto(const sfu::RoomDescription& room);

// canPublishSources as access tokens spell them ("camera", "microphone", "screen_share",
// "screen_share_audio"); nullopt for any other name.
std::optional<sfu::TrackSource> TrackSourceFromGrantName(std::string_view name);

}  // namespace auralink::signal
