#include "rtc/rtcp/bye.h"

#include <cstring>

#include "rtc/rtp/big_endian.h"

namespace auralink::rtc {

RtcpParseError Bye::Parse(const RtcpPacketView& packet, Bye* bye) {
  if (packet.packet_type != static_cast<uint8_t>(RtcpPacketType::kBye)) {
    return RtcpParseError::kWrongType;
  }
  const size_t count = packet.count_or_format;
  const std::span<const uint8_t> body = packet.body;
  if (body.size() < 4 * count) return RtcpParseError::kTruncated;
  bye->ssrcs.clear();
  bye->reason.clear();
  for (size_t i = 0; i < count; ++i) bye->ssrcs.push_back(LoadBigEndian32(&body[4 * i]));
  const size_t pos = 4 * count;
  if (pos < body.size() && body[pos] != 0) {
    const size_t length = body[pos];
    if (pos + 1 + length > body.size()) return RtcpParseError::kTruncated;
    bye->reason.assign(reinterpret_cast<const char*>(&body[pos + 1]), length);
  }
  return RtcpParseError::kOk;
}

size_t Bye::Size() const {
  const size_t reason_size = reason.empty() ? 0 : (1 + reason.size() + 3) & ~size_t{3};
  return kRtcpHeaderSize + 4 * ssrcs.size() + reason_size;
}

size_t Bye::Write(std::span<uint8_t> out) const {
  if (ssrcs.size() > kMaxSsrcs || reason.size() > 255) return 0;
  const size_t size = Size();
  if (out.size() < size) return 0;
  std::memset(out.data(), 0, size);
  WriteRtcpHeader(out.data(), static_cast<uint8_t>(ssrcs.size()), RtcpPacketType::kBye, size);
  size_t pos = kRtcpHeaderSize;
  for (uint32_t ssrc : ssrcs) {
    StoreBigEndian32(&out[pos], ssrc);
    pos += 4;
  }
  if (!reason.empty()) {
    out[pos] = static_cast<uint8_t>(reason.size());
    std::memcpy(&out[pos + 1], reason.data(), reason.size());
  }
  return size;
}

}  // namespace auralink::rtc
