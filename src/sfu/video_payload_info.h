// What the forwarding path needs to know about one video packet, whatever the codec: frame
// boundaries, key frames, temporal layer, and the VP8 ids that simulcast switching rewrites.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace auralink::sfu {

enum class VideoCodecId { kUnknown, kVp8, kVp9, kAv1, kH264 };
VideoCodecId VideoCodecIdFromName(std::string_view name);  // "VP8", "vp9", ...

struct VideoPayloadInfo {
  bool parsed = false;
  bool start_of_frame = false;
  bool key_frame = false;  // this packet starts a key frame
  std::optional<uint8_t> temporal_id;
  bool layer_sync = false;
  std::optional<uint16_t> picture_id;  // VP8 only (rewritten on layer switches)
  std::optional<uint8_t> tl0_pic_idx;  // VP8 only
  int width = 0;                       // from key-frame headers when the codec carries them
  int height = 0;
};

// Malformed payloads return parsed=false (forwarded as non-key, never a crash).
VideoPayloadInfo ParseVideoPayload(VideoCodecId codec, std::span<const uint8_t> payload);

}  // namespace auralink::sfu
