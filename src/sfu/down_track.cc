#include "sfu/down_track.h"

#include <cstring>

#include "rtc/codecs/vp8_payload_descriptor.h"
#include "rtc/rtp/rtx.h"

namespace auralink::sfu {
namespace {

// Headroom for the SRTP/SRTCP tag the sender appends in place.
constexpr size_t kSrtpHeadroom = 64;

// Where Forward() builds each subscriber's copy. The sender protects it and the server's send queue
// copies it out before Forward() returns, and everything on one event loop runs on its thread, so
// one buffer per thread serves every down track and stays in cache across a fan-out (a buffer per
// down track would bring a cold one per subscriber).
std::array<uint8_t, DownTrack::kBufferSize>& ForwardScratch() {
  thread_local std::array<uint8_t, DownTrack::kBufferSize> scratch;
  return scratch;
}

}  // namespace

StatusOr<std::unique_ptr<DownTrack>> DownTrack::Create(
    const DownTrackConfig& config, SubscriberSender* sender,
    const rtc::RtpExtensionIdMap* publisher_ids) {
  if (sender == nullptr || publisher_ids == nullptr)
    return Status::Error("down track: no sender or extension map");
  if (config.ssrc == 0) return Status::Error("down track: no SSRC");
  std::unique_ptr<DownTrack> track(new DownTrack(config, sender, publisher_ids));
  rtc::SimulcastStreamRewriter::Config rewriter_config;
  rewriter_config.clock_rate_hz = static_cast<int>(config.clock_rate);
  auto rewriter = rtc::SimulcastStreamRewriter::Create(rewriter_config);
  if (!rewriter.ok()) return rewriter.status();
  track->rewriter_ = std::move(*rewriter);
  (void)track->rewriter_->SetTargetLayer(0);
  if (config.kind == MediaKind::kVideo && config.rtx_ssrc != 0) {
    rtc::RtpPacketCacheConfig cache_config;
    cache_config.slot_count = 512;
    auto cache = rtc::RtpPacketCache::Create(cache_config);
    if (!cache.ok()) return cache.status();
    track->cache_ = std::move(*cache);
  }
  return track;
}

DownTrack::DownTrack(const DownTrackConfig& config, SubscriberSender* sender,
                     const rtc::RtpExtensionIdMap* publisher_ids)
    : config_(config),
      sender_(sender),
      publisher_ids_(publisher_ids),
      subscriber_ids_(sender->extension_ids()) {}

void DownTrack::SetTargetLayer(std::optional<int> layer) {
  if (config_.kind == MediaKind::kAudio) return;
  (void)rewriter_->SetTargetLayer(layer);
}

std::optional<int> DownTrack::target_layer() const { return rewriter_->target_layer(); }
std::optional<int> DownTrack::current_layer() const { return rewriter_->current_layer(); }
bool DownTrack::NeedsKeyFrame() const {
  return !paused_ && config_.kind == MediaKind::kVideo && rewriter_->WaitingForKeyFrame();
}

void DownTrack::Forward(const rtc::RtpPacket& packet, int layer, const VideoPayloadInfo& info,
                        int64_t now_ms) {
  if (paused_) return;
  rtc::SimulcastSourcePacket source;
  source.layer = config_.kind == MediaKind::kAudio ? 0 : layer;
  source.sequence_number = packet.sequence_number();
  source.timestamp = packet.timestamp();
  source.marker = packet.marker();
  source.arrival_time_ms = now_ms;
  if (config_.kind == MediaKind::kAudio) {
    // Every audio packet is a switch point.
    source.start_of_frame = true;
    source.key_frame = true;
  } else {
    source.start_of_frame = info.start_of_frame;
    source.key_frame = info.key_frame;
    source.temporal_id = info.temporal_id;
    source.layer_sync = info.layer_sync;
    source.picture_id = info.picture_id;
    source.tl0_pic_idx = info.tl0_pic_idx;
  }
  const std::optional<rtc::SimulcastRewrittenPacket> rewritten = rewriter_->Rewrite(source);
  if (!rewritten) return;
  // The subscriber's decoder starts over at the key frame a switch begins with, so what was sent
  // before it is no longer worth repairing.
  if (rewritten->first_after_switch) repair_floor_ = rewritten->sequence_number;

  const size_t length = packet.size();
  std::array<uint8_t, kBufferSize>& buffer = ForwardScratch();
  if (length + kSrtpHeadroom > buffer.size()) return;
  std::memcpy(buffer.data(), packet.data().data(), length);
  rtc::RtpPacket out;
  if (rtc::RtpPacket::Parse({buffer.data(), length}, &out) != rtc::RtpParseError::kOk) return;
  out.SetSsrc(config_.ssrc);
  if (const int16_t mapped = config_.payload_type_of[out.payload_type()]; mapped >= 0)
    out.SetPayloadType(static_cast<uint8_t>(mapped));
  out.SetSequenceNumber(rewritten->sequence_number);
  out.SetTimestamp(rewritten->timestamp);
  last_timestamp_ = rewritten->timestamp;
  timestamp_mapping_ = {source.layer, packet.timestamp(), rewritten->timestamp};
  out.SetMarker(rewritten->marker);
  out.RewriteExtensionIds(*publisher_ids_, subscriber_ids_);
  // Our subscriber offer carries its own MID; the publisher's would name another section.
  if (uint8_t mid_id = subscriber_ids_.IdOf(rtc::RtpExtensionType::kMid); mid_id != 0)
    out.RemoveExtension(mid_id);
  if (config_.codec == VideoCodecId::kVp8 && (rewritten->picture_id || rewritten->tl0_pic_idx))
    (void)rtc::Vp8PayloadDescriptor::Rewrite(out.payload(), rewritten->picture_id,
                                             rewritten->tl0_pic_idx);
  if (cache_) cache_->Insert(out, now_ms);
  if (sender_->SendRtp(buffer.data(), length, buffer.size(), now_ms,
                       TransportFieldOffsets::Find(out, subscriber_ids_))) {
    ++packets_sent_;
    bytes_sent_ += length;
    payload_bytes_sent_ += out.payload().size();
  }
}

void DownTrack::OnNack(std::span<const uint16_t> sequence_numbers, int64_t now_ms) {
  // Without RTX a resend would repeat an SRTP index with different bytes (the transport-wide
  // sequence number changes): not allowed for AEAD, so only RTX repairs.
  if (!cache_) return;
  std::array<uint8_t, kBufferSize> rtx_buffer{};
  for (uint16_t sequence : sequence_numbers) {
    if (repair_floor_ && static_cast<int16_t>(sequence - *repair_floor_) < 0) {
      ++nacks_before_switch_;
      continue;
    }
    std::span<uint8_t> cached = cache_->Find(sequence, now_ms);
    if (cached.empty()) continue;
    if (!cache_->MarkResent(sequence, now_ms, /*min_interval_ms=*/10)) continue;
    if (!sender_->AdmitRetransmission(cached.size(), now_ms)) continue;
    rtc::RtpPacket original;
    if (rtc::RtpPacket::Parse(cached, &original) != rtc::RtpParseError::kOk) continue;
    const int16_t rtx_payload_type = config_.rtx_payload_type_of[original.payload_type()];
    if (rtx_payload_type < 0) continue;
    auto length =
        rtc::WrapRtx(original, {config_.rtx_ssrc, static_cast<uint8_t>(rtx_payload_type)},
                     rtx_sequence_++, {rtx_buffer.data(), rtx_buffer.size() - kSrtpHeadroom});
    if (!length) continue;
    if (sender_->SendRtp(rtx_buffer.data(), *length, rtx_buffer.size(), now_ms))
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
