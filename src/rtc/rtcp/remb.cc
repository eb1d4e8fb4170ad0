#include "rtc/rtcp/remb.h"

#include "rtc/rtp/big_endian.h"

namespace auralink::rtc {
namespace {

constexpr uint32_t kRembIdentifier = 0x52454D42;  // "REMB"
constexpr uint64_t kMantissaLimit = uint64_t{1} << 18;

}  // namespace

RtcpParseError Remb::Parse(const RtcpPacketView& packet, Remb* remb) {
  RtcpFeedbackHeader header;
  const RtcpParseError error =
      ParseFeedbackHeader(packet, RtcpPacketType::kPayloadFeedback, kPsfbApplicationLayer, &header);
  if (error != RtcpParseError::kOk) return error;
  const std::span<const uint8_t> fci = packet.body.subspan(8);
  if (fci.size() < 4 || LoadBigEndian32(fci.data()) != kRembIdentifier) {
    return RtcpParseError::kUnsupported;
  }
  if (fci.size() < 8) return RtcpParseError::kTruncated;
  const size_t count = fci[4];
  const uint32_t exponent = fci[5] >> 2;
  const uint64_t mantissa = LoadBigEndian24(&fci[5]) & 0x3FFFF;
  if (fci.size() < 8 + 4 * count) return RtcpParseError::kTruncated;
  // A value that does not fit 64 bits is not a bitrate anyone sends.
  if (mantissa != 0 && exponent > 63 - 17 && (mantissa >> (64 - exponent)) != 0) {
    return RtcpParseError::kMalformed;
  }
  remb->sender_ssrc = header.sender_ssrc;
  remb->bitrate_bps = mantissa << exponent;
  remb->ssrcs.clear();
  for (size_t i = 0; i < count; ++i) remb->ssrcs.push_back(LoadBigEndian32(&fci[8 + 4 * i]));
  return RtcpParseError::kOk;
}

size_t Remb::Write(std::span<uint8_t> out) const {
  const size_t size = Size();
  if (out.size() < size || ssrcs.size() > kMaxSsrcs) return 0;
  uint32_t exponent = 0;
  while ((bitrate_bps >> exponent) >= kMantissaLimit) ++exponent;
  const uint32_t mantissa = static_cast<uint32_t>(bitrate_bps >> exponent);
  WriteFeedbackHeader(out.data(), kPsfbApplicationLayer, RtcpPacketType::kPayloadFeedback, size,
                      {sender_ssrc, 0});
  uint8_t* fci = &out[kRtcpFeedbackHeaderSize];
  StoreBigEndian32(fci, kRembIdentifier);
  fci[4] = static_cast<uint8_t>(ssrcs.size());
  StoreBigEndian24(&fci[5], (exponent << 18) | mantissa);
  for (size_t i = 0; i < ssrcs.size(); ++i) StoreBigEndian32(&fci[8 + 4 * i], ssrcs[i]);
  return size;
}

}  // namespace auralink::rtc
