// RTCP packets (RFC 3550 §6) as views over received bytes: the common header, an iterator over a
// compound packet (§6.1) or a reduced-size single packet (RFC 5506), and the pieces every message
// class shares for parsing and writing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace auralink::rtc {

// RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1).
enum class RtcpPacketType : uint8_t {
  kSenderReport = 200,
  kReceiverReport = 201,
  kSourceDescription = 202,
  kBye = 203,
  kApplication = 204,
  kTransportFeedback = 205,  // RTPFB
  kPayloadFeedback = 206,    // PSFB
  kExtendedReport = 207,
};

// Feedback message types in the FMT field (RFC 4585 §6.2, §6.3; RFC 5104 §4.3).
inline constexpr uint8_t kRtpfbGenericNack = 1;
inline constexpr uint8_t kRtpfbTransportWideCc = 15;
inline constexpr uint8_t kPsfbPictureLossIndication = 1;
inline constexpr uint8_t kPsfbFullIntraRequest = 4;
inline constexpr uint8_t kPsfbApplicationLayer = 15;  // REMB travels here

// Why RTCP bytes were rejected; the SFU counts drops per reason.
enum class RtcpParseError : uint8_t {
  kOk = 0,
  kTooShort,     // fewer than 4 bytes left for a common header
  kBadVersion,   // V is not 2
  kBadLength,    // the length field runs past the datagram
  kBadPadding,   // P set with a zero count or one larger than the packet body
  kNotCompound,  // a compound packet that does not start with SR or RR (RFC 3550 §6.1)
  kWrongType,    // a message parser was handed a packet of another type
  kUnsupported,  // a known packet type with a feedback format AuraLink does not read
  kTruncated,    // the body is shorter than the message layout needs
  kMalformed,    // the body's fields contradict each other or the layout
  kCount,
};
std::string_view RtcpParseErrorName(RtcpParseError error);

// One RTCP packet inside a datagram: its common header fields and the body after the 4-byte
// header, without padding.
struct RtcpPacketView {
  uint8_t count_or_format = 0;  // RC, SC or FMT (5 bits)
  uint8_t packet_type = 0;
  std::span<const uint8_t> packet;  // the whole packet, header and padding included
  std::span<const uint8_t> body;
};

// RFC 5761 §4 / RFC 7983: on a muxed port RTCP has version 2 and a second byte in 192-223.
inline bool LooksLikeRtcp(std::span<const uint8_t> bytes) {
  return bytes.size() >= 4 && (bytes[0] >> 6) == 2 && bytes[1] >= 192 && bytes[1] <= 223;
}

// Parses the packet at the front of `bytes` and sets `*consumed` to its length.
RtcpParseError ParseRtcpPacket(std::span<const uint8_t> bytes, RtcpPacketView* packet,
                               size_t* consumed);

// Checks that `datagram` is a sequence of well-formed RTCP packets filling it exactly. Unless
// `allow_reduced_size` (RFC 5506 §3, negotiated with a=rtcp-rsize), it must also start with an SR
// or RR as RFC 3550 §6.1 requires of a compound packet.
RtcpParseError ValidateRtcpCompound(std::span<const uint8_t> datagram, bool allow_reduced_size);

// Walks the packets of a compound (or reduced-size) datagram, yielding SR, RR, SDES, BYE, RTPFB and
// PSFB packets and skipping other types (APP, XR, future ones). Stops at the first malformed
// packet; error() tells why.
class RtcpPacketIterator {
 public:
  explicit RtcpPacketIterator(std::span<const uint8_t> datagram) : remaining_(datagram) {}

  bool Next(RtcpPacketView* packet);
  RtcpParseError error() const { return error_; }
  size_t skipped_count() const { return skipped_; }

 private:
  std::span<const uint8_t> remaining_;
  RtcpParseError error_ = RtcpParseError::kOk;
  size_t skipped_ = 0;
};

// Writes a common header for a packet of `packet_size` bytes (a multiple of 4, header included).
void WriteRtcpHeader(uint8_t* out, uint8_t count_or_format, RtcpPacketType type,
                     size_t packet_size);

// RFC 4585 §6.1: every feedback message starts with the packet sender's and the media source's
// SSRC.
struct RtcpFeedbackHeader {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
};
inline constexpr size_t kRtcpHeaderSize = 4;
inline constexpr size_t kRtcpFeedbackHeaderSize = kRtcpHeaderSize + 8;

// Checks the type and format of a feedback packet and reads its two SSRCs; the FCI follows.
RtcpParseError ParseFeedbackHeader(const RtcpPacketView& packet, RtcpPacketType type,
                                   uint8_t format, RtcpFeedbackHeader* header);
void WriteFeedbackHeader(uint8_t* out, uint8_t format, RtcpPacketType type, size_t packet_size,
                         const RtcpFeedbackHeader& header);

// Appends whole RTCP packets to a caller's buffer, for an RR plus feedback compound or for
// reduced-size single packets. Any message class with Size() and Write(span) fits.
class RtcpCompoundWriter {
 public:
  explicit RtcpCompoundWriter(std::span<uint8_t> buffer) : buffer_(buffer) {}

  // False (and nothing written) when the message does not fit in what is left.
  template <typename Message>
  bool Add(const Message& message) {
    const size_t written = message.Write(buffer_.subspan(size_));
    size_ += written;
    return written != 0;
  }
  size_t size() const { return size_; }
  size_t remaining() const { return buffer_.size() - size_; }
  std::span<const uint8_t> bytes() const { return buffer_.first(size_); }

 private:
  std::span<uint8_t> buffer_;
  size_t size_ = 0;
};

}  // namespace auralink::rtc
