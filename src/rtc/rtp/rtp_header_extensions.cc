#include "rtc/rtp/rtp_header_extensions.h"

#include "rtc/rtp/big_endian.h"

namespace auralink::rtc {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(RtpExtensionType::kCount)> kUris = {
    "",
    "urn:ietf:params:rtp-hdrext:sdes:mid",
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension",
    "urn:ietf:params:rtp-hdrext:toffset",
    "urn:3gpp:video-orientation",
    "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time",
    "http://www.webrtc.org/experiments/rtp-hdrext/video-content-type",
    "http://www.webrtc.org/experiments/rtp-hdrext/video-timing",
    "http://www.webrtc.org/experiments/rtp-hdrext/color-space",
    "http://www.webrtc.org/experiments/rtp-hdrext/video-layers-allocation00",
};

// RFC 8851 §10 rid-id and RFC 5888 token characters: letters, digits and the token punctuation.
bool IsIdentifierByte(uint8_t c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '{':
    case '|':
    case '}':
    case '~':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string_view RtpExtensionUri(RtpExtensionType type) {
  if (type >= RtpExtensionType::kCount) return {};
  return kUris[static_cast<size_t>(type)];
}

RtpExtensionType RtpExtensionTypeFromUri(std::string_view uri) {
  if (uri.empty()) return RtpExtensionType::kNone;
  for (size_t i = 1; i < kUris.size(); ++i) {
    if (kUris[i] == uri) return static_cast<RtpExtensionType>(i);
  }
  return RtpExtensionType::kNone;
}

bool RtpExtensionIdMap::Register(uint8_t id, RtpExtensionType type) {
  if (id == 0 || type == RtpExtensionType::kNone || type >= RtpExtensionType::kCount) return false;
  if (type_by_id_[id] != RtpExtensionType::kNone && type_by_id_[id] != type) return false;
  Unregister(type);
  type_by_id_[id] = type;
  id_by_type_[static_cast<size_t>(type)] = id;
  return true;
}

bool RtpExtensionIdMap::Register(uint8_t id, std::string_view uri) {
  return Register(id, RtpExtensionTypeFromUri(uri));
}

void RtpExtensionIdMap::Unregister(RtpExtensionType type) {
  if (type == RtpExtensionType::kNone || type >= RtpExtensionType::kCount) return;
  uint8_t& id = id_by_type_[static_cast<size_t>(type)];
  if (id != 0) type_by_id_[id] = RtpExtensionType::kNone;
  id = 0;
}

std::optional<uint32_t> AbsSendTime::Parse(std::span<const uint8_t> value) {
  if (value.size() != kValueSize) return std::nullopt;
  return LoadBigEndian24(value.data());
}

bool AbsSendTime::Write(std::span<uint8_t> value, uint32_t abs_send_time) {
  if (value.size() != kValueSize || abs_send_time > 0xFFFFFF) return false;
  StoreBigEndian24(value.data(), abs_send_time);
  return true;
}

uint32_t AbsSendTime::FromMicroseconds(int64_t time_us) {
  // 2^18 units per second; only the 64-second window matters, which also keeps the shift in range.
  constexpr int64_t kWindowUs = int64_t{64} * 1'000'000;
  int64_t in_window = time_us % kWindowUs;
  if (in_window < 0) in_window += kWindowUs;
  return static_cast<uint32_t>(((in_window << 18) + 500'000) / 1'000'000) & 0xFFFFFF;
}

int64_t AbsSendTime::ToMicroseconds(uint32_t abs_send_time) {
  return ((int64_t{abs_send_time & 0xFFFFFF} * 1'000'000) + (1 << 17)) >> 18;
}

std::optional<uint16_t> TransportSequenceNumber::Parse(std::span<const uint8_t> value) {
  if (value.size() != kValueSize) return std::nullopt;
  return LoadBigEndian16(value.data());
}

bool TransportSequenceNumber::Write(std::span<uint8_t> value, uint16_t sequence_number) {
  if (value.size() != kValueSize) return false;
  StoreBigEndian16(value.data(), sequence_number);
  return true;
}

std::optional<AudioLevel> AudioLevel::Parse(std::span<const uint8_t> value) {
  // Chromium sends one byte; RFC 6464 §5 allows the one-byte form's padding so longer is tolerated.
  if (value.empty()) return std::nullopt;
  return AudioLevel{(value[0] & 0x80) != 0, static_cast<uint8_t>(value[0] & 0x7F)};
}

bool AudioLevel::Write(std::span<uint8_t> value, AudioLevel level) {
  if (value.size() != kValueSize || level.level_dbov > 127) return false;
  value[0] = static_cast<uint8_t>((level.voice_activity ? 0x80 : 0) | level.level_dbov);
  return true;
}

std::optional<std::string_view> RtpStringExtension::Parse(std::span<const uint8_t> value) {
  size_t size = value.size();
  while (size > 0 && value[size - 1] == 0) --size;
  if (size == 0) return std::nullopt;
  for (size_t i = 0; i < size; ++i) {
    if (!IsIdentifierByte(value[i])) return std::nullopt;
  }
  return std::string_view(reinterpret_cast<const char*>(value.data()), size);
}

size_t RtpStringExtension::Write(std::span<uint8_t> value, std::string_view text) {
  if (text.empty() || text.size() > kMaxValueSize || text.size() > value.size()) return 0;
  for (char c : text) {
    if (!IsIdentifierByte(static_cast<uint8_t>(c))) return 0;
  }
  for (size_t i = 0; i < text.size(); ++i) value[i] = static_cast<uint8_t>(text[i]);
  return text.size();
}

std::optional<PlayoutDelay> PlayoutDelay::Parse(std::span<const uint8_t> value) {
  if (value.size() != kValueSize) return std::nullopt;
  const uint32_t packed = LoadBigEndian24(value.data());
  return PlayoutDelay{static_cast<uint16_t>(packed >> 12), static_cast<uint16_t>(packed & 0xFFF)};
}

bool PlayoutDelay::Write(std::span<uint8_t> value, PlayoutDelay delay) {
  if (value.size() != kValueSize || delay.min_10ms > 0xFFF || delay.max_10ms > 0xFFF) return false;
  StoreBigEndian24(value.data(), (uint32_t{delay.min_10ms} << 12) | delay.max_10ms);
  return true;
}

std::optional<VideoOrientation> VideoOrientation::Parse(std::span<const uint8_t> value) {
  if (value.empty()) return std::nullopt;
  // TS 26.114 §7.4.5: bits 0 0 0 0 C F R1 R0.
  return VideoOrientation{(value[0] & 0x08) != 0, (value[0] & 0x04) != 0,
                          static_cast<uint16_t>((value[0] & 0x03) * 90)};
}

bool VideoOrientation::Write(std::span<uint8_t> value, VideoOrientation orientation) {
  if (value.size() != kValueSize || orientation.rotation_degrees % 90 != 0 ||
      orientation.rotation_degrees >= 360) {
    return false;
  }
  value[0] = static_cast<uint8_t>((orientation.back_camera ? 0x08 : 0) |
                                  (orientation.horizontal_flip ? 0x04 : 0) |
                                  (orientation.rotation_degrees / 90));
  return true;
}

}  // namespace auralink::rtc
