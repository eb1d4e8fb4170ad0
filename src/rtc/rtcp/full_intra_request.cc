#include "rtc/rtcp/full_intra_request.h"

#include <cstring>

#include "rtc/rtp/big_endian.h"

namespace auralink::rtc {

RtcpParseError FullIntraRequest::Parse(const RtcpPacketView& packet, FullIntraRequest* fir) {
  RtcpFeedbackHeader header;
  const RtcpParseError error =
      ParseFeedbackHeader(packet, RtcpPacketType::kPayloadFeedback, kPsfbFullIntraRequest, &header);
  if (error != RtcpParseError::kOk) return error;
  const std::span<const uint8_t> fci = packet.body.subspan(8);
  if (fci.empty() || fci.size() % 8 != 0) return RtcpParseError::kMalformed;
  fir->sender_ssrc = header.sender_ssrc;
  fir->entries.clear();
  for (size_t pos = 0; pos < fci.size(); pos += 8) {
    fir->entries.push_back({LoadBigEndian32(&fci[pos]), fci[pos + 4]});
  }
  return RtcpParseError::kOk;
}

size_t FullIntraRequest::Write(std::span<uint8_t> out) const {
  const size_t size = Size();
  if (out.size() < size || entries.empty() || size / 4 - 1 > 0xFFFF) return 0;
  WriteFeedbackHeader(out.data(), kPsfbFullIntraRequest, RtcpPacketType::kPayloadFeedback, size,
                      {sender_ssrc, 0});
  size_t pos = kRtcpFeedbackHeaderSize;
  for (const Entry& entry : entries) {
    StoreBigEndian32(&out[pos], entry.ssrc);
    out[pos + 4] = entry.sequence_number;
    std::memset(&out[pos + 5], 0, 3);  // reserved
    pos += 8;
  }
  return size;
}

}  // namespace auralink::rtc
