// One participant in a room with LiveKit's two peer connections: the publisher connection, where
// the browser offers what it sends, and the subscriber connection, where the SFU offers what it
// forwards. It owns both transports, the tracks it publishes and the down tracks it receives,
// and runs the per-connection RTCP: NACK and transport-wide CC feedback towards the publisher,
// key-frame requests, and the send-side bandwidth estimate that picks simulcast layers.
//
// With LiveKit's single peer connection (/rtc/v1) the publisher connection carries both ways:
// the browser offers recvonly sections for what it will receive, the SFU asks for more with
// MediaSectionsRequirement and answers each offer with its subscribed tracks on those sections.
// Only the negotiation differs; down tracks, RTCP and the bandwidth estimate are the same, bound
// to that one transport.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/media_path_memory.h"
#include "common/status.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/rtcp/twcc_feedback.h"
#include "sfu/bwe/simulcast_layer_selector.h"
#include "sfu/down_track.h"
#include "sfu/published_track.h"
#include "sfu/room_control.h"
#include "sfu/sdp_negotiation.h"
#include "sfu/signal_sink.h"
#include "sfu/subscriber_sender.h"
#include "sfu/webrtc_transport.h"

namespace auralink::sfu {

class Room;

// What a participant needs from the server that hosts it.
struct ParticipantEnvironment {
  std::shared_ptr<const rtc::DtlsCertificate> certificate;
  std::vector<std::string> candidates;  // "candidate:..." values for every SDP
  std::function<void(std::span<const uint8_t>, const net::SocketAddress&)> send_packet;
  // Called when a transport is created or closed so the router can find it by ufrag. After an
  // ICE restart register_transport is called again: the new ufrag is added, the replaced one
  // stays routed while the transport still accepts it, and known addresses stay as they are.
  std::function<void(WebRtcTransport*)> register_transport;
  std::function<void(WebRtcTransport*)> unregister_transport;
  std::function<std::string(const char* prefix)> make_id;  // random ids: ufrags, sids
  std::function<uint32_t()> make_ssrc;
};

// A track the client announced with AddTrackRequest, waiting for its media section.
struct PendingTrack {
  std::string cid;  // the client's MediaStreamTrack id, which its offer's msid names
  TrackDescription description;
};

class Participant : public MediaPathAllocated {
 public:
  Participant(Room* room, ParticipantDescription description, SignalSink* sink,
              const ParticipantEnvironment* environment);
  ~Participant();

  const ParticipantDescription& description() const { return description_; }
  ParticipantDescription& mutable_description() { return description_; }
  const std::string& sid() const { return description_.sid; }
  const std::string& identity() const { return description_.identity; }
  SignalSink* sink() const { return sink_; }
  // The signalling connection went away: the participant, its tracks and subscriptions stay until
  // the client resumes (AttachSink) or the signalling timeout removes it.
  void DetachSink() { sink_ = nullptr; }
  void AttachSink(SignalSink* sink) { sink_ = sink; }
  // A resumed session (LiveKit reconnect=1) is attached: an offer lost with the old connection is
  // forgotten, and the subscriber connection restarts ICE (RFC 8445 §9) with a fresh offer, as
  // LiveKit's server does, so a client whose network changed finds a path again.
  void OnSignallingResumed(int64_t now_ms);
  // True when no connection is attached and every transport was closed by the client (DTLS
  // close_notify): it is gone and will not resume.
  bool Abandoned() const;
  bool auto_subscribe() const { return auto_subscribe_; }
  // LiveKit /rtc/v1: one peer connection, offered by the browser. Set before the first
  // subscription or offer.
  void UseSinglePeerConnection() { single_peer_connection_ = true; }
  bool single_peer_connection() const { return single_peer_connection_; }
  // Single peer connection: which track each section of the last answer sends (mid -> track
  // sid), for SessionDescription.mid_to_track_id.
  std::map<std::string, std::string> SentTrackOfMid() const;
  void set_auto_subscribe(bool value) { auto_subscribe_ = value; }

  // Signalling.
  StatusOr<TrackDescription> AddTrack(const PendingTrack& track);
  StatusOr<std::string> HandlePublisherOffer(const std::string& sdp, int64_t now_ms);
  Status HandleSubscriberAnswer(const std::string& sdp, int64_t now_ms);
  Status SetTrackMuted(const std::string& track_sid, bool muted);
  Status UnpublishTrack(const std::string& track_sid);
  // UpdateTrackSettings: a subscriber's wishes for one track it receives.
  Status UpdateTrackSettings(const std::string& track_sid, bool disabled, int width, int height);

