// What the SFU tells one participant's signalling connection. The LiveKit signalling session
// implements it (protobuf over WebSocket); the SFU stays free of the wire format.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "sfu/active_speaker_detector.h"
#include "sfu/room_control.h"

namespace auralink::sfu {

class SignalSink {
 public:
  virtual ~SignalSink() = default;
  // Other participants joined, changed or left (state kDisconnected).
  virtual void SendParticipantUpdate(const std::vector<ParticipantDescription>& participants) = 0;
  virtual void SendSpeakersChanged(const std::vector<SpeakerLevel>& speakers) = 0;
  virtual void SendSubscriberOffer(const std::string& sdp) = 0;
  // Single peer connection (LiveKit /rtc/v1): the browser should add this many recvonly audio and
  // video sections and offer again (zero and zero: just offer again, a section changes).
  virtual void SendMediaSectionsRequirement(int audios, int videos) {}
  // The server muted or unmuted one of this participant's tracks (RoomService).
  virtual void SendTrackMuted(const std::string& track_sid, bool muted) = 0;
  virtual void SendRoomUpdate(const RoomDescription& room) = 0;
  // The participant was removed (RoomService) or the room closed: tell it and hang up.
  virtual void SendLeave(const std::string& reason) = 0;
  // A data channel message arrived from this participant's publisher connection (LiveKit
  // DataPacket bytes); the session decides where it goes.
  virtual void OnDataFromClient(std::span<const uint8_t> bytes, bool reliable) = 0;
  // Another connection resumed this participant's session (LiveKit reconnect): this one is done
  // and should hang up without leaving the room.
  virtual void OnSessionReplaced() {}
  // The SFU's own notion of subscribed layers changed (dynacast): optional.
  virtual void SendSubscribedQualities(const std::string& track_sid,
                                       const std::vector<bool>& layer_wanted) {}
};

}  // namespace auralink::sfu
