#include "rtc/rtcp/twcc_feedback.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "rtc/rtp/big_endian.h"
#include "rtc/rtp/sequence_number.h"

namespace auralink::rtc {
namespace {

// Packet status symbols (§3.1.1).
constexpr uint8_t kNotReceived = 0;
constexpr uint8_t kSmallDelta = 1;  // received, 1-byte delta in [0, 63.75] ms
constexpr uint8_t kLargeDelta = 2;  // received, 2-byte signed delta
constexpr uint8_t kReserved = 3;

constexpr size_t kRunLengthMax = 0x1FFF;  // 13-bit run length (§3.1.3)
constexpr size_t kOneBitCapacity = 14;    // status vector chunk, S = 0 (§3.1.4)
constexpr size_t kTwoBitCapacity = 7;     // status vector chunk, S = 1

uint8_t SymbolForDelta(int64_t ticks) {
  if (ticks >= 0 && ticks <= 0xFF) return kSmallDelta;
  if (ticks >= INT16_MIN && ticks <= INT16_MAX) return kLargeDelta;
  return kReserved;
}

// Packs status symbols into chunks as they come: a pending group grows while it can still be sent
// as one chunk (a run of one symbol, 14 one-bit symbols, or 7 two-bit symbols) and is emitted when
// the next symbol would not fit. With a null `out` it only counts, which the builder uses to learn
// a packet's exact size before committing to a symbol.
class ChunkEncoder {
 public:
  explicit ChunkEncoder(uint8_t* out) : out_(out) {}

  void Add(uint8_t symbol, size_t count) {
    while (count > 0) {
      if (size_ > 0 && all_same_ && symbol == symbols_[0] && size_ < kRunLengthMax &&
          size_ >= kOneBitCapacity) {
        const size_t n = std::min(count, kRunLengthMax - size_);
        size_ += n;
        count -= n;
        continue;
      }
      if (!CanAdd(symbol)) EmitGroup();
      Push(symbol);
      --count;
    }
  }

  void Finish() {
    if (size_ == 0) return;
    if (all_same_) {
      EmitRun();
    } else if (has_large_) {
      EmitTwoBit(size_);  // size_ <= 7 whenever a large symbol is mixed in
    } else {
      EmitOneBit(size_);
    }
    Reset(size_);
  }

  // Chunks emitted so far plus the pending group, if any.
  size_t chunk_count() const { return emitted_ + (size_ > 0 ? 1 : 0); }

 private:
  bool CanAdd(uint8_t symbol) const {
    if (size_ == 0) return true;
    if (all_same_ && symbol == symbols_[0] && size_ < kRunLengthMax) return true;
    if (size_ < kTwoBitCapacity) return true;
    return size_ < kOneBitCapacity && !has_large_ && symbol != kLargeDelta;
  }

  void Push(uint8_t symbol) {
    if (size_ < kOneBitCapacity) symbols_[size_] = symbol;
    if (size_ > 0 && symbol != symbols_[0]) all_same_ = false;
    if (symbol == kLargeDelta) has_large_ = true;
    ++size_;
  }

  void EmitGroup() {
    if (all_same_) {
      EmitRun();
      Reset(size_);
    } else if (size_ == kOneBitCapacity && !has_large_) {
      EmitOneBit(size_);
      Reset(size_);
    } else {
      // A mixed group that a large symbol cannot join: send its first 7 as two-bit symbols and keep
      // the rest pending.
      EmitTwoBit(kTwoBitCapacity);
      Reset(kTwoBitCapacity);
    }
  }

  void EmitRun() { Write(static_cast<uint16_t>((symbols_[0] << 13) | size_)); }
  void EmitOneBit(size_t n) {
    uint16_t chunk = 0x8000;
    for (size_t i = 0; i < n; ++i) chunk |= static_cast<uint16_t>(symbols_[i] << (13 - i));
    Write(chunk);
  }
  void EmitTwoBit(size_t n) {
    uint16_t chunk = 0xC000;
    for (size_t i = 0; i < n; ++i) chunk |= static_cast<uint16_t>(symbols_[i] << (12 - 2 * i));
    Write(chunk);
  }
  void Write(uint16_t chunk) {
    if (out_ != nullptr) StoreBigEndian16(out_ + 2 * emitted_, chunk);
    ++emitted_;
  }
  // Drops the first `consumed` pending symbols and recomputes the group's properties.
  void Reset(size_t consumed) {
    const size_t rest = size_ > consumed ? size_ - consumed : 0;  // < 7 when a group is split
    std::array<uint8_t, kOneBitCapacity> kept{};
    for (size_t i = 0; i < rest; ++i) kept[i] = symbols_[consumed + i];
    size_ = 0;
    all_same_ = true;
    has_large_ = false;
    for (size_t i = 0; i < rest; ++i) Push(kept[i]);
  }

