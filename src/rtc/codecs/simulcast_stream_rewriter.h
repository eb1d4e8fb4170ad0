// Splices the simulcast layers of one published video track into the single continuous RTP
// stream a subscriber receives. The subscriber sees one SSRC whose sequence numbers have no gaps
// or reuse across layer switches and temporal-layer drops, whose timestamps advance by the wall
// clock time of a switch (so its jitter buffer sees a plausible jump), and whose VP8 PictureID and
// TL0PICIDX stay continuous (RFC 7741 s4.2; receivers use PictureID gaps to detect lost frames).
// Layer switches happen only at a key frame of the target layer. Works on already-parsed values
// and returns the values to write; it keeps no packets and allocates nothing per packet.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "common/media_path_memory.h"
#include "common/status.h"

namespace auralink::rtc {

inline constexpr int kMaxSimulcastLayers = 4;

struct SimulcastSourcePacket {
  int layer = 0;  // simulcast layer (encoding) index, 0 = lowest quality
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  bool marker = false;
  bool start_of_frame = false;
  bool key_frame = false;              // this packet starts a key frame
  std::optional<uint8_t> temporal_id;  // absent: the packet is never dropped for its layer
  bool layer_sync = false;             // VP8 Y / VP9 U: a safe point to add this temporal layer
  std::optional<uint16_t> picture_id;  // VP8, 15-bit space
  std::optional<uint8_t> tl0_pic_idx;  // VP8
  int64_t arrival_time_ms = 0;
};

struct SimulcastRewrittenPacket {
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  bool marker = false;
  std::optional<uint16_t> picture_id;
  std::optional<uint8_t> tl0_pic_idx;
  bool first_after_switch = false;  // first packet from a newly selected layer
};

class SimulcastStreamRewriter : public MediaPathAllocated {
 public:
  struct Config {
    int clock_rate_hz = 90000;  // RTP clock of the video payload
  };
  static constexpr uint8_t kAllTemporalLayers = 0xFF;

  static StatusOr<std::unique_ptr<SimulcastStreamRewriter>> Create(const Config& config);

  // The layer to forward; nullopt pauses the stream. Takes effect at the next key frame of the
  // target layer (pausing takes effect at once).
  Status SetTargetLayer(std::optional<int> layer);
  // Forwards only packets whose temporal id is at most this. Lowering takes effect at the next
  // frame; raising at a key frame or a layer-sync frame of the added layer.
  void SetMaxTemporalLayer(uint8_t max_temporal_id) { target_max_temporal_id_ = max_temporal_id; }

  std::optional<int> target_layer() const { return target_layer_; }
  std::optional<int> current_layer() const { return current_layer_; }
  // True while the target layer differs from the forwarded one: the caller should ask that
  // layer's publisher for a key frame (RTCP PLI).
  bool WaitingForKeyFrame() const {
    return target_layer_.has_value() && target_layer_ != current_layer_;
  }

  // Returns the values to send, or nullopt when the packet must be dropped.
  std::optional<SimulcastRewrittenPacket> Rewrite(const SimulcastSourcePacket& packet);

 private:
  explicit SimulcastStreamRewriter(const Config& config) : config_(config) {}

  struct SequenceUnwrapper {
    bool started = false;
    int64_t highest = 0;
    int64_t Unwrap(uint16_t sequence_number);
  };
  // Sequence numbers dropped on the current layer after the newest forwarded one, so late
  // (reordered) packets still map to the numbers they were given room for.
  static constexpr int kDropHistory = 128;

  void SwitchTo(const SimulcastSourcePacket& packet, int64_t extended_sequence);
  bool UpdateTemporalLimit(const SimulcastSourcePacket& packet);
  int DropsAfter(int64_t extended_sequence) const;

  Config config_;
  std::array<SequenceUnwrapper, kMaxSimulcastLayers> unwrappers_{};
  std::optional<int> target_layer_;
  std::optional<int> current_layer_;
  uint8_t target_max_temporal_id_ = kAllTemporalLayers;
  uint8_t max_temporal_id_ = kAllTemporalLayers;

  // Mapping of the current layer.
  int64_t sequence_offset_ = 0;
  int64_t first_sequence_ = 0;                 // of the current layer since the switch
  int64_t highest_sequence_ = 0;               // of the current layer
  std::array<int64_t, kDropHistory> drops_{};  // ring of dropped extended sequence numbers
  int drop_count_ = 0;
  int drop_next_ = 0;
  int64_t oldest_mappable_sequence_ = 0;  // below it, drops may have left the ring
  uint32_t timestamp_offset_ = 0;
  uint16_t picture_id_offset_ = 0;
  uint8_t tl0_pic_idx_offset_ = 0;
  std::optional<uint16_t> last_dropped_picture_id_;

  // What the subscriber has received.
  bool sent_any_ = false;
  int64_t last_out_sequence_ = 0;  // extended, highest sent
  uint32_t last_out_timestamp_ = 0;
  int64_t last_out_frame_arrival_ms_ = 0;  // first packet of the newest frame sent
  std::optional<uint16_t> last_out_picture_id_;
  std::optional<uint8_t> last_out_tl0_pic_idx_;
};

}  // namespace auralink::rtc
