#include "client/room_client.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <random>

#include "client/send_timestamp.h"
#include "common/log.h"
#include "rtc/rtcp/receiver_report.h"
#include "rtc/rtcp/rtcp_packet.h"
#include "rtc/rtcp/sender_report.h"
#include "rtc/rtp/big_endian.h"
#include "rtc/rtp/rtp_packet.h"
#include "rtc/sdp/session_description.h"

namespace auralink::client {
namespace {

constexpr const char* kAudioMid = "0";
constexpr const char* kVideoMid = "1";

uint32_t RandomNonZero() {
  thread_local std::mt19937 random{std::random_device{}()};
  uint32_t value = 0;
  while (value == 0) value = random();
  return value;
}

std::string RandomId(const char* prefix) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id = prefix;
  uint32_t a = RandomNonZero(), b = RandomNonZero();
  for (int i = 0; i < 6; ++i, a /= 36) id.push_back(kChars[a % 36]);
  for (int i = 0; i < 6; ++i, b /= 36) id.push_back(kChars[b % 36]);
  return id;
}

}  // namespace

StatusOr<std::unique_ptr<RoomClient>> RoomClient::Create(net::EventLoop* loop,
                                                         RoomClientOptions options,
                                                         RoomClientCallbacks callbacks) {
  if (loop == nullptr) return Status::Error("room client: no event loop");
  if (!options.certificate) {
    auto certificate = rtc::DtlsCertificate::Create();
    if (!certificate.ok()) return certificate.status().WithContext("room client");
    options.certificate = *certificate;
  }
  return std::unique_ptr<RoomClient>(
      new RoomClient(loop, std::move(options), std::move(callbacks)));
}

RoomClient::RoomClient(net::EventLoop* loop, RoomClientOptions options,
                       RoomClientCallbacks callbacks)
    : loop_(loop), options_(std::move(options)), callbacks_(std::move(callbacks)) {
  rtcp_ssrc_ = RandomNonZero();
  if (options_.decrypt_media) latency_ = std::make_unique<LatencyHistogram>();
}

RoomClient::~RoomClient() {
  StopPublishing();
  if (report_timer_ != 0) loop_->Cancel(report_timer_);
  if (feedback_timer_ != 0) loop_->Cancel(feedback_timer_);
}

Status RoomClient::Join() {
  if (signal_) return Status::Error("room client: already joined");
  if (options_.server_url.empty() || options_.token.empty())
    return Status::Error("room client: a server URL and an access token are required");
  auto signal = SignalClient::Connect(loop_, options_.server_url, options_.token,
                                      options_.auto_subscribe, MakeSignalCallbacks());
  if (!signal.ok()) return signal.status();
  signal_ = std::move(*signal);
  return Status::Ok();
}

SignalClientCallbacks RoomClient::MakeSignalCallbacks() {
  SignalClientCallbacks callbacks;
  callbacks.on_connected = [this](const Status& status, int http_status) {
    if (status.ok()) return;
    Status failure = Status::Error("signalling refused (HTTP " + std::to_string(http_status) +
                                   "): " + status.message());
    if (resuming_) {
      resuming_ = false;
      if (callbacks_.on_resumed) callbacks_.on_resumed(failure);
    } else if (callbacks_.on_joined) {
      callbacks_.on_joined(failure);
    }
  };
  callbacks.on_response = [this](const livekit::SignalResponse& response) { OnSignal(response); };
  callbacks.on_closed = [this](uint16_t code, std::string_view reason) {
    Disconnect(Status::Error("signalling closed (" + std::to_string(code) + " " +
                             std::string(reason) + ")"));
  };
  return callbacks;
}

