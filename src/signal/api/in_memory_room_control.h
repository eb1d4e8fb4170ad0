// A RoomControl over plain maps, standing in for the SFU in the control plane's tests (the SFU's
// own tests cover the real one). Thread-safe: tests read it while the HTTP loop runs elsewhere.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "sfu/room_control.h"

namespace auralink::signal {

class InMemoryRoomControl : public sfu::RoomControl {
 public:
  struct SentData {
    std::string room;
    std::vector<uint8_t> payload;
    bool reliable = false;
    std::vector<std::string> destination_identities;
    std::string topic;
  };

  // Adds (or replaces) a participant in `room`, creating the room. Fills sid when empty.
  void AddParticipant(const std::string& room, sfu::ParticipantDescription participant);
  std::vector<SentData> sent_data() const;
  // room/identity -> kbps of the last LimitSubscriberBandwidth call.
  std::map<std::string, int> bandwidth_limits() const;
  bool HasParticipant(const std::string& room, const std::string& identity) const;

  StatusOr<sfu::RoomDescription> CreateRoom(const sfu::RoomCreateOptions& options) override;
  std::vector<sfu::RoomDescription> ListRooms(const std::vector<std::string>& names) override;
  Status DeleteRoom(const std::string& room) override;
  StatusOr<std::vector<sfu::ParticipantDescription>> ListParticipants(
      const std::string& room) override;
  StatusOr<sfu::ParticipantDescription> GetParticipant(const std::string& room,
                                                       const std::string& identity) override;
  Status RemoveParticipant(const std::string& room, const std::string& identity) override;
  StatusOr<sfu::TrackDescription> MutePublishedTrack(const std::string& room,
                                                     const std::string& identity,
                                                     const std::string& track_sid,
                                                     bool muted) override;
  StatusOr<sfu::ParticipantDescription> UpdateParticipant(
      const std::string& room, const std::string& identity,
      const sfu::ParticipantUpdate& update) override;
  StatusOr<sfu::RoomDescription> UpdateRoomMetadata(const std::string& room,
                                                    const std::string& metadata) override;
  Status SendData(const std::string& room, const std::vector<uint8_t>& payload, bool reliable,
                  const std::vector<std::string>& destination_identities,
                  const std::string& topic) override;
  Status LimitSubscriberBandwidth(const std::string& room, const std::string& identity,
                                  int kbps) override;

 private:
  struct Room {
    sfu::RoomDescription description;
    std::vector<sfu::ParticipantDescription> participants;
  };
  Room& CreateLocked(const std::string& name);
  static sfu::RoomDescription Describe(const Room& room);
  StatusOr<Room*> FindLocked(const std::string& name);
  static StatusOr<sfu::ParticipantDescription*> FindParticipant(Room& room,
                                                                const std::string& identity);

  mutable std::mutex mutex_;
  std::map<std::string, Room> rooms_;
  std::vector<SentData> sent_data_;
  std::map<std::string, int> bandwidth_limits_;
  int next_sid_ = 1;
};

}  // namespace auralink::signal
