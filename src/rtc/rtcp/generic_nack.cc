#include "rtc/rtcp/generic_nack.h"

#include "rtc/rtp/big_endian.h"

namespace auralink::rtc {

RtcpParseError GenericNack::Parse(const RtcpPacketView& packet, GenericNack* nack) {
  const RtcpParseError error = ParseFeedbackHeader(packet, RtcpPacketType::kTransportFeedback,
                                                   kRtpfbGenericNack, &nack->header);
  if (error != RtcpParseError::kOk) return error;
  const std::span<const uint8_t> fci = packet.body.subspan(8);
  // §6.2.1: at least one FCI entry, each 4 bytes.
  if (fci.empty() || fci.size() % 4 != 0) return RtcpParseError::kMalformed;
  nack->items.clear();
  for (size_t pos = 0; pos < fci.size(); pos += 4) {
    nack->items.push_back({LoadBigEndian16(&fci[pos]), LoadBigEndian16(&fci[pos + 2])});
  }
  return RtcpParseError::kOk;
}

void GenericNack::SetSequenceNumbers(std::span<const uint16_t> sequence_numbers) {
  items.clear();
  for (uint16_t seq : sequence_numbers) {
    if (!items.empty()) {
      Item& last = items.back();
      const uint16_t distance = static_cast<uint16_t>(seq - last.packet_id);
      if (distance == 0) continue;
      if (distance <= 16) {
        last.lost_bitmask |= static_cast<uint16_t>(1u << (distance - 1));
        continue;
      }
    }
    items.push_back({seq, 0});
  }
}

void GenericNack::GetSequenceNumbers(std::vector<uint16_t>* out) const {
  out->clear();
  for (const Item& item : items) {
    out->push_back(item.packet_id);
    for (int bit = 0; bit < 16; ++bit) {
      if (item.lost_bitmask & (1u << bit)) {
        out->push_back(static_cast<uint16_t>(item.packet_id + bit + 1));
      }
    }
  }
}

size_t GenericNack::Write(std::span<uint8_t> out) const {
  const size_t size = Size();
  if (out.size() < size || size / 4 - 1 > 0xFFFF || items.empty()) return 0;
  WriteFeedbackHeader(out.data(), kRtpfbGenericNack, RtcpPacketType::kTransportFeedback, size,
                      header);
  size_t pos = kRtcpFeedbackHeaderSize;
  for (const Item& item : items) {
    StoreBigEndian16(&out[pos], item.packet_id);
    StoreBigEndian16(&out[pos + 2], item.lost_bitmask);
    pos += 4;
  }
  return size;
}

}  // namespace auralink::rtc