Status RoomClient::ResumeSignalling(bool restart_ice) {
  if (!signal_ || !joined() || left_)
    return Status::Error("room client: nothing to resume (not joined through LiveKit signalling)");
  // Dropping the old client closes its WebSocket without a leave request, as a lost connection
  // would; its callbacks are gone with it.
  signal_.reset();
  resuming_ = true;
  restart_ice_on_resume_ = restart_ice;
  auto signal =
      SignalClient::Connect(loop_, options_.server_url, options_.token, options_.auto_subscribe,
                            MakeSignalCallbacks(), participant_sid_);
  if (!signal.ok()) {
    resuming_ = false;
    return signal.status();
  }
  signal_ = std::move(*signal);
  return Status::Ok();
}

void RoomClient::OnReconnect() {
  if (!resuming_) return;
  resuming_ = false;
  signal_->StartPings(ping_interval_s_);
  if (restart_ice_on_resume_ && publisher_ && !sections_.empty()) {
    publisher_->RestartIce();
    SendPublisherOffer();
  }
  if (callbacks_.on_resumed) callbacks_.on_resumed(Status::Ok());
}

void RoomClient::OnSignal(const livekit::SignalResponse& response) {
  switch (response.message_case()) {
    case livekit::SignalResponse::kJoin:
      OnJoin(response.join());
      break;
    case livekit::SignalResponse::kTrackPublished:
      OnTrackPublished(response.track_published());
      break;
    case livekit::SignalResponse::kAnswer:
      OnPublisherAnswer(response.answer());
      break;
    case livekit::SignalResponse::kOffer:
      OnSubscriberOffer(response.offer());
      break;
    case livekit::SignalResponse::kReconnect:
      OnReconnect();
      break;
    case livekit::SignalResponse::kLeave: {
      const std::string action = livekit::LeaveRequest::Action_Name(response.leave().action());
      if (resuming_) {
        resuming_ = false;
        if (callbacks_.on_resumed)
          callbacks_.on_resumed(
              Status::Error("the server refused the resume (leave, action " + action + ")"));
      }
      Disconnect(Status::Error("the server asked us to leave (action " + action + ")"));
      break;
    }
    default:
      break;  // participant updates, speakers, pongs: nothing a load client acts on
  }
}

void RoomClient::OnJoin(const livekit::JoinResponse& join) {
  participant_sid_ = join.participant().sid();
  room_name_ = join.room().name();
  ping_interval_s_ = join.ping_interval() > 0 ? join.ping_interval() : 5;
  signal_->StartPings(ping_interval_s_);
  if (callbacks_.on_joined) callbacks_.on_joined(Status::Ok());
  if (publish_requested_) (void)Publish(publish_options_);
}

StatusOr<std::unique_ptr<ClientTransport>> RoomClient::MakeTransport(bool subscriber) {
  ClientTransportConfig config;
  config.certificate = options_.certificate;
  config.decrypt_rtp = options_.decrypt_media;
  config.ice_controlling = subscriber ? options_.subscriber_ice_controlling : true;
  ClientTransportCallbacks callbacks;
  callbacks.on_state_change = [this, subscriber](ClientTransportState state) {
    if (state == ClientTransportState::kFailed) {
      ClientTransport* transport = subscriber ? subscriber_.get() : publisher_.get();
      Disconnect(
          Status::Error(std::string(subscriber ? "subscriber" : "publisher") +
                        " connection failed: " + (transport ? transport->failure_reason() : "")));
    } else if (state == ClientTransportState::kConnected && !subscriber) {
      StartMedia();
    }
  };
  if (subscriber) {
    callbacks.on_rtp = [this](uint8_t* data, size_t size, bool decrypted, int64_t now_us) {
      OnSubscriberRtp(data, size, decrypted, now_us);
    };
    callbacks.on_rtcp = [this](uint8_t* data, size_t size, int64_t now_us) {
      OnSubscriberRtcp(data, size, now_us);
    };
  } else {
    callbacks.on_rtcp = [this](uint8_t* data, size_t size, int64_t) {
      OnPublisherRtcp(data, size);
    };
  }
  return ClientTransport::CreateOnLoop(loop_, options_.bind_ip, std::move(config),
                                       std::move(callbacks));
}

