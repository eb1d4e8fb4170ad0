#include "signal/session/rtc_signalling.h"

#include <chrono>

#include "common/log.h"
#include "signal/api/room_control_messages.h"
#include "signal/protocol/livekit_rtc.pb.h"
#include "signal/protocol/signal_message.h"
#include "signal/protocol/wrapped_join_request.h"

namespace auralink::signal {
namespace {

constexpr int kProtocolVersion = 16;

int64_t WallSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
int64_t WallMilliseconds() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

sfu::TrackKind KindOf(livekit::TrackType type) {
  switch (type) {
    case livekit::AUDIO:
      return sfu::TrackKind::kAudio;
    case livekit::VIDEO:
      return sfu::TrackKind::kVideo;
    default:
      return sfu::TrackKind::kData;
  }
}

// One WebSocket: one participant's signalling.
class RtcSession : public sfu::SignalSink, public std::enable_shared_from_this<RtcSession> {
 public:
  RtcSession(sfu::RtcServer* rtc, std::shared_ptr<http::WebSocketConnection> socket,
             std::string room, const RtcSignallingOptions& options)
      : rtc_(rtc), socket_(std::move(socket)), room_(std::move(room)), options_(options) {}

  // The connection is gone without a leave request: the participant stays for a resume.
  ~RtcSession() override { DetachFromParticipant(); }

  // `v1`: the /rtc/v1 join request (one peer connection, the client's first offer and its tracks
  // inside); null for /rtc.
  Status Join(const ClaimGrants& grants, bool auto_subscribe, const livekit::JoinRequest* v1) {
    sfu::ParticipantDescription description;
    description.identity = grants.identity;
    description.name = grants.name;
    description.metadata = grants.metadata;
    const VideoGrant& grant = *grants.video;
    // LiveKit takes the join request's metadata where the token lets the participant set its own.
    if (v1 != nullptr && !v1->metadata().empty() && grant.CanUpdateOwnMetadata())
      description.metadata = v1->metadata();
    description.permissions.can_publish = grant.CanPublish();
    description.permissions.can_subscribe = grant.CanSubscribe();
    description.permissions.can_publish_data = grant.CanPublishData();
    description.permissions.can_update_metadata = grant.CanUpdateOwnMetadata();
    description.permissions.hidden = grant.hidden;
    // /rtc/v1 subscribes once the participant knows it has a single peer connection.
    auto participant = rtc_->Join(room_, description, this, auto_subscribe && v1 == nullptr);
    if (!participant.ok()) return participant.status();
    sid_ = (*participant)->sid();
    if (v1 != nullptr) {
      (*participant)->UseSinglePeerConnection();
      (*participant)->set_auto_subscribe(auto_subscribe);
    }

    livekit::SignalResponse response;
    livekit::JoinResponse* join = response.mutable_join();
    sfu::Room* room = rtc_->FindRoom(room_);
    *join->mutable_room() = RoomToProto(room->Describe());
    sfu::ParticipantDescription self = (*participant)->description();
    *join->mutable_participant() = ParticipantToProto(self);
    for (const sfu::ParticipantDescription& other : room->VisibleParticipants(sid_))
      *join->add_other_participants() = ParticipantToProto(other);
    join->set_server_version(options_.server_version);
    // With one peer connection the client's own (publisher) connection is the only one.
    join->set_subscriber_primary(v1 == nullptr && auto_subscribe && self.permissions.can_subscribe);
    join->set_ping_interval(options_.ping_interval_s);
    join->set_ping_timeout(options_.ping_timeout_s);
    livekit::ServerInfo* info = join->mutable_server_info();
    info->set_edition(livekit::ServerInfo::Standard);
    info->set_version(options_.server_version);
    info->set_protocol(kProtocolVersion);
    info->set_node_id(options_.node_id);
    Send(response);
    if (v1 != nullptr) {
      AURALINK_LOG(kInfo) << "signalling: " << grants.identity << " joined " << room_
                          << " over /rtc/v1 (single peer connection)";
      if (auto_subscribe) room->SubscribeToPublished(*participant);
      for (const livekit::AddTrackRequest& add : v1->add_track_requests()) AddTrack(add);
      // Answered with the tracks above on the offer's receive sections.
      if (v1->has_publisher_offer()) AnswerOffer(v1->publisher_offer());
      return Status::Ok();
    }
    // The subscriber connection comes up at once: it carries the server's data channels, and the
    // client waits for its primary connection before it reports the room connected.
    if (join->subscriber_primary()) (*participant)->NegotiateSubscriber();
    return Status::Ok();
  }

