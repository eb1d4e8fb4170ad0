// A room: its participants, who subscribes to what (auto-subscribe, as LiveKit does by default),
// active speakers, data routing, and its lifetime (closed once empty for empty_timeout, or after
// departure_timeout when the last participant left).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "sfu/active_speaker_detector.h"
#include "sfu/participant.h"
#include "sfu/reliable_data_history.h"
#include "sfu/room_control.h"

namespace auralink::sfu {

class Room {
 public:
  Room(RoomDescription description, const ParticipantEnvironment* environment, int64_t now_ms);
  ~Room();

  const RoomDescription& description() const { return description_; }
  RoomDescription Describe() const;
  RoomDescription& mutable_description() { return description_; }

  // A participant with the same identity is replaced (LiveKit disconnects the old session).
  StatusOr<Participant*> Join(ParticipantDescription participant, SignalSink* sink,
                              bool auto_subscribe, int64_t now_ms);
  // Subscribes `participant` to every track the others publish (what Join does with
  // auto_subscribe; for a participant joined without it and then set up, e.g. for /rtc/v1).
  void SubscribeToPublished(Participant* participant);
  // A client resuming its session (LiveKit reconnect=1 with its participant sid): `sink` replaces
  // the old connection, tracks and subscriptions carry on. NotFound when the participant is gone
  // (or the sid belongs to another identity): the client must join afresh. The caller answers the
  // client, then calls Participant::OnSignallingResumed.
  StatusOr<Participant*> Resume(const std::string& sid, const std::string& identity,
                                SignalSink* sink, int64_t now_ms);
  // Removes a participant; `notify` tells its session to leave (server-initiated removal).
  void Remove(const std::string& sid, bool notify, const std::string& reason, int64_t now_ms);
  void RemoveAll(const std::string& reason, int64_t now_ms);

  Participant* FindBySid(const std::string& sid);
  Participant* FindByIdentity(const std::string& identity);
  std::vector<Participant*> participants();
  // Everyone visible to others (hidden participants are not announced).
  std::vector<ParticipantDescription> VisibleParticipants(const std::string& except_sid) const;

  // Events from participants.
  void OnTrackPublished(Participant* publisher, PublishedTrack* track);
  void OnTrackUnpublished(Participant* publisher, PublishedTrack* track);
  void OnParticipantChanged(Participant* participant);
  void OnAudioLevel(const std::string& participant_sid, int level_dbov, int64_t now_ms);
  // A publisher's sender report was kept for forwarding. Subscribers compare the count with the
  // one at their last forwarding pass: while it has not moved, a pass that left nothing waiting
  // has nothing new to send (Participant::ForwardSenderReports).
  void OnSenderReport() { ++sender_reports_received_; }
  uint64_t sender_reports_received() const { return sender_reports_received_; }

  // Data from a participant (or the server when `from` is null) to some or all others. A
  // participant's reliable packets with a `sequence` (LiveKit's DataPacket.sequence) are kept a
  // while for subscribers that resume (ResendReliableData).
  void RouteData(const Participant* from, std::span<const uint8_t> bytes, bool reliable,
                 const std::vector<std::string>& destination_identities, uint32_t sequence = 0);
  // A resumed subscriber last received `last_sequence` from `publisher_sid`: what the publisher
  // sent it since and the room still keeps is sent again, in order. Returns how many packets.
  size_t ResendReliableData(Participant* subscriber, const std::string& publisher_sid,
                            uint32_t last_sequence);

  // `signal_timeout_ms` > 0 removes participants whose signalling has been silent that long (a
  // dropped connection that was not resumed in time); participants whose connection went away and
  // whose transports the client closed are removed at once.
  void Tick(int64_t now_ms, int64_t signal_timeout_ms = 0);
  // True when the room should be closed now.
  bool Expired(int64_t now_ms) const;

 private:
  void Broadcast(const ParticipantDescription& changed, const std::string& except_sid);
  ParticipantDescription Snapshot(Participant* participant) const;

  RoomDescription description_;
  const ParticipantEnvironment* environment_;
  std::map<std::string, std::unique_ptr<Participant>> participants_;  // by sid
  // The same participants in a flat array, in joining order: a tick reads each one's due time
  // without walking the map's nodes (a thousand subscribers, every tick_interval_ms).
  std::vector<Participant*> tick_order_;
  std::vector<Participant*> due_;                       // tick scratch
  std::vector<std::unique_ptr<Participant>> departed_;  // freed at the next tick
  ActiveSpeakerDetector speakers_;
  ReliableDataHistory reliable_history_;
  int64_t created_ms_;
  int64_t last_departure_ms_ = -1;
  bool ever_joined_ = false;
  uint64_t sender_reports_received_ = 0;
};

}  // namespace auralink::sfu
