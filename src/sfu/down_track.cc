#include "sfu/down_track.h"

#include <cstring>

#include "rtc/codecs/vp8_payload_descriptor.h"
#include "rtc/rtp/big_endian.h"
#include "rtc/rtp/rtx.h"

namespace auralink::sfu {
namespace {

// Headroom for the SRTP/SRTCP tag the sender appends in place.
constexpr size_t kSrtpHeadroom = 64;
// A NACK repeated within this long is a repeat of one already answered (RFC 4585 §3.2).
constexpr int64_t kMinResendIntervalMs = 10;

// Where Forward() builds each subscriber's copy from the prepared packet. The sender protects it
// and the server's send queue copies it out before Forward() returns, and everything on one event
// loop runs on its thread, so one buffer per thread serves every down track and stays in cache
// across a fan-out (a buffer per down track would bring a cold one per subscriber).
std::array<uint8_t, DownTrack::kBufferSize>& ForwardScratch() {
  thread_local std::array<uint8_t, DownTrack::kBufferSize> scratch;
  return scratch;
}

}  // namespace

const ForwardSource::Prepared* ForwardSource::PrepareFor(const rtc::RtpExtensionIdMap& ids) {
  if (prepared_ids_ != nullptr && (prepared_ids_ == &ids || prepared_ids_->SameIds(ids)))
    return prepared_ok_ ? &prepared_ : nullptr;
  prepared_ids_ = &ids;
  prepared_ok_ = false;
  const size_t length = packet_.size();
  if (length + kSrtpHeadroom > prepared_.bytes.size()) return nullptr;
  std::memcpy(prepared_.bytes.data(), packet_.data().data(), length);
  rtc::RtpPacket out;
  if (rtc::RtpPacket::Parse({prepared_.bytes.data(), length}, &out) != rtc::RtpParseError::kOk)
    return nullptr;
  out.RewriteExtensionIds(publisher_ids_, ids);
  // Our subscriber offer carries its own MID; the publisher's would name another section.
  if (const uint8_t mid_id = ids.IdOf(rtc::RtpExtensionType::kMid); mid_id != 0)
    out.RemoveExtension(mid_id);
  prepared_.length = length;
  prepared_.payload_offset = out.header_size();
  prepared_.payload_size = out.payload().size();
  prepared_.offsets = TransportFieldOffsets::Find(out, ids);
  prepared_ok_ = true;
  return &prepared_;
}

StatusOr<std::unique_ptr<DownTrack>> DownTrack::Create(const DownTrackConfig& config,
                                                       SubscriberSender* sender,
                                                       const rtc::RtpExtensionIdMap* publisher_ids,
                                                       SourcePacketStore* store) {
  if (sender == nullptr || publisher_ids == nullptr)
    return Status::Error("down track: no sender or extension map");
  if (config.ssrc == 0) return Status::Error("down track: no SSRC");
  std::unique_ptr<DownTrack> track(new DownTrack(config, sender, publisher_ids, store));
  rtc::SimulcastStreamRewriter::Config rewriter_config;
  rewriter_config.clock_rate_hz = static_cast<int>(config.clock_rate);
  auto rewriter = rtc::SimulcastStreamRewriter::Create(rewriter_config);
  if (!rewriter.ok()) return rewriter.status();
  track->rewriter_ = std::move(*rewriter);
  (void)track->rewriter_->SetTargetLayer(0);
  if (config.kind == MediaKind::kVideo && config.rtx_ssrc != 0 && store != nullptr)
    track->history_.resize(kHistorySize);
  return track;
}

DownTrack::DownTrack(const DownTrackConfig& config, SubscriberSender* sender,
                     const rtc::RtpExtensionIdMap* publisher_ids, SourcePacketStore* store)
    : config_(config),
      sender_(sender),
      publisher_ids_(publisher_ids),
      store_(store),
      subscriber_ids_(sender->extension_ids()) {}

void DownTrack::Prefetch(int step) const {
  if (step == 0) {
    __builtin_prefetch(&config_);
    __builtin_prefetch(&sender_);
    __builtin_prefetch(&packets_sent_, 1);
    return;
  }
  if (paused_) return;
  if (step == 1) {
    __builtin_prefetch(rewriter_.get(), 1);
    if (!history_.empty() && history_highest_ != kNoSequence)
      __builtin_prefetch(&history_[static_cast<size_t>(history_highest_ + 1) & (kHistorySize - 1)],
                         1);
  }
  sender_->Prefetch(step - 1);
}

void DownTrack::SetTargetLayer(std::optional<int> layer) {
  if (config_.kind == MediaKind::kAudio) return;
  (void)rewriter_->SetTargetLayer(layer);
}

std::optional<int> DownTrack::target_layer() const { return rewriter_->target_layer(); }
std::optional<int> DownTrack::current_layer() const { return rewriter_->current_layer(); }
bool DownTrack::NeedsKeyFrame() const {
  return !paused_ && config_.kind == MediaKind::kVideo && rewriter_->WaitingForKeyFrame();
}

size_t DownTrack::WriteCopy(const ForwardSource::Prepared& prepared, const SentPacket& sent,
                            uint8_t* out) const {
  std::memcpy(out, prepared.bytes.data(), prepared.length);
  // The fixed header (RFC 3550 §5.1): marker and payload type, sequence number, timestamp, SSRC.
  uint8_t payload_type = out[1] & 0x7F;
  if (const int16_t mapped = config_.payload_type_of[payload_type]; mapped >= 0)
    payload_type = static_cast<uint8_t>(mapped);
  out[1] = static_cast<uint8_t>((sent.marker ? 0x80 : 0) | payload_type);
  rtc::StoreBigEndian16(out + 2, static_cast<uint16_t>(sent.sequence));
  rtc::StoreBigEndian32(out + 4, sent.timestamp);
  rtc::StoreBigEndian32(out + 8, config_.ssrc);
  if (config_.codec == VideoCodecId::kVp8 && (sent.has_picture_id || sent.has_tl0_pic_idx)) {
    (void)rtc::Vp8PayloadDescriptor::Rewrite(
        {out + prepared.payload_offset, prepared.payload_size},
        sent.has_picture_id ? std::optional<uint16_t>(sent.picture_id) : std::nullopt,
        sent.has_tl0_pic_idx ? std::optional<uint8_t>(sent.tl0_pic_idx) : std::nullopt);
  }
  return prepared.length;
}

void DownTrack::Remember(const SentPacket& sent) {
  SentPacket& slot = history_[static_cast<size_t>(sent.sequence) & (kHistorySize - 1)];
  slot = sent;
  slot.sequence = history_unwrapper_.Unwrap(static_cast<uint16_t>(sent.sequence));
  if (slot.sequence > history_highest_) history_highest_ = slot.sequence;
}

DownTrack::SentPacket* DownTrack::FindSent(uint16_t sequence, int64_t now_ms) {
  if (history_.empty() || history_highest_ == kNoSequence) return nullptr;
  const int64_t unwrapped = history_unwrapper_.PeekUnwrap(sequence);
  if (unwrapped > history_highest_ ||
      history_highest_ - unwrapped >= static_cast<int64_t>(kHistorySize))
    return nullptr;
  SentPacket& sent = history_[sequence & (kHistorySize - 1)];
  if (sent.sequence != unwrapped || now_ms - sent.sent_ms > kHistoryMaxAgeMs) return nullptr;
  return &sent;
}

void DownTrack::Forward(ForwardSource& source, int64_t now_ms) {
  if (paused_) return;
  const rtc::RtpPacket& packet = source.packet();
  const VideoPayloadInfo& info = source.info();
  rtc::SimulcastSourcePacket in;
  in.layer = config_.kind == MediaKind::kAudio ? 0 : source.layer();
  in.sequence_number = packet.sequence_number();
  in.timestamp = packet.timestamp();
  in.marker = packet.marker();
  in.arrival_time_ms = now_ms;
  if (config_.kind == MediaKind::kAudio) {
    // Every audio packet is a switch point.
    in.start_of_frame = true;
    in.key_frame = true;
  } else {
    in.start_of_frame = info.start_of_frame;
    in.key_frame = info.key_frame;
    in.temporal_id = info.temporal_id;
    in.layer_sync = info.layer_sync;
    in.picture_id = info.picture_id;
    in.tl0_pic_idx = info.tl0_pic_idx;
  }
  const std::optional<rtc::SimulcastRewrittenPacket> rewritten = rewriter_->Rewrite(in);
  if (!rewritten) return;
  // The subscriber's decoder starts over at the key frame a switch begins with, so what was sent
  // before it is no longer worth repairing.
  if (rewritten->first_after_switch) repair_floor_ = rewritten->sequence_number;

  const ForwardSource::Prepared* prepared = source.PrepareFor(subscriber_ids_);
  if (prepared == nullptr) return;
  SentPacket sent;
  sent.sequence = rewritten->sequence_number;
  sent.sent_ms = now_ms;
  sent.timestamp = rewritten->timestamp;
  sent.source_sequence = packet.sequence_number();
  sent.layer = static_cast<uint8_t>(in.layer);
  sent.marker = rewritten->marker;
  sent.has_picture_id = rewritten->picture_id.has_value();
  sent.picture_id = rewritten->picture_id.value_or(0);
  sent.has_tl0_pic_idx = rewritten->tl0_pic_idx.has_value();
  sent.tl0_pic_idx = rewritten->tl0_pic_idx.value_or(0);
  std::array<uint8_t, kBufferSize>& buffer = ForwardScratch();
  const size_t length = WriteCopy(*prepared, sent, buffer.data());
  last_timestamp_ = rewritten->timestamp;
  timestamp_mapping_ = {in.layer, packet.timestamp(), rewritten->timestamp};
  if (!history_.empty()) Remember(sent);
  if (sender_->SendRtp(buffer.data(), length, buffer.size(), now_ms, prepared->offsets)) {
    ++packets_sent_;
    bytes_sent_ += length;
    payload_bytes_sent_ += prepared->payload_size;
  }
}

void DownTrack::OnNack(std::span<const uint16_t> sequence_numbers, int64_t now_ms) {
  // Without RTX a resend would repeat an SRTP index with different bytes (the transport-wide
  // sequence number changes): not allowed for AEAD, so only RTX repairs.
  if (history_.empty()) return;
  std::array<uint8_t, kBufferSize> source_buffer{};
  std::array<uint8_t, kBufferSize> media_buffer{};
  std::array<uint8_t, kBufferSize> rtx_buffer{};
  for (uint16_t sequence : sequence_numbers) {
    if (repair_floor_ && static_cast<int16_t>(sequence - *repair_floor_) < 0) {
      ++nacks_before_switch_;
      continue;
    }
    SentPacket* sent = FindSent(sequence, now_ms);
    if (sent == nullptr) continue;
    // A NACK repeated within one round trip (RFC 4585 §3.2) is answered once.
    if (sent->resent_ms >= 0 && now_ms - sent->resent_ms < kMinResendIntervalMs) continue;
    const std::span<const uint8_t> original =
        store_->FindSourcePacket(sent->layer, sent->source_sequence, now_ms);
    if (original.empty()) continue;
    sent->resent_ms = now_ms;
    if (!sender_->AdmitRetransmission(original.size(), now_ms)) continue;
    if (original.size() > source_buffer.size()) continue;
    std::memcpy(source_buffer.data(), original.data(), original.size());
    rtc::RtpPacket source_packet;
    if (rtc::RtpPacket::Parse({source_buffer.data(), original.size()}, &source_packet) !=
        rtc::RtpParseError::kOk)
      continue;
    const VideoPayloadInfo no_info;  // only the bytes are rewritten again
    ForwardSource source(source_packet, sent->layer, no_info, *publisher_ids_);
    const ForwardSource::Prepared* prepared = source.PrepareFor(subscriber_ids_);
    if (prepared == nullptr) continue;
    const size_t length = WriteCopy(*prepared, *sent, media_buffer.data());
    rtc::RtpPacket media;
    if (rtc::RtpPacket::Parse({media_buffer.data(), length}, &media) != rtc::RtpParseError::kOk)
      continue;
    const int16_t rtx_payload_type = config_.rtx_payload_type_of[media.payload_type()];
    if (rtx_payload_type < 0) continue;
    auto rtx_length =
        rtc::WrapRtx(media, {config_.rtx_ssrc, static_cast<uint8_t>(rtx_payload_type)},
                     rtx_sequence_++, {rtx_buffer.data(), rtx_buffer.size() - kSrtpHeadroom});
    if (!rtx_length) continue;
    if (sender_->SendRtp(rtx_buffer.data(), *rtx_length, rtx_buffer.size(), now_ms))
      ++packets_retransmitted_;
  }
}

size_t DownTrack::SendPadding(size_t bytes, int64_t now_ms) {
  if (config_.rtx_ssrc == 0 || paused_) return 0;
  int rtx_payload_type = -1;
  for (int16_t type : config_.rtx_payload_type_of) {
    if (type >= 0) {
      rtx_payload_type = type;
      break;
    }
  }
  if (rtx_payload_type < 0) return 0;
  const uint8_t twcc_id = subscriber_ids_.IdOf(rtc::RtpExtensionType::kTransportSequenceNumber);
  const uint8_t abs_id = subscriber_ids_.IdOf(rtc::RtpExtensionType::kAbsSendTime);
  const std::array<uint8_t, 2> twcc_value{};
  const std::array<uint8_t, 3> abs_value{};
  std::array<uint8_t, 512> packet{};
  size_t sent = 0;
  while (sent < bytes) {
    rtc::RtpPacketBuilder builder({packet.data(), packet.size() - kSrtpHeadroom});
    builder.SetPayloadType(static_cast<uint8_t>(rtx_payload_type))
        .SetSequenceNumber(rtx_sequence_++)
        .SetTimestamp(last_timestamp_)
        .SetSsrc(config_.rtx_ssrc);
    if (twcc_id != 0) builder.AddExtension(twcc_id, twcc_value);
    if (abs_id != 0) builder.AddExtension(abs_id, abs_value);
    builder.SetPadding(255);
    const std::optional<size_t> length = builder.Finish();
    if (!length) break;
    if (!sender_->SendRtp(packet.data(), *length, packet.size(), now_ms)) break;
    sent += *length;
  }
  return sent;
}

}  // namespace auralink::sfu