  uint8_t* out_;
  size_t emitted_ = 0;
  std::array<uint8_t, kOneBitCapacity> symbols_{};
  size_t size_ = 0;
  bool all_same_ = true;
  bool has_large_ = false;
};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t RoundToTicks(int64_t delta_us) {
  constexpr int64_t kHalf = TwccFeedback::kDeltaTickUs / 2;
  return delta_us >= 0 ? (delta_us + kHalf) / TwccFeedback::kDeltaTickUs
                       : -((-delta_us + kHalf) / TwccFeedback::kDeltaTickUs);
}

// Walks the status of every reported packet: missing runs and received packets in order. False
// when `received` is not strictly increasing inside the range or a delta does not fit.
template <typename OnMissing, typename OnReceived>
bool WalkStatuses(const TwccFeedback& feedback, OnMissing on_missing, OnReceived on_received) {
  size_t next_offset = 0;
  for (const auto& packet : feedback.received) {
    const size_t offset =
        static_cast<uint16_t>(packet.sequence_number - feedback.base_sequence_number);
    if (offset < next_offset || offset >= feedback.packet_status_count) return false;
    const uint8_t symbol = SymbolForDelta(packet.delta_ticks);
    if (symbol == kReserved) return false;
    if (offset > next_offset) on_missing(offset - next_offset);
    on_received(symbol, packet.delta_ticks);
    next_offset = offset + 1;
  }
  if (next_offset < feedback.packet_status_count) {
    on_missing(feedback.packet_status_count - next_offset);
  }
  return true;
}

}  // namespace

RtcpParseError TwccFeedback::Parse(const RtcpPacketView& packet, TwccFeedback* feedback) {
  const RtcpParseError error = ParseFeedbackHeader(packet, RtcpPacketType::kTransportFeedback,
                                                   kRtpfbTransportWideCc, &feedback->header);
  if (error != RtcpParseError::kOk) return error;
  const std::span<const uint8_t> fci = packet.body.subspan(8);
  if (fci.size() < 8) return RtcpParseError::kTruncated;
  feedback->base_sequence_number = LoadBigEndian16(&fci[0]);
  feedback->packet_status_count = LoadBigEndian16(&fci[2]);
  uint32_t reference = LoadBigEndian24(&fci[4]);
  if (reference & 0x800000) reference |= 0xFF000000;
  feedback->reference_time = static_cast<int32_t>(reference);
  feedback->feedback_count = fci[7];
  feedback->received.clear();
  const size_t count = feedback->packet_status_count;
  if (count == 0) return RtcpParseError::kMalformed;

  // First pass over the chunks: remember each received packet's symbol in its delta field.
  size_t pos = 8;
  size_t decoded = 0;
  // Every received packet needs at least one delta byte after the chunks, so the list never grows
  // beyond what the packet pays for.
  auto take = [&](uint8_t symbol) {
    if (symbol == kReserved) return RtcpParseError::kMalformed;
    if (symbol != kNotReceived) {
      if (feedback->received.size() + 1 > fci.size() - pos) return RtcpParseError::kTruncated;
      feedback->received.push_back(
          {static_cast<uint16_t>(feedback->base_sequence_number + decoded), symbol, 0});
    }
    ++decoded;
    return RtcpParseError::kOk;
  };
  while (decoded < count) {
    if (pos + 2 > fci.size()) return RtcpParseError::kTruncated;
    const uint16_t chunk = LoadBigEndian16(&fci[pos]);
    pos += 2;
    RtcpParseError status = RtcpParseError::kOk;
    if ((chunk & 0x8000) == 0) {
      const uint8_t symbol = (chunk >> 13) & 0x3;
      const size_t run = chunk & kRunLengthMax;
      if (run == 0 || symbol == kReserved) return RtcpParseError::kMalformed;
      const size_t n = std::min(run, count - decoded);
      if (symbol == kNotReceived) {
        decoded += n;
      } else {
        for (size_t i = 0; i < n && status == RtcpParseError::kOk; ++i) status = take(symbol);
      }
    } else if ((chunk & 0x4000) == 0) {
      for (size_t i = 0; i < kOneBitCapacity && decoded < count && status == RtcpParseError::kOk;
           ++i) {
        status = take(static_cast<uint8_t>((chunk >> (13 - i)) & 0x1));
      }
    } else {
      for (size_t i = 0; i < kTwoBitCapacity && decoded < count && status == RtcpParseError::kOk;
           ++i) {
        status = take(static_cast<uint8_t>((chunk >> (12 - 2 * i)) & 0x3));
      }
    }
    if (status != RtcpParseError::kOk) return status;
  }

  // Second pass: the receive deltas, one per received packet (§3.1.5).
  int64_t time_us = feedback->reference_time_us();
  for (ReceivedPacket& received : feedback->received) {
    int32_t ticks;
    if (received.delta_ticks == kSmallDelta) {
      if (pos + 1 > fci.size()) return RtcpParseError::kTruncated;
      ticks = fci[pos];
      pos += 1;
    } else {
      if (pos + 2 > fci.size()) return RtcpParseError::kTruncated;
      ticks = static_cast<int16_t>(LoadBigEndian16(&fci[pos]));
      pos += 2;
    }
    time_us += int64_t{ticks} * kDeltaTickUs;
    received.delta_ticks = ticks;
    received.arrival_time_us = time_us;
  }
  return RtcpParseError::kOk;
}

size_t TwccFeedback::Size() const {
  if (packet_status_count == 0) return 0;
  ChunkEncoder encoder(nullptr);
  size_t delta_bytes = 0;
  const bool valid = WalkStatuses(
      *this, [&](size_t n) { encoder.Add(kNotReceived, n); },
      [&](uint8_t symbol, int32_t) {
        encoder.Add(symbol, 1);
        delta_bytes += symbol == kSmallDelta ? 1 : 2;
      });
  if (!valid) return 0;
  const size_t size = kHeaderSize + 2 * encoder.chunk_count() + delta_bytes;
  const size_t padded = (size + 3) & ~size_t{3};
  return padded / 4 - 1 > 0xFFFF ? 0 : padded;
}

size_t TwccFeedback::Write(std::span<uint8_t> out) const {
  const size_t size = Size();
  if (size == 0 || out.size() < size) return 0;
  std::memset(out.data(), 0, size);
  WriteFeedbackHeader(out.data(), kRtpfbTransportWideCc, RtcpPacketType::kTransportFeedback, size,
                      header);
  uint8_t* fci = &out[kRtcpFeedbackHeaderSize];
  StoreBigEndian16(&fci[0], base_sequence_number);
  StoreBigEndian16(&fci[2], packet_status_count);
  StoreBigEndian24(&fci[4], static_cast<uint32_t>(reference_time) & 0xFFFFFF);
  fci[7] = feedback_count;

  ChunkEncoder encoder(&out[kHeaderSize]);
  WalkStatuses(
      *this, [&](size_t n) { encoder.Add(kNotReceived, n); },
      [&](uint8_t symbol, int32_t) { encoder.Add(symbol, 1); });
  encoder.Finish();
  size_t pos = kHeaderSize + 2 * encoder.chunk_count();
  for (const ReceivedPacket& packet : received) {
    if (SymbolForDelta(packet.delta_ticks) == kSmallDelta) {
      out[pos++] = static_cast<uint8_t>(packet.delta_ticks);
    } else {
      StoreBigEndian16(&out[pos], static_cast<uint16_t>(static_cast<int16_t>(packet.delta_ticks)));
      pos += 2;
    }
  }
  // The remaining bytes up to `size` are the zero padding to a 32-bit boundary.
  return size;
}

TwccFeedbackBuilder::TwccFeedbackBuilder(uint32_t sender_ssrc, uint32_t media_ssrc,
                                         size_t max_packet_size)
    : header_{sender_ssrc, media_ssrc},
      max_packet_size_(std::max(max_packet_size, kMinPacketSize)) {}

void TwccFeedbackBuilder::Build(int64_t begin_sequence_number,
                                std::span<const TwccArrival> arrivals,
                                std::vector<TwccFeedback>* out) {
  int64_t next = begin_sequence_number;
  size_t i = 0;
  while (i < arrivals.size()) {
    if (arrivals[i].sequence_number < next) {
      ++i;
      continue;
    }
    if (arrivals[i].sequence_number - next > kMaxReportedGap) next = arrivals[i].sequence_number;

    TwccFeedback feedback;
    feedback.header = header_;
    feedback.base_sequence_number = static_cast<uint16_t>(next);
    // The reference time is a 24-bit field: keep it modulo 2^24 in the signed range. Deltas are
    // computed from the unwrapped time so they are unaffected.
    const int64_t reference =
        FloorDiv(arrivals[i].arrival_time_us, TwccFeedback::kReferenceTimeTickUs);
    int64_t wrapped = reference & 0xFFFFFF;
    if (wrapped >= 0x800000) wrapped -= 0x1000000;
    feedback.reference_time = static_cast<int32_t>(wrapped);
    int64_t last_time_us = reference * TwccFeedback::kReferenceTimeTickUs;
    int64_t reported_us = feedback.reference_time_us();

    ChunkEncoder encoder(nullptr);
    size_t delta_bytes = 0;
    size_t status_count = 0;
    for (; i < arrivals.size(); ++i) {
      const TwccArrival& arrival = arrivals[i];
      if (arrival.sequence_number < next) continue;
      const int64_t gap = arrival.sequence_number - next;
      if (gap > kMaxReportedGap) break;
      const int64_t ticks = RoundToTicks(arrival.arrival_time_us - last_time_us);
      const uint8_t symbol = SymbolForDelta(ticks);
      if (symbol == kReserved) break;
      if (status_count + static_cast<size_t>(gap) + 1 > 0xFFFF) break;
      ChunkEncoder trial = encoder;
      trial.Add(kNotReceived, static_cast<size_t>(gap));
      trial.Add(symbol, 1);
      const size_t trial_delta_bytes = delta_bytes + (symbol == kSmallDelta ? 1 : 2);
      const size_t size = TwccFeedback::kHeaderSize + 2 * trial.chunk_count() + trial_delta_bytes;
      if (((size + 3) & ~size_t{3}) > max_packet_size_ && status_count > 0) break;

      encoder = trial;
      delta_bytes = trial_delta_bytes;
      status_count += static_cast<size_t>(gap) + 1;
      last_time_us += ticks * TwccFeedback::kDeltaTickUs;
      reported_us += ticks * TwccFeedback::kDeltaTickUs;
      feedback.received.push_back({static_cast<uint16_t>(arrival.sequence_number),
                                   static_cast<int32_t>(ticks), reported_us});
      next = arrival.sequence_number + 1;
    }
    if (status_count == 0) {
      ++i;  // cannot happen with a fresh reference time; guarantees progress regardless
      continue;
    }
    feedback.packet_status_count = static_cast<uint16_t>(status_count);
    feedback.feedback_count = next_feedback_count_++;
    out->push_back(std::move(feedback));
  }
}

void TwccFeedbackRecorder::OnPacket(uint16_t sequence_number, int64_t arrival_us,
                                    uint32_t media_ssrc) {
  // Nearest to the highest number seen, so a reordered packet does not move the reference.
  const int64_t unwrapped =
      last_unwrapped_ < 0
          ? sequence_number
          : last_unwrapped_ +
                SequenceNumberDelta(sequence_number, static_cast<uint16_t>(last_unwrapped_));
  last_unwrapped_ = std::max(last_unwrapped_, unwrapped);
  if (next_begin_ < 0) next_begin_ = unwrapped;
  if (unwrapped >= next_begin_ && arrivals_.size() < kMaxArrivals)
    arrivals_.push_back({unwrapped, arrival_us});
  if (media_ssrc_ == 0) media_ssrc_ = media_ssrc;
}

void TwccFeedbackRecorder::TakeFeedback(uint32_t sender_ssrc, std::vector<TwccFeedback>* out) {
  out->clear();
  if (arrivals_.empty() || next_begin_ < 0) return;
  if (!builder_) builder_ = std::make_unique<TwccFeedbackBuilder>(sender_ssrc, media_ssrc_);
  // Packets reordered on the way arrive out of sequence; a duplicate is reported once.
  std::sort(arrivals_.begin(), arrivals_.end(), [](const TwccArrival& a, const TwccArrival& b) {
    return a.sequence_number < b.sequence_number;
  });
  arrivals_.erase(std::unique(arrivals_.begin(), arrivals_.end(),
                              [](const TwccArrival& a, const TwccArrival& b) {
                                return a.sequence_number == b.sequence_number;
                              }),
                  arrivals_.end());
  builder_->Build(next_begin_, arrivals_, out);
  next_begin_ = arrivals_.back().sequence_number + 1;
  arrivals_.clear();
}

}  // namespace auralink::rtc
