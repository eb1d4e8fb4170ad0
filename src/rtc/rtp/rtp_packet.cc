#include "rtc/rtp/rtp_packet.h"

#include <algorithm>
#include <cstring>

namespace auralink::rtc {
namespace {

constexpr uint16_t kOneByteProfile = 0xBEDE;
constexpr uint16_t kTwoByteProfile = 0x1000;  // RFC 8285 §4.3: 0x100 and 4 "appbits"
constexpr uint8_t kOneByteMaxId = 14;         // 15 is reserved (RFC 8285 §4.2)
constexpr size_t kOneByteMaxValueSize = 16;

}  // namespace

std::string_view RtpParseErrorName(RtpParseError error) {
  switch (error) {
    case RtpParseError::kOk:
      return "ok";
    case RtpParseError::kTooShort:
      return "too short for an RTP header";
    case RtpParseError::kBadVersion:
      return "RTP version is not 2";
    case RtpParseError::kCsrcOverrun:
      return "CSRC list runs past the packet";
    case RtpParseError::kExtensionOverrun:
      return "header extension runs past the packet";
    case RtpParseError::kBadExtensionElement:
      return "header extension element runs past its block";
    case RtpParseError::kTooManyExtensions:
      return "too many header extension elements";
    case RtpParseError::kBadPadding:
      return "bad RTP padding count";
    case RtpParseError::kTooLarge:
      return "RTP packet larger than 65535 bytes";
    case RtpParseError::kCount:
      break;
  }
  return "unknown RTP parse error";
}

RtpParseError RtpPacket::Parse(std::span<uint8_t> buffer, RtpPacket* packet) {
  packet->buffer_ = {};
  const size_t size = buffer.size();
  if (size < kFixedHeaderSize) return RtpParseError::kTooShort;
  if (size > 0xFFFF) return RtpParseError::kTooLarge;
  const uint8_t* bytes = buffer.data();
  if ((bytes[0] >> 6) != 2) return RtpParseError::kBadVersion;

  size_t offset = kFixedHeaderSize + 4 * size_t{bytes[0] & 0x0Fu};
  if (offset > size) return RtpParseError::kCsrcOverrun;

  RtpExtensionForm form = RtpExtensionForm::kNone;
  uint8_t count = 0;
  size_t block_offset = 0;
  if (bytes[0] & 0x10) {
    if (offset + 4 > size) return RtpParseError::kExtensionOverrun;
    block_offset = offset;
    const uint16_t profile = LoadBigEndian16(bytes + offset);
    const size_t block_end = offset + 4 + 4 * size_t{LoadBigEndian16(bytes + offset + 2)};
    if (block_end > size) return RtpParseError::kExtensionOverrun;
    size_t pos = offset + 4;
    if (profile == kOneByteProfile) {
      form = RtpExtensionForm::kOneByte;
      while (pos < block_end) {
        const uint8_t head = bytes[pos];
        const uint8_t id = head >> 4;
        if (id == 0) {  // RFC 8285 §4.2: id 0 is a padding byte, whatever its low bits say
          ++pos;
          continue;
        }
        if (id == 15) break;  // RFC 8285 §4.2: stop processing the block here
        const size_t length = size_t{head & 0x0Fu} + 1;
        if (pos + 1 + length > block_end) return RtpParseError::kBadExtensionElement;
        if (count == kMaxExtensions) return RtpParseError::kTooManyExtensions;
        packet->elements_[count++] = {id, static_cast<uint8_t>(length),
                                      static_cast<uint16_t>(pos + 1)};
        pos += 1 + length;
      }
    } else if ((profile & 0xFFF0) == kTwoByteProfile) {
      form = RtpExtensionForm::kTwoByte;
      while (pos < block_end) {
        const uint8_t id = bytes[pos];
        if (id == 0) {
          ++pos;
          continue;
        }
        if (pos + 2 > block_end) return RtpParseError::kBadExtensionElement;
        const size_t length = bytes[pos + 1];
        if (pos + 2 + length > block_end) return RtpParseError::kBadExtensionElement;
        if (count == kMaxExtensions) return RtpParseError::kTooManyExtensions;
        packet->elements_[count++] = {id, static_cast<uint8_t>(length),
                                      static_cast<uint16_t>(pos + 2)};
        pos += 2 + length;
      }
    } else {
      form = RtpExtensionForm::kOther;
    }
    offset = block_end;
  }

  size_t padding = 0;
  if (bytes[0] & 0x20) {
    // RFC 3550 §5.1: the last octet counts the padding, itself included.
    if (offset == size) return RtpParseError::kBadPadding;
    padding = bytes[size - 1];
    if (padding == 0 || padding > size - offset) return RtpParseError::kBadPadding;
  }

  packet->buffer_ = buffer;
  packet->header_size_ = static_cast<uint16_t>(offset);
  packet->payload_size_ = static_cast<uint16_t>(size - offset - padding);
  packet->padding_size_ = static_cast<uint8_t>(padding);
  packet->extension_form_ = form;
  packet->extension_count_ = count;
  packet->extension_block_offset_ = static_cast<uint16_t>(block_offset);
  return RtpParseError::kOk;
}

uint16_t RtpPacket::extension_profile() const {
  if (extension_form_ == RtpExtensionForm::kNone) return 0;
  return LoadBigEndian16(&buffer_[extension_block_offset_]);
}

RtpExtensionElement RtpPacket::extension(size_t index) {
  const ElementIndex& e = elements_[index];
  return {e.id, buffer_.subspan(e.offset, e.size)};
}

std::optional<std::span<uint8_t>> RtpPacket::FindExtension(uint8_t id) {
  for (size_t i = 0; i < extension_count_; ++i) {
    if (elements_[i].id == id) return buffer_.subspan(elements_[i].offset, elements_[i].size);
  }
  return std::nullopt;
}

std::optional<std::span<const uint8_t>> RtpPacket::FindExtension(uint8_t id) const {
  for (size_t i = 0; i < extension_count_; ++i) {
    if (elements_[i].id == id) {
      return std::span<const uint8_t>(buffer_).subspan(elements_[i].offset, elements_[i].size);
    }
  }
  return std::nullopt;
}

bool RtpPacket::SetExtensionValue(uint8_t id, std::span<const uint8_t> value) {
  auto target = FindExtension(id);
  if (!target || target->size() != value.size()) return false;
  if (!value.empty()) std::memmove(target->data(), value.data(), value.size());
  return true;
}

void RtpPacket::RemoveElementAt(size_t index) {
  const ElementIndex& e = elements_[index];
  const size_t header = extension_form_ == RtpExtensionForm::kOneByte ? 1 : 2;
  std::memset(&buffer_[e.offset - header], 0, header + e.size);
  std::copy(elements_.begin() + index + 1, elements_.begin() + extension_count_,
            elements_.begin() + index);
  --extension_count_;
}

bool RtpPacket::RemoveExtension(uint8_t id) {
  for (size_t i = 0; i < extension_count_; ++i) {
    if (elements_[i].id == id) {
      RemoveElementAt(i);
      return true;
    }
  }
  return false;
}

size_t RtpPacket::RewriteExtensionIds(const RtpExtensionIdMap& from, const RtpExtensionIdMap& to) {
  size_t removed = 0;
  const bool one_byte = extension_form_ == RtpExtensionForm::kOneByte;
  size_t i = 0;
  while (i < extension_count_) {
    ElementIndex& e = elements_[i];
    const uint8_t new_id = to.IdOf(from.TypeOf(e.id));
    if (new_id == 0 || (one_byte && new_id > kOneByteMaxId)) {
      RemoveElementAt(i);
      ++removed;
      continue;
    }
    if (one_byte) {
      buffer_[e.offset - 1] = static_cast<uint8_t>((new_id << 4) | (e.size - 1));
    } else {
      buffer_[e.offset - 2] = new_id;
    }
    e.id = new_id;
    ++i;
  }
  return removed;
}

RtpPacketBuilder::RtpPacketBuilder(std::span<uint8_t> buffer) : buffer_(buffer) {
  if (buffer_.size() < RtpPacket::kFixedHeaderSize) {
    failed_ = true;
    return;
  }
  std::memset(buffer_.data(), 0, RtpPacket::kFixedHeaderSize);
  buffer_[0] = 0x80;  // V = 2
}

RtpPacketBuilder& RtpPacketBuilder::SetMarker(bool marker) {
  if (!failed_) buffer_[1] = static_cast<uint8_t>((buffer_[1] & 0x7F) | (marker ? 0x80 : 0));
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::SetPayloadType(uint8_t payload_type) {
  if (payload_type > 127) failed_ = true;
  if (!failed_) buffer_[1] = static_cast<uint8_t>((buffer_[1] & 0x80) | payload_type);
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::SetSequenceNumber(uint16_t sequence_number) {
  if (!failed_) StoreBigEndian16(&buffer_[2], sequence_number);
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::SetTimestamp(uint32_t timestamp) {
  if (!failed_) StoreBigEndian32(&buffer_[4], timestamp);
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::SetSsrc(uint32_t ssrc) {
  if (!failed_) StoreBigEndian32(&buffer_[8], ssrc);
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::AddCsrc(uint32_t csrc) {
  if (failed_ || extension_block_offset_ != 0 || payload_written_ || (buffer_[0] & 0x0F) == 15 ||
      !Reserve(4)) {
    failed_ = true;
    return *this;
  }
  StoreBigEndian32(&buffer_[size_], csrc);
  size_ += 4;
  ++buffer_[0];
  return *this;
}

bool RtpPacketBuilder::ConvertExtensionsToTwoByte() {
  // Each element grows by one header byte; move them from the last one back so nothing is
  // overwritten before it is read.
  if (!Reserve(element_count_)) return false;
  for (size_t k = element_count_; k-- > 0;) {
    const size_t old_offset = element_offsets_[k];
    const uint8_t head = buffer_[old_offset];
    const uint8_t id = head >> 4;
    const size_t length = size_t{head & 0x0Fu} + 1;
    const size_t new_offset = old_offset + k;
    std::memmove(&buffer_[new_offset + 2], &buffer_[old_offset + 1], length);
    buffer_[new_offset] = id;
    buffer_[new_offset + 1] = static_cast<uint8_t>(length);
    element_offsets_[k] = static_cast<uint16_t>(new_offset);
  }
  size_ += element_count_;
  two_byte_form_ = true;
  return true;
}

RtpPacketBuilder& RtpPacketBuilder::AddExtension(uint8_t id, std::span<const uint8_t> value) {
  if (failed_ || payload_written_ || extensions_closed_ || id == 0 || value.size() > 255 ||
      element_count_ == RtpPacket::kMaxExtensions) {
    failed_ = true;
    return *this;
  }
  if (extension_block_offset_ == 0) {
    if (!Reserve(4)) {
      failed_ = true;
      return *this;
    }
    extension_block_offset_ = size_;
    size_ += 4;
    buffer_[0] |= 0x10;
  }
  const bool needs_two_byte =
      id > kOneByteMaxId || value.empty() || value.size() > kOneByteMaxValueSize;
  if (needs_two_byte && !two_byte_form_ && !ConvertExtensionsToTwoByte()) {
    failed_ = true;
    return *this;
  }
  const size_t header = two_byte_form_ ? 2 : 1;
  if (!Reserve(header + value.size()) || size_ > 0xFFFF) {
    failed_ = true;
    return *this;
  }
  element_offsets_[element_count_++] = static_cast<uint16_t>(size_);
  if (two_byte_form_) {
    buffer_[size_] = id;
    buffer_[size_ + 1] = static_cast<uint8_t>(value.size());
  } else {
    buffer_[size_] = static_cast<uint8_t>((id << 4) | (value.size() - 1));
  }
  if (!value.empty()) std::memcpy(&buffer_[size_ + header], value.data(), value.size());
  size_ += header + value.size();
  return *this;
}

void RtpPacketBuilder::CloseExtensionBlock() {
  if (extensions_closed_) return;
  extensions_closed_ = true;
  if (failed_ || extension_block_offset_ == 0) return;
  const size_t content = size_ - extension_block_offset_ - 4;
  const size_t padded = (content + 3) & ~size_t{3};
  if (!Reserve(padded - content) || padded / 4 > 0xFFFF) {
    failed_ = true;
    return;
  }
  std::memset(&buffer_[size_], 0, padded - content);
  size_ += padded - content;
  StoreBigEndian16(&buffer_[extension_block_offset_],
                   two_byte_form_ ? kTwoByteProfile : kOneByteProfile);
  StoreBigEndian16(&buffer_[extension_block_offset_ + 2], static_cast<uint16_t>(padded / 4));
}

RtpPacketBuilder& RtpPacketBuilder::SetPayload(std::span<const uint8_t> payload) {
  CloseExtensionBlock();
  if (payload_written_ || !Reserve(payload.size())) {
    failed_ = true;
    return *this;
  }
  if (!payload.empty()) std::memcpy(&buffer_[size_], payload.data(), payload.size());
  size_ += payload.size();
  payload_written_ = true;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::SetPadding(uint8_t padding_size) {
  padding_size_ = padding_size;
  return *this;
}

std::optional<size_t> RtpPacketBuilder::Finish() {
  if (!finished_) {
    CloseExtensionBlock();
    payload_written_ = true;
    if (padding_size_ > 0) {
      if (!Reserve(padding_size_)) {
        failed_ = true;
      } else {
        std::memset(&buffer_[size_], 0, padding_size_);
        size_ += padding_size_;
        buffer_[size_ - 1] = padding_size_;
        buffer_[0] |= 0x20;
      }
    }
    finished_ = true;
    if (size_ > 0xFFFF) failed_ = true;
  }
  if (failed_) return std::nullopt;
  return size_;
}

}  // namespace auralink::rtc
