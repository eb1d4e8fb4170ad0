#include "sfu/subscriber_sender.h"

#include <algorithm>

#include "sfu/sdp_negotiation.h"

namespace auralink::sfu {
namespace {

constexpr int64_t kStartBitrateBps = 1'000'000;
// A drop-tail queue of ~100 ms at the cap: bursts of a key frame pass, sustained excess does not.
constexpr double kCapBurstSeconds = 0.1;
// The retransmission budget may save up this much time's worth, for a short burst of losses.
constexpr double kRetransmitBurstSeconds = 0.25;

}  // namespace

SubscriberSender::SubscriberSender(WebRtcTransport* transport,
                                   const std::map<std::string, int>& extension_ids)
    : transport_(transport) {
  SetExtensionIds(extension_ids);
  SendSideBandwidthEstimator::Config config;
  config.start_bitrate_bps = kStartBitrateBps;
  config.max_bitrate_bps = 20'000'000;
  auto estimator = SendSideBandwidthEstimator::Create(config);
  if (estimator.ok()) estimator_ = std::move(*estimator);
}

void SubscriberSender::Prefetch(int step) const {
  switch (step) {
    case 0:
      __builtin_prefetch(&transport_);
      __builtin_prefetch(&next_transport_sequence_, 1);
      break;
    case 1:
      if (estimator_) estimator_->PrefetchForSend(/*slot=*/false);
      transport_->PrefetchForSend(0);
      break;
    case 2:
      if (estimator_) estimator_->PrefetchForSend(/*slot=*/true);
      transport_->PrefetchForSend(1);
      break;
    default:
      break;
  }
}

void SubscriberSender::SetExtensionIds(const std::map<std::string, int>& extension_ids) {
  ids_ = rtc::RtpExtensionIdMap();
  for (const auto& [uri, id] : extension_ids) ids_.Register(static_cast<uint8_t>(id), uri);
}

bool SubscriberSender::TokenBucket::Take(double bytes, double rate_bytes_per_ms,
                                         double capacity_bytes, int64_t now_ms) {
  tokens_bytes =
      last_ms < 0
          ? capacity_bytes
          : std::min(tokens_bytes + static_cast<double>(now_ms - last_ms) * rate_bytes_per_ms,
                     capacity_bytes);
  last_ms = now_ms;
  if (tokens_bytes < bytes) return false;
  tokens_bytes -= bytes;
  return true;
}

bool SubscriberSender::AdmitByCap(size_t bytes, int64_t now_ms) {
  if (cap_kbps_ <= 0) return true;
  const double rate_bytes_per_ms = cap_kbps_ / 8.0;
  return cap_bucket_.Take(static_cast<double>(bytes), rate_bytes_per_ms,
                          rate_bytes_per_ms * 1000.0 * kCapBurstSeconds, now_ms);
}

TransportFieldOffsets TransportFieldOffsets::Find(rtc::RtpPacket& packet,
                                                  const rtc::RtpExtensionIdMap& ids) {
  TransportFieldOffsets offsets;
  const uint8_t* start = packet.data().data();
  // Only values of the right size: the writers below would refuse any other.
  if (auto value = packet.FindExtension(rtc::RtpExtensionType::kTransportSequenceNumber, ids);
      value && value->size() == rtc::TransportSequenceNumber::kValueSize)
    offsets.transport_sequence_number = static_cast<uint16_t>(value->data() - start);
  if (auto value = packet.FindExtension(rtc::RtpExtensionType::kAbsSendTime, ids);
      value && value->size() == rtc::AbsSendTime::kValueSize)
    offsets.abs_send_time = static_cast<uint16_t>(value->data() - start);
  return offsets;
}

bool SubscriberSender::SendRtp(uint8_t* buffer, size_t length, size_t capacity, int64_t now_ms) {
  rtc::RtpPacket packet;
  if (rtc::RtpPacket::Parse({buffer, length}, &packet) != rtc::RtpParseError::kOk) return false;
  return SendRtp(buffer, length, capacity, now_ms, TransportFieldOffsets::Find(packet, ids_));
}

bool SubscriberSender::SendRtp(uint8_t* buffer, size_t length, size_t capacity, int64_t now_ms,
                               TransportFieldOffsets offsets) {
  const uint16_t sequence = next_transport_sequence_++;
  if (offsets.transport_sequence_number != 0 &&
      offsets.transport_sequence_number + rtc::TransportSequenceNumber::kValueSize <= length) {
    rtc::TransportSequenceNumber::Write(
        {buffer + offsets.transport_sequence_number, rtc::TransportSequenceNumber::kValueSize},
        sequence);
  }
  if (offsets.abs_send_time != 0 &&
      offsets.abs_send_time + rtc::AbsSendTime::kValueSize <= length) {
    rtc::AbsSendTime::Write({buffer + offsets.abs_send_time, rtc::AbsSendTime::kValueSize},
                            rtc::AbsSendTime::FromMicroseconds(now_ms * 1000));
  }
  if (estimator_) estimator_->OnPacketSent({sequence, length, now_ms * 1000});
  // Dropped after stamping: the browser sees the gap in transport-wide sequence numbers as loss.
  if (!AdmitByCap(length, now_ms)) {
    ++dropped_by_cap_;
    return false;
  }
  if (!transport_->SendRtp(buffer, length, capacity).ok()) return false;
  ++packets_sent_;
  return true;
}

bool SubscriberSender::SendRtcp(uint8_t* buffer, size_t length, size_t capacity) {
  return transport_->SendRtcp(buffer, length, capacity).ok();
}

void SubscriberSender::OnTransportFeedback(const rtc::TwccFeedback& feedback, int64_t now_ms) {
  ++transport_feedbacks_;
  if (!estimator_) return;
  std::vector<TransportFeedbackEntry> entries;
  entries.reserve(feedback.packet_status_count);
  size_t next_received = 0;
  for (uint16_t i = 0; i < feedback.packet_status_count; ++i) {
    const uint16_t sequence = static_cast<uint16_t>(feedback.base_sequence_number + i);
    TransportFeedbackEntry entry;
    entry.transport_sequence_number = sequence;
    if (next_received < feedback.received.size() &&
        feedback.received[next_received].sequence_number == sequence) {
      entry.received = true;
      entry.arrival_time_us = feedback.received[next_received].arrival_time_us;
      ++next_received;
    }
    entries.push_back(entry);
  }
  estimator_->OnTransportFeedback(entries, now_ms * 1000);
}

int64_t SubscriberSender::available_bps() const {
  return estimator_ ? estimator_->target_bitrate_bps() : kStartBitrateBps;
}

std::optional<int64_t> SubscriberSender::acknowledged_bps() const {
  return estimator_ ? estimator_->acknowledged_bitrate_bps() : std::nullopt;
}

bool SubscriberSender::congested() const {
  return estimator_ && estimator_->delay_state() == BandwidthUsage::kOverusing;
}

double SubscriberSender::recent_loss_fraction() const {
  if (!estimator_) return 0.0;
  return estimator_->loss_fraction().value_or(0.0);
}

bool SubscriberSender::AdmitRetransmission(size_t bytes, int64_t now_ms) {
  const double rate_bytes_per_ms = static_cast<double>(available_bps()) * kRetransmitShare / 8000.0;
  if (retransmit_bucket_.Take(static_cast<double>(bytes), rate_bytes_per_ms,
                              rate_bytes_per_ms * 1000.0 * kRetransmitBurstSeconds, now_ms))
    return true;
  ++retransmissions_refused_;
  return false;
}

void SubscriberSender::OnProbeResult(int64_t bps, int64_t now_ms) {
  if (estimator_) estimator_->OnProbeResult(bps, now_ms);
}

void SubscriberSender::SetBandwidthCap(int kbps) {
  cap_kbps_ = std::max(0, kbps);
  cap_bucket_.tokens_bytes = 0.0;
}

}  // namespace auralink::sfu
