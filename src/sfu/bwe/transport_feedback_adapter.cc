#include "sfu/bwe/transport_feedback_adapter.h"

namespace auralink::sfu {
namespace {

int64_t UnwrapNear(int64_t reference, uint16_t sequence_number) {
  const auto delta = static_cast<int16_t>(
      static_cast<uint16_t>(sequence_number - static_cast<uint16_t>(reference)));
  return reference + delta;
}

}  // namespace

size_t TransportPacketsFeedback::received_count() const {
  size_t count = 0;
  for (const auto& p : packets) count += p.received ? 1 : 0;
  return count;
}

size_t TransportPacketsFeedback::lost_count() const { return packets.size() - received_count(); }

void TransportFeedbackAdapter::OnPacketSent(const SentPacket& packet) {
  const int64_t sequence = last_sent_sequence_
                               ? UnwrapNear(*last_sent_sequence_, packet.transport_sequence_number)
                               : (int64_t{1} << 16) + packet.transport_sequence_number;
  if (history_.empty()) first_sequence_ = sequence;
  if (sequence < first_sequence_) return;  // older than what we remember: cannot be placed
  while (first_sequence_ + static_cast<int64_t>(history_.size()) <= sequence) {
    history_.push_back({});
  }
  Entry& entry = history_[static_cast<size_t>(sequence - first_sequence_)];
  entry = {true, false, packet.size_bytes, packet.send_time_us};
  if (!last_sent_sequence_ || sequence > *last_sent_sequence_) last_sent_sequence_ = sequence;

  while (!history_.empty() && (history_.size() > kMaxHistory || !history_.front().sent ||
                               packet.send_time_us - history_.front().send_time_us > kHistoryUs)) {
    history_.pop_front();
    ++first_sequence_;
  }
}

TransportPacketsFeedback TransportFeedbackAdapter::OnTransportFeedback(
    std::span<const TransportFeedbackEntry> entries, int64_t feedback_time_us) {
  TransportPacketsFeedback feedback;
  feedback.feedback_time_us = feedback_time_us;
  if (!last_sent_sequence_) return feedback;
  feedback.packets.reserve(entries.size());
  std::optional<int64_t> newest_received;
  for (const TransportFeedbackEntry& report : entries) {
    const int64_t sequence = UnwrapNear(*last_sent_sequence_, report.transport_sequence_number);
    if (sequence < first_sequence_ ||
        sequence >= first_sequence_ + static_cast<int64_t>(history_.size())) {
      continue;
    }
    Entry& entry = history_[static_cast<size_t>(sequence - first_sequence_)];
    if (!entry.sent || entry.acknowledged) continue;
    if (report.received) entry.acknowledged = true;
    PacketResult result;
    result.transport_sequence_number = sequence;
    result.size_bytes = entry.size_bytes;
    result.send_time_us = entry.send_time_us;
    result.received = report.received;
    result.arrival_time_us = report.arrival_time_us;
    feedback.packets.push_back(result);
    if (report.received && (!newest_received || sequence > *newest_received)) {
      newest_received = sequence;
      feedback.round_trip_time_us = feedback_time_us - entry.send_time_us;
    }
  }
  return feedback;
}

}  // namespace auralink::sfu