  // Subscriptions (this participant receives `track` published by `publisher`).
  Status Subscribe(Participant* publisher, PublishedTrack* track);
  void Unsubscribe(const std::string& track_sid);
  bool IsSubscribedTo(const std::string& track_sid) const { return down_tracks_.count(track_sid); }
  // Sends a new subscriber offer when subscriptions changed and none is outstanding; with a single
  // peer connection, asks the browser for an offer instead (MediaSectionsRequirement with the
  // receive sections it lacks).
  void NegotiateSubscriber();

  // Data channel messages towards this participant's subscriber connection (with a single peer
  // connection: the channels the browser opened on it).
  void SendData(std::span<const uint8_t> bytes, bool reliable);
  // A reliable message sent again after a resume (Room::ResendReliableData).
  void ResendReliableData(std::span<const uint8_t> bytes);

  // A data channel message from the client's publisher connection: handed to the signalling
  // session, which parses and routes it. While no session is attached (the WebSocket dropped and
  // the client has not resumed yet) reliable messages are held, within bounds, so that
  // ReconnectResponse.last_message_seq counts them and the client does not resend them; the
  // resumed session takes them with ReleaseHeldClientData(). Lossy ones are dropped meanwhile.
  void OnDataFromClient(std::span<const uint8_t> bytes, bool reliable);
  void ReleaseHeldClientData();
  // LiveKit numbers the reliable DataPackets a client sends (DataPacket.sequence, from 1) and,
  // after a resume, resends those above ReconnectResponse.last_message_seq. True when `sequence`
  // is above every one seen so far (which it becomes); false for a duplicate, which must not be
  // forwarded again. 0 (unnumbered) is always accepted and not recorded.
  bool AcceptReliableDataSequence(uint32_t sequence);
  uint32_t last_reliable_data_sequence() const { return last_reliable_data_sequence_; }
  struct DataCounters {
    uint64_t reliable_duplicates = 0;  // replayed packets the server had already forwarded
    uint64_t held = 0;                 // reliable messages held while no session was attached
    uint64_t held_dropped = 0;         // ... beyond the bound
    uint64_t resent = 0;               // reliable messages sent again after a resume
  };
  const DataCounters& data_counters() const { return data_counters_; }

  void LimitSubscriberBandwidth(int kbps);
  void Tick(int64_t now_ms);
  // Whether Tick() has work now. A participant with nothing time-critical (no published tracks
  // to NACK, no probe, no pending negotiation, connections up) ticks every 100 ms instead of on
  // every server tick: with hundreds of subscribers the ticks would otherwise cost as much as
  // the packets.
  bool TickDue(int64_t now_ms) const { return now_ms >= next_tick_ms_; }
  void PrefetchTickDue() const { __builtin_prefetch(&next_tick_ms_); }
  void Close();

  std::map<std::string, std::unique_ptr<PublishedTrack>>& published_tracks() { return tracks_; }
  PublishedTrack* FindTrack(const std::string& sid);
  WebRtcTransport* publisher_transport() { return publisher_.get(); }
  WebRtcTransport* subscriber_transport() { return subscriber_.get(); }
  // Where down tracks go: the subscriber connection, or the single peer connection.
  WebRtcTransport* downstream_transport() const;
  bool connected() const;
  int64_t last_activity_ms() const { return last_activity_ms_; }
  // Signalling heartbeat (any message, LiveKit pings every few seconds): a participant whose
  // client went silent for the ping timeout has vanished and is removed.
  void OnSignal(int64_t now_ms) { last_signal_ms_ = now_ms; }
  int64_t last_signal_ms() const { return last_signal_ms_; }
  // What sends this participant's down tracks (tests and stats); null before it subscribes.
  const SubscriberSender* subscriber_sender() const { return sender_.get(); }
  // The down track of `track_sid` this participant receives, if any (tests and stats).
  const DownTrack* FindDownTrack(const std::string& track_sid) const;

 private:
  bool NeedsEveryTick() const;
  struct Subscription {
    std::unique_ptr<DownTrack> down;
    PublishedTrack* track = nullptr;
    std::string publisher_sid;
    std::string mid;  // single peer connection: empty until an answer gives it a section
    SubscribedMedia media;
    bool attached = false;  // the published track forwards to `down`
    std::unique_ptr<SimulcastLayerSelector> selector;
    bool disabled = false;
    // The publisher's sender report last forwarded: its layer and sequence.
    int sender_report_layer = -1;
    uint32_t sender_report_sequence = 0;
  };

