// LiveKit's `video` grant: what a token allows in rooms. Field names follow the JWT claim names
// that livekit-server-sdk writes (VideoGrant in its grants.d.ts). Fields whose absence means
// something other than false are optional, so a token round-trips without gaining or losing
// permissions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auralink::signal {

struct VideoGrant {
  bool room_create = false;              // roomCreate: CreateRoom / DeleteRoom
  bool room_list = false;                // roomList: ListRooms
  bool room_record = false;              // roomRecord: egress
  bool room_admin = false;               // roomAdmin: moderate `room`
  bool room_join = false;                // roomJoin: join `room` as a participant
  std::string room;                      // room: the room the join/admin grants are for
  bool ingress_admin = false;            // ingressAdmin
  std::optional<bool> can_publish;       // canPublish: unset means allowed
  std::optional<bool> can_subscribe;     // canSubscribe: unset means allowed
  std::optional<bool> can_publish_data;  // canPublishData: unset means allowed
  // canPublishSources: "camera", "microphone", "screen_share", "screen_share_audio"; when present
  // only these sources may be published.
  std::vector<std::string> can_publish_sources;
  std::optional<bool> can_update_own_metadata;  // canUpdateOwnMetadata: unset means refused
  bool hidden = false;                          // hidden: invisible to other participants
  bool recorder = false;                        // recorder: marks the room as being recorded
  bool agent = false;                           // agent: an Agents framework worker
  bool can_subscribe_metrics = false;           // canSubscribeMetrics
  bool can_manage_agent_session = false;        // canManageAgentSession
  std::string destination_room;  // destinationRoom: ForwardParticipant/MoveParticipant target

  bool CanJoin(std::string_view room_name) const { return room_join && room == room_name; }
  bool CanAdminister(std::string_view room_name) const { return room_admin && room == room_name; }
  bool CanPublish() const { return can_publish.value_or(true); }
  bool CanSubscribe() const { return can_subscribe.value_or(true); }
  bool CanPublishData() const { return can_publish_data.value_or(true); }
  bool CanUpdateOwnMetadata() const { return can_update_own_metadata.value_or(false); }
  // `source` as in canPublishSources ("camera", ...).
  bool CanPublishSource(std::string_view source) const;

  bool operator==(const VideoGrant&) const = default;
};

}  // namespace auralink::signal
