#include "signal/api/room_control_messages.h"

#include <algorithm>

namespace auralink::signal {

livekit::TrackType TrackKindToProto(sfu::TrackKind kind) {
  switch (kind) {
    case sfu::TrackKind::kAudio:
      return livekit::AUDIO;
    case sfu::TrackKind::kVideo:
      return livekit::VIDEO;
    case sfu::TrackKind::kData:
      return livekit::DATA;
  }
  return livekit::AUDIO;
}

livekit::TrackSource TrackSourceToProto(sfu::TrackSource source) {
  // sfu::TrackSource carries LiveKit's numbers.
  const int number = static_cast<int>(source);
  return livekit::TrackSource_IsValid(number) ? static_cast<livekit::TrackSource>(number)
                                              : livekit::UNKNOWN;
}

sfu::TrackSource TrackSourceFromProto(int source) {
  switch (source) {
    case livekit::CAMERA:
      return sfu::TrackSource::kCamera;
    case livekit::MICROPHONE:
      return sfu::TrackSource::kMicrophone;
    case livekit::SCREEN_SHARE:
      return sfu::TrackSource::kScreenShare;
    case livekit::SCREEN_SHARE_AUDIO:
      return sfu::TrackSource::kScreenShareAudio;
    default:
      return sfu::TrackSource::kUnknown;
  }
}

std::optional<sfu::TrackSource> TrackSourceFromGrantName(std::string_view name) {
  if (name == "camera") return sfu::TrackSource::kCamera;
  if (name == "microphone") return sfu::TrackSource::kMicrophone;
  if (name == "screen_share") return sfu::TrackSource::kScreenShare;
  if (name == "screen_share_audio") return sfu::TrackSource::kScreenShareAudio;
  return std::nullopt;
}

livekit::VideoLayer VideoLayerToProto(const sfu::VideoLayerDescription& layer) {
  livekit::VideoLayer proto;
  proto.set_quality(livekit::VideoQuality_IsValid(layer.quality)
                        ? static_cast<livekit::VideoQuality>(layer.quality)
                        : livekit::LOW);
  proto.set_width(static_cast<uint32_t>(std::max(layer.width, 0)));
  proto.set_height(static_cast<uint32_t>(std::max(layer.height, 0)));
  proto.set_bitrate(static_cast<uint32_t>(std::max(layer.bitrate_bps, 0)));
  proto.set_ssrc(layer.ssrc);
  proto.set_rid(layer.rid);
  return proto;
}

livekit::TrackInfo TrackToProto(const sfu::TrackDescription& track) {
  livekit::TrackInfo proto;
  proto.set_sid(track.sid);
  proto.set_type(TrackKindToProto(track.kind));
  proto.set_name(track.name);
  proto.set_muted(track.muted);
  proto.set_width(static_cast<uint32_t>(std::max(track.width, 0)));
  proto.set_height(static_cast<uint32_t>(std::max(track.height, 0)));
  proto.set_simulcast(track.simulcast);
  proto.set_source(TrackSourceToProto(track.source));
  proto.set_mime_type(track.mime_type);
  proto.set_mid(track.mid);
  for (const sfu::VideoLayerDescription& layer : track.layers) {
    *proto.add_layers() = VideoLayerToProto(layer);
  }
  // LiveKit also lists each published codec with its layers; clients read simulcast codecs there.
  if (!track.mime_type.empty()) {
    livekit::SimulcastCodecInfo* codec = proto.add_codecs();
    codec->set_mime_type(track.mime_type);
    codec->set_mid(track.mid);
    *codec->mutable_layers() = proto.layers();
  }
  return proto;
}

livekit::ParticipantPermission PermissionsToProto(const sfu::ParticipantPermissions& permissions) {
  livekit::ParticipantPermission proto;
  proto.set_can_subscribe(permissions.can_subscribe);
  proto.set_can_publish(permissions.can_publish);
  proto.set_can_publish_data(permissions.can_publish_data);
  proto.set_hidden(permissions.hidden);
  proto.set_can_update_metadata(permissions.can_update_metadata);
  for (sfu::TrackSource source : permissions.can_publish_sources) {
    proto.add_can_publish_sources(TrackSourceToProto(source));
  }
  return proto;
}

sfu::ParticipantPermissions PermissionsFromProto(const livekit::ParticipantPermission& permission) {
  sfu::ParticipantPermissions permissions;
  permissions.can_subscribe = permission.can_subscribe();
  permissions.can_publish = permission.can_publish();
  permissions.can_publish_data = permission.can_publish_data();
  permissions.hidden = permission.hidden();
  permissions.can_update_metadata = permission.can_update_metadata();
  for (int source : permission.can_publish_sources()) {
    permissions.can_publish_sources.push_back(TrackSourceFromProto(source));
  }
  return permissions;
}

livekit::ParticipantInfo ParticipantToProto(const sfu::ParticipantDescription& participant) {
  livekit::ParticipantInfo proto;
  proto.set_sid(participant.sid);
  proto.set_identity(participant.identity);
  proto.set_name(participant.name);
  proto.set_metadata(participant.metadata);
  const int state = static_cast<int>(participant.state);
  proto.set_state(livekit::ParticipantInfo_State_IsValid(state)
                      ? static_cast<livekit::ParticipantInfo_State>(state)
                      : livekit::ParticipantInfo_State_JOINING);
  proto.set_joined_at(participant.joined_at_s);
  proto.set_joined_at_ms(participant.joined_at_ms);
  *proto.mutable_permission() = PermissionsToProto(participant.permissions);
  for (const sfu::TrackDescription& track : participant.tracks) {
    *proto.add_tracks() = TrackToProto(track);
  }
  proto.set_is_publisher(participant.is_publisher);
  proto.set_version(participant.version);
  proto.set_kind(livekit::ParticipantInfo_Kind_STANDARD);
  return proto;
}

livekit::Room RoomToProto(const sfu::RoomDescription& room) {
  livekit::Room proto;
  proto.set_sid(room.sid);
  proto.set_name(room.name);
  proto.set_empty_timeout(room.empty_timeout_s);
  proto.set_departure_timeout(room.departure_timeout_s);
  proto.set_max_participants(room.max_participants);
  proto.set_creation_time(room.creation_time_s);
  proto.set_creation_time_ms(room.creation_time_ms);
  proto.set_metadata(room.metadata);
  proto.set_num_participants(room.num_participants);
  proto.set_num_publishers(room.num_publishers);
  return proto;
}

}  // namespace auralink::signal
