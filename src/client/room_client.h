// A native LiveKit participant for load tests and the client SDK: joins a room through the
// signalling WebSocket, publishes emulated audio (Opus-sized packets every 20 ms) and/or emulated
// VP8 video (one layer or three simulcast layers) on the publisher connection, and receives what
// the server forwards on the subscriber connection: packets, bytes and loss per track, one-way
// latency from the publisher's payload trailer, and RFC 3550 receiver reports and transport-wide
// congestion control feedback back to the server, as a browser sends them. Published streams
// get RFC 3550 sender reports, as a browser's do.
// Everything runs on one event loop, so many clients can share a thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/client_session_description.h"
#include "client/client_transport.h"
#include "client/emulated_audio_source.h"
#include "client/emulated_video_source.h"
#include "client/rtp_pacer.h"
#include "client/signal_client.h"
#include "common/latency_histogram.h"
#include "common/status.h"
#include "net/event_loop.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/rtcp/sender_report.h"
#include "rtc/rtcp/twcc_feedback.h"
#include "rtc/rtp/rtp_header_extensions.h"
#include "rtc/rtp/rtp_receive_statistics.h"

namespace auralink::client {

struct RoomClientOptions {
  // For Join(); both empty when another signalling drives the client (see CreatePublisherOffer).
  std::string server_url;  // "ws://127.0.0.1:7880"
  std::string token;       // a LiveKit access token with roomJoin
  bool auto_subscribe = true;
  std::string bind_ip = "127.0.0.1";
  // Decrypt forwarded media and read the latency trailer; false counts packets from the clear
  // RTP header only (a cheap subscriber for large loads).
  bool decrypt_media = true;
  // Shared across clients when given; else one is made per client.
  std::shared_ptr<const rtc::DtlsCertificate> certificate;
  int64_t receiver_report_interval_ms = 1000;
  // RFC 3550 sender reports for each stream we publish, every this many ms on average (the first
  // after half of it, then each interval drawn from 0.5-1.5 times it, as libwebrtc does, whose
  // defaults these are); 0: none.
  int64_t audio_sender_report_interval_ms = 5000;
  int64_t video_sender_report_interval_ms = 1000;
  // Transport-wide congestion control feedback on the subscriber connection when the server's
  // offer carries the extension, every this many ms (libwebrtc's receivers: ~100 ms); 0: none.
  // The server's send-side bandwidth estimate for this subscriber runs on it.
  int64_t transport_feedback_interval_ms = 100;
  // ICE role on the subscriber connection: LiveKit-style ICE-lite servers need us controlling; a
  // full-ICE server that offers (Janus) controls itself.
  bool subscriber_ice_controlling = true;
};

struct PublishOptions {
  bool audio = true;
  bool video = false;
  bool simulcast = false;  // three video layers (rids q, h, f)
  EmulatedAudioOptions audio_options;
  EmulatedVideoOptions video_options;
  // Video leaves through an RtpPacer at this multiple of the stream's bitrate (libwebrtc's
  // default pacing factor); 0 sends each frame's packets at once.
  double video_pacing_factor = 2.5;
};

struct PublisherStats {
  uint64_t audio_packets = 0;
  uint64_t video_packets = 0;
  uint64_t video_frames = 0;
  uint64_t key_frames = 0;
  uint64_t bytes = 0;               // plain RTP bytes
  uint64_t key_frame_requests = 0;  // PLI / FIR from the server
  uint64_t nacks = 0;
  uint64_t send_failures = 0;
  uint64_t sender_reports = 0;  // SR packets, one per published stream each interval
};

// One stream the server forwards to us (one SSRC of a subscriber-offer section).
struct ReceivedTrack {
  OfferedTrack offered;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  std::unique_ptr<rtc::RtpReceiveStatistics> statistics;
  uint32_t last_timestamp = 0;  // RTP timestamp of the newest packet
  // Sender reports the server sent about this stream, and the newest one.
  uint64_t sender_reports = 0;
  std::optional<rtc::SenderReport> last_sender_report;