Status RoomClient::PrepareSources(const PublishOptions& options) {
  if (!options.audio && !options.video) return Status::Error("room client: nothing to publish");
  if (!sections_.empty()) return Status::Error("room client: already publishing");
  publish_options_ = options;
  const PublisherExtensionIds ids;
  if (options.audio) {
    PublishedSection section;
    section.kind = PublishedKind::kAudio;
    section.mid = kAudioMid;
    section.track_id = RandomId("audio-");
    section.ssrc = RandomNonZero();
    sections_.push_back(section);
    EmulatedStreamConfig stream{section.ssrc, kOpusPayloadType, section.mid, "", ids};
    audio_ = std::make_unique<EmulatedAudioSource>(stream, options.audio_options, RandomNonZero());
  }
  if (options.video) {
    PublishedSection section;
    section.kind = PublishedKind::kVideo;
    section.mid = kVideoMid;
    section.track_id = RandomId("video-");
    video_layers_.clear();
    if (options.simulcast) {
      for (const char* rid : {"q", "h", "f"}) {
        section.rids.push_back(rid);
        video_layers_.push_back({RandomNonZero(), rid});
      }
    } else {
      section.ssrc = RandomNonZero();
      video_layers_.push_back({section.ssrc, ""});
    }
    sections_.push_back(section);
    EmulatedStreamConfig stream{video_layers_[0].ssrc, kVp8PayloadType, section.mid, "", ids};
    video_ = std::make_unique<EmulatedVideoSource>(stream, video_layers_, options.video_options,
                                                   RandomNonZero());
    RtpPacerOptions pacing;
    pacing.rate_bps =
        static_cast<int64_t>(options.video_pacing_factor * video_->total_bitrate_bps());
    video_pacer_ = std::make_unique<RtpPacer>(pacing);
  }
  return Status::Ok();
}

Status RoomClient::Publish(const PublishOptions& options) {
  if (!options.audio && !options.video) return Status::Error("room client: nothing to publish");
  if (!signal_) return Status::Error("room client: not joined through LiveKit signalling");
  if (!joined()) {
    publish_options_ = options;
    publish_requested_ = true;  // sent once the JoinResponse arrives
    return Status::Ok();
  }
  publish_requested_ = false;
  AURALINK_RETURN_IF_ERROR(PrepareSources(options));
  for (const PublishedSection& section : sections_) {
    livekit::SignalRequest request;
    livekit::AddTrackRequest* add = request.mutable_add_track();
    add->set_cid(section.track_id);
    if (section.kind == PublishedKind::kAudio) {
      add->set_name("microphone");
      add->set_type(livekit::AUDIO);
      add->set_source(livekit::MICROPHONE);
    } else {
      add->set_name("camera");
      add->set_type(livekit::VIDEO);
      add->set_source(livekit::CAMERA);
      add->set_width(static_cast<uint32_t>(options.video_options.width));
      add->set_height(static_cast<uint32_t>(options.video_options.height));
      const int count = static_cast<int>(video_layers_.size());
      for (int i = 0; i < count; ++i) {
        const int steps_down = count - 1 - i;
        livekit::VideoLayer* layer = add->add_layers();
        layer->set_quality(static_cast<livekit::VideoQuality>(count == 1 ? livekit::HIGH : i));
        layer->set_width(static_cast<uint32_t>(options.video_options.width >> steps_down));
        layer->set_height(static_cast<uint32_t>(options.video_options.height >> steps_down));
        layer->set_bitrate(
            static_cast<uint32_t>(options.video_options.bitrate_bps >> (2 * steps_down)));
        layer->set_ssrc(video_layers_[static_cast<size_t>(i)].ssrc);
      }
    }
    signal_->Send(request);
    ++tracks_awaiting_publication_;
  }
  return Status::Ok();
}