  // LiveKit's resume (reconnect=1&sid=...): re-attaches this connection to the participant the
  // client still is, answers with ReconnectResponse instead of JoinResponse, and restarts ICE on
  // the subscriber connection; the client restarts it on the publisher connection with its next
  // offer. NotFound when the participant is gone: the caller tells the client to join afresh.
  Status Resume(const ClaimGrants& grants, const std::string& participant_sid,
                const livekit::JoinRequest* v1) {
    sfu::Room* room = rtc_->FindRoom(room_);
    if (room == nullptr)
      return Status::Error(StatusCode::kNotFound, "room " + room_ + " no longer exists");
    const int64_t now_ms = net::EventLoop::NowMs();
    auto participant = room->Resume(participant_sid, grants.identity, this, now_ms);
    if (!participant.ok()) return participant.status();
    sid_ = participant_sid;
    // Reliable data that arrived while no connection was attached is routed first, so that
    // last_message_seq counts it.
    (*participant)->ReleaseHeldClientData();

    livekit::SignalResponse response;
    livekit::ReconnectResponse* reconnect = response.mutable_reconnect();
    // livekit-client keeps the reliable packets it sent and resends those above this sequence.
    reconnect->set_last_message_seq((*participant)->last_reliable_data_sequence());
    livekit::ServerInfo* info = reconnect->mutable_server_info();
    info->set_edition(livekit::ServerInfo::Standard);
    info->set_version(options_.server_version);
    info->set_protocol(kProtocolVersion);
    info->set_node_id(options_.node_id);
    Send(response);
    // What may have changed while the client was away, itself included (as LiveKit sends it).
    SendParticipantUpdate(room->VisibleParticipants(""));
    SendRoomUpdate(room->Describe());
    (*participant)->OnSignallingResumed(now_ms);
    if (v1 != nullptr) {
      if (v1->has_sync_state()) ApplySyncState(v1->sync_state());
      if (v1->has_publisher_offer()) AnswerOffer(v1->publisher_offer());
    }
    return Status::Ok();
  }

  // The first and only message to a resume that cannot be served: LeaveRequest with the RECONNECT
  // action, on which livekit-client gives up resuming and joins afresh.
  void RefuseResume(const std::string& why) {
    AURALINK_LOG(kInfo) << "signalling: resume refused: " << why;
    livekit::SignalResponse response;
    response.mutable_leave()->set_can_reconnect(true);
    response.mutable_leave()->set_reason(livekit::STATE_MISMATCH);
    response.mutable_leave()->set_action(livekit::LeaveRequest::RECONNECT);
    Send(response);
    if (auto socket = socket_.lock()) socket->Close(http::kCloseNormal, why);
  }

