#include "rtc/codecs/simulcast_stream_rewriter.h"

#include <algorithm>
#include <string>

namespace auralink::rtc {
namespace {

// A switch after a long pause must still look like a forward jump (RFC 3550 s5.1: timestamps
// compare modulo 2^32), so the jump is capped well below half the timestamp space.
constexpr int64_t kMaxTimestampJump = int64_t{1} << 30;

}  // namespace

int64_t SimulcastStreamRewriter::SequenceUnwrapper::Unwrap(uint16_t sequence_number) {
  if (!started) {
    started = true;
    // Start one cycle up so packets reordered before the first one stay positive.
    highest = (int64_t{1} << 16) + sequence_number;
    return highest;
  }
  const auto delta =
      static_cast<int16_t>(static_cast<uint16_t>(sequence_number - static_cast<uint16_t>(highest)));
  const int64_t extended = highest + delta;
  highest = std::max(highest, extended);
  return extended;
}

StatusOr<std::unique_ptr<SimulcastStreamRewriter>> SimulcastStreamRewriter::Create(
    const Config& config) {
  if (config.clock_rate_hz <= 0 || config.clock_rate_hz > 1'000'000) {
    return Status::Error("simulcast rewriter clock rate " + std::to_string(config.clock_rate_hz) +
                         " Hz is out of range");
  }
  return std::unique_ptr<SimulcastStreamRewriter>(new SimulcastStreamRewriter(config));
}

Status SimulcastStreamRewriter::SetTargetLayer(std::optional<int> layer) {
  if (layer && (*layer < 0 || *layer >= kMaxSimulcastLayers)) {
    return Status::Error("simulcast layer " + std::to_string(*layer) + " is out of range");
  }
  target_layer_ = layer;
  if (!layer) current_layer_.reset();
  return Status::Ok();
}

int SimulcastStreamRewriter::DropsAfter(int64_t extended_sequence) const {
  int count = 0;
  for (int i = 0; i < drop_count_; ++i) {
    if (drops_[static_cast<size_t>(i)] > extended_sequence) ++count;
  }
  return count;
}

void SimulcastStreamRewriter::SwitchTo(const SimulcastSourcePacket& packet,
                                       int64_t extended_sequence) {
  sequence_offset_ = 0;
  timestamp_offset_ = 0;
  picture_id_offset_ = 0;
  tl0_pic_idx_offset_ = 0;
  if (sent_any_) {
    sequence_offset_ = last_out_sequence_ + 1 - extended_sequence;
    const int64_t elapsed_ms =
        std::max<int64_t>(0, packet.arrival_time_ms - last_out_frame_arrival_ms_);
    const int64_t ticks =
        std::clamp<int64_t>(elapsed_ms * config_.clock_rate_hz / 1000, 1, kMaxTimestampJump);
    timestamp_offset_ = last_out_timestamp_ + static_cast<uint32_t>(ticks) - packet.timestamp;
    if (packet.picture_id && last_out_picture_id_) {
      picture_id_offset_ = static_cast<uint16_t>(*last_out_picture_id_ + 1 - *packet.picture_id);
    }
    if (packet.tl0_pic_idx && last_out_tl0_pic_idx_) {
      tl0_pic_idx_offset_ = static_cast<uint8_t>(*last_out_tl0_pic_idx_ + 1 - *packet.tl0_pic_idx);
    }
  }
  current_layer_ = packet.layer;
  first_sequence_ = extended_sequence;
  highest_sequence_ = extended_sequence - 1;
  oldest_mappable_sequence_ = extended_sequence;
  drop_count_ = 0;
  drop_next_ = 0;
  last_dropped_picture_id_.reset();
  max_temporal_id_ = target_max_temporal_id_;
}

bool SimulcastStreamRewriter::UpdateTemporalLimit(const SimulcastSourcePacket& packet) {
  if (packet.start_of_frame) {
    if (target_max_temporal_id_ < max_temporal_id_) {
      max_temporal_id_ = target_max_temporal_id_;
    } else if (target_max_temporal_id_ > max_temporal_id_) {
      // Adding a temporal layer is safe at a key frame or at a layer sync frame, which refers
      // only to temporal layer 0 (RFC 7741 s4.2, Y bit).
      if (packet.key_frame) {
        max_temporal_id_ = target_max_temporal_id_;
      } else if (packet.temporal_id && packet.layer_sync &&
                 *packet.temporal_id > max_temporal_id_ &&
                 *packet.temporal_id <= target_max_temporal_id_) {
        max_temporal_id_ = *packet.temporal_id;
      }
    }
  }
  return !packet.temporal_id || *packet.temporal_id <= max_temporal_id_;
}

std::optional<SimulcastRewrittenPacket> SimulcastStreamRewriter::Rewrite(
    const SimulcastSourcePacket& packet) {
  if (packet.layer < 0 || packet.layer >= kMaxSimulcastLayers) return std::nullopt;
  const int64_t extended =
      unwrappers_[static_cast<size_t>(packet.layer)].Unwrap(packet.sequence_number);
  if (!target_layer_) return std::nullopt;

  bool switched = false;
  if (packet.layer != current_layer_) {
    if (packet.layer != target_layer_ || !packet.key_frame) return std::nullopt;
    SwitchTo(packet, extended);
    switched = true;
  }
  if (extended < first_sequence_ || extended < oldest_mappable_sequence_) return std::nullopt;

  int64_t out_sequence = 0;
  const bool newest = extended > highest_sequence_;
  if (newest) {
    const bool forward = UpdateTemporalLimit(packet);
    highest_sequence_ = extended;
    if (!forward) {
      // Close the gap the dropped packet would leave, and the PictureID gap of a dropped frame.
      --sequence_offset_;
      if (drop_count_ == kDropHistory) {
        oldest_mappable_sequence_ = drops_[static_cast<size_t>(drop_next_)] + 1;
      } else {
        ++drop_count_;
      }
      drops_[static_cast<size_t>(drop_next_)] = extended;
      drop_next_ = (drop_next_ + 1) % kDropHistory;
      if (packet.picture_id && packet.picture_id != last_dropped_picture_id_) {
        --picture_id_offset_;
        last_dropped_picture_id_ = packet.picture_id;
      }
      return std::nullopt;
    }
    out_sequence = extended + sequence_offset_;
  } else {
    // A late packet: its number was reserved when it went missing; drops since then moved the
    // offset on. A late packet of a dropped temporal layer leaves its gap (the receiver NACKs).
    if (packet.temporal_id && *packet.temporal_id > max_temporal_id_) return std::nullopt;
    out_sequence = extended + sequence_offset_ + DropsAfter(extended);
  }

  SimulcastRewrittenPacket out;
  out.sequence_number = static_cast<uint16_t>(out_sequence);
  out.timestamp = packet.timestamp + timestamp_offset_;
  out.marker = packet.marker;
  out.first_after_switch = switched;
  if (packet.picture_id) {
    out.picture_id = static_cast<uint16_t>((*packet.picture_id + picture_id_offset_) & 0x7FFF);
  }
  if (packet.tl0_pic_idx) {
    out.tl0_pic_idx = static_cast<uint8_t>(*packet.tl0_pic_idx + tl0_pic_idx_offset_);
  }
  if (newest) {
    if (!sent_any_ || out.timestamp != last_out_timestamp_) {
      last_out_frame_arrival_ms_ = packet.arrival_time_ms;
    }
    last_out_timestamp_ = out.timestamp;
    if (out.picture_id) last_out_picture_id_ = out.picture_id;
    if (out.tl0_pic_idx) last_out_tl0_pic_idx_ = out.tl0_pic_idx;
  }
  if (!sent_any_ || out_sequence > last_out_sequence_) last_out_sequence_ = out_sequence;
  sent_any_ = true;
  return out;
}

}  // namespace auralink::rtc
