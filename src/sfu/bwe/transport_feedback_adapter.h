// Send-side history for transport-wide congestion control (draft-holmer-rmcat-transport-wide-
// cc-extensions-01): every packet sent with a transport-wide sequence number is remembered with
// its size and send time, so the per-packet reports of a TWCC feedback message become
// (send time, arrival time, size) results for the delay and loss estimators.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/media_path_memory.h"

namespace auralink::sfu {

struct SentPacket {
  uint16_t transport_sequence_number = 0;
  size_t size_bytes = 0;  // RTP packet size including headers, as it counts against the link
  int64_t send_time_us = 0;
};

// One packet's entry of a transport feedback message, as the RTCP parser decodes it. Arrival
// times are on the receiver's clock: only their differences mean anything.
struct TransportFeedbackEntry {
  uint16_t transport_sequence_number = 0;
  bool received = false;
  int64_t arrival_time_us = 0;
};

struct PacketResult {
  int64_t transport_sequence_number = 0;  // unwrapped
  size_t size_bytes = 0;
  int64_t send_time_us = 0;
  bool received = false;
  int64_t arrival_time_us = 0;  // valid when received
};

struct TransportPacketsFeedback {
  int64_t feedback_time_us = 0;
  std::vector<PacketResult> packets;  // in transport sequence order, known packets only
  // Send-to-feedback time of the newest packet reported received: an upper bound on the RTT
  // (it includes the receiver's feedback interval).
  std::optional<int64_t> round_trip_time_us;
  size_t received_count() const;
  size_t lost_count() const;
};

// The history is a ring indexed by the low bits of the transport sequence number: recording a
// send is a store, not an allocation. It starts small and doubles while the 10 s window holds more
// packets than it has slots, up to half the sequence space. With one adapter per subscriber and a
// packet fanned out to hundreds of them, each send should touch as little memory as possible:
// slots are 16 bytes, and the oldest packets are dropped in batches once they are a second past
// the window (lookups treat anything past the window as forgotten at once).
//
// The ring is kept in 2 KB chunks of media-path memory (common/media_path_memory.h), on huge
// pages: as one heap buffer per subscriber it lay on 4 KB pages, and a fan-out's store into each
// subscriber's missed the TLB on nearly every one. Every chunk has one size, so the chunks a
// growing ring gives back serve any other ring, where buffers of each doubled size would sit on
// free lists of their own. The chunk of the newest packet is held apart, so that a send, and the
// prefetch before it, reach its slot without going through the chunk table.
class TransportFeedbackAdapter {
 public:
  TransportFeedbackAdapter();
  void OnPacketSent(const SentPacket& packet);
  // Asks the CPU to fetch what the next OnPacketSent() writes (a fan-out touches one adapter per
  // subscriber, each cold): the adapter, and with `slot` the slot of the next sequence number
  // (read from the adapter, so fetch it first).
  void Prefetch(bool slot) const {
    if (!slot) {
      __builtin_prefetch(this);
      return;
    }
    // The next slot in the newest packet's chunk (off its end, once a chunk: the line after).
    if (newest_chunk_ != nullptr)
      __builtin_prefetch(
          &newest_chunk_->slots[static_cast<size_t>(*last_sent_sequence_ + 1) % kChunkSlots], 1);
  }
  // Matches the entries to sent packets; entries for unknown or forgotten packets are skipped.
  // A packet reported received twice counts once; one first reported lost may later arrive.
  TransportPacketsFeedback OnTransportFeedback(std::span<const TransportFeedbackEntry> entries,
                                               int64_t feedback_time_us);
  // Sequence numbers from the oldest packet still stored to the newest sent, gaps included.
  size_t history_size() const;
  size_t capacity() const { return chunks_.size() * kChunkSlots; }

  // Packets older than this are forgotten (libwebrtc keeps 60 s; feedback comes every ~100 ms).
  static constexpr int64_t kHistoryUs = 10'000'000;
  // Stored packets past the window are dropped once the oldest is this much older still.
  static constexpr int64_t kEvictionSlackUs = 1'000'000;
  static constexpr size_t kMaxHistory = 1 << 15;  // half the sequence space, to unwrap safely
  static constexpr size_t kInitialCapacity = 256;
  static constexpr size_t kChunkSlots = 128;  // 2 KB chunks

 private:
  struct Slot {
    int64_t send_time_us = 0;
    uint32_t sequence = 0;  // low 32 bits of the unwrapped sequence number it holds
    uint32_t size_bytes : 30 = 0;
    uint32_t acknowledged : 1 = 0;
    uint32_t sent : 1 = 0;  // a slot that never held a packet
  };
  struct Chunk : MediaPathAllocated {
    Slot slots[kChunkSlots];
  };
  static_assert(sizeof(Slot) == 16 && sizeof(Chunk) == 2048);
  using ChunkTable =
      std::vector<std::unique_ptr<Chunk>, MediaPathAllocator<std::unique_ptr<Chunk>>>;

  static size_t ChunkIndex(int64_t sequence, size_t chunks) {
    return (static_cast<size_t>(sequence) / kChunkSlots) & (chunks - 1);
  }
  Slot& SlotOf(int64_t sequence) {
    return chunks_[ChunkIndex(sequence, chunks_.size())]
        ->slots[static_cast<size_t>(sequence) % kChunkSlots];
  }
  static ChunkTable MakeChunks(size_t count);
  // The stored packet `sequence`, if it is in the window.
  Slot* Find(int64_t sequence);
  // Advances the oldest stored sequence past packets sent before `keep_from_us`, never-sent
  // gaps and sequences below `keep_from_sequence`, stopping at `limit`.
  void Forget(int64_t keep_from_us, int64_t keep_from_sequence, int64_t limit);
  void Grow(size_t needed);

  ChunkTable chunks_;  // capacity / kChunkSlots of them, a power of two
  // The chunk that holds last_sent_sequence_ (null before the first send), and that chunk's
  // number (sequence / kChunkSlots).
  Chunk* newest_chunk_ = nullptr;
  int64_t newest_chunk_number_ = -1;
  int64_t first_sequence_ = 0;
  int64_t oldest_send_time_us_ = 0;  // of the packet at first_sequence_
  int64_t newest_send_time_us_ = 0;
  std::optional<int64_t> last_sent_sequence_;
};

}  // namespace auralink::sfu
