#include "sfu/participant.h"

#include <algorithm>
#include <array>
#include <set>

#include "common/log.h"
#include "net/event_loop.h"
#include "rtc/rtcp/full_intra_request.h"
#include "rtc/rtcp/generic_nack.h"
#include "rtc/rtcp/picture_loss_indication.h"
#include "rtc/rtcp/receiver_report.h"
#include "rtc/rtcp/rtcp_packet.h"
#include "rtc/rtcp/sender_report.h"
#include "rtc/rtp/rtx.h"
#include "rtc/sdp/session_description.h"
#include "sfu/room.h"

namespace auralink::sfu {
namespace {

constexpr int64_t kTransportFeedbackIntervalMs = 100;
// RFC 3550 §6.2 leaves the interval to the profile; browsers report about once a second.
constexpr int64_t kReceiverReportIntervalMs = 1000;
// Publishers send a sender report about once a second per stream; forwarding soon after keeps
// subscribers' lip sync current.
constexpr int64_t kSenderReportForwardIntervalMs = 200;
constexpr int64_t kLayerSelectionIntervalMs = 500;
// How often a participant with nothing time-critical is ticked (Participant::TickDue).
constexpr int64_t kIdleTickIntervalMs = 100;
constexpr int64_t kAudioReserveBps = 64'000;
constexpr size_t kRtcpBufferSize = 1500;
constexpr int64_t kProbeIntervalMs = 3000;
// After each failed probe the next waits twice as long, up to this: on a path that is full, every
// probe costs the media it displaces.
constexpr int64_t kMaxProbeIntervalMs = 6000;
constexpr int64_t kProbeDurationMs = 1200;
// No probe starts while the last loss evaluation saw more than kProbeStartMaxLoss (where the
// loss-based controller stops growing the rate), and a running probe stops when its feedback shows
// more than kProbeAbortLoss (where that controller cuts it). Delay alone does not stop a probe: a
// busy machine's loopback shows overuse that is not a full path, and the probe is judged on it at
// its end anyway.
constexpr double kProbeStartMaxLoss = 0.02;
constexpr double kProbeAbortLoss = 0.10;
// The acknowledged rate is a 500 ms window: judged this soon after the end, it covers mostly the
// probe itself.
constexpr int64_t kProbeSettleMs = 150;
// Reliable data held while the signalling is away (a resume normally follows within seconds).
constexpr size_t kMaxHeldClientMessages = 256;
constexpr size_t kMaxHeldClientBytes = 1 << 20;
// Single peer connection: a MediaSectionsRequirement the browser has not answered with an offer
// in this long is sent again (livekit-client folds requests into one negotiation).
constexpr int64_t kReceiveSectionRequestRetryMs = 3000;

}  // namespace

Participant::Participant(Room* room, ParticipantDescription description, SignalSink* sink,
                         const ParticipantEnvironment* environment)
    : room_(room), description_(std::move(description)), sink_(sink), environment_(environment) {
  rtcp_ssrc_ = environment_->make_ssrc();
  idle_tick_phase_ms_ = static_cast<int64_t>(rtcp_ssrc_ % kIdleTickIntervalMs);
}

Participant::~Participant() { Close(); }

WebRtcTransport* Participant::downstream_transport() const {
  return single_peer_connection_ ? publisher_.get() : subscriber_.get();
}

bool Participant::connected() const {
  auto is_up = [](const std::unique_ptr<WebRtcTransport>& transport) {
    return transport && transport->state() == WebRtcTransportState::kConnected;
  };
  return is_up(publisher_) || is_up(subscriber_);
}

bool Participant::Abandoned() const {
  if (sink_ != nullptr || (!publisher_ && !subscriber_)) return false;
  auto closed = [](const std::unique_ptr<WebRtcTransport>& transport) {
    return !transport || transport->state() == WebRtcTransportState::kClosed;
  };
  return closed(publisher_) && closed(subscriber_);
}

Status Participant::RestartIce(WebRtcTransport* transport) {
  // Not unregistered first: the router keeps sending the peer's packets from its current address
  // (and checks with the old ufrag) to the transport while the peer learns the new credentials.
  const WebRtcTransportConfig fresh = NewTransportConfig();
  AURALINK_RETURN_IF_ERROR(transport->RestartIce(fresh.local_ufrag, fresh.local_pwd));
  environment_->register_transport(transport);
  return Status::Ok();
}

void Participant::OnSignallingResumed(int64_t now_ms) {
  now_ms_ = now_ms;
  OnSignal(now_ms);
  subscriber_offer_outstanding_ = false;
  if (!subscriber_) return;
  if (Status restarted = RestartIce(subscriber_.get()); !restarted.ok()) {
    AURALINK_LOG(kWarning) << "participant " << description_.identity
                           << ": subscriber ICE restart: " << restarted.message();
  }
  NegotiateSubscriber();
}

LocalTransportDescription Participant::LocalDescription(const WebRtcTransport& transport) const {
  LocalTransportDescription local;
  local.ice_ufrag = transport.local_ufrag();
  local.ice_pwd = transport.local_pwd();
  local.fingerprint = environment_->certificate->fingerprint().ToSdp();
  // A transport with a port of its own (RtcServer's port range) names it in its own candidates.
  local.candidates = transport.local_candidates().empty() ? environment_->candidates
                                                          : transport.local_candidates();
  return local;
}

WebRtcTransportConfig Participant::NewTransportConfig() const {
  WebRtcTransportConfig config;
  config.certificate = environment_->certificate;
  config.local_ufrag = environment_->make_id("");
  config.local_pwd = environment_->make_id("") + environment_->make_id("");
  config.data_channels = true;
  return config;
}

Status Participant::EnsurePublisherTransport() {
  if (publisher_) return Status::Ok();
  WebRtcTransportCallbacks callbacks;
  callbacks.send_packet = environment_->send_packet;
  callbacks.on_rtp = [this](uint8_t* data, size_t size, int64_t now_ms) {
    OnPublisherRtp(data, size, now_ms);
  };
  callbacks.on_rtcp = [this](uint8_t* data, size_t size, int64_t now_ms) {
    OnPublisherRtcp(data, size, now_ms);
    // One connection both ways: feedback about what we send (NACK, PLI, transport-wide CC).
    if (single_peer_connection_) OnSubscriberRtcp(data, size, now_ms);
  };
  callbacks.on_data = [this](uint16_t channel, std::span<const uint8_t> bytes, bool) {
    last_activity_ms_ = now_ms_;
    std::optional<uint16_t> lossy = publisher_->FindDataChannel("_lossy");
    OnDataFromClient(bytes, !(lossy && *lossy == channel));
  };
  auto transport = WebRtcTransport::Create(NewTransportConfig(), callbacks);
  if (!transport.ok()) return transport.status();
  publisher_ = std::move(*transport);
  // The browser's ids replace these once its first offer is read (HandlePublisherOffer).
  if (single_peer_connection_)
    sender_ = std::make_unique<SubscriberSender>(publisher_.get(), SubscriberExtensionIds());
  environment_->register_transport(publisher_.get());
  return Status::Ok();
}

Status Participant::EnsureSubscriberTransport() {
  if (subscriber_) return Status::Ok();
  WebRtcTransportCallbacks callbacks;
  callbacks.send_packet = environment_->send_packet;
  callbacks.on_rtcp = [this](uint8_t* data, size_t size, int64_t now_ms) {
    OnSubscriberRtcp(data, size, now_ms);
  };
  auto transport = WebRtcTransport::Create(NewTransportConfig(), callbacks);
  if (!transport.ok()) return transport.status();
  subscriber_ = std::move(*transport);
  sender_ = std::make_unique<SubscriberSender>(subscriber_.get(), SubscriberExtensionIds());
  environment_->register_transport(subscriber_.get());
  return Status::Ok();
}

StatusOr<TrackDescription> Participant::AddTrack(const PendingTrack& track) {
  if (!description_.permissions.can_publish)
    return Status::Error(StatusCode::kPermissionDenied, "participant may not publish");
  for (const PendingTrack& pending : pending_tracks_) {
    if (pending.cid == track.cid)
      return Status::Error(StatusCode::kAlreadyExists, "track " + track.cid + " already announced");
  }
  PendingTrack pending = track;
  pending.description.sid = environment_->make_id("TR_");
  pending_tracks_.push_back(pending);
  return pending.description;
}

StatusOr<std::string> Participant::HandlePublisherOffer(const std::string& sdp, int64_t now_ms) {
  now_ms_ = now_ms;
  last_activity_ms_ = now_ms;
  auto offer = rtc::SessionDescription::Parse(sdp);
  if (!offer.ok()) return Status::Error(StatusCode::kInvalidArgument, offer.status().message());
  AURALINK_RETURN_IF_ERROR(EnsurePublisherTransport());
  // RFC 8839 §4.4: new remote credentials in an offer restart ICE; the answer restarts ours too.
  if (auto remote = ReadRemoteTransport(*offer); remote.ok()) {
    if (!publisher_remote_ufrag_.empty() && remote->ice_ufrag != publisher_remote_ufrag_)
      AURALINK_RETURN_IF_ERROR(RestartIce(publisher_.get()));
    publisher_remote_ufrag_ = remote->ice_ufrag;
  }
  auto negotiation = AnswerPublisherOffer(*offer, LocalDescription(*publisher_));
  if (!negotiation.ok())
    return Status::Error(StatusCode::kInvalidArgument, negotiation.status().message());
  const RemoteTransportDescription& remote = negotiation->remote;
  AURALINK_RETURN_IF_ERROR(publisher_->SetRemoteParameters(
      remote.ice_ufrag, remote.ice_pwd, remote.fingerprint, now_ms, remote.sctp_port,
      remote.max_message_size, remote.data_channel));
  for (const PublishedMedia& media : negotiation->media) {
    for (const auto& [uri, id] : media.extensions)
      publisher_ids_.Register(static_cast<uint8_t>(id), uri);
    if (!media.sending) continue;
    const bool known = std::any_of(tracks_.begin(), tracks_.end(), [&](const auto& entry) {
      return entry.second->media().mid == media.mid;
    });
    if (known) continue;
    // The offer names the track by its MediaStreamTrack id, which AddTrackRequest sent as cid.
    auto pending = std::find_if(pending_tracks_.begin(), pending_tracks_.end(),
                                [&](const PendingTrack& p) { return p.cid == media.track_id; });
    if (pending == pending_tracks_.end()) {
      const TrackKind kind =
          media.kind == MediaKind::kAudio ? TrackKind::kAudio : TrackKind::kVideo;
      pending = std::find_if(pending_tracks_.begin(), pending_tracks_.end(),
                             [&](const PendingTrack& p) { return p.description.kind == kind; });
    }
    if (pending == pending_tracks_.end()) {
      AURALINK_LOG(kInfo) << "participant " << description_.identity << ": media section "
                          << media.mid << " has no announced track; ignored";
      continue;
    }
    TrackDescription track = pending->description;
    pending_tracks_.erase(pending);
    track.mid = media.mid;
    if (!media.codecs.empty()) {
      track.mime_type =
          std::string(media.kind == MediaKind::kAudio ? "audio/" : "video/") + media.codecs[0].name;
    }
    auto published = std::make_unique<PublishedTrack>(track, media);
    PublishedTrack* raw = published.get();
    tracks_[track.sid] = std::move(published);
    description_.is_publisher = true;
    ++description_.version;
    room_->OnTrackPublished(this, raw);
  }
  if (single_peer_connection_)
    AnswerSubscriptions(*offer, negotiation->media, &negotiation->answer);
  return negotiation->answer.ToString();
}

void Participant::AnswerSubscriptions(const rtc::SessionDescription& offer,
                                      const std::vector<PublishedMedia>& media,
                                      rtc::SessionDescription* answer) {
  subscriber_offer_outstanding_ = false;
  receive_sections_.clear();
  for (const PublishedMedia& section : media) {
    // Sections the browser publishes on stay its own, even if it would also receive there.
    if (section.receiving && !section.sending) receive_sections_[section.mid] = section.kind;
  }
  receive_sections_known_ = true;
  if (const std::map<std::string, int> ids = ReceiveExtensionIds(media); !ids.empty())
    sender_->SetExtensionIds(ids);

  // A subscription keeps its section while the browser still offers to receive on it; the rest
  // take free sections of their kind, in the order the browser offered them.
  std::map<std::string, Subscription*> by_mid;
  for (auto& [key, subscription] : down_tracks_) {
    if (subscription.mid.empty()) continue;
    auto section = receive_sections_.find(subscription.mid);
    if (section != receive_sections_.end() && section->second == subscription.media.kind &&
        !by_mid.count(subscription.mid)) {
      by_mid[subscription.mid] = &subscription;
      continue;
    }
    if (subscription.attached && subscription.track) subscription.track->RemoveDownTrack(sid());
    subscription.attached = false;
    subscription.mid.clear();
  }
  bool unplaced = false;
  for (auto& [key, subscription] : down_tracks_) {
    if (!subscription.mid.empty()) continue;
    for (const auto& [mid, kind] : receive_sections_) {
      if (kind != subscription.media.kind || by_mid.count(mid)) continue;
      subscription.mid = mid;
      subscription.media.mid = mid;
      by_mid[mid] = &subscription;
      break;
    }
    unplaced |= subscription.mid.empty();
  }
  std::vector<SubscribedMedia> sending;
  for (const auto& [mid, subscription] : by_mid) sending.push_back(subscription->media);
  sent_track_of_mid_.clear();
  for (const SentSection& sent : AnswerReceiveSections(offer, sending, answer)) {
    Subscription* subscription = by_mid[sent.mid];
    std::array<int16_t, 128> payload_type_of = DownTrackConfig::MakeNoRtxMap();
    std::array<int16_t, 128> rtx_payload_type_of = DownTrackConfig::MakeNoRtxMap();
    for (const auto& [from, to] : sent.payload_type_of) {
      if (from >= 0 && from < 128)
        payload_type_of[static_cast<size_t>(from)] = static_cast<int16_t>(to);
    }
    for (const auto& [media_type, rtx_type] : sent.rtx_payload_type_of) {
      if (media_type >= 0 && media_type < 128)
        rtx_payload_type_of[static_cast<size_t>(media_type)] = static_cast<int16_t>(rtx_type);
    }
    subscription->down->SetPayloadTypes(payload_type_of, rtx_payload_type_of);
    if (!subscription->attached && subscription->track) {
      subscription->track->AddDownTrack(sid(), subscription->down.get());
      subscription->attached = true;
    }
    sent_track_of_mid_[sent.mid] = subscription->media.track_id;
  }
  for (const auto& [mid, subscription] : by_mid) {
    if (!sent_track_of_mid_.count(mid)) {
      AURALINK_LOG(kInfo) << "participant " << description_.identity << ": no codec in section "
                          << mid << " for track " << subscription->media.track_id;
    }
  }
  if (unplaced) {
    subscriber_negotiation_pending_ = true;
    next_tick_ms_ = 0;
  }
}

std::map<std::string, std::string> Participant::SentTrackOfMid() const {
  return sent_track_of_mid_;
}

void Participant::RequestReceiveSections(int64_t now_ms) {
  // What is not on a section yet, against the sections nobody uses.
  std::map<MediaKind, int> unplaced;
  std::map<MediaKind, int> free_sections;
  std::set<std::string> used;
  for (const auto& [key, subscription] : down_tracks_) {
    if (subscription.mid.empty()) {
      ++unplaced[subscription.media.kind];
    } else {
      used.insert(subscription.mid);
    }
  }
  for (const auto& [mid, kind] : receive_sections_) {
    if (!used.count(mid)) ++free_sections[kind];
  }
  // A section the last answer sent on whose track went away is answered inactive next time.
  bool stale = false;
  for (const auto& [mid, track_sid] : sent_track_of_mid_) stale |= !used.count(mid);
  if (unplaced.empty() && !stale) return;
  const int audios = std::max(0, unplaced[MediaKind::kAudio] - free_sections[MediaKind::kAudio]);
  const int videos = std::max(0, unplaced[MediaKind::kVideo] - free_sections[MediaKind::kVideo]);
  subscriber_offer_outstanding_ = true;
  subscriber_offer_sent_ms_ = now_ms;
  sink_->SendMediaSectionsRequirement(audios, videos);
}

Status Participant::HandleSubscriberAnswer(const std::string& sdp, int64_t now_ms) {
  now_ms_ = now_ms;
  last_activity_ms_ = now_ms;
  if (!subscriber_) return Status::Error(StatusCode::kInvalidArgument, "no subscriber offer sent");
  // Whatever the answer says, the offer is answered: a bad answer must not block later offers.
  subscriber_offer_outstanding_ = false;
  auto answer = rtc::SessionDescription::Parse(sdp);
  if (!answer.ok()) return Status::Error(StatusCode::kInvalidArgument, answer.status().message());
  auto read = ReadSubscriberAnswer(*answer);
  if (!read.ok()) return Status::Error(StatusCode::kInvalidArgument, read.status().message());
  return subscriber_->SetRemoteParameters(read->remote.ice_ufrag, read->remote.ice_pwd,
                                          read->remote.fingerprint, now_ms, read->remote.sctp_port,
                                          read->remote.max_message_size, read->remote.data_channel);
}

Status Participant::SetTrackMuted(const std::string& track_sid, bool muted) {
  PublishedTrack* track = FindTrack(track_sid);
  if (track == nullptr) {
    for (PendingTrack& pending : pending_tracks_) {
      if (pending.description.sid == track_sid) {
        pending.description.muted = muted;
        return Status::Ok();
      }
    }
    return Status::Error(StatusCode::kNotFound, "track " + track_sid + " not found");
  }
  if (track->muted() == muted) return Status::Ok();
  track->SetMuted(muted);
  ++description_.version;
  room_->OnParticipantChanged(this);
  return Status::Ok();
}

Status Participant::UnpublishTrack(const std::string& track_sid) {
  auto found = tracks_.find(track_sid);
  if (found == tracks_.end())
    return Status::Error(StatusCode::kNotFound, "track " + track_sid + " not found");
  std::unique_ptr<PublishedTrack> track = std::move(found->second);
  tracks_.erase(found);
  for (auto it = ssrc_to_layer_.begin(); it != ssrc_to_layer_.end();) {
    it = it->second.first == track.get() ? ssrc_to_layer_.erase(it) : std::next(it);
  }
  room_->OnTrackUnpublished(this, track.get());
  description_.is_publisher = !tracks_.empty();
  ++description_.version;
  room_->OnParticipantChanged(this);
  return Status::Ok();
}

Status Participant::UpdateTrackSettings(const std::string& track_sid, bool disabled, int width,
                                        int height) {
  auto found = down_tracks_.find(track_sid);
  if (found == down_tracks_.end())
    return Status::Error(StatusCode::kNotFound, "not subscribed to " + track_sid);
  found->second.disabled = disabled;
  found->second.down->SetPaused(disabled);
  found->second.down->SetRequestedSize(width, height);
  last_layer_selection_ms_ = 0;  // apply at the next tick
  return Status::Ok();
}

Status Participant::Subscribe(Participant* publisher, PublishedTrack* track) {
  if (!description_.permissions.can_subscribe)
    return Status::Error(StatusCode::kPermissionDenied, "participant may not subscribe");
  if (down_tracks_.count(track->sid())) return Status::Ok();
  AURALINK_RETURN_IF_ERROR(single_peer_connection_ ? EnsurePublisherTransport()
                                                   : EnsureSubscriberTransport());
  const PublishedMedia& media = track->media();
  DownTrackConfig config;
  config.kind = media.kind;
  config.codec = track->codec();
  config.clock_rate = track->clock_rate();
  config.ssrc = environment_->make_ssrc();
  bool has_rtx = false;
  for (const NegotiatedCodec& codec : media.codecs) {
    if (codec.rtx_payload_type >= 0 && codec.payload_type < 128) {
      config.rtx_payload_type_of[static_cast<size_t>(codec.payload_type)] =
          static_cast<int16_t>(codec.rtx_payload_type);
      has_rtx = true;
    }
  }
  if (has_rtx && media.kind == MediaKind::kVideo) config.rtx_ssrc = environment_->make_ssrc();
  // A single peer connection's section is the browser's, known once an answer places the track.
  if (!single_peer_connection_) config.mid = std::to_string(next_mid_++);
  auto down = DownTrack::Create(config, sender_.get(), &track->extension_ids(), track);
  if (!down.ok()) return down.status();

  Subscription subscription;
  subscription.down = std::move(*down);
  subscription.track = track;
  subscription.publisher_sid = publisher->sid();
  subscription.mid = config.mid;
  subscription.media.mid = config.mid;
  subscription.media.kind = media.kind;
  subscription.media.codecs = media.codecs;
  if (config.rtx_ssrc == 0) {
    for (NegotiatedCodec& codec : subscription.media.codecs) codec.rtx_payload_type = -1;
  }
  subscription.media.ssrc = config.ssrc;
  subscription.media.rtx_ssrc = config.rtx_ssrc;
  subscription.media.stream_id = publisher->sid() + "|" + track->sid();
  subscription.media.track_id = track->sid();
  subscription.media.cname = publisher->sid();
  auto selector = SimulcastLayerSelector::Create({});
  if (selector.ok()) subscription.selector = std::move(*selector);
  subscription.down->SetPaused(track->muted());
  if (!single_peer_connection_) {
    track->AddDownTrack(sid(), subscription.down.get());
    subscription.attached = true;
    subscriber_mids_.push_back(config.mid);
  }
  down_tracks_[track->sid()] = std::move(subscription);
  sender_reports_settled_ = false;
  last_layer_selection_ms_ = 0;
  // Offered at the next tick: after the join response, and once for a batch of subscriptions.
  subscriber_negotiation_pending_ = true;
  next_tick_ms_ = 0;  // offer on the next server tick
  return Status::Ok();
}

void Participant::Unsubscribe(const std::string& track_sid) {
  auto found = down_tracks_.find(track_sid);
  if (found == down_tracks_.end()) return;
  if (found->second.track && found->second.attached) found->second.track->RemoveDownTrack(sid());
  if (single_peer_connection_) {
    // Its section (the browser's) is answered inactive, or given to another track, next time.
    down_tracks_.erase(found);
    subscriber_negotiation_pending_ = true;
    next_tick_ms_ = 0;
    return;
  }
  // The media section stays (m-lines are never removed, RFC 8829 §5.2.2), inactive.
  found->second.track = nullptr;
  found->second.media.active = false;
  found->second.down.reset();
  Subscription inactive = std::move(found->second);
  down_tracks_.erase(found);
  down_tracks_["~" + inactive.mid] = std::move(inactive);
  subscriber_negotiation_pending_ = true;
  next_tick_ms_ = 0;  // offer on the next server tick
}

void Participant::NegotiateSubscriber() {
  if (closed_ || !sink_) return;
  if (single_peer_connection_) {
    // The browser offers; until its first offer there is nothing to ask for.
    subscriber_negotiation_pending_ = false;
    if (!receive_sections_known_) return;
    if (subscriber_offer_outstanding_ &&
        now_ms_ - subscriber_offer_sent_ms_ < kReceiveSectionRequestRetryMs) {
      subscriber_negotiation_pending_ = true;
      return;
    }
    RequestReceiveSections(now_ms_);
    return;
  }
  if (Status created = EnsureSubscriberTransport(); !created.ok()) {
    AURALINK_LOG(kWarning) << "participant " << description_.identity
                           << ": subscriber connection: " << created.message();
    return;
  }
  if (subscriber_offer_outstanding_) {
    subscriber_negotiation_pending_ = true;
    next_tick_ms_ = 0;  // offer on the next server tick
    return;
  }
  subscriber_negotiation_pending_ = false;
  std::vector<SubscribedMedia> sections;
  for (const std::string& mid : subscriber_mids_) {
    for (const auto& [key, subscription] : down_tracks_) {
      if (subscription.mid == mid) sections.push_back(subscription.media);
    }
  }
  const rtc::SessionDescription offer = BuildSubscriberOffer(
      LocalDescription(*subscriber_), sections, /*data_channel=*/true, subscriber_offer_version_++);
  subscriber_offer_outstanding_ = true;
  sink_->SendSubscriberOffer(offer.ToString());
}

void Participant::SendData(std::span<const uint8_t> bytes, bool reliable) {
  WebRtcTransport* transport = downstream_transport();
  if (transport == nullptr) return;
  std::optional<uint16_t> channel = transport->FindDataChannel(reliable ? "_reliable" : "_lossy");
  if (!channel) return;
  (void)transport->SendData(*channel, bytes, /*binary=*/true);
}

void Participant::ResendReliableData(std::span<const uint8_t> bytes) {
  ++data_counters_.resent;
  SendData(bytes, /*reliable=*/true);
}

void Participant::OnDataFromClient(std::span<const uint8_t> bytes, bool reliable) {
  if (sink_ != nullptr) {
    sink_->OnDataFromClient(bytes, reliable);
    return;
  }
  if (!reliable) return;
  if (held_client_data_.size() >= kMaxHeldClientMessages ||
      held_client_data_bytes_ + bytes.size() > kMaxHeldClientBytes) {
    // Not counted as received, so the client resends it after the resume if it still can.
    ++data_counters_.held_dropped;
    return;
  }
  ++data_counters_.held;
  held_client_data_.emplace_back(bytes.begin(), bytes.end());
  held_client_data_bytes_ += bytes.size();
}

void Participant::ReleaseHeldClientData() {
  while (sink_ != nullptr && !held_client_data_.empty()) {
    const std::vector<uint8_t> message = std::move(held_client_data_.front());
    held_client_data_.pop_front();
    held_client_data_bytes_ -= message.size();
    sink_->OnDataFromClient(message, /*reliable=*/true);
  }
}

bool Participant::AcceptReliableDataSequence(uint32_t sequence) {
  if (sequence == 0) return true;
  if (sequence <= last_reliable_data_sequence_) {
    ++data_counters_.reliable_duplicates;
    return false;
  }
  last_reliable_data_sequence_ = sequence;
  return true;
}

void Participant::LimitSubscriberBandwidth(int kbps) {
  if (sender_) sender_->SetBandwidthCap(kbps);
}

PublishedTrack* Participant::FindTrack(const std::string& sid) {
  auto found = tracks_.find(sid);
  return found == tracks_.end() ? nullptr : found->second.get();
}

const DownTrack* Participant::FindDownTrack(const std::string& track_sid) const {
  auto found = down_tracks_.find(track_sid);
  return found == down_tracks_.end() ? nullptr : found->second.down.get();
}

void Participant::OnPublisherRtp(uint8_t* data, size_t size, int64_t now_ms) {
  now_ms_ = now_ms;
  last_activity_ms_ = now_ms;
  rtc::RtpPacket packet;
  if (rtc::RtpPacket::Parse({data, size}, &packet) != rtc::RtpParseError::kOk) return;
  const int64_t arrival_us = net::EventLoop::NowUs();

  if (auto value =
          packet.FindExtension(rtc::RtpExtensionType::kTransportSequenceNumber, publisher_ids_)) {
    if (auto sequence = rtc::TransportSequenceNumber::Parse(*value))
      twcc_.OnPacket(*sequence, arrival_us, packet.ssrc());
  }

  PublishedTrack* track = nullptr;
  int layer = -1;
  bool is_rtx = false;
  auto known = ssrc_to_layer_.find(packet.ssrc());
  if (known != ssrc_to_layer_.end()) {
    track = known->second.first;
    layer = known->second.second;
    is_rtx = track->layers()[static_cast<size_t>(layer)].rtx_ssrc == packet.ssrc();
  } else {
    std::string_view mid, rid, repaired;
    if (auto value = packet.FindExtension(rtc::RtpExtensionType::kMid, publisher_ids_))
      mid = rtc::RtpStringExtension::Parse(*value).value_or("");
    if (auto value = packet.FindExtension(rtc::RtpExtensionType::kRtpStreamId, publisher_ids_))
      rid = rtc::RtpStringExtension::Parse(*value).value_or("");
    if (auto value =
            packet.FindExtension(rtc::RtpExtensionType::kRepairedRtpStreamId, publisher_ids_))
      repaired = rtc::RtpStringExtension::Parse(*value).value_or("");
    for (auto& [track_sid, candidate] : tracks_) {
      const bool ssrc_signalled =
          std::find(candidate->media().ssrcs.begin(), candidate->media().ssrcs.end(),
                    packet.ssrc()) != candidate->media().ssrcs.end();
      bool rtx_signalled = false;
      for (const auto& [media_ssrc, rtx_ssrc] : candidate->media().rtx_ssrc_of)
        rtx_signalled |= rtx_ssrc == packet.ssrc();
      if (!ssrc_signalled && !rtx_signalled && (mid.empty() || candidate->media().mid != mid))
        continue;
      if (rtx_signalled) repaired = candidate->layers()[0].rid;
      layer = candidate->ResolveLayer(packet.ssrc(), rid, repaired, &is_rtx);
      if (rtx_signalled) is_rtx = true;
      if (layer >= 0) {
        track = candidate.get();
        if (rtx_signalled) candidate->layers()[static_cast<size_t>(layer)].rtx_ssrc = packet.ssrc();
        ssrc_to_layer_[packet.ssrc()] = {track, layer};
        break;
      }
    }
    if (track == nullptr) return;  // not (yet) attributable: dropped
  }

  bool recovered = false;
  if (is_rtx) {
    const PublishedLayer& media_layer = track->layers()[static_cast<size_t>(layer)];
    int original_payload_type = -1;
    for (const NegotiatedCodec& codec : track->media().codecs) {
      if (codec.rtx_payload_type == packet.payload_type())
        original_payload_type = codec.payload_type;
    }
    if (original_payload_type < 0 || media_layer.ssrc == 0) return;
    if (!rtc::UnwrapRtxInPlace(&packet, media_layer.ssrc,
                               static_cast<uint8_t>(original_payload_type)))
      return;  // padding-only probe
    recovered = true;
  }
  if (track->kind() == MediaKind::kAudio) {
    if (auto value = packet.FindExtension(rtc::RtpExtensionType::kAudioLevel, publisher_ids_)) {
      if (auto level = rtc::AudioLevel::Parse(*value); level && !track->muted())
        room_->OnAudioLevel(sid(), level->level_dbov, now_ms);
    }
  }
  std::span<const uint16_t> nacks = track->OnRtp(packet, layer, recovered, now_ms, arrival_us);
  if (!nacks.empty()) SendNack(track->LayerSsrc(layer), nacks);
}

void Participant::OnPublisherRtcp(uint8_t* data, size_t size, int64_t now_ms) {
  last_activity_ms_ = now_ms;
  const int64_t now_us = net::EventLoop::NowUs();
  // Only sender reports matter here; receiver reports about what we send on this connection
  // (nothing) and the rest are ignored.
  rtc::ForEachSenderReport({data, size}, [&](const rtc::SenderReport& report) {
    auto known = ssrc_to_layer_.find(report.sender_ssrc);
    if (known == ssrc_to_layer_.end()) return;
    auto [track, layer] = known->second;
    // RTX streams have reports of their own, about nothing a subscriber sees.
    if (track->LayerSsrc(layer) != report.sender_ssrc) return;
    track->OnSenderReport(layer, report, now_ms, now_us);
    room_->OnSenderReport();
  });
}

void Participant::SendReceiverReports(int64_t now_us) {
  rtc::ReceiverReport report;
  report.sender_ssrc = rtcp_ssrc_;
  for (auto& [track_sid, track] : tracks_) {
    if (!track->AddReportBlocks(&report, now_us)) break;
  }
  if (report.report_blocks().empty()) return;
  std::array<uint8_t, kRtcpBufferSize> buffer{};
  const size_t length = report.Write(buffer);
  if (length > 0) SendPublisherRtcp({buffer.data(), length});
}

void Participant::ForwardSenderReports() {
  const WebRtcTransport* downstream = downstream_transport();
  if (!sender_ || !downstream || downstream->state() != WebRtcTransportState::kConnected) return;
  // A pass that left nothing waiting but a new report from a publisher is not repeated until the
  // room has one: the pass reads every subscription, each cold, and is otherwise ~all of a
  // subscriber's periodic work in an audio room.
  const uint64_t reports_received = room_->sender_reports_received();
  if (sender_reports_settled_ && sender_reports_seen_ == reports_received) return;
  bool settled = true;
  // All down tracks' reports in one SRTCP packet; our offer negotiates reduced-size RTCP
  // (RFC 5506, a=rtcp-rsize), so they need not come with the SDES of a full compound packet.
  std::array<uint8_t, kRtcpBufferSize + 64> buffer{};
  size_t length = 0;
  constexpr size_t kMaxCompound = 1200;
  for (auto& [key, subscription] : down_tracks_) {
    if (!subscription.down || !subscription.track) continue;
    const std::vector<PublishedLayer>& layers = subscription.track->layers();
    // Still to come without a new report: the first forwarded packet, and simulcast switches
    // (the report of the layer switched to is due then).
    if (layers.size() > 1) settled = false;
    const DownTrackTimestampMapping& mapping = subscription.down->timestamp_mapping();
    if (mapping.layer < 0 || mapping.layer >= static_cast<int>(layers.size())) {
      settled = false;
      continue;
    }
    const std::optional<PublisherSenderReport>& received =
        layers[static_cast<size_t>(mapping.layer)].sender_report;
    if (!received || (subscription.sender_report_layer == mapping.layer &&
                      subscription.sender_report_sequence == received->sequence))
      continue;
    const std::optional<rtc::SenderReport> report =
        RewriteSenderReport(*received, mapping.layer, mapping, subscription.down->config().ssrc,
                            static_cast<uint32_t>(subscription.down->packets_sent()),
                            static_cast<uint32_t>(subscription.down->payload_bytes_sent()));
    const size_t written = report && length + report->Size() <= kMaxCompound
                               ? report->Write({buffer.data() + length, kMaxCompound - length})
                               : 0;
    if (written == 0) {
      settled = false;  // left for the next pass
      continue;
    }
    length += written;
    subscription.sender_report_layer = mapping.layer;
    subscription.sender_report_sequence = received->sequence;
  }
  if (length > 0) (void)sender_->SendRtcp(buffer.data(), length, buffer.size());
  sender_reports_settled_ = settled;
  sender_reports_seen_ = reports_received;
}

Participant::Subscription* Participant::FindSubscriptionBySsrc(uint32_t ssrc) {
  for (auto& [key, subscription] : down_tracks_) {
    if (subscription.down &&
        (subscription.media.ssrc == ssrc || subscription.media.rtx_ssrc == ssrc))
      return &subscription;
  }
  return nullptr;
}

void Participant::OnSubscriberRtcp(uint8_t* data, size_t size, int64_t now_ms) {
  now_ms_ = now_ms;
  last_activity_ms_ = now_ms;
  rtc::RtcpPacketIterator packets({data, size});
  rtc::RtcpPacketView view;
  std::vector<uint16_t> sequence_numbers;
  while (packets.Next(&view)) {
    if (view.packet_type == static_cast<uint8_t>(rtc::RtcpPacketType::kTransportFeedback)) {
      if (view.count_or_format == rtc::kRtpfbTransportWideCc) {
        rtc::TwccFeedback feedback;
        if (rtc::TwccFeedback::Parse(view, &feedback) == rtc::RtcpParseError::kOk && sender_)
          sender_->OnTransportFeedback(feedback, now_ms);
      } else if (view.count_or_format == rtc::kRtpfbGenericNack) {
        rtc::GenericNack nack;
        if (rtc::GenericNack::Parse(view, &nack) != rtc::RtcpParseError::kOk) continue;
        Subscription* subscription = FindSubscriptionBySsrc(nack.header.media_ssrc);
        if (subscription == nullptr) continue;
        nack.GetSequenceNumbers(&sequence_numbers);
        subscription->down->OnNack(sequence_numbers, now_ms);
      }
    } else if (view.packet_type == static_cast<uint8_t>(rtc::RtcpPacketType::kPayloadFeedback)) {
      uint32_t media_ssrc = 0;
      if (view.count_or_format == rtc::kPsfbPictureLossIndication) {
        rtc::PictureLossIndication pli;
        if (rtc::PictureLossIndication::Parse(view, &pli) != rtc::RtcpParseError::kOk) continue;
        media_ssrc = pli.header.media_ssrc;
      } else if (view.count_or_format == rtc::kPsfbFullIntraRequest) {
        rtc::FullIntraRequest fir;
        if (rtc::FullIntraRequest::Parse(view, &fir) != rtc::RtcpParseError::kOk) continue;
        if (!fir.entries.empty()) media_ssrc = fir.entries[0].ssrc;
      } else {
        continue;
      }
      Subscription* subscription = FindSubscriptionBySsrc(media_ssrc);
      if (subscription == nullptr || subscription->track == nullptr) continue;
      const std::optional<int> layer = subscription->down->current_layer();
      Participant* publisher = room_->FindBySid(subscription->publisher_sid);
      const uint32_t layer_ssrc = subscription->track->LayerSsrc(layer.value_or(0));
      if (publisher != nullptr && layer_ssrc != 0) publisher->SendPictureLossIndication(layer_ssrc);
    }
  }
}

void Participant::SendPublisherRtcp(std::span<const uint8_t> packet) {
  if (!publisher_ || publisher_->state() != WebRtcTransportState::kConnected) return;
  std::array<uint8_t, kRtcpBufferSize + 64> buffer{};
  if (packet.size() > kRtcpBufferSize) return;
  std::copy(packet.begin(), packet.end(), buffer.begin());
  (void)publisher_->SendRtcp(buffer.data(), packet.size(), buffer.size());
}

void Participant::SendNack(uint32_t media_ssrc, std::span<const uint16_t> sequence_numbers) {
  if (media_ssrc == 0 || sequence_numbers.empty()) return;
  rtc::GenericNack nack;
  nack.header.sender_ssrc = rtcp_ssrc_;
  nack.header.media_ssrc = media_ssrc;
  nack.SetSequenceNumbers(sequence_numbers);
  std::array<uint8_t, kRtcpBufferSize> buffer{};
  const size_t length = nack.Write(buffer);
  if (length > 0) SendPublisherRtcp({buffer.data(), length});
}

void Participant::SendPictureLossIndication(uint32_t media_ssrc) {
  rtc::PictureLossIndication pli;
  pli.header.sender_ssrc = rtcp_ssrc_;
  pli.header.media_ssrc = media_ssrc;
  std::array<uint8_t, 64> buffer{};
  const size_t length = pli.Write(buffer);
  if (length > 0) SendPublisherRtcp({buffer.data(), length});
}

void Participant::SendTransportFeedback(int64_t now_ms) {
  if (twcc_.empty()) return;
  std::vector<rtc::TwccFeedback> packets;
  twcc_.TakeFeedback(rtcp_ssrc_, &packets);
  std::array<uint8_t, kRtcpBufferSize> buffer{};
  for (const rtc::TwccFeedback& feedback : packets) {
    const size_t length = feedback.Write(buffer);
    if (length > 0) SendPublisherRtcp({buffer.data(), length});
  }
}

void Participant::SelectLayers(int64_t now_ms) {
  if (!sender_) return;
  int64_t available = sender_->available_bps();
  int video_tracks = 0;
  for (const auto& [key, subscription] : down_tracks_) {
    if (!subscription.down || !subscription.track) continue;
    if (subscription.track->kind() == MediaKind::kAudio) {
      available -= kAudioReserveBps;
    } else if (!subscription.disabled) {
      ++video_tracks;
    }
  }
  if (video_tracks == 0) return;
  const int64_t share = std::max<int64_t>(0, available) / video_tracks;
  for (auto& [key, subscription] : down_tracks_) {
    if (!subscription.down || !subscription.track || !subscription.selector) continue;
    if (subscription.track->kind() != MediaKind::kVideo) continue;
    const std::vector<SimulcastLayerInfo> layers = subscription.track->LayerInfos(now_ms);
    SimulcastLayerSelector::Request request;
    request.available_bps = share;
    request.layers = layers;
    request.max_width = subscription.down->requested_width();
    request.max_height = subscription.down->requested_height();
    request.paused = subscription.disabled || subscription.track->muted();
    std::optional<int> layer = subscription.selector->Select(request, now_ms);
    // Before anything was measured, start at the lowest layer rather than nothing.
    if (!layer && !request.paused) layer = 0;
    subscription.down->SetTargetLayer(layer);
  }
  if (probe_until_ms_ >= 0 || now_ms - last_probe_ms_ < probe_interval_ms_) return;
  if (sender_->congested() || sender_->recent_loss_fraction() > kProbeStartMaxLoss) {
    AURALINK_LOG(kDebug) << "participant " << description_.identity
                         << ": no probe, congested or losing packets";
    return;
  }
  // A layer held back only by the estimate (the size asked for allows more) is worth a probe: an
  // SFU sends no more than the layers it picked, so without probing the estimate never learns
  // there is room for the next one.
  // What everything but the held-back layers needs, plus those layers with the selector's margin.
  int64_t sending_bps = 0;
  int64_t other_bps = 0;
  int64_t wanted_bps = 0;
  probe_for_tracks_.clear();
  for (auto& [key, subscription] : down_tracks_) {
    if (!subscription.down || !subscription.track || subscription.disabled) continue;
    const std::vector<SimulcastLayerInfo> layers = subscription.track->LayerInfos(now_ms);
    const std::optional<int> current = subscription.down->target_layer();
    if (subscription.track->kind() == MediaKind::kAudio) {
      sending_bps += kAudioReserveBps;
      other_bps += kAudioReserveBps;
      continue;
    }
    if (!current || *current < 0 || *current >= static_cast<int>(layers.size())) continue;
    const int64_t current_bps = layers[static_cast<size_t>(*current)].bitrate_bps;
    sending_bps += current_bps;
    const int wanted_width = subscription.down->requested_width();
    int wanted = *current;
    for (int i = *current + 1; i < static_cast<int>(layers.size()); ++i) {
      if (!layers[static_cast<size_t>(i)].active || layers[static_cast<size_t>(i)].bitrate_bps <= 0)
        continue;
      if (wanted_width > 0 && layers[static_cast<size_t>(i - 1)].width >= wanted_width) break;
      wanted = i;
      break;
    }
    if (wanted == *current) {
      other_bps += current_bps;
      continue;
    }
    wanted_bps += layers[static_cast<size_t>(wanted)].bitrate_bps;
    probe_for_tracks_.push_back(key);
  }
  if (probe_for_tracks_.empty() || wanted_bps <= 0) return;
  probe_base_bps_ = sending_bps;
  probe_needed_bps_ = other_bps + wanted_bps * 6 / 5;
  probe_target_bps_ = other_bps + wanted_bps * 27 / 20;
  if (probe_target_bps_ <= probe_base_bps_) return;
  probe_max_acknowledged_bps_ = 0;
  probe_started_ms_ = now_ms;
  probe_until_ms_ = now_ms + kProbeDurationMs;
  last_probe_tick_ms_ = now_ms;
  last_probe_ms_ = now_ms;
}

void Participant::RunProbe(int64_t now_ms) {
  if (probe_until_ms_ < 0 || !sender_) return;
  // The acknowledged rate is a 500 ms window behind ~100 ms of feedback delay: samples from then on
  // measure the probe alone.
  if (now_ms - probe_started_ms_ >= 600) {
    probe_max_acknowledged_bps_ =
        std::max(probe_max_acknowledged_bps_, sender_->acknowledged_bps().value_or(0));
  }
  if (now_ms < probe_until_ms_ && now_ms - probe_started_ms_ >= kProbeSettleMs &&
      sender_->recent_loss_fraction() > kProbeAbortLoss) {
    // The path is full: stop displacing media now, and judge the probe as failed below.
    probe_until_ms_ = now_ms - kProbeSettleMs;
    probe_max_acknowledged_bps_ = 0;
  }
  if (now_ms < probe_until_ms_) {
    const int64_t elapsed_ms = std::max<int64_t>(1, now_ms - last_probe_tick_ms_);
    last_probe_tick_ms_ = now_ms;
    size_t budget = static_cast<size_t>((probe_target_bps_ - probe_base_bps_) * elapsed_ms / 8000);
    for (auto& [key, subscription] : down_tracks_) {
      if (budget == 0) break;
      if (!subscription.down || subscription.media.rtx_ssrc == 0) continue;
      const size_t sent = subscription.down->SendPadding(budget, now_ms);
      budget -= std::min(budget, sent);
    }
    return;
  }
  // Judge once the feedback for the probe's tail has arrived.
  if (now_ms < probe_until_ms_ + kProbeSettleMs) return;
  probe_until_ms_ = -1;
  const bool delivered = !sender_->congested() && probe_max_acknowledged_bps_ >= probe_needed_bps_;
  AURALINK_LOG(kDebug) << "participant " << description_.identity << ": probe for "
                       << probe_needed_bps_ << " bps " << (delivered ? "delivered" : "failed")
                       << " (acknowledged " << probe_max_acknowledged_bps_ << " bps)";
  if (!delivered) {
    probe_interval_ms_ = std::min(kMaxProbeIntervalMs, probe_interval_ms_ * 2);
    return;
  }
  probe_interval_ms_ = kProbeIntervalMs;
  sender_->OnProbeResult(probe_max_acknowledged_bps_, now_ms);
  // The room is there: switch up now instead of waiting out the selector's hold time.
  for (const std::string& key : probe_for_tracks_) {
    auto found = down_tracks_.find(key);
    if (found == down_tracks_.end()) continue;
    auto selector = SimulcastLayerSelector::Create({});
    if (selector.ok()) found->second.selector = std::move(*selector);
  }
  last_layer_selection_ms_ = 0;
}

void Participant::Tick(int64_t now_ms) {
  now_ms_ = now_ms;
  if (closed_) return;
  if (publisher_) publisher_->Tick(now_ms);
  if (subscriber_) {
    subscriber_->Tick(now_ms);
    // Opened once per SCTP association: a resumed connection may bring a new one.
    if (!subscriber_->data_channels_ready()) data_channels_opened_ = false;
    if (subscriber_->data_channels_ready() && !data_channels_opened_) {
      data_channels_opened_ = subscriber_->FindDataChannel("_reliable").has_value();
      rtc::DataChannelOptions reliable;
      reliable.label = "_reliable";
      rtc::DataChannelOptions lossy;
      lossy.label = "_lossy";
      lossy.ordered = false;
      lossy.max_retransmits = 0;
      if (!data_channels_opened_ && subscriber_->OpenDataChannel(reliable).ok()) {
        (void)subscriber_->OpenDataChannel(lossy);
        data_channels_opened_ = true;
      }
    }
  }
  if (now_ms - last_twcc_feedback_ms_ >= kTransportFeedbackIntervalMs) {
    last_twcc_feedback_ms_ = now_ms;
    SendTransportFeedback(now_ms);
  }
  if (now_ms - last_receiver_report_ms_ >= kReceiverReportIntervalMs) {
    last_receiver_report_ms_ = now_ms;
    SendReceiverReports(net::EventLoop::NowUs());
  }
  if (now_ms - last_sender_report_forward_ms_ >= kSenderReportForwardIntervalMs) {
    last_sender_report_forward_ms_ = now_ms;
    ForwardSenderReports();
  }
  for (auto& [track_sid, track] : tracks_) {
    for (size_t layer = 0; layer < track->layers().size(); ++layer) {
      std::span<const uint16_t> nacks = track->TickNack(static_cast<int>(layer), now_ms);
      if (!nacks.empty()) SendNack(track->LayerSsrc(static_cast<int>(layer)), nacks);
    }
    while (std::optional<uint32_t> ssrc = track->TakeKeyFrameRequestSsrc(now_ms))
      SendPictureLossIndication(*ssrc);
  }
  if (now_ms - last_dynacast_ms_ >= kLayerSelectionIntervalMs) {
    last_dynacast_ms_ = now_ms;
    std::vector<bool> wanted;
    for (auto& [track_sid, track] : tracks_) {
      if (track->UpdateWantedQualities(&wanted) && sink_)
        sink_->SendSubscribedQualities(track_sid, wanted);
    }
  }
  RunProbe(now_ms);
  if (now_ms - last_layer_selection_ms_ >= kLayerSelectionIntervalMs) {
    last_layer_selection_ms_ = now_ms;
    SelectLayers(now_ms);
  }
  if (subscriber_negotiation_pending_ &&
      (!subscriber_offer_outstanding_ ||
       (single_peer_connection_ &&
        now_ms - subscriber_offer_sent_ms_ >= kReceiveSectionRequestRetryMs)))
    NegotiateSubscriber();
  if (NeedsEveryTick()) {
    next_tick_ms_ = now_ms;
  } else {
    // At this participant's own phase of the idle interval: participants that joined together
    // would otherwise all come due on the same server tick, and make that one tick long.
    next_tick_ms_ = now_ms - now_ms % kIdleTickIntervalMs + idle_tick_phase_ms_;
    if (next_tick_ms_ <= now_ms) next_tick_ms_ += kIdleTickIntervalMs;
  }
}

bool Participant::NeedsEveryTick() const {
  // A connection being set up (DTLS and SCTP retransmit on their own timers, data channels are
  // opened from here) or one that sends media the tick times (NACKs, PLIs, probes, offers).
  auto settling = [](const std::unique_ptr<WebRtcTransport>& transport) {
    return transport && transport->state() == WebRtcTransportState::kConnecting;
  };
  return !tracks_.empty() || probe_until_ms_ >= 0 || subscriber_negotiation_pending_ ||
         settling(publisher_) || settling(subscriber_) ||
         (subscriber_ && subscriber_->data_channels_ready() && !data_channels_opened_);
}

void Participant::Close() {
  if (closed_) return;
  closed_ = true;
  for (auto& [key, subscription] : down_tracks_) {
    if (subscription.track && subscription.attached) subscription.track->RemoveDownTrack(sid());
  }
  down_tracks_.clear();
  if (publisher_) {
    environment_->unregister_transport(publisher_.get());
    publisher_->Close();
  }
  if (subscriber_) {
    environment_->unregister_transport(subscriber_.get());
    subscriber_->Close();
  }
}

}  // namespace auralink::sfu