void RoomClient::OnTrackPublished(const livekit::TrackPublishedResponse& published) {
  if (tracks_awaiting_publication_ == 0) return;
  if (--tracks_awaiting_publication_ == 0) SendPublisherOffer();
}

StatusOr<std::string> RoomClient::BuildOfferText(const std::string& setup) {
  if (!publisher_) {
    auto transport = MakeTransport(/*subscriber=*/false);
    if (!transport.ok()) return transport.status();
    publisher_ = std::move(*transport);
  }
  LocalIceParameters local{publisher_->local_ufrag(), publisher_->local_pwd(),
                           publisher_->local_fingerprint(), publisher_->local_address()};
  return BuildPublisherOffer(local, sections_, RandomId("stream-"), PublisherExtensionIds{},
                             ++offer_id_, setup)
      .ToString();
}

void RoomClient::SendPublisherOffer() {
  auto offer = BuildOfferText("actpass");
  if (!offer.ok()) {
    Disconnect(offer.status());
    return;
  }
  livekit::SignalRequest request;
  request.mutable_offer()->set_type("offer");
  request.mutable_offer()->set_sdp(*offer);
  request.mutable_offer()->set_id(offer_id_);
  signal_->Send(request);
}

StatusOr<std::string> RoomClient::CreatePublisherOffer(const PublishOptions& options,
                                                       const std::string& setup) {
  AURALINK_RETURN_IF_ERROR(PrepareSources(options));
  return BuildOfferText(setup);
}

Status RoomClient::SetPublisherAnswer(const std::string& sdp) {
  if (!publisher_) return Status::Error("room client: no publisher offer was made");
  auto description = rtc::SessionDescription::Parse(sdp);
  if (!description.ok()) return description.status().WithContext("publisher answer");
  auto server = ReadServerTransport(*description);
  if (!server.ok()) return server.status().WithContext("publisher answer");
  if (!server->candidate) return Status::Error("publisher answer has no UDP candidate");
  publisher_->SetRemoteAddress(*server->candidate);
  return publisher_->SetRemoteParameters(server->ice_ufrag, server->ice_pwd, server->fingerprint,
                                         net::EventLoop::NowMs());
}

void RoomClient::MarkJoined(const std::string& participant_id) {
  participant_sid_ = participant_id;
  if (callbacks_.on_joined) callbacks_.on_joined(Status::Ok());
}

void RoomClient::OnPublisherAnswer(const livekit::SessionDescription& answer) {
  if (!publisher_) return;
  Status set = SetPublisherAnswer(answer.sdp());
  if (!set.ok()) Disconnect(set);
}

StatusOr<std::string> RoomClient::AnswerServerOffer(const std::string& sdp) {
  auto description = rtc::SessionDescription::Parse(sdp);
  if (!description.ok()) return description.status().WithContext("subscriber offer");
  if (!subscriber_) {
    auto transport = MakeTransport(/*subscriber=*/true);
    if (!transport.ok()) return transport.status();
    subscriber_ = std::move(*transport);
  }
  LocalIceParameters local{subscriber_->local_ufrag(), subscriber_->local_pwd(),
                           subscriber_->local_fingerprint(), subscriber_->local_address()};
  auto answer = AnswerSubscriberOffer(*description, local);
  if (!answer.ok()) return answer.status();
  if (!answer->server.candidate) return Status::Error("subscriber offer has no UDP candidate");
  for (const OfferedTrack& offered : answer->tracks) {
    if (by_ssrc_.count(offered.ssrc)) continue;
    auto track = std::make_unique<ReceivedTrack>();
    track->offered = offered;
    track->statistics = std::make_unique<rtc::RtpReceiveStatistics>(
        offered.ssrc, offered.clock_rate == 0 ? 90000 : offered.clock_rate);
    by_ssrc_[offered.ssrc] = track.get();
    received_.push_back(std::move(track));
  }
  subscriber_->SetRemoteAddress(*answer->server.candidate);
  AURALINK_RETURN_IF_ERROR(
      subscriber_->SetRemoteParameters(answer->server.ice_ufrag, answer->server.ice_pwd,
                                       answer->server.fingerprint, net::EventLoop::NowMs()));
  if (report_timer_ == 0 && options_.receiver_report_interval_ms > 0) ScheduleReceiverReport();
  // The answer accepts every offered extension; bundled sections share their ids.
  for (const rtc::MediaSection& section : answer->answer.media) {
    for (const rtc::HeaderExtension& extension : section.header_extensions) {
      if (extension.id > 0 && extension.id < 256)
        (void)subscriber_extension_ids_.Register(static_cast<uint8_t>(extension.id), extension.uri);
    }
  }
  if (feedback_timer_ == 0 && options_.transport_feedback_interval_ms > 0 &&
      subscriber_extension_ids_.IdOf(rtc::RtpExtensionType::kTransportSequenceNumber) != 0) {
    feedback_timer_ = loop_->RunEveryUs(options_.transport_feedback_interval_ms * 1000,
                                        [this]() { SendTransportFeedback(); });
  }
  return answer->answer.ToString();
}

