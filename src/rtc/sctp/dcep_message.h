// Data Channel Establishment Protocol messages (RFC 8832 §5): DATA_CHANNEL_OPEN, which carries a
// channel's reliability, priority, label and sub-protocol, and its one-byte DATA_CHANNEL_ACK. They
// travel on the channel's own SCTP stream with PPID 50 and arrive from the remote peer, so parsing
// checks every length against the bytes actually present.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace auralink::rtc {

// Message Type field (RFC 8832 §8.2.1).
enum class DcepMessageType : uint8_t {
  kAck = 0x02,
  kOpen = 0x03,
};

// Channel Type field (RFC 8832 §5.1): the high bit selects unordered delivery, the low bits the
// partial-reliability policy that the Reliability Parameter qualifies.
enum class DcepChannelType : uint8_t {
  kReliable = 0x00,
  kReliableUnordered = 0x80,
  kPartialReliableRexmit = 0x01,
  kPartialReliableRexmitUnordered = 0x81,
  kPartialReliableTimed = 0x02,
  kPartialReliableTimedUnordered = 0x82,
};

// Priority values of RFC 8832 §5.1 (as RTCWEB priorities, RFC 8831 §6.4).
inline constexpr uint16_t kDcepPriorityBelowNormal = 128;
inline constexpr uint16_t kDcepPriorityNormal = 256;
inline constexpr uint16_t kDcepPriorityHigh = 512;
inline constexpr uint16_t kDcepPriorityExtraHigh = 1024;

inline constexpr size_t kDcepOpenHeaderSize = 12;

struct DcepOpenMessage {
  DcepChannelType channel_type = DcepChannelType::kReliable;
  uint16_t priority = kDcepPriorityNormal;
  // Retransmissions for kPartialReliableRexmit*, lifetime in ms for kPartialReliableTimed*,
  // ignored (and sent as 0) for the reliable types.
  uint32_t reliability_parameter = 0;
  std::string label;
  std::string protocol;

  bool ordered() const;
  // The reliability the channel type and parameter describe.
  std::optional<uint16_t> max_retransmits() const;
  std::optional<uint32_t> max_packet_lifetime_ms() const;
  // Builds the channel type from the WebRTC options; at most one of the two limits may be set.
  static StatusOr<DcepChannelType> ChannelTypeFor(bool ordered,
                                                  std::optional<uint16_t> max_retransmits,
                                                  std::optional<uint32_t> max_packet_lifetime_ms);

  // Rejects unknown message or channel types, truncated headers and label/protocol lengths that
  // point past the end; bytes after the protocol are ignored (RFC 8832 §5.1 defines none).
  static StatusOr<DcepOpenMessage> Parse(std::span<const uint8_t> bytes);
  // Fails when the label or protocol exceeds the 16-bit length fields.
  StatusOr<std::vector<uint8_t>> Serialize() const;
};

// The message type of a DCEP payload, or an error when it is empty or not a known type.
StatusOr<DcepMessageType> ParseDcepMessageType(std::span<const uint8_t> bytes);
// DATA_CHANNEL_ACK is the type byte alone (RFC 8832 §5.2); trailing bytes are tolerated.
Status ParseDcepAck(std::span<const uint8_t> bytes);
std::vector<uint8_t> SerializeDcepAck();

}  // namespace auralink::rtc
