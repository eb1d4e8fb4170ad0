// What the control plane (LiveKit's RoomService API, the dev test hooks) may do to rooms. The SFU
// implements it; the API layer maps requests onto it and its Status codes onto Twirp/HTTP errors
// (kNotFound -> not_found/404, kInvalidArgument -> invalid_argument/400, ...). Descriptions are
// plain values in LiveKit's terms, so the API layer converts them to protobuf field by field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace auralink::sfu {

enum class TrackKind { kAudio, kVideo, kData };
// LiveKit's TrackSource values.
enum class TrackSource {
  kUnknown = 0,
  kCamera = 1,
  kMicrophone = 2,
  kScreenShare = 3,
  kScreenShareAudio = 4
};

struct VideoLayerDescription {
  int quality = 0;  // LiveKit VideoQuality: 0 low, 1 medium, 2 high
  int width = 0;
  int height = 0;
  int bitrate_bps = 0;  // measured while receiving, else what the publisher announced
  uint32_t ssrc = 0;
  std::string rid;
};

struct TrackDescription {
  std::string sid;  // "TR_..."
  std::string name;
  TrackKind kind = TrackKind::kAudio;
  TrackSource source = TrackSource::kUnknown;
  bool muted = false;
  int width = 0;
  int height = 0;
  bool simulcast = false;
  std::string mime_type;  // "video/VP8", "audio/opus"
  std::string mid;
  std::vector<VideoLayerDescription> layers;
};

struct ParticipantPermissions {
  bool can_subscribe = true;
  bool can_publish = true;
  bool can_publish_data = true;
  bool hidden = false;
  bool can_update_metadata = false;
  std::vector<TrackSource> can_publish_sources;  // empty: any
};

// LiveKit ParticipantInfo.State
enum class ParticipantState { kJoining = 0, kJoined = 1, kActive = 2, kDisconnected = 3 };

struct ParticipantDescription {
  std::string sid;  // "PA_..."
  std::string identity;
  std::string name;
  std::string metadata;
  ParticipantState state = ParticipantState::kJoining;
  int64_t joined_at_s = 0;
  int64_t joined_at_ms = 0;
  ParticipantPermissions permissions;
  std::vector<TrackDescription> tracks;
  bool is_publisher = false;
  uint32_t version = 0;  // increases on every change (LiveKit orders updates by it)
};

struct RoomDescription {
  std::string sid;  // "RM_..."
  std::string name;
  uint32_t empty_timeout_s = 300;
  uint32_t departure_timeout_s = 20;
  uint32_t max_participants = 0;  // 0: no limit
  int64_t creation_time_s = 0;
  int64_t creation_time_ms = 0;
  std::string metadata;
  uint32_t num_participants = 0;
  uint32_t num_publishers = 0;
};

struct RoomCreateOptions {
  std::string name;
  std::optional<uint32_t> empty_timeout_s;
  std::optional<uint32_t> departure_timeout_s;
  std::optional<uint32_t> max_participants;
  std::string metadata;
};

struct ParticipantUpdate {
  std::optional<std::string> metadata;
  std::optional<std::string> name;
  std::optional<ParticipantPermissions> permissions;
};

class RoomControl {
 public:
  virtual ~RoomControl() = default;
  // Creating a room that exists returns it (LiveKit's CreateRoom is idempotent).
  virtual StatusOr<RoomDescription> CreateRoom(const RoomCreateOptions& options) = 0;
  // All rooms when `names` is empty.
  virtual std::vector<RoomDescription> ListRooms(const std::vector<std::string>& names) = 0;
  // Disconnects everyone in it.
  virtual Status DeleteRoom(const std::string& room) = 0;
  virtual StatusOr<std::vector<ParticipantDescription>> ListParticipants(
      const std::string& room) = 0;
  virtual StatusOr<ParticipantDescription> GetParticipant(const std::string& room,
                                                          const std::string& identity) = 0;
  virtual Status RemoveParticipant(const std::string& room, const std::string& identity) = 0;
  virtual StatusOr<TrackDescription> MutePublishedTrack(const std::string& room,
                                                        const std::string& identity,
                                                        const std::string& track_sid,
                                                        bool muted) = 0;
  virtual StatusOr<ParticipantDescription> UpdateParticipant(const std::string& room,
                                                             const std::string& identity,
                                                             const ParticipantUpdate& update) = 0;
  virtual StatusOr<RoomDescription> UpdateRoomMetadata(const std::string& room,
                                                       const std::string& metadata) = 0;
  // A data packet from the server to some (or, when `destination_identities` is empty, all)
  // participants.
  virtual Status SendData(const std::string& room, const std::vector<uint8_t>& payload,
                          bool reliable, const std::vector<std::string>& destination_identities,
                          const std::string& topic) = 0;
  // Test hook (dev mode only): caps what the SFU sends to one subscriber, as a constrained
  // downlink would; 0 lifts the cap.
  virtual Status LimitSubscriberBandwidth(const std::string& room, const std::string& identity,
                                          int kbps) = 0;
};

}  // namespace auralink::sfu