void RoomClient::OnSubscriberOffer(const livekit::SessionDescription& offer) {
  auto answer = AnswerServerOffer(offer.sdp());
  if (!answer.ok()) {
    Disconnect(answer.status());
    return;
  }
  livekit::SignalRequest request;
  request.mutable_answer()->set_type("answer");
  request.mutable_answer()->set_sdp(*answer);
  request.mutable_answer()->set_id(offer.id());
  signal_->Send(request);
}

void RoomClient::StartMedia() {
  if (publishing_) return;
  publishing_ = true;
  // Each stream starts at a random phase of its frame interval, to the microsecond, as independent
  // senders do: many emulated publishers that became ready together would otherwise send in
  // lockstep, and with phases in whole milliseconds a hundred of them at 50 frames a second would
  // share twenty instants, several packets meeting the server at once every frame.
  if (audio_) {
    const int64_t interval_us = int64_t{audio_->frame_interval_ms()} * 1000;
    audio_timer_ = loop_->RunAfterUs(RandomNonZero() % interval_us, [this, interval_us]() {
      audio_timer_ = loop_->RunEveryUs(interval_us, [this]() { SendAudioFrame(); });
      SendAudioFrame();
    });
  }
  if (video_) {
    const int64_t interval_us = int64_t{std::max(1, video_->frame_interval_ms())} * 1000;
    video_timer_ = loop_->RunAfterUs(RandomNonZero() % interval_us, [this, interval_us]() {
      video_timer_ = loop_->RunEveryUs(interval_us, [this]() { SendVideoFrame(); });
      SendVideoFrame();
    });
    pacer_timer_ = loop_->RunEvery(5, [this]() { SendPacedVideo(); });
  }
  if (audio_ && options_.audio_sender_report_interval_ms > 0) ScheduleSenderReports(false, true);
  if (video_ && options_.video_sender_report_interval_ms > 0) ScheduleSenderReports(true, true);
  if (callbacks_.on_publishing) callbacks_.on_publishing();
}