  WebRtcTransportConfig NewTransportConfig() const;
  Status EnsurePublisherTransport();
  Status EnsureSubscriberTransport();
  // New local ICE credentials, re-registered with the router under the new ufrag.
  Status RestartIce(WebRtcTransport* transport);
  LocalTransportDescription LocalDescription(const WebRtcTransport& transport) const;
  void OnPublisherRtp(uint8_t* data, size_t size, int64_t now_ms);
  void OnPublisherRtcp(uint8_t* data, size_t size, int64_t now_ms);
  void OnSubscriberRtcp(uint8_t* data, size_t size, int64_t now_ms);
  void SendPublisherRtcp(std::span<const uint8_t> packet);
  void SendNack(uint32_t media_ssrc, std::span<const uint16_t> sequence_numbers);
  void SendPictureLossIndication(uint32_t media_ssrc);
  void SendTransportFeedback(int64_t now_ms);
  // RFC 3550 §6.4.2 receiver reports about everything this participant publishes.
  void SendReceiverReports(int64_t now_us);
  // The publishers' sender reports, rewritten for the down tracks (sender_report_rewriter.h).
  void ForwardSenderReports();
  void SelectLayers(int64_t now_ms);
  void RunProbe(int64_t now_ms);
  Subscription* FindSubscriptionBySsrc(uint32_t ssrc);
  // Single peer connection: gives subscriptions the browser's free receive sections of `offer`
  // and writes them into `answer`.
  void AnswerSubscriptions(const rtc::SessionDescription& offer,
                           const std::vector<PublishedMedia>& media,
                           rtc::SessionDescription* answer);
  void RequestReceiveSections(int64_t now_ms);

  Room* room_;
  ParticipantDescription description_;
  SignalSink* sink_;
  const ParticipantEnvironment* environment_;
  bool auto_subscribe_ = true;
  std::unique_ptr<WebRtcTransport> publisher_;
  std::unique_ptr<WebRtcTransport> subscriber_;
  std::unique_ptr<SubscriberSender> sender_;
  std::vector<PendingTrack> pending_tracks_;
  std::map<std::string, std::unique_ptr<PublishedTrack>> tracks_;      // by track sid
  std::map<uint32_t, std::pair<PublishedTrack*, int>> ssrc_to_layer_;  // publisher side
  std::map<std::string, Subscription> down_tracks_;                    // by track sid
  std::vector<std::string> subscriber_mids_;                           // stable order
  int next_mid_ = 0;
  bool subscriber_offer_outstanding_ = false;
  int64_t subscriber_offer_sent_ms_ = 0;
  bool single_peer_connection_ = false;
  // Single peer connection: the browser's receive sections (mid -> kind) in its last offer, and
  // the mids the last answer sent on.
  std::map<std::string, MediaKind> receive_sections_;
  bool receive_sections_known_ = false;
  std::map<std::string, std::string> sent_track_of_mid_;
  bool subscriber_negotiation_pending_ = false;
  uint64_t subscriber_offer_version_ = 1;
  uint32_t rtcp_ssrc_ = 1;
  // Transport-wide CC towards the publisher.
  rtc::TwccFeedbackRecorder twcc_;
  rtc::RtpExtensionIdMap publisher_ids_;  // for MID/RID lookup across sections (ids are shared)
  std::string publisher_remote_ufrag_;    // a new one in an offer is an ICE restart
  int64_t last_twcc_feedback_ms_ = 0;
  int64_t last_receiver_report_ms_ = 0;
  int64_t last_sender_report_forward_ms_ = 0;
  // ForwardSenderReports: the room's report count at the last pass, and whether that pass left
  // nothing that could become due without a new report.
  uint64_t sender_reports_seen_ = 0;
  bool sender_reports_settled_ = false;
  int64_t last_layer_selection_ms_ = 0;
  int64_t last_dynacast_ms_ = 0;
  // Probing for room above the current layers (see RunProbe).
  int64_t probe_until_ms_ = -1;
  int64_t next_tick_ms_ = 0;
  int64_t idle_tick_phase_ms_ = 0;     // where in each idle interval its idle ticks fall
  bool data_channels_opened_ = false;  // the _reliable and _lossy channels towards the subscriber
  int64_t probe_target_bps_ = 0;
  int64_t probe_base_bps_ = 0;
  int64_t probe_needed_bps_ = 0;
  int64_t probe_max_acknowledged_bps_ = 0;
  int64_t probe_started_ms_ = 0;
  int64_t last_probe_ms_ = -100000;
  int64_t probe_interval_ms_ = 3000;  // kProbeIntervalMs, doubled after each failed probe
  int64_t last_probe_tick_ms_ = 0;
  std::vector<std::string> probe_for_tracks_;
  // Reliable data (see OnDataFromClient and AcceptReliableDataSequence).
  std::deque<std::vector<uint8_t>> held_client_data_;
  size_t held_client_data_bytes_ = 0;
  uint32_t last_reliable_data_sequence_ = 0;
  DataCounters data_counters_;
  int64_t last_activity_ms_ = 0;
  int64_t last_signal_ms_ = 0;
  int64_t now_ms_ = 0;
  bool closed_ = false;
};

}  // namespace auralink::sfu
