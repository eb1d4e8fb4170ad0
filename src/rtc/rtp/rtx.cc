#include "rtc/rtp/rtx.h"

#include <cstring>

namespace auralink::rtc {

std::optional<size_t> WrapRtx(const RtpPacket& original, RtxParameters rtx,
                              uint16_t rtx_sequence_number, std::span<uint8_t> out) {
  const size_t header_size = original.header_size();
  const auto payload = original.payload();
  const size_t size = header_size + 2 + payload.size();
  if (out.size() < size) return std::nullopt;
  const uint8_t* source = original.data().data();
  std::memcpy(out.data(), source, header_size);
  out[0] &= static_cast<uint8_t>(~0x20);  // P cleared: the original padding is not carried
  out[1] = static_cast<uint8_t>((out[1] & 0x80) | (rtx.payload_type & 0x7F));
  StoreBigEndian16(&out[2], rtx_sequence_number);
  StoreBigEndian32(&out[8], rtx.ssrc);
  StoreBigEndian16(&out[header_size], original.sequence_number());
  if (!payload.empty()) std::memcpy(&out[header_size + 2], payload.data(), payload.size());
  return size;
}

std::optional<size_t> UnwrapRtx(const RtpPacket& rtx, uint32_t original_ssrc,
                                uint8_t original_payload_type, std::span<uint8_t> out) {
  const auto payload = rtx.payload();
  if (payload.size() < 2) return std::nullopt;
  const size_t header_size = rtx.header_size();
  const size_t size = header_size + payload.size() - 2;
  if (out.size() < size) return std::nullopt;
  std::memcpy(out.data(), rtx.data().data(), header_size);
  out[0] &= static_cast<uint8_t>(~0x20);
  out[1] = static_cast<uint8_t>((out[1] & 0x80) | (original_payload_type & 0x7F));
  StoreBigEndian16(&out[2], LoadBigEndian16(payload.data()));
  StoreBigEndian32(&out[8], original_ssrc);
  if (payload.size() > 2) std::memcpy(&out[header_size], payload.data() + 2, payload.size() - 2);
  return size;
}

bool UnwrapRtxInPlace(RtpPacket* packet, uint32_t original_ssrc, uint8_t original_payload_type) {
  auto payload = packet->payload();
  if (payload.size() < 2) return false;
  const uint16_t original_sequence_number = LoadBigEndian16(payload.data());
  const size_t header_size = packet->header_size();
  std::span<uint8_t> buffer = packet->data();
  // The header slides over the OSN; the payload stays where it is and padding is cut off.
  std::memmove(buffer.data() + 2, buffer.data(), header_size);
  std::span<uint8_t> original = buffer.subspan(2, header_size + payload.size() - 2);
  original[0] &= static_cast<uint8_t>(~0x20);
  original[1] = static_cast<uint8_t>((original[1] & 0x80) | (original_payload_type & 0x7F));
  StoreBigEndian16(&original[2], original_sequence_number);
  StoreBigEndian32(&original[8], original_ssrc);
  // The bytes were a valid packet a moment ago and only lost padding, so this parse succeeds.
  return RtpPacket::Parse(original, packet) == RtpParseError::kOk;
}

}  // namespace auralink::rtc