void RoomClient::SendPacket(EmulatedPacket& packet, bool video) {
  if (packet.size < rtc::RtpPacket::kFixedHeaderSize) return;
  if (packet.transport_cc_offset != 0)
    rtc::StoreBigEndian16(packet.buffer.data() + packet.transport_cc_offset, transport_sequence_++);
  // The trailer ends the payload, which ends the packet. Restamped here, just before encryption,
  // so that a frame's later packets do not count the time spent sending the earlier ones.
  std::span<uint8_t> whole(packet.buffer.data(), packet.size);
  if (ReadSendTimestamp(whole)) WriteSendTimestamp(whole, net::EventLoop::NowUs());
  publisher_stats_.bytes += packet.size;
  const uint8_t* header = packet.buffer.data();
  const uint32_t ssrc = rtc::LoadBigEndian32(header + 8);
  auto stream = std::find_if(sent_streams_.begin(), sent_streams_.end(),
                             [ssrc](const SentStream& sent) { return sent.ssrc == ssrc; });
  if (stream == sent_streams_.end()) {
    sent_streams_.push_back({.ssrc = ssrc, .video = video});
    stream = sent_streams_.end() - 1;
  }
  stream->last_timestamp = rtc::LoadBigEndian32(header + 4);
  stream->last_send_us = net::EventLoop::NowUs();
  ++stream->packets;
  // RFC 3550 §6.4.1: the payload octets, without header, extension and padding (none here).
  size_t header_size = rtc::RtpPacket::kFixedHeaderSize + 4 * size_t{header[0] & 0x0fu};
  if ((header[0] & 0x10u) != 0 && packet.size >= header_size + 4)
    header_size += 4 + 4 * size_t{rtc::LoadBigEndian16(header + header_size + 2)};
  if (packet.size > header_size)
    stream->payload_octets += static_cast<uint32_t>(packet.size - header_size);
  if (!publisher_->SendRtp(packet.buffer.data(), packet.size, packet.buffer.size()).ok())
    ++publisher_stats_.send_failures;
}

void RoomClient::ScheduleSenderReports(bool video, bool first) {
  // The first after half the nominal interval, the others drawn between 0.5 and 1.5 times it, as
  // libwebrtc's RTCP sender does.
  thread_local std::mt19937 random{std::random_device{}()};
  const int64_t nominal_us = (video ? options_.video_sender_report_interval_ms
                                    : options_.audio_sender_report_interval_ms) *
                             1000;
  const int64_t delay_us =
      first ? nominal_us / 2
            : std::uniform_int_distribution<int64_t>(nominal_us / 2, nominal_us * 3 / 2)(random);
  net::TimerId& timer = video ? video_sender_report_timer_ : audio_sender_report_timer_;
  timer = loop_->RunAfterUs(delay_us, [this, video]() {
    (video ? video_sender_report_timer_ : audio_sender_report_timer_) = 0;
    SendSenderReports(video);
    if (publishing_) ScheduleSenderReports(video, false);
  });
}

void RoomClient::SendSenderReports(bool video) {
  if (!publisher_ || !publisher_->connected()) return;
  const int64_t now_us = net::EventLoop::NowUs();
  // NTP time (RFC 3550 §4): seconds since 1900 in the high word, the fraction in the low one.
  constexpr uint64_t kNtpUnixOffsetSeconds = 2'208'988'800;
  const auto since_epoch = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  const uint64_t micros = static_cast<uint64_t>(since_epoch);
  const uint64_t ntp = ((micros / 1'000'000 + kNtpUnixOffsetSeconds) << 32) |
                       (((micros % 1'000'000) << 32) / 1'000'000);
  for (const SentStream& stream : sent_streams_) {
    if (stream.video != video || stream.packets == 0) continue;
    rtc::SenderReport report;
    report.sender_ssrc = stream.ssrc;
    report.ntp_timestamp = ntp;
    // The RTP timestamp that belongs to now: the newest packet's, advanced at the clock rate.
    const int64_t clock_rate = video ? 90'000 : 48'000;
    report.rtp_timestamp =
        stream.last_timestamp +
        static_cast<uint32_t>((now_us - stream.last_send_us) * clock_rate / 1'000'000);
    report.packet_count = stream.packets;
    report.octet_count = stream.payload_octets;
    std::array<uint8_t, 128> buffer{};
    const size_t length = report.Write(buffer);
    if (length > 0 && publisher_->SendRtcp(buffer.data(), length, buffer.size()).ok())
      ++publisher_stats_.sender_reports;
  }
}

