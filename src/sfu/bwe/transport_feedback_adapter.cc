#include "sfu/bwe/transport_feedback_adapter.h"

#include <algorithm>

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

TransportFeedbackAdapter::TransportFeedbackAdapter()
    : chunks_(MakeChunks(kInitialCapacity / kChunkSlots)) {}

TransportFeedbackAdapter::ChunkTable TransportFeedbackAdapter::MakeChunks(size_t count) {
  ChunkTable chunks;
  chunks.reserve(count);
  for (size_t i = 0; i < count; ++i) chunks.push_back(std::make_unique<Chunk>());
  return chunks;
}

size_t TransportFeedbackAdapter::history_size() const {
  if (!last_sent_sequence_) return 0;
  return static_cast<size_t>(*last_sent_sequence_ - first_sequence_ + 1);
}

TransportFeedbackAdapter::Slot* TransportFeedbackAdapter::Find(int64_t sequence) {
  if (!last_sent_sequence_ || sequence < first_sequence_ || sequence > *last_sent_sequence_)
    return nullptr;
  Slot& slot = SlotOf(sequence);
  if (!slot.sent || slot.sequence != static_cast<uint32_t>(sequence)) return nullptr;
  if (newest_send_time_us_ - slot.send_time_us > kHistoryUs) return nullptr;
  return &slot;
}

void TransportFeedbackAdapter::Forget(int64_t keep_from_us, int64_t keep_from_sequence,
                                      int64_t limit) {
  while (first_sequence_ < limit) {
    const Slot& oldest = SlotOf(first_sequence_);
    const bool stored = oldest.sent && oldest.sequence == static_cast<uint32_t>(first_sequence_);
    if (stored && first_sequence_ >= keep_from_sequence && oldest.send_time_us >= keep_from_us) {
      oldest_send_time_us_ = oldest.send_time_us;
      return;
    }
    ++first_sequence_;
  }
}

void TransportFeedbackAdapter::Grow(size_t needed) {
  size_t capacity = this->capacity();
  while (capacity < needed && capacity < kMaxHistory) capacity *= 2;
  if (capacity == this->capacity()) return;
  const size_t count = capacity / kChunkSlots;
  ChunkTable grown = MakeChunks(count);
  for (int64_t sequence = first_sequence_; sequence <= *last_sent_sequence_; ++sequence) {
    grown[ChunkIndex(sequence, count)]->slots[static_cast<size_t>(sequence) % kChunkSlots] =
        SlotOf(sequence);
  }
  chunks_.swap(grown);
  newest_chunk_ = chunks_[ChunkIndex(*last_sent_sequence_, count)].get();
}

void TransportFeedbackAdapter::OnPacketSent(const SentPacket& packet) {
  const int64_t sequence = last_sent_sequence_
                               ? UnwrapNear(*last_sent_sequence_, packet.transport_sequence_number)
                               : (int64_t{1} << 16) + packet.transport_sequence_number;
  if (!last_sent_sequence_) {
    first_sequence_ = sequence;
    oldest_send_time_us_ = packet.send_time_us;
    newest_send_time_us_ = packet.send_time_us;
  }
  if (sequence < first_sequence_) return;  // older than what we remember: cannot be placed
  const int64_t newest = last_sent_sequence_ ? std::max(*last_sent_sequence_, sequence) : sequence;

  if (packet.send_time_us - oldest_send_time_us_ > kHistoryUs + kEvictionSlackUs)
    Forget(packet.send_time_us - kHistoryUs, first_sequence_, sequence);
  // Room for `newest`: grow before overwriting what is still remembered.
  if (last_sent_sequence_) {
    const auto span = static_cast<size_t>(newest - first_sequence_ + 1);
    if (span > capacity()) Grow(span);
    if (span > capacity()) {
      const int64_t keep_from = newest - static_cast<int64_t>(capacity()) + 1;
      if (sequence < keep_from) return;  // sent so late that its slot belongs to a newer packet
      Forget(packet.send_time_us - kHistoryUs, keep_from, sequence);
    }
  }

  // Nearly always in the newest packet's chunk.
  const int64_t chunk_number = sequence / static_cast<int64_t>(kChunkSlots);
  Slot& slot = chunk_number == newest_chunk_number_
                   ? newest_chunk_->slots[static_cast<size_t>(sequence) % kChunkSlots]
                   : SlotOf(sequence);
  slot.send_time_us = packet.send_time_us;
  slot.sequence = static_cast<uint32_t>(sequence);
  slot.size_bytes = static_cast<uint32_t>(std::min<size_t>(packet.size_bytes, (1u << 30) - 1));
  slot.acknowledged = 0;
  slot.sent = 1;
  if (first_sequence_ == sequence) oldest_send_time_us_ = packet.send_time_us;
  last_sent_sequence_ = newest;
  newest_send_time_us_ = std::max(newest_send_time_us_, packet.send_time_us);
  if (const int64_t newest_number = newest / static_cast<int64_t>(kChunkSlots);
      newest_number != newest_chunk_number_) {
    newest_chunk_number_ = newest_number;
    newest_chunk_ = chunks_[ChunkIndex(newest, chunks_.size())].get();
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
    Slot* entry = Find(sequence);
    if (entry == nullptr || entry->acknowledged) continue;
    if (report.received) entry->acknowledged = true;
    PacketResult result;
    result.transport_sequence_number = sequence;
    result.size_bytes = entry->size_bytes;
    result.send_time_us = entry->send_time_us;
    result.received = report.received;
    result.arrival_time_us = report.arrival_time_us;
    feedback.packets.push_back(result);
    if (report.received && (!newest_received || sequence > *newest_received)) {
      newest_received = sequence;
      feedback.round_trip_time_us = feedback_time_us - entry->send_time_us;
    }
  }
  return feedback;
}

}  // namespace auralink::sfu
