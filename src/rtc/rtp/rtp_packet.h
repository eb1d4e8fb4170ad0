// An RTP packet (RFC 3550 §5.1) parsed as a view over a caller's mutable buffer: accessors read the
// wire bytes, setters write them in place, and header extensions (RFC 8285) are indexed at parse
// time so the forwarding path can read and rewrite them without copying or allocating.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtc/rtp/big_endian.h"
#include "rtc/rtp/rtp_header_extensions.h"

namespace auralink::rtc {

// Why a buffer is not an RTP packet; the SFU counts drops per reason.
enum class RtpParseError : uint8_t {
  kOk = 0,
  kTooShort,             // fewer than the 12 fixed header bytes
  kBadVersion,           // V is not 2
  kCsrcOverrun,          // the CSRC list runs past the end
  kExtensionOverrun,     // the extension block header or its length runs past the end
  kBadExtensionElement,  // an RFC 8285 element runs past its block
  kTooManyExtensions,    // more elements than RtpPacket::kMaxExtensions
  kBadPadding,           // P set with a zero count or a count larger than the payload
  kTooLarge,             // more than 65535 bytes, which no UDP datagram carries
  kCount,
};
std::string_view RtpParseErrorName(RtpParseError error);

enum class RtpExtensionForm : uint8_t {
  kNone,     // no extension block (X = 0)
  kOneByte,  // RFC 8285 §4.2, profile 0xBEDE
  kTwoByte,  // RFC 8285 §4.3, profile 0x100X
  kOther,    // an extension block with another profile; its contents are opaque
};

struct RtpExtensionElement {
  uint8_t id = 0;
  std::span<uint8_t> value;
};

class RtpPacket {
 public:
  static constexpr size_t kFixedHeaderSize = 12;
  static constexpr size_t kMaxExtensions = 32;

  // RFC 7983 §7 / RFC 5761 §4 demultiplexing: version 2 and a second byte outside 192-223 (where
  // RTCP packet types live). A cheap pre-check before Parse on a muxed socket.
  static bool LooksLikeRtp(std::span<const uint8_t> bytes) {
    return bytes.size() >= kFixedHeaderSize && (bytes[0] >> 6) == 2 &&
           (bytes[1] < 192 || bytes[1] > 223);
  }

  // Parses `buffer` into `packet`, which then views the buffer (the buffer must outlive it). On
  // error `packet` is left empty.
  static RtpParseError Parse(std::span<uint8_t> buffer, RtpPacket* packet);

  bool empty() const { return buffer_.empty(); }
  std::span<uint8_t> data() { return buffer_; }
  std::span<const uint8_t> data() const { return buffer_; }
  size_t size() const { return buffer_.size(); }

  bool has_padding() const { return (buffer_[0] & 0x20) != 0; }
  bool marker() const { return (buffer_[1] & 0x80) != 0; }
  uint8_t payload_type() const { return buffer_[1] & 0x7F; }
  uint16_t sequence_number() const { return LoadBigEndian16(&buffer_[2]); }
  uint32_t timestamp() const { return LoadBigEndian32(&buffer_[4]); }
  uint32_t ssrc() const { return LoadBigEndian32(&buffer_[8]); }
  size_t csrc_count() const { return buffer_[0] & 0x0F; }
  uint32_t csrc(size_t index) const { return LoadBigEndian32(&buffer_[12 + 4 * index]); }

  void SetMarker(bool marker) {
    buffer_[1] = static_cast<uint8_t>((buffer_[1] & 0x7F) | (marker ? 0x80 : 0));
  }
  void SetPayloadType(uint8_t payload_type) {
    buffer_[1] = static_cast<uint8_t>((buffer_[1] & 0x80) | (payload_type & 0x7F));
  }
  void SetSequenceNumber(uint16_t sequence_number) {
    StoreBigEndian16(&buffer_[2], sequence_number);
  }
  void SetTimestamp(uint32_t timestamp) { StoreBigEndian32(&buffer_[4], timestamp); }
  void SetSsrc(uint32_t ssrc) { StoreBigEndian32(&buffer_[8], ssrc); }

  // Fixed header, CSRCs and the whole extension block.
  size_t header_size() const { return header_size_; }
  size_t padding_size() const { return padding_size_; }
  std::span<uint8_t> payload() { return buffer_.subspan(header_size_, payload_size_); }
  std::span<const uint8_t> payload() const { return buffer_.subspan(header_size_, payload_size_); }