  // Packets the sequence numbers say were sent but never arrived (RFC 3550 §A.3).
  int64_t lost() const { return statistics ? statistics->cumulative_lost() : 0; }
};

struct RoomClientCallbacks {
  std::function<void(const Status&)> on_joined;        // JoinResponse, or why joining failed
  std::function<void()> on_publishing;                 // publisher connected, media flowing
  std::function<void(const ReceivedTrack&)> on_track;  // a forwarded track's first packet
  std::function<void(const Status&)> on_disconnected;  // signalling closed or a transport failed
  // ReconnectResponse after ResumeSignalling(), or why the server refused the resume.
  std::function<void(const Status&)> on_resumed;
};

class RoomClient {
 public:
  static StatusOr<std::unique_ptr<RoomClient>> Create(net::EventLoop* loop,
                                                      RoomClientOptions options,
                                                      RoomClientCallbacks callbacks = {});
  ~RoomClient();
  RoomClient(const RoomClient&) = delete;
  RoomClient& operator=(const RoomClient&) = delete;

  // Connects the signalling; on_joined reports the outcome.
  Status Join();
  // Announces the tracks, negotiates the publisher connection and starts sending once it is up.
  Status Publish(const PublishOptions& options);
  void StopPublishing();
  // SignalRequest.leave, then closes both connections.
  void Leave();
  // LiveKit's resume, as livekit-client does it after a signalling drop: the WebSocket is replaced
  // by one with reconnect=1&sid=<our participant sid>, the peer connections stay up, and once the
  // server answers (ReconnectResponse) the publisher connection restarts ICE with a new offer
  // when `restart_ice`. on_resumed reports the outcome; a refusal (LeaveRequest) also disconnects.
  Status ResumeSignalling(bool restart_ice = true);

  // The same client under another server's signalling (bench/sfu's Janus adapter): Create() with
  // an empty server URL and token, then exchange descriptions through these. Media, statistics
  // and callbacks behave as with LiveKit signalling.
  // Makes the publisher connection and sources and returns the offer SDP (`setup` as in
  // BuildPublisherOffer).
  StatusOr<std::string> CreatePublisherOffer(const PublishOptions& options,
                                             const std::string& setup);
  Status SetPublisherAnswer(const std::string& sdp);
  // Answers a server offer on the subscriber connection; returns the answer SDP.
  StatusOr<std::string> AnswerServerOffer(const std::string& sdp);
  // Reports a join done by external signalling to on_joined.
  void MarkJoined(const std::string& participant_id);

  bool joined() const { return !participant_sid_.empty(); }
  bool publishing() const { return publishing_; }
  bool subscriber_connected() const { return subscriber_ && subscriber_->connected(); }
  const std::string& participant_sid() const { return participant_sid_; }
  const std::string& room_name() const { return room_name_; }
  const PublisherStats& publisher_stats() const { return publisher_stats_; }
  const std::vector<std::unique_ptr<ReceivedTrack>>& received_tracks() const { return received_; }
  uint64_t packets_received() const { return packets_received_; }
  uint64_t bytes_received() const { return bytes_received_; }
  // Transport-wide feedback packets sent on the subscriber connection.
  uint64_t transport_feedback_sent() const { return transport_feedback_sent_; }
  // Starts a new measurement window: latency samples so far are dropped.
  void ClearLatency() {
    if (latency_) latency_->Clear();
  }
  // Null unless decrypt_media.
  const LatencyHistogram* latency() const { return latency_.get(); }
  const ClientTransport* publisher_transport() const { return publisher_.get(); }
  const ClientTransport* subscriber_transport() const { return subscriber_.get(); }
  // Load tests: the subscriber connection's packets go to a discarding device from now on
  // (ClientTransport::DivertTo).
  Status DivertSubscriberTo(const std::string& sink_ip) {
    if (!subscriber_) return Status::Error("room client: no subscriber connection");
    return subscriber_->DivertTo(sink_ip);
  }

