#include "rtc/rtcp/rtcp_packet.h"

#include "rtc/rtp/big_endian.h"

namespace auralink::rtc {

std::string_view RtcpParseErrorName(RtcpParseError error) {
  switch (error) {
    case RtcpParseError::kOk:
      return "ok";
    case RtcpParseError::kTooShort:
      return "too short for an RTCP header";
    case RtcpParseError::kBadVersion:
      return "RTCP version is not 2";
    case RtcpParseError::kBadLength:
      return "RTCP length runs past the datagram";
    case RtcpParseError::kBadPadding:
      return "bad RTCP padding count";
    case RtcpParseError::kNotCompound:
      return "compound RTCP does not start with SR or RR";
    case RtcpParseError::kWrongType:
      return "RTCP packet of another type";
    case RtcpParseError::kUnsupported:
      return "unsupported RTCP feedback format";
    case RtcpParseError::kTruncated:
      return "RTCP body too short for its layout";
    case RtcpParseError::kMalformed:
      return "RTCP fields contradict the layout";
    case RtcpParseError::kCount:
      break;
  }
  return "unknown RTCP parse error";
}

RtcpParseError ParseRtcpPacket(std::span<const uint8_t> bytes, RtcpPacketView* packet,
                               size_t* consumed) {
  if (bytes.size() < kRtcpHeaderSize) return RtcpParseError::kTooShort;
  if ((bytes[0] >> 6) != 2) return RtcpParseError::kBadVersion;
  // RFC 3550 §6.4.1: length in 32-bit words minus one, header included.
  const size_t size = (size_t{LoadBigEndian16(&bytes[2])} + 1) * 4;
  if (size > bytes.size()) return RtcpParseError::kBadLength;
  size_t body_size = size - kRtcpHeaderSize;
  if (bytes[0] & 0x20) {
    const size_t padding = bytes[size - 1];
    if (padding == 0 || padding > body_size) return RtcpParseError::kBadPadding;
    body_size -= padding;
  }
  packet->count_or_format = bytes[0] & 0x1F;
  packet->packet_type = bytes[1];
  packet->packet = bytes.first(size);
  packet->body = bytes.subspan(kRtcpHeaderSize, body_size);
  *consumed = size;
  return RtcpParseError::kOk;
}

RtcpParseError ValidateRtcpCompound(std::span<const uint8_t> datagram, bool allow_reduced_size) {
  if (datagram.empty()) return RtcpParseError::kTooShort;
  bool first = true;
  while (!datagram.empty()) {
    RtcpPacketView packet;
    size_t consumed = 0;
    const RtcpParseError error = ParseRtcpPacket(datagram, &packet, &consumed);
    if (error != RtcpParseError::kOk) return error;
    if (first && !allow_reduced_size) {
      const auto type = static_cast<RtcpPacketType>(packet.packet_type);
      if (type != RtcpPacketType::kSenderReport && type != RtcpPacketType::kReceiverReport) {
        return RtcpParseError::kNotCompound;
      }
    }
    // §6.4.1: only the last packet of a compound may carry padding.
    if ((packet.packet[0] & 0x20) && consumed != datagram.size() && !allow_reduced_size) {
      return RtcpParseError::kBadPadding;
    }
    first = false;
    datagram = datagram.subspan(consumed);
  }
  return RtcpParseError::kOk;
}

bool RtcpPacketIterator::Next(RtcpPacketView* packet) {
  while (!remaining_.empty() && error_ == RtcpParseError::kOk) {
    size_t consumed = 0;
    error_ = ParseRtcpPacket(remaining_, packet, &consumed);
    if (error_ != RtcpParseError::kOk) return false;
    remaining_ = remaining_.subspan(consumed);
    switch (static_cast<RtcpPacketType>(packet->packet_type)) {
      case RtcpPacketType::kSenderReport:
      case RtcpPacketType::kReceiverReport:
      case RtcpPacketType::kSourceDescription:
      case RtcpPacketType::kBye:
      case RtcpPacketType::kTransportFeedback:
      case RtcpPacketType::kPayloadFeedback:
        return true;
      default:
        ++skipped_;
        break;
    }
  }
  return false;
}

void WriteRtcpHeader(uint8_t* out, uint8_t count_or_format, RtcpPacketType type,
                     size_t packet_size) {
  out[0] = static_cast<uint8_t>(0x80 | (count_or_format & 0x1F));
  out[1] = static_cast<uint8_t>(type);
  StoreBigEndian16(&out[2], static_cast<uint16_t>(packet_size / 4 - 1));
}

RtcpParseError ParseFeedbackHeader(const RtcpPacketView& packet, RtcpPacketType type,
                                   uint8_t format, RtcpFeedbackHeader* header) {
  if (packet.packet_type != static_cast<uint8_t>(type)) return RtcpParseError::kWrongType;
  if (packet.count_or_format != format) return RtcpParseError::kUnsupported;
  if (packet.body.size() < 8) return RtcpParseError::kTruncated;
  header->sender_ssrc = LoadBigEndian32(&packet.body[0]);
  header->media_ssrc = LoadBigEndian32(&packet.body[4]);
  return RtcpParseError::kOk;
}

void WriteFeedbackHeader(uint8_t* out, uint8_t format, RtcpPacketType type, size_t packet_size,
                         const RtcpFeedbackHeader& header) {
  WriteRtcpHeader(out, format, type, packet_size);
  StoreBigEndian32(&out[4], header.sender_ssrc);
  StoreBigEndian32(&out[8], header.media_ssrc);
}

}  // namespace auralink::rtc
