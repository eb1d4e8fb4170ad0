#include "sfu/room.h"

#include <algorithm>

#include "common/log.h"

namespace auralink::sfu {

Room::Room(RoomDescription description, const ParticipantEnvironment* environment, int64_t now_ms)
    : description_(std::move(description)), environment_(environment), created_ms_(now_ms) {}

Room::~Room() {
  for (auto& [sid, participant] : participants_) participant->Close();
}

RoomDescription Room::Describe() const {
  RoomDescription described = description_;
  described.num_participants = 0;
  described.num_publishers = 0;
  for (const auto& [sid, participant] : participants_) {
    ++described.num_participants;
    if (participant->description().is_publisher) ++described.num_publishers;
  }
  return described;
}

ParticipantDescription Room::Snapshot(Participant* participant) const {
  ParticipantDescription snapshot = participant->description();
  snapshot.tracks.clear();
  for (const auto& [sid, track] : participant->published_tracks()) {
    TrackDescription description = track->description();
    description.layers.clear();
    for (const PublishedLayer& layer : track->layers()) {
      VideoLayerDescription out;
      out.quality = layer.quality;
      out.width = layer.width;
      out.height = layer.height;
      out.bitrate_bps = static_cast<int>(layer.bitrate_bps);
      out.ssrc = layer.ssrc;
      out.rid = layer.rid;
      description.layers.push_back(out);
    }
    snapshot.tracks.push_back(description);
  }
  return snapshot;
}

std::vector<ParticipantDescription> Room::VisibleParticipants(const std::string& except_sid) const {
  std::vector<ParticipantDescription> visible;
  for (const auto& [sid, participant] : participants_) {
    if (sid == except_sid || participant->description().permissions.hidden) continue;
    visible.push_back(Snapshot(participant.get()));
  }
  return visible;
}

StatusOr<Participant*> Room::Join(ParticipantDescription description, SignalSink* sink,
                                  bool auto_subscribe, int64_t now_ms) {
  if (Participant* existing = FindByIdentity(description.identity)) {
    Remove(existing->sid(), /*notify=*/true, "duplicate identity", now_ms);
  }
  if (description_.max_participants > 0 && participants_.size() >= description_.max_participants)
    return Status::Error(StatusCode::kResourceExhausted, "room " + description_.name + " is full");
  description.state = ParticipantState::kJoined;
  auto participant = std::make_unique<Participant>(this, description, sink, environment_);
  participant->OnSignal(now_ms);
  participant->set_auto_subscribe(auto_subscribe);
  Participant* raw = participant.get();
  participants_[raw->sid()] = std::move(participant);
  tick_order_.push_back(raw);
  ever_joined_ = true;
  last_departure_ms_ = -1;
  if (!description.permissions.hidden) Broadcast(Snapshot(raw), raw->sid());
  // Auto-subscribe the newcomer to what is already published.
  if (auto_subscribe) SubscribeToPublished(raw);
  return raw;
}

void Room::SubscribeToPublished(Participant* participant) {
  for (auto& [sid, other] : participants_) {
    if (other.get() == participant) continue;
    for (auto& [track_sid, track] : other->published_tracks())
      (void)participant->Subscribe(other.get(), track.get());
  }
}

StatusOr<Participant*> Room::Resume(const std::string& sid, const std::string& identity,
                                    SignalSink* sink, int64_t now_ms) {
  Participant* participant = FindBySid(sid);
  if (participant == nullptr || participant->identity() != identity)
    return Status::Error(StatusCode::kNotFound,
                         "participant " + sid + " is not in room " + description_.name);
  SignalSink* previous = participant->sink();
  participant->AttachSink(sink);
  if (previous != nullptr && previous != sink) previous->OnSessionReplaced();
  participant->OnSignal(now_ms);
  return participant;
}

void Room::Remove(const std::string& sid, bool notify, const std::string& reason, int64_t now_ms) {
  auto found = participants_.find(sid);
  if (found == participants_.end()) return;
  std::unique_ptr<Participant> leaving = std::move(found->second);
  participants_.erase(found);
  std::erase(tick_order_, leaving.get());
  for (auto& [track_sid, track] : leaving->published_tracks()) {
    for (auto& [other_sid, other] : participants_) other->Unsubscribe(track_sid);
  }
  speakers_.RemoveParticipant(sid);
  reliable_history_.RemovePublisher(sid);
  if (notify && leaving->sink()) leaving->sink()->SendLeave(reason);
  leaving->DetachSink();
  leaving->Close();
  ParticipantDescription gone = leaving->description();
  gone.state = ParticipantState::kDisconnected;
  gone.tracks.clear();
  if (!gone.permissions.hidden) Broadcast(gone, sid);
  last_departure_ms_ = now_ms;
  departed_.push_back(std::move(leaving));
}

void Room::RemoveAll(const std::string& reason, int64_t now_ms) {
  std::vector<std::string> sids;
  for (const auto& [sid, participant] : participants_) sids.push_back(sid);
  for (const std::string& sid : sids) Remove(sid, /*notify=*/true, reason, now_ms);
}

Participant* Room::FindBySid(const std::string& sid) {
  auto found = participants_.find(sid);
  return found == participants_.end() ? nullptr : found->second.get();
}

Participant* Room::FindByIdentity(const std::string& identity) {
  for (auto& [sid, participant] : participants_) {
    if (participant->identity() == identity) return participant.get();
  }
  return nullptr;
}

std::vector<Participant*> Room::participants() {
  std::vector<Participant*> all;
  for (auto& [sid, participant] : participants_) all.push_back(participant.get());
  return all;
}

void Room::Broadcast(const ParticipantDescription& changed, const std::string& except_sid) {
  for (auto& [sid, participant] : participants_) {
    if (sid == except_sid || participant->sink() == nullptr) continue;
    participant->sink()->SendParticipantUpdate({changed});
  }
}

void Room::OnTrackPublished(Participant* publisher, PublishedTrack* track) {
  // The publisher sees its own update through TrackPublishedResponse; others get the new track.
  if (!publisher->description().permissions.hidden)
    Broadcast(Snapshot(publisher), publisher->sid());
  for (auto& [sid, participant] : participants_) {
    if (participant.get() == publisher || !participant->auto_subscribe()) continue;
    Status subscribed = participant->Subscribe(publisher, track);
    if (!subscribed.ok()) {
      AURALINK_LOG(kInfo) << "room " << description_.name << ": " << participant->identity()
                          << " not subscribed to " << track->sid() << ": " << subscribed.message();
    }
  }
}

void Room::OnTrackUnpublished(Participant* publisher, PublishedTrack* track) {
  for (auto& [sid, participant] : participants_) {
    if (participant.get() != publisher) participant->Unsubscribe(track->sid());
  }
}

void Room::OnParticipantChanged(Participant* participant) {
  if (!participant->description().permissions.hidden)
    Broadcast(Snapshot(participant), participant->sid());
  if (participant->sink()) participant->sink()->SendParticipantUpdate({Snapshot(participant)});
}

void Room::OnAudioLevel(const std::string& participant_sid, int level_dbov, int64_t now_ms) {
  speakers_.OnAudioLevel(participant_sid, level_dbov, now_ms);
}

void Room::RouteData(const Participant* from, std::span<const uint8_t> bytes, bool reliable,
                     const std::vector<std::string>& destination_identities, uint32_t sequence) {
  if (from != nullptr && reliable && sequence > 0)
    reliable_history_.Add(from->sid(), sequence, bytes, destination_identities);
  for (auto& [sid, participant] : participants_) {
    if (participant.get() == from) continue;
    if (!destination_identities.empty() &&
        std::find(destination_identities.begin(), destination_identities.end(),
                  participant->identity()) == destination_identities.end()) {
      continue;
    }
    participant->SendData(bytes, reliable);
  }
}

size_t Room::ResendReliableData(Participant* subscriber, const std::string& publisher_sid,
                                uint32_t last_sequence) {
  if (subscriber == nullptr || subscriber->sid() == publisher_sid) return 0;
  const auto missed = reliable_history_.After(publisher_sid, last_sequence, subscriber->identity());
  for (const ReliableDataPacket* packet : missed) subscriber->ResendReliableData(packet->bytes);
  return missed.size();
}

void Room::Tick(int64_t now_ms, int64_t signal_timeout_ms) {
  departed_.clear();
  // Each participant ticks at its own phase (Participant::TickDue), so most are not due: find
  // those that are with the next ones' due times already on their way from memory.
  constexpr size_t kPrefetchAhead = 8;
  due_.clear();
  for (size_t i = 0; i < tick_order_.size(); ++i) {
    if (i + kPrefetchAhead < tick_order_.size()) tick_order_[i + kPrefetchAhead]->PrefetchTickDue();
    if (tick_order_[i]->TickDue(now_ms)) due_.push_back(tick_order_[i]);
  }
  if (signal_timeout_ms > 0) {
    std::vector<Participant*> vanished;
    for (Participant* participant : due_) {
      if (participant->Abandoned() || (participant->last_signal_ms() > 0 &&
                                       now_ms - participant->last_signal_ms() > signal_timeout_ms))
        vanished.push_back(participant);
    }
    for (Participant* participant : vanished) {
      std::erase(due_, participant);
      const std::string sid = participant->sid();
      AURALINK_LOG(kInfo) << "room " << description_.name << ": participant " << sid
                          << " went silent or hung up; removed";
      Remove(sid, /*notify=*/true, "signalling timed out", now_ms);
    }
  }
  for (Participant* participant : due_) participant->Tick(now_ms);
  std::vector<SpeakerLevel> changed;
  if (speakers_.Tick(now_ms, &changed)) {
    for (auto& [sid, participant] : participants_) {
      if (participant->sink()) participant->sink()->SendSpeakersChanged(changed);
    }
  }
}

bool Room::Expired(int64_t now_ms) const {
  if (!participants_.empty()) return false;
  if (ever_joined_ && last_departure_ms_ >= 0)
    return now_ms - last_departure_ms_ >= int64_t{description_.departure_timeout_s} * 1000;
  return now_ms - created_ms_ >= int64_t{description_.empty_timeout_s} * 1000;
}

}  // namespace auralink::sfu