  RtpExtensionForm extension_form() const { return extension_form_; }
  // The 16-bit "defined by profile" field of the extension block (0 when there is none).
  uint16_t extension_profile() const;
  size_t extension_count() const { return extension_count_; }
  RtpExtensionElement extension(size_t index);

  // The value of the first element with `id`; nullopt when absent. Two-byte elements may be empty.
  std::optional<std::span<uint8_t>> FindExtension(uint8_t id);
  std::optional<std::span<const uint8_t>> FindExtension(uint8_t id) const;
  std::optional<std::span<uint8_t>> FindExtension(RtpExtensionType type,
                                                  const RtpExtensionIdMap& ids) {
    const uint8_t id = ids.IdOf(type);
    return id == 0 ? std::nullopt : FindExtension(id);
  }
  // Overwrites the value of element `id` in place; false when absent or of another length.
  bool SetExtensionValue(uint8_t id, std::span<const uint8_t> value);
  // Turns element `id` into padding bytes (RFC 8285 §4.1: zero bytes between elements), so
  // receivers skip it. Returns false when absent.
  bool RemoveExtension(uint8_t id);

  // Renumbers every element from the ids of `from` to those of `to` for the same extension type
  // (publisher and subscriber may negotiate different ids, RFC 8285 §5). Elements whose type `to`
  // does not have, or whose new id does not fit the block's form, are removed as padding. Returns
  // the number of elements removed.
  size_t RewriteExtensionIds(const RtpExtensionIdMap& from, const RtpExtensionIdMap& to);

 private:
  struct ElementIndex {
    uint8_t id;
    uint8_t size;
    uint16_t offset;  // of the value, from the start of the packet
  };

  void RemoveElementAt(size_t index);

  std::span<uint8_t> buffer_;
  uint16_t header_size_ = 0;
  uint16_t payload_size_ = 0;
  uint8_t padding_size_ = 0;
  RtpExtensionForm extension_form_ = RtpExtensionForm::kNone;
  uint8_t extension_count_ = 0;
  uint16_t extension_block_offset_ = 0;  // of the 4-byte extension block header
  std::array<ElementIndex, kMaxExtensions> elements_;
};

// Writes an RTP packet into a caller's buffer: header fields, CSRCs, extensions, payload and
// padding in that order. Extensions are written in the one-byte form while every id is 1-14 and
// every value 1-16 bytes, and switched to the two-byte form (RFC 8285 §4.3) when one does not fit.
// Failures are sticky and reported by Finish().
class RtpPacketBuilder {
 public:
  explicit RtpPacketBuilder(std::span<uint8_t> buffer);

  RtpPacketBuilder& SetMarker(bool marker);
  RtpPacketBuilder& SetPayloadType(uint8_t payload_type);
  RtpPacketBuilder& SetSequenceNumber(uint16_t sequence_number);
  RtpPacketBuilder& SetTimestamp(uint32_t timestamp);
  RtpPacketBuilder& SetSsrc(uint32_t ssrc);
  // Before any extension; at most 15.
  RtpPacketBuilder& AddCsrc(uint32_t csrc);
  // Before the payload; ids 1-255, values 0-255 bytes (a zero-length value forces the two-byte
  // form).
  RtpPacketBuilder& AddExtension(uint8_t id, std::span<const uint8_t> value);
  RtpPacketBuilder& SetPayload(std::span<const uint8_t> payload);
  // RFC 3550 §5.1 padding; the last byte holds the count, so it is 1-255.
  RtpPacketBuilder& SetPadding(uint8_t padding_size);

  // The packet's size, or nullopt when something did not fit or came out of order.
  std::optional<size_t> Finish();

 private:
  bool Reserve(size_t bytes) const { return !failed_ && size_ + bytes <= buffer_.size(); }
  bool ConvertExtensionsToTwoByte();
  void CloseExtensionBlock();

  std::span<uint8_t> buffer_;
  size_t size_ = RtpPacket::kFixedHeaderSize;
  size_t extension_block_offset_ = 0;  // 0 while there is no block
  bool two_byte_form_ = false;
  bool extensions_closed_ = false;
  bool payload_written_ = false;
  uint8_t padding_size_ = 0;
  bool failed_ = false;
  bool finished_ = false;
  uint8_t element_count_ = 0;
  std::array<uint16_t, RtpPacket::kMaxExtensions> element_offsets_{};  // of each element header
};

}  // namespace auralink::rtc