void RoomClient::SendAudioFrame() {
  if (!publisher_ || !publisher_->connected()) return;
  SendPacket(audio_->NextPacket(net::EventLoop::NowUs()), false);
  ++publisher_stats_.audio_packets;
}

void RoomClient::SendVideoFrame() {
  if (!publisher_ || !publisher_->connected()) return;
  const uint64_t key_frames_before = video_->key_frames_produced();
  for (EmulatedPacket& packet : video_->NextFrame(net::EventLoop::NowUs())) {
    video_pacer_->Enqueue(packet);
    ++publisher_stats_.video_packets;
  }
  SendPacedVideo();
  ++publisher_stats_.video_frames;
  publisher_stats_.key_frames += video_->key_frames_produced() - key_frames_before;
}

void RoomClient::SendPacedVideo() {
  if (!publisher_ || !publisher_->connected()) return;
  video_pacer_->Process(net::EventLoop::NowUs(),
                        [this](EmulatedPacket& packet) { SendPacket(packet, true); });
}

void RoomClient::StopPublishing() {
  if (audio_timer_ != 0) loop_->Cancel(audio_timer_);
  if (video_timer_ != 0) loop_->Cancel(video_timer_);
  if (pacer_timer_ != 0) loop_->Cancel(pacer_timer_);
  if (audio_sender_report_timer_ != 0) loop_->Cancel(audio_sender_report_timer_);
  if (video_sender_report_timer_ != 0) loop_->Cancel(video_sender_report_timer_);
  audio_timer_ = video_timer_ = pacer_timer_ = 0;
  audio_sender_report_timer_ = video_sender_report_timer_ = 0;
  publishing_ = false;
}

void RoomClient::OnPublisherRtcp(const uint8_t* data, size_t size) {
  rtc::RtcpPacketIterator packets({data, size});
  rtc::RtcpPacketView view;
  while (packets.Next(&view)) {
    if (view.packet_type == static_cast<uint8_t>(rtc::RtcpPacketType::kPayloadFeedback) &&
        (view.count_or_format == rtc::kPsfbPictureLossIndication ||
         view.count_or_format == rtc::kPsfbFullIntraRequest)) {
      ++publisher_stats_.key_frame_requests;
      if (video_) video_->RequestKeyFrame();
    } else if (view.packet_type == static_cast<uint8_t>(rtc::RtcpPacketType::kTransportFeedback) &&
               view.count_or_format == rtc::kRtpfbGenericNack) {
      ++publisher_stats_.nacks;  // no RTX cache: loopback loses nothing worth repairing
    }
  }
}

void RoomClient::OnSubscriberRtp(uint8_t* data, size_t size, bool decrypted, int64_t now_us) {
  if (size < rtc::RtpPacket::kFixedHeaderSize) return;
  // RFC 3711 §3.1: the RTP header stays in the clear, so the counters need no decryption.
  const uint32_t ssrc = rtc::LoadBigEndian32(data + 8);
  ++packets_received_;
  bytes_received_ += size;
  auto found = by_ssrc_.find(ssrc);
  if (found == by_ssrc_.end()) return;
  ReceivedTrack& track = *found->second;
  const bool first = track.packets == 0;
  ++track.packets;
  track.bytes += size;
  track.last_timestamp = rtc::LoadBigEndian32(data + 4);
  track.statistics->OnPacket(rtc::LoadBigEndian16(data + 2), track.last_timestamp, now_us);
  const bool feedback = feedback_timer_ != 0;
  if (feedback || (decrypted && latency_)) {
    // Header extensions stay in the clear under SRTP too (RFC 3711 §3.1).
    rtc::RtpPacket packet;
    if (rtc::RtpPacket::Parse({data, size}, &packet) == rtc::RtpParseError::kOk) {
      if (feedback) {
        if (auto value = packet.FindExtension(rtc::RtpExtensionType::kTransportSequenceNumber,
                                              subscriber_extension_ids_)) {
          if (auto sequence = rtc::TransportSequenceNumber::Parse(*value))
            twcc_.OnPacket(*sequence, now_us, ssrc);
        }
      }
      if (decrypted && latency_) {
        if (auto sent = ReadSendTimestamp(packet.payload())) latency_->Add(now_us - *sent);
      }
    }
  }
  if (first && callbacks_.on_track) callbacks_.on_track(track);
}