 private:
  RoomClient(net::EventLoop* loop, RoomClientOptions options, RoomClientCallbacks callbacks);
  SignalClientCallbacks MakeSignalCallbacks();
  void OnSignal(const livekit::SignalResponse& response);
  void OnReconnect();
  void OnJoin(const livekit::JoinResponse& join);
  void OnTrackPublished(const livekit::TrackPublishedResponse& published);
  void OnPublisherAnswer(const livekit::SessionDescription& answer);
  void OnSubscriberOffer(const livekit::SessionDescription& offer);
  void SendPublisherOffer();
  void StartMedia();
  void SendAudioFrame();
  void SendVideoFrame();
  void SendPacedVideo();
  void SendPacket(EmulatedPacket& packet, bool video);
  void ScheduleSenderReports(bool video, bool first);
  void SendSenderReports(bool video);
  void OnSubscriberRtcp(const uint8_t* data, size_t size, int64_t now_us);
  void OnSubscriberRtp(uint8_t* data, size_t size, bool decrypted, int64_t now_us);
  void OnPublisherRtcp(const uint8_t* data, size_t size);
  void ScheduleReceiverReport();
  void SendReceiverReports();
  void SendTransportFeedback();
  void Disconnect(const Status& why);
  Status PrepareSources(const PublishOptions& options);
  StatusOr<std::string> BuildOfferText(const std::string& setup);
  StatusOr<std::unique_ptr<ClientTransport>> MakeTransport(bool subscriber);

  net::EventLoop* loop_;
  RoomClientOptions options_;
  RoomClientCallbacks callbacks_;
  std::unique_ptr<SignalClient> signal_;
  std::string participant_sid_;
  std::string room_name_;
  bool left_ = false;
  bool resuming_ = false;
  bool restart_ice_on_resume_ = true;
  int ping_interval_s_ = 5;

  // Publishing.
  PublishOptions publish_options_;
  bool publish_requested_ = false;
  bool publishing_ = false;
  std::vector<PublishedSection> sections_;
  size_t tracks_awaiting_publication_ = 0;
  std::unique_ptr<ClientTransport> publisher_;
  std::unique_ptr<EmulatedAudioSource> audio_;
  std::unique_ptr<EmulatedVideoSource> video_;
  std::vector<EmulatedVideoLayer> video_layers_;
  net::TimerId audio_timer_ = 0;
  net::TimerId video_timer_ = 0;
  std::unique_ptr<RtpPacer> video_pacer_;
  net::TimerId pacer_timer_ = 0;
  uint16_t transport_sequence_ = 1;
  uint32_t offer_id_ = 0;
  PublisherStats publisher_stats_;
  // What each published SSRC sent, for its sender reports.
  struct SentStream {
    uint32_t ssrc = 0;
    bool video = false;
    uint32_t last_timestamp = 0;  // of the newest packet, sent at last_send_us
    int64_t last_send_us = 0;
    uint32_t packets = 0;
    uint32_t payload_octets = 0;
  };
  std::vector<SentStream> sent_streams_;
  net::TimerId audio_sender_report_timer_ = 0;
  net::TimerId video_sender_report_timer_ = 0;

  // Subscribing.
  std::unique_ptr<ClientTransport> subscriber_;
  std::vector<std::unique_ptr<ReceivedTrack>> received_;
  std::unordered_map<uint32_t, ReceivedTrack*> by_ssrc_;
  uint64_t packets_received_ = 0;
  uint64_t bytes_received_ = 0;
  std::unique_ptr<LatencyHistogram> latency_;
  net::TimerId report_timer_ = 0;
  uint32_t rtcp_ssrc_ = 0;
  // Transport-wide CC towards the server (draft-holmer-rmcat-transport-wide-cc-extensions-01).
  rtc::RtpExtensionIdMap subscriber_extension_ids_;
  rtc::TwccFeedbackRecorder twcc_;
  std::vector<rtc::TwccFeedback> twcc_feedback_;
  net::TimerId feedback_timer_ = 0;
  uint64_t transport_feedback_sent_ = 0;
};

}  // namespace auralink::client
