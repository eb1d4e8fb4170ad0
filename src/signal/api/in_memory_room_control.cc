#include "signal/api/in_memory_room_control.h"

#include <algorithm>

namespace auralink::signal {

InMemoryRoomControl::Room& InMemoryRoomControl::CreateLocked(const std::string& name) {
  auto [it, created] = rooms_.try_emplace(name);
  if (created) {
    it->second.description.name = name;
    it->second.description.sid = "RM_" + std::to_string(next_sid_++);
    it->second.description.creation_time_s = 1700000000;
    it->second.description.creation_time_ms = 1700000000123;
  }
  return it->second;
}

sfu::RoomDescription InMemoryRoomControl::Describe(const Room& room) {
  sfu::RoomDescription description = room.description;
  description.num_participants = static_cast<uint32_t>(room.participants.size());
  description.num_publishers = static_cast<uint32_t>(std::count_if(
      room.participants.begin(), room.participants.end(),
      [](const sfu::ParticipantDescription& participant) { return participant.is_publisher; }));
  return description;
}

StatusOr<InMemoryRoomControl::Room*> InMemoryRoomControl::FindLocked(const std::string& name) {
  auto it = rooms_.find(name);
  if (it == rooms_.end()) {
    return Status::Error(StatusCode::kNotFound, "requested room does not exist");
  }
  return &it->second;
}

StatusOr<sfu::ParticipantDescription*> InMemoryRoomControl::FindParticipant(
    Room& room, const std::string& identity) {
  for (sfu::ParticipantDescription& participant : room.participants) {
    if (participant.identity == identity) return &participant;
  }
  return Status::Error(StatusCode::kNotFound,
                       "participant \"" + identity + "\" is not in the room");
}

void InMemoryRoomControl::AddParticipant(const std::string& room,
                                         sfu::ParticipantDescription participant) {
  std::lock_guard lock(mutex_);
  Room& target = CreateLocked(room);
  if (participant.sid.empty()) participant.sid = "PA_" + std::to_string(next_sid_++);
  std::erase_if(target.participants, [&](const sfu::ParticipantDescription& existing) {
    return existing.identity == participant.identity;
  });
  target.participants.push_back(std::move(participant));
}

std::vector<InMemoryRoomControl::SentData> InMemoryRoomControl::sent_data() const {
  std::lock_guard lock(mutex_);
  return sent_data_;
}

std::map<std::string, int> InMemoryRoomControl::bandwidth_limits() const {
  std::lock_guard lock(mutex_);
  return bandwidth_limits_;
}

bool InMemoryRoomControl::HasParticipant(const std::string& room,
                                         const std::string& identity) const {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return false;
  return std::any_of(it->second.participants.begin(), it->second.participants.end(),
                     [&](const auto& participant) { return participant.identity == identity; });
}

StatusOr<sfu::RoomDescription> InMemoryRoomControl::CreateRoom(
    const sfu::RoomCreateOptions& options) {
  std::lock_guard lock(mutex_);
  if (options.name.empty()) return Status::Error(StatusCode::kInvalidArgument, "no room name");
  const bool existed = rooms_.count(options.name) != 0;
  Room& room = CreateLocked(options.name);
  if (!existed) {
    if (options.empty_timeout_s) room.description.empty_timeout_s = *options.empty_timeout_s;
    if (options.departure_timeout_s) {
      room.description.departure_timeout_s = *options.departure_timeout_s;
    }
    if (options.max_participants) room.description.max_participants = *options.max_participants;
    room.description.metadata = options.metadata;
  }
  return Describe(room);
}

std::vector<sfu::RoomDescription> InMemoryRoomControl::ListRooms(
    const std::vector<std::string>& names) {
  std::lock_guard lock(mutex_);
  std::vector<sfu::RoomDescription> rooms;
  for (const auto& [name, room] : rooms_) {
    if (names.empty() || std::find(names.begin(), names.end(), name) != names.end()) {
      rooms.push_back(Describe(room));
    }
  }
  return rooms;
}

Status InMemoryRoomControl::DeleteRoom(const std::string& room) {
  std::lock_guard lock(mutex_);
  if (rooms_.erase(room) == 0) {
    return Status::Error(StatusCode::kNotFound, "requested room does not exist");
  }
  return Status::Ok();
}

StatusOr<std::vector<sfu::ParticipantDescription>> InMemoryRoomControl::ListParticipants(
    const std::string& room) {
  std::lock_guard lock(mutex_);
  auto found = FindLocked(room);
  if (!found.ok()) return found.status();
  return (*found)->participants;
}

StatusOr<sfu::ParticipantDescription> InMemoryRoomControl::GetParticipant(
    const std::string& room, const std::string& identity) {
  std::lock_guard lock(mutex_);
  auto found = FindLocked(room);
  if (!found.ok()) return found.status();
  auto participant = FindParticipant(**found, identity);
  if (!participant.ok()) return participant.status();
  return **participant;
}

Status InMemoryRoomControl::RemoveParticipant(const std::string& room,
                                              const std::string& identity) {
  std::lock_guard lock(mutex_);
  auto found = FindLocked(room);
  if (!found.ok()) return found.status();
  auto participant = FindParticipant(**found, identity);
  if (!participant.ok()) return participant.status();
  std::erase_if((*found)->participants,
                [&](const auto& existing) { return existing.identity == identity; });
  return Status::Ok();
}

StatusOr<sfu::TrackDescription> InMemoryRoomControl::MutePublishedTrack(
    const std::string& room, const std::string& identity, const std::string& track_sid,
    bool muted) {
  std::lock_guard lock(mutex_);
  auto found = FindLocked(room);
  if (!found.ok()) return found.status();
  auto participant = FindParticipant(**found, identity);
  if (!participant.ok()) return participant.status();
  for (sfu::TrackDescription& track : (*participant)->tracks) {
    if (track.sid == track_sid) {
      track.muted = muted;
      ++(*participant)->version;
      return track;
    }
  }
  return Status::Error(StatusCode::kNotFound, "track \"" + track_sid + "\" is not published");
}

StatusOr<sfu::ParticipantDescription> InMemoryRoomControl::UpdateParticipant(
    const std::string& room, const std::string& identity, const sfu::ParticipantUpdate& update) {
  std::lock_guard lock(mutex_);
  auto found = FindLocked(room);
  if (!found.ok()) return found.status();
  auto participant = FindParticipant(**found, identity);
  if (!participant.ok()) return participant.status();
  if (update.metadata) (*participant)->metadata = *update.metadata;
  if (update.name) (*participant)->name = *update.name;
  if (update.permissions) (*participant)->permissions = *update.permissions;
  ++(*participant)->version;
  return **participant;
}

StatusOr<sfu::RoomDescription> InMemoryRoomControl::UpdateRoomMetadata(
    const std::string& room, const std::string& metadata) {
  std::lock_guard lock(mutex_);
  auto found = FindLocked(room);
  if (!found.ok()) return found.status();
  (*found)->description.metadata = metadata;
  return Describe(**found);
}

Status InMemoryRoomControl::SendData(const std::string& room, const std::vector<uint8_t>& payload,
                                     bool reliable,
                                     const std::vector<std::string>& destination_identities,
                                     const std::string& topic) {
  std::lock_guard lock(mutex_);
  auto found = FindLocked(room);
  if (!found.ok()) return found.status();
  sent_data_.push_back(SentData{room, payload, reliable, destination_identities, topic});
  return Status::Ok();
}

Status InMemoryRoomControl::LimitSubscriberBandwidth(const std::string& room,
                                                     const std::string& identity, int kbps) {
  std::lock_guard lock(mutex_);
  auto found = FindLocked(room);
  if (!found.ok()) return found.status();
  auto participant = FindParticipant(**found, identity);
  if (!participant.ok()) return participant.status();
  bandwidth_limits_[room + "/" + identity] = kbps;
  return Status::Ok();
}

}  // namespace auralink::signal
