#include "rtc/sctp/dcep_message.h"

#include <algorithm>
#include <limits>

namespace auralink::rtc {
namespace {

constexpr uint8_t kUnorderedBit = 0x80;
constexpr uint8_t kPolicyMask = 0x7f;

bool IsKnownChannelType(uint8_t type) {
  switch (type) {
    case 0x00:
    case 0x80:
    case 0x01:
    case 0x81:
    case 0x02:
    case 0x82:
      return true;
    default:
      return false;
  }
}

uint16_t ReadU16(std::span<const uint8_t> bytes, size_t at) {
  return static_cast<uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}

uint32_t ReadU32(std::span<const uint8_t> bytes, size_t at) {
  return static_cast<uint32_t>(bytes[at]) << 24 | static_cast<uint32_t>(bytes[at + 1]) << 16 |
         static_cast<uint32_t>(bytes[at + 2]) << 8 | bytes[at + 3];
}

void AppendU16(std::vector<uint8_t>& out, uint16_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value));
}

void AppendU32(std::vector<uint8_t>& out, uint32_t value) {
  AppendU16(out, static_cast<uint16_t>(value >> 16));
  AppendU16(out, static_cast<uint16_t>(value));
}

}  // namespace

bool DcepOpenMessage::ordered() const {
  return (static_cast<uint8_t>(channel_type) & kUnorderedBit) == 0;
}

std::optional<uint16_t> DcepOpenMessage::max_retransmits() const {
  if ((static_cast<uint8_t>(channel_type) & kPolicyMask) != 0x01) return std::nullopt;
  // The field is 32 bits but the WebRTC API's maxRetransmits is an unsigned short.
  return static_cast<uint16_t>(
      std::min<uint32_t>(reliability_parameter, std::numeric_limits<uint16_t>::max()));
}

std::optional<uint32_t> DcepOpenMessage::max_packet_lifetime_ms() const {
  if ((static_cast<uint8_t>(channel_type) & kPolicyMask) != 0x02) return std::nullopt;
  return reliability_parameter;
}

StatusOr<DcepChannelType> DcepOpenMessage::ChannelTypeFor(
    bool ordered, std::optional<uint16_t> max_retransmits,
    std::optional<uint32_t> max_packet_lifetime_ms) {
  if (max_retransmits && max_packet_lifetime_ms) {
    return Status::Error("a data channel takes maxRetransmits or maxPacketLifeTime, not both");
  }
  uint8_t type = 0x00;
  if (max_retransmits) type = 0x01;
  if (max_packet_lifetime_ms) type = 0x02;
  if (!ordered) type |= kUnorderedBit;
  return static_cast<DcepChannelType>(type);
}

StatusOr<DcepOpenMessage> DcepOpenMessage::Parse(std::span<const uint8_t> bytes) {
  if (bytes.size() < kDcepOpenHeaderSize) {
    return Status::Error("DATA_CHANNEL_OPEN shorter than its 12-byte header");
  }
  if (bytes[0] != static_cast<uint8_t>(DcepMessageType::kOpen)) {
    return Status::Error("DCEP message is not DATA_CHANNEL_OPEN");
  }
  if (!IsKnownChannelType(bytes[1])) {
    return Status::Error("DATA_CHANNEL_OPEN has an unknown channel type");
  }
  const size_t label_length = ReadU16(bytes, 8);
  const size_t protocol_length = ReadU16(bytes, 10);
  if (bytes.size() - kDcepOpenHeaderSize < label_length + protocol_length) {
    return Status::Error("DATA_CHANNEL_OPEN label/protocol lengths exceed the message");
  }
  DcepOpenMessage message;
  message.channel_type = static_cast<DcepChannelType>(bytes[1]);
  message.priority = ReadU16(bytes, 2);
  message.reliability_parameter = ReadU32(bytes, 4);
  const auto* text = reinterpret_cast<const char*>(bytes.data() + kDcepOpenHeaderSize);
  message.label.assign(text, label_length);
  message.protocol.assign(text + label_length, protocol_length);
  return message;
}

StatusOr<std::vector<uint8_t>> DcepOpenMessage::Serialize() const {
  if (label.size() > std::numeric_limits<uint16_t>::max() ||
      protocol.size() > std::numeric_limits<uint16_t>::max()) {
    return Status::Error("data channel label or protocol longer than 65535 bytes");
  }
  if (!IsKnownChannelType(static_cast<uint8_t>(channel_type))) {
    return Status::Error("unknown data channel type");
  }
  std::vector<uint8_t> out;
  out.reserve(kDcepOpenHeaderSize + label.size() + protocol.size());
  out.push_back(static_cast<uint8_t>(DcepMessageType::kOpen));
  out.push_back(static_cast<uint8_t>(channel_type));
  AppendU16(out, priority);
  // RFC 8832 §5.1: the parameter is ignored for reliable channels and SHOULD be 0 there.
  const bool reliable = (static_cast<uint8_t>(channel_type) & kPolicyMask) == 0;
  AppendU32(out, reliable ? 0 : reliability_parameter);
  AppendU16(out, static_cast<uint16_t>(label.size()));
  AppendU16(out, static_cast<uint16_t>(protocol.size()));
  out.insert(out.end(), label.begin(), label.end());
  out.insert(out.end(), protocol.begin(), protocol.end());
  return out;
}

StatusOr<DcepMessageType> ParseDcepMessageType(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return Status::Error("empty DCEP message");
  switch (bytes[0]) {
    case static_cast<uint8_t>(DcepMessageType::kAck):
      return DcepMessageType::kAck;
    case static_cast<uint8_t>(DcepMessageType::kOpen):
      return DcepMessageType::kOpen;
    default:
      return Status::Error("unknown DCEP message type " + std::to_string(bytes[0]));
  }
}

Status ParseDcepAck(std::span<const uint8_t> bytes) {
  if (bytes.empty() || bytes[0] != static_cast<uint8_t>(DcepMessageType::kAck)) {
    return Status::Error("DCEP message is not DATA_CHANNEL_ACK");
  }
  return Status::Ok();
}

std::vector<uint8_t> SerializeDcepAck() { return {static_cast<uint8_t>(DcepMessageType::kAck)}; }

}  // namespace auralink::rtc
