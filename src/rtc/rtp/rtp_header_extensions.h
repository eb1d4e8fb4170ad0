// RTP header extensions that Chromium offers in SDP (a=extmap, RFC 8285 §5), the id <-> type map a
// session negotiates, and codecs for the values the SFU reads or rewrites. Values are read from and
// written to the bytes of one extension element, without allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>

namespace auralink::rtc {

enum class RtpExtensionType : uint8_t {
  kNone = 0,
  kMid,                      // RFC 9143 §15
  kRtpStreamId,              // RFC 8852 §3.1
  kRepairedRtpStreamId,      // RFC 8852 §3.2
  kAbsSendTime,              // webrtc.org abs-send-time
  kTransportSequenceNumber,  // draft-holmer-rmcat-transport-wide-cc-extensions-01 §2
  kAudioLevel,               // RFC 6464
  kDependencyDescriptor,     // AV1 RTP spec, appendix A
  kTransmissionOffset,       // RFC 5450
  kVideoOrientation,         // 3GPP TS 26.114 §7.4.5
  kPlayoutDelay,             // webrtc.org playout-delay
  kAbsCaptureTime,           // webrtc.org abs-capture-time
  kVideoContentType,         // webrtc.org video-content-type
  kVideoTiming,              // webrtc.org video-timing
  kColorSpace,               // webrtc.org color-space
  kVideoLayersAllocation,    // webrtc.org video-layers-allocation00
  kCount,
};

// The a=extmap URI of `type`; empty for kNone and kCount.
std::string_view RtpExtensionUri(RtpExtensionType type);
// The type named by an a=extmap URI; kNone when AuraLink does not know it.
RtpExtensionType RtpExtensionTypeFromUri(std::string_view uri);

// Local ids (1-14 for the one-byte form, 1-255 for the two-byte form, RFC 8285 §4) negotiated for
// one direction of one transport. Lookups are array indexing so they cost nothing per packet.
class RtpExtensionIdMap {
 public:
  // False when the id is 0, already taken by another type, or the type is kNone/kCount. Registering
  // a type again moves it to the new id.
  bool Register(uint8_t id, RtpExtensionType type);
  // Registers a URI from SDP; unknown URIs are ignored (returns false) so other extensions still
  // map.
  bool Register(uint8_t id, std::string_view uri);
  void Unregister(RtpExtensionType type);

  RtpExtensionType TypeOf(uint8_t id) const { return type_by_id_[id]; }
  // 0 when the type is not negotiated.
  uint8_t IdOf(RtpExtensionType type) const {
    return type < RtpExtensionType::kCount ? id_by_type_[static_cast<size_t>(type)] : 0;
  }
  // Whether both maps give every type the same id (then they also agree on every id's type).
  bool SameIds(const RtpExtensionIdMap& other) const {
    // Once per subscriber in a fan-out: two 8-byte compares rather than a call to memcmp.
    static_assert(sizeof(id_by_type_) == 16);
    uint64_t a[2];
    uint64_t b[2];
    std::memcpy(a, id_by_type_.data(), sizeof(a));
    std::memcpy(b, other.id_by_type_.data(), sizeof(b));
    return ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0;
  }

 private:
  std::array<RtpExtensionType, 256> type_by_id_{};
  std::array<uint8_t, static_cast<size_t>(RtpExtensionType::kCount)> id_by_type_{};
};

// abs-send-time: 24-bit send time in seconds, 6.18 fixed point (wraps every 64 s).
struct AbsSendTime {
  static constexpr size_t kValueSize = 3;
  static std::optional<uint32_t> Parse(std::span<const uint8_t> value);
  static bool Write(std::span<uint8_t> value, uint32_t abs_send_time);
  // Rounds a time in microseconds to the 24-bit 6.18 value.
  static uint32_t FromMicroseconds(int64_t time_us);
  // Microseconds in [0, 64 s) for a 24-bit value.
  static int64_t ToMicroseconds(uint32_t abs_send_time);
};

// Transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2): 16 bits.
struct TransportSequenceNumber {
  static constexpr size_t kValueSize = 2;
  static std::optional<uint16_t> Parse(std::span<const uint8_t> value);
  static bool Write(std::span<uint8_t> value, uint16_t sequence_number);
};

// RFC 6464 §3: one byte, V (voice activity) in the top bit and the level in -dBov (0-127).
struct AudioLevel {
  static constexpr size_t kValueSize = 1;
  bool voice_activity = false;
  uint8_t level_dbov = 127;  // 0 is loudest, 127 is silence

  static std::optional<AudioLevel> Parse(std::span<const uint8_t> value);
  static bool Write(std::span<uint8_t> value, AudioLevel level);
};

// MID, RID and repaired RID (RFC 9143 §15, RFC 8852 §3): 1-255 bytes of token characters. Some
// senders pad the value with trailing zero bytes, which are not part of the identifier.
struct RtpStringExtension {
  static constexpr size_t kMaxValueSize = 255;
  // A view into `value`; nullopt when empty or holding bytes that cannot be in an identifier.
  static std::optional<std::string_view> Parse(std::span<const uint8_t> value);
  // Writes `text` and returns its size; 0 when it does not fit or is not a valid identifier.
  static size_t Write(std::span<uint8_t> value, std::string_view text);
};

// playout-delay: 12-bit minimum and maximum in 10 ms units.
struct PlayoutDelay {
  static constexpr size_t kValueSize = 3;
  uint16_t min_10ms = 0;
  uint16_t max_10ms = 0;

  static std::optional<PlayoutDelay> Parse(std::span<const uint8_t> value);
  static bool Write(std::span<uint8_t> value, PlayoutDelay delay);
};

// 3GPP TS 26.114 §7.4.5 video orientation (CVO): camera, flip and rotation in quarter turns.
struct VideoOrientation {
  static constexpr size_t kValueSize = 1;
  bool back_camera = false;
  bool horizontal_flip = false;
  uint16_t rotation_degrees = 0;  // 0, 90, 180 or 270

  static std::optional<VideoOrientation> Parse(std::span<const uint8_t> value);
  static bool Write(std::span<uint8_t> value, VideoOrientation orientation);
};

}  // namespace auralink::rtc