  void OnMessage(std::span<const uint8_t> bytes) {
    auto request = ParseSignalRequest(bytes);
    if (!request.ok()) {
      ++malformed_;
      AURALINK_LOG(kDebug) << "signalling: dropped a malformed request: "
                           << request.status().message();
      return;
    }
    sfu::Participant* self = participant();
    if (self == nullptr) return;
    const int64_t now_ms = net::EventLoop::NowMs();
    self->OnSignal(now_ms);
    switch (request->message_case()) {
      case livekit::SignalRequest::kOffer:
        AnswerOffer(request->offer());
        break;
      case livekit::SignalRequest::kAnswer: {
        Status handled = self->HandleSubscriberAnswer(request->answer().sdp(), now_ms);
        if (!handled.ok()) {
          AURALINK_LOG(kInfo) << "signalling: subscriber answer: " << handled.message();
        }
        break;
      }
      case livekit::SignalRequest::kTrickle:
        // ICE-lite: the browser's candidates are learned from its checks, not from signalling.
        break;
      case livekit::SignalRequest::kAddTrack:
        AddTrack(request->add_track());
        break;
      case livekit::SignalRequest::kMute:
        (void)self->SetTrackMuted(request->mute().sid(), request->mute().muted());
        break;
      case livekit::SignalRequest::kSubscription: {
        sfu::Room* room = rtc_->FindRoom(room_);
        for (const std::string& track_sid : request->subscription().track_sids()) {
          if (!request->subscription().subscribe()) {
            self->Unsubscribe(track_sid);
            continue;
          }
          for (sfu::Participant* other : room->participants()) {
            if (sfu::PublishedTrack* track = other->FindTrack(track_sid)) {
              (void)self->Subscribe(other, track);
            }
          }
        }
        break;
      }
      case livekit::SignalRequest::kTrackSetting: {
        const livekit::UpdateTrackSettings& settings = request->track_setting();
        for (const std::string& track_sid : settings.track_sids()) {
          (void)self->UpdateTrackSettings(track_sid, settings.disabled(),
                                          static_cast<int>(settings.width()),
                                          static_cast<int>(settings.height()));
        }
        break;
      }
      case livekit::SignalRequest::kLeave:
        Leave();
        if (auto socket = socket_.lock()) socket->Close(http::kCloseNormal, "left");
        break;
      case livekit::SignalRequest::kPing: {
        livekit::SignalResponse response;
        response.set_pong(request->ping());
        Send(response);
        break;
      }
      case livekit::SignalRequest::kPingReq: {
        livekit::SignalResponse response;
        response.mutable_pong_resp()->set_last_ping_timestamp(request->ping_req().timestamp());
        response.mutable_pong_resp()->set_timestamp(WallMilliseconds());
        Send(response);
        break;
      }
      case livekit::SignalRequest::kSyncState:
        ApplySyncState(request->sync_state());
        break;
      case livekit::SignalRequest::kUpdateMetadata: {
        if (!self->description().permissions.can_update_metadata) break;
        sfu::ParticipantUpdate update;
        update.metadata = request->update_metadata().metadata();
        update.name = request->update_metadata().name();
        (void)rtc_->UpdateParticipant(room_, self->identity(), update);
        break;
      }
      default:
        break;  // features AuraLink does not implement are ignored, as LiveKit ignores unknowns
    }
  }

  // A publisher offer (with a single peer connection also what the client receives): answered
  // with the same id, and with which track each receive section carries.
  void AnswerOffer(const livekit::SessionDescription& offer) {
    sfu::Participant* self = participant();
    if (self == nullptr) return;
    auto answer = self->HandlePublisherOffer(offer.sdp(), net::EventLoop::NowMs());
    if (!answer.ok()) {
      AURALINK_LOG(kInfo) << "signalling: publisher offer refused: " << answer.status().message();
      return;
    }
    livekit::SignalResponse response;
    response.mutable_answer()->set_type("answer");
    response.mutable_answer()->set_sdp(*answer);
    response.mutable_answer()->set_id(offer.id());
    if (self->single_peer_connection()) {
      for (const auto& [mid, track_sid] : self->SentTrackOfMid())
        (*response.mutable_answer()->mutable_mid_to_track_id())[mid] = track_sid;
    }
    Send(response);
  }

  void AddTrack(const livekit::AddTrackRequest& add) {
    sfu::Participant* self = participant();
    if (self == nullptr) return;
    sfu::PendingTrack pending;
    pending.cid = add.cid();
    pending.description.name = add.name();
    pending.description.kind = KindOf(add.type());
    pending.description.source = TrackSourceFromProto(add.source());
    pending.description.muted = add.muted();
    pending.description.width = static_cast<int>(add.width());
    pending.description.height = static_cast<int>(add.height());
    for (const livekit::VideoLayer& layer : add.layers()) {
      sfu::VideoLayerDescription described;
      described.quality = layer.quality();
      described.width = static_cast<int>(layer.width());
      described.height = static_cast<int>(layer.height());
      described.bitrate_bps = static_cast<int>(layer.bitrate());
      pending.description.layers.push_back(described);
    }
    pending.description.simulcast = add.layers_size() > 1;
    auto track = self->AddTrack(pending);
    if (!track.ok()) {
      AURALINK_LOG(kInfo) << "signalling: add track refused: " << track.status().message();
      return;
    }
    livekit::SignalResponse response;
    response.mutable_track_published()->set_cid(add.cid());
    *response.mutable_track_published()->mutable_track() = TrackToProto(*track);
    Send(response);
  }

  // A resumed client says, per publisher, the last reliable data sequence it received; what it
  // missed since is sent again from the room's history. The rest of SyncState (descriptions,
  // subscriptions) describes state the server kept across the resume.
  void ApplySyncState(const livekit::SyncState& sync_state) {
    sfu::Participant* self = participant();
    sfu::Room* room = rtc_->FindRoom(room_);
    if (self == nullptr || room == nullptr) return;
    size_t resent = 0;
    for (const livekit::DataChannelReceiveState& state : sync_state.datachannel_receive_states())
      resent += room->ResendReliableData(self, state.publisher_sid(), state.last_seq());
    if (resent > 0) {
      AURALINK_LOG(kInfo) << "signalling: " << self->identity() << " resumed; " << resent
                          << " reliable data packets sent again";
    }
  }