void RoomClient::OnSubscriberRtcp(const uint8_t* data, size_t size, int64_t now_us) {
  rtc::ForEachSenderReport({data, size}, [this, now_us](const rtc::SenderReport& report) {
    auto found = by_ssrc_.find(report.sender_ssrc);
    if (found == by_ssrc_.end()) return;
    ReceivedTrack& track = *found->second;
    ++track.sender_reports;
    track.last_sender_report = report;
    // Our receiver reports then carry LSR and DLSR, from which the server measures the round trip.
    track.statistics->OnSenderReport(report.ntp_timestamp, now_us);
  });
}

void RoomClient::ScheduleReceiverReport() {
  // RFC 3550 §6.3.1: each interval drawn between 0.5 and 1.5 times the nominal one, as libwebrtc
  // does, so that subscribers who joined together do not report together.
  thread_local std::mt19937 random{std::random_device{}()};
  const int64_t nominal_us = options_.receiver_report_interval_ms * 1000;
  const int64_t delay_us =
      std::uniform_int_distribution<int64_t>(nominal_us / 2, nominal_us * 3 / 2)(random);
  report_timer_ = loop_->RunAfterUs(delay_us, [this]() {
    report_timer_ = 0;
    SendReceiverReports();
    if (!left_) ScheduleReceiverReport();
  });
}

void RoomClient::SendReceiverReports() {
  if (!subscriber_ || !subscriber_->connected() || received_.empty()) return;
  rtc::ReceiverReport report;
  report.sender_ssrc = rtcp_ssrc_;
  const int64_t now_us = net::EventLoop::NowUs();
  for (const auto& track : received_) {
    if (!track->statistics->has_packets()) continue;
    if (!report.AddReportBlock(track->statistics->MakeReportBlock(now_us))) break;
  }
  std::array<uint8_t, 1024> buffer{};
  const size_t length = report.Write(buffer);
  if (length > 0) (void)subscriber_->SendRtcp(buffer.data(), length, buffer.size());
}

void RoomClient::SendTransportFeedback() {
  if (!subscriber_ || !subscriber_->connected() || twcc_.empty()) return;
  twcc_.TakeFeedback(rtcp_ssrc_, &twcc_feedback_);
  std::array<uint8_t, 1500> buffer{};
  for (const rtc::TwccFeedback& feedback : twcc_feedback_) {
    const size_t length = feedback.Write(buffer);
    if (length > 0 && subscriber_->SendRtcp(buffer.data(), length, buffer.size()).ok())
      ++transport_feedback_sent_;
  }
}

void RoomClient::Disconnect(const Status& why) {
  if (left_) return;
  left_ = true;
  StopPublishing();
  if (report_timer_ != 0) loop_->Cancel(report_timer_);
  report_timer_ = 0;
  if (feedback_timer_ != 0) loop_->Cancel(feedback_timer_);
  feedback_timer_ = 0;
  if (publisher_) publisher_->Close();
  if (subscriber_) subscriber_->Close();
  if (callbacks_.on_disconnected) callbacks_.on_disconnected(why);
}

void RoomClient::Leave() {
  if (left_) return;
  if (signal_ && signal_->open()) {
    livekit::SignalRequest request;
    request.mutable_leave()->set_can_reconnect(false);
    request.mutable_leave()->set_reason(livekit::CLIENT_INITIATED);
    signal_->Send(request);
  }
  Disconnect(Status::Ok());
  if (signal_) signal_->Close();
}

}  // namespace auralink::client
