#include "rtc/rtcp/source_description.h"

#include <cstring>

#include "rtc/rtp/big_endian.h"

namespace auralink::rtc {
namespace {

constexpr uint8_t kItemEnd = 0;
constexpr uint8_t kItemCname = 1;

// SSRC, the CNAME item, and at least one end byte, padded to 32 bits (§6.5).
size_t ChunkSize(const SourceDescription::Chunk& chunk) {
  const size_t items = chunk.cname.empty() ? 0 : 2 + chunk.cname.size();
  return 4 + ((items + 1 + 3) & ~size_t{3});
}

}  // namespace

RtcpParseError SourceDescription::Parse(const RtcpPacketView& packet,
                                        SourceDescription* description) {
  if (packet.packet_type != static_cast<uint8_t>(RtcpPacketType::kSourceDescription)) {
    return RtcpParseError::kWrongType;
  }
  description->chunks.clear();
  const std::span<const uint8_t> body = packet.body;
  size_t pos = 0;
  for (size_t i = 0; i < packet.count_or_format; ++i) {
    if (pos + 4 > body.size()) return RtcpParseError::kTruncated;
    Chunk chunk;
    chunk.ssrc = LoadBigEndian32(&body[pos]);
    pos += 4;
    for (;;) {
      if (pos >= body.size()) return RtcpParseError::kTruncated;
      const uint8_t type = body[pos];
      if (type == kItemEnd) {
        pos = (pos + 1 + 3) & ~size_t{3};  // the next chunk starts on a 32-bit boundary
        break;
      }
      if (pos + 2 > body.size()) return RtcpParseError::kTruncated;
      const size_t length = body[pos + 1];
      if (pos + 2 + length > body.size()) return RtcpParseError::kTruncated;
      if (type == kItemCname) {
        chunk.cname.assign(reinterpret_cast<const char*>(&body[pos + 2]), length);
      }
      pos += 2 + length;
    }
    description->chunks.push_back(std::move(chunk));
  }
  return RtcpParseError::kOk;
}

size_t SourceDescription::Size() const {
  size_t size = kRtcpHeaderSize;
  for (const Chunk& chunk : chunks) size += ChunkSize(chunk);
  return size;
}

size_t SourceDescription::Write(std::span<uint8_t> out) const {
  if (chunks.size() > kMaxChunks) return 0;
  for (const Chunk& chunk : chunks) {
    if (chunk.cname.size() > 255) return 0;
  }
  const size_t size = Size();
  if (out.size() < size) return 0;
  WriteRtcpHeader(out.data(), static_cast<uint8_t>(chunks.size()),
                  RtcpPacketType::kSourceDescription, size);
  size_t pos = kRtcpHeaderSize;
  for (const Chunk& chunk : chunks) {
    const size_t chunk_size = ChunkSize(chunk);
    std::memset(&out[pos], 0, chunk_size);
    StoreBigEndian32(&out[pos], chunk.ssrc);
    if (!chunk.cname.empty()) {
      out[pos + 4] = kItemCname;
      out[pos + 5] = static_cast<uint8_t>(chunk.cname.size());
      std::memcpy(&out[pos + 6], chunk.cname.data(), chunk.cname.size());
    }
    pos += chunk_size;
  }
  return size;
}

}  // namespace auralink::rtc