  void OnClosed() { DetachFromParticipant(); }

  // SignalSink.
  void SendParticipantUpdate(
      const std::vector<sfu::ParticipantDescription>& participants) override {
    livekit::SignalResponse response;
    for (const sfu::ParticipantDescription& participant : participants)
      *response.mutable_update()->add_participants() = ParticipantToProto(participant);
    Send(response);
  }
  void SendSpeakersChanged(const std::vector<sfu::SpeakerLevel>& speakers) override {
    livekit::SignalResponse response;
    for (const sfu::SpeakerLevel& speaker : speakers) {
      livekit::SpeakerInfo* info = response.mutable_speakers_changed()->add_speakers();
      info->set_sid(speaker.participant);
      info->set_level(static_cast<float>(speaker.level));
      info->set_active(speaker.active);
    }
    Send(response);
  }
  void SendSubscriberOffer(const std::string& sdp) override {
    livekit::SignalResponse response;
    response.mutable_offer()->set_type("offer");
    response.mutable_offer()->set_sdp(sdp);
    response.mutable_offer()->set_id(++offer_id_);
    Send(response);
  }
  void SendMediaSectionsRequirement(int audios, int videos) override {
    livekit::SignalResponse response;
    response.mutable_media_sections_requirement()->set_num_audios(static_cast<uint32_t>(audios));
    response.mutable_media_sections_requirement()->set_num_videos(static_cast<uint32_t>(videos));
    Send(response);
  }
  void SendTrackMuted(const std::string& track_sid, bool muted) override {
    livekit::SignalResponse response;
    response.mutable_mute()->set_sid(track_sid);
    response.mutable_mute()->set_muted(muted);
    Send(response);
  }
  void SendRoomUpdate(const sfu::RoomDescription& room) override {
    livekit::SignalResponse response;
    *response.mutable_room_update()->mutable_room() = RoomToProto(room);
    Send(response);
  }
  void SendLeave(const std::string& reason) override {
    livekit::SignalResponse response;
    response.mutable_leave()->set_can_reconnect(false);
    response.mutable_leave()->set_reason(reason == "duplicate identity"
                                             ? livekit::DUPLICATE_IDENTITY
                                         : reason == "room deleted" ? livekit::ROOM_DELETED
                                                                    : livekit::PARTICIPANT_REMOVED);
    response.mutable_leave()->set_action(livekit::LeaveRequest::DISCONNECT);
    Send(response);
    sid_.clear();  // the room already removed us
    if (auto socket = socket_.lock()) socket->Close(http::kCloseNormal, reason);
  }
  void OnSessionReplaced() override {
    sid_.clear();  // the participant now belongs to the resumed connection
    if (auto socket = socket_.lock()) socket->Close(http::kCloseNormal, "session resumed");
  }
  void SendSubscribedQualities(const std::string& track_sid,
                               const std::vector<bool>& wanted) override {
    // Dynacast: the publisher stops encoding layers nobody watches.
    livekit::SignalResponse response;
    livekit::SubscribedQualityUpdate* update = response.mutable_subscribed_quality_update();
    update->set_track_sid(track_sid);
    for (size_t quality = 0; quality < wanted.size(); ++quality) {
      livekit::SubscribedQuality* entry = update->add_subscribed_qualities();
      entry->set_quality(static_cast<livekit::VideoQuality>(quality));
      entry->set_enabled(wanted[quality]);
    }
    Send(response);
  }
  void OnDataFromClient(std::span<const uint8_t> bytes, bool reliable) override {
    sfu::Participant* self = participant();
    if (self == nullptr || !self->description().permissions.can_publish_data) return;
    auto packet = ParseDataPacket(bytes);
    if (!packet.ok()) {
      ++malformed_;
      return;
    }
    // A resumed client resends reliable packets above ReconnectResponse.last_message_seq; one
    // already forwarded (a replay racing the original) is not forwarded twice.
    const uint32_t sequence = reliable ? packet->sequence() : 0;
    if (!self->AcceptReliableDataSequence(sequence)) return;
    // The server stamps who sent it; clients cannot speak for others.
    packet->set_participant_identity(self->identity());
    packet->set_participant_sid(self->sid());
    std::vector<std::string> destinations(packet->destination_identities().begin(),
                                          packet->destination_identities().end());
    if (packet->has_user()) {
      packet->mutable_user()->set_participant_sid(self->sid());
      packet->mutable_user()->set_participant_identity(self->identity());
      for (const std::string& identity : packet->user().destination_identities())
        destinations.push_back(identity);
    }
    const std::vector<uint8_t> stamped = SerializeMessage(*packet);
    if (sfu::Room* room = rtc_->FindRoom(room_))
      room->RouteData(self, stamped, reliable, destinations, sequence);
  }

 private:
  sfu::Participant* participant() {
    if (sid_.empty()) return nullptr;
    sfu::Room* room = rtc_->FindRoom(room_);
    return room == nullptr ? nullptr : room->FindBySid(sid_);
  }
  void Send(const livekit::SignalResponse& response) {
    auto socket = socket_.lock();
    if (!socket || !socket->open()) return;
    socket->SendBinary(SerializeMessage(response));
  }
  // The client left (LeaveRequest): the participant goes now.
  void Leave() {
    if (sid_.empty()) return;
    const std::string sid = sid_;
    sid_.clear();
    rtc_->Leave(room_, sid);
  }
  // The connection ended without a leave: the participant waits for a resume; the signalling
  // timeout removes it if none comes (Room::Tick).
  void DetachFromParticipant() {
    if (sid_.empty()) return;
    sfu::Participant* self = participant();
    sid_.clear();
    if (self != nullptr && self->sink() == this) self->DetachSink();
  }

  sfu::RtcServer* rtc_;
  // Weak: the connection owns its callbacks, which own this session.
  std::weak_ptr<http::WebSocketConnection> socket_;
  std::string room_;
  RtcSignallingOptions options_;
  std::string sid_;
  uint32_t offer_id_ = 0;
  uint64_t malformed_ = 0;
};

http::HttpResponse Refusal(int status, const std::string& message) {
  return http::HttpResponse::Text(status, message);
}

}  // namespace

namespace {

// Where a verified /rtc connection's session runs: on the one RTC server, or on a worker.
using SessionPlacer = std::function<void(http::WebSocketUpgrade& upgrade, const std::string& room,
                                         RtcWorkerPool::SessionStarter start)>;

// `v1`: the decoded join_request of /rtc/v1; null for /rtc.
void StartSession(sfu::RtcServer* rtc, const std::shared_ptr<http::WebSocketConnection>& socket,
                  const ClaimGrants& grants, bool auto_subscribe, const std::string& resume_sid,
                  const livekit::JoinRequest* v1, const RtcSignallingOptions& options) {
  auto session = std::make_shared<RtcSession>(rtc, socket, grants.video->room, options);
  socket->set_message_callback(
      [session](http::WebSocketMessageType type, std::span<const uint8_t> payload) {
        if (type == http::WebSocketMessageType::kBinary) session->OnMessage(payload);
      });
  socket->set_close_callback([session](uint16_t, std::string_view) { session->OnClosed(); });
  if (!resume_sid.empty()) {
    Status resumed = session->Resume(grants, resume_sid, v1);
    if (!resumed.ok()) session->RefuseResume(resumed.message());
    return;
  }
  Status joined = session->Join(grants, auto_subscribe, v1);
  if (!joined.ok()) {
    AURALINK_LOG(kInfo) << "signalling: join refused: " << joined.message();
    livekit::SignalResponse response;
    response.mutable_leave()->set_reason(livekit::JOIN_FAILURE);
    socket->SendBinary(SerializeMessage(response));
    socket->Close(http::kCloseNormal, joined.message());
  }
}

// The checks /rtc and /rtc/v1 share: a verified token that may join a room, with an identity.
std::optional<ClaimGrants> AdmitUpgrade(const http::HttpRequest& request,
                                        const AccessTokenVerifier& verifier,
                                        http::WebSocketUpgrade& upgrade) {
  const std::optional<std::string> token = request.QueryParameter("access_token");
  if (!token) {
    upgrade.Reject(Refusal(401, "no access token"));
    return std::nullopt;
  }
  auto grants = verifier.Verify(*token, WallSeconds());
  if (!grants.ok()) {
    upgrade.Reject(Refusal(grants.error().HttpStatus(), grants.error().message));
    return std::nullopt;
  }
  if (!grants->video || !grants->video->room_join || grants->video->room.empty()) {
    upgrade.Reject(Refusal(403, "permissions denied: the token does not allow joining a room"));
    return std::nullopt;
  }
  if (grants->identity.empty()) {
    upgrade.Reject(Refusal(401, "the token has no identity"));
    return std::nullopt;
  }
  return std::move(grants).value();
}

void RegisterWithPlacer(http::HttpServer* server, const AccessTokenVerifier* verifier,
                        const RtcSignallingOptions& options, SessionPlacer place) {
  server->HandleWebSocket("/rtc", [verifier, options, place](const http::HttpRequest& request,
                                                             http::WebSocketUpgrade& upgrade) {
    if (request.path != "/rtc" && request.path != "/rtc/") {
      upgrade.Reject(Refusal(404, "not found"));
      return;
    }
    std::optional<ClaimGrants> grants = AdmitUpgrade(request, *verifier, upgrade);
    if (!grants) return;
    const bool auto_subscribe = request.QueryParameter("auto_subscribe").value_or("1") != "0";
    const std::string reconnect = request.QueryParameter("reconnect").value_or("");
    std::string resume_sid = request.QueryParameter("sid").value_or("");
    if (reconnect != "1" && reconnect != "true") resume_sid.clear();
    const std::string room = grants->video->room;
    place(upgrade, room,
          [grants = *grants, auto_subscribe, resume_sid, options](
              sfu::RtcServer* rtc, std::shared_ptr<http::WebSocketConnection> socket) {
            StartSession(rtc, socket, grants, auto_subscribe, resume_sid, nullptr, options);
          });
  });
  // LiveKit's v1 signalling (livekit-client's default since 2.x): everything /rtc takes as query
  // parameters arrives in one join_request, and the client uses a single peer connection.
  server->HandleWebSocket("/rtc/v1", [verifier, options, place](const http::HttpRequest& request,
                                                                http::WebSocketUpgrade& upgrade) {
    if (request.path != "/rtc/v1" && request.path != "/rtc/v1/") {
      upgrade.Reject(Refusal(404, "not found"));
      return;
    }
    std::optional<ClaimGrants> grants = AdmitUpgrade(request, *verifier, upgrade);
    if (!grants) return;
    const std::optional<std::string> parameter = request.QueryParameter("join_request");
    if (!parameter) {
      upgrade.Reject(Refusal(400, "join_request: missing"));
      return;
    }
    auto join_request = DecodeJoinRequestParameter(*parameter);
    if (!join_request.ok()) {
      upgrade.Reject(Refusal(400, join_request.status().message()));
      return;
    }
    auto v1 = std::make_shared<const livekit::JoinRequest>(std::move(*join_request));
    const bool auto_subscribe = v1->connection_settings().auto_subscribe();
    const std::string resume_sid = v1->reconnect() ? v1->participant_sid() : std::string();
    const std::string room = grants->video->room;
    place(upgrade, room,
          [grants = *grants, auto_subscribe, resume_sid, v1, options](
              sfu::RtcServer* rtc, std::shared_ptr<http::WebSocketConnection> socket) {
            StartSession(rtc, socket, grants, auto_subscribe, resume_sid, v1.get(), options);
          });
  });
}

}  // namespace

Status RegisterRtcSignalling(http::HttpServer* server, sfu::RtcServer* rtc,
                             const AccessTokenVerifier* verifier,
                             const RtcSignallingOptions& options) {
  if (server == nullptr || rtc == nullptr || verifier == nullptr)
    return Status::Error("RTC signalling: missing server, RTC server or token verifier");
  RegisterWithPlacer(server, verifier, options,
                     [rtc](http::WebSocketUpgrade& upgrade, const std::string&,
                           RtcWorkerPool::SessionStarter start) {
                       if (std::shared_ptr<http::WebSocketConnection> socket = upgrade.Accept())
                         start(rtc, std::move(socket));
                     });
  return Status::Ok();
}

Status RegisterRtcSignalling(http::HttpServer* server, RtcWorkerPool* pool,
                             const AccessTokenVerifier* verifier,
                             const RtcSignallingOptions& options) {
  if (server == nullptr || pool == nullptr || verifier == nullptr)
    return Status::Error("RTC signalling: missing server, worker pool or token verifier");
  RegisterWithPlacer(server, verifier, options,
                     [pool](http::WebSocketUpgrade& upgrade, const std::string& room,
                            RtcWorkerPool::SessionStarter start) {
                       pool->AcceptSession(upgrade, room, std::move(start));
                     });
  return Status::Ok();
}

}  // namespace auralink::signal
