#include "rtc/rtcp/picture_loss_indication.h"

namespace auralink::rtc {

RtcpParseError PictureLossIndication::Parse(const RtcpPacketView& packet,
                                            PictureLossIndication* pli) {
  return ParseFeedbackHeader(packet, RtcpPacketType::kPayloadFeedback, kPsfbPictureLossIndication,
                             &pli->header);
}

size_t PictureLossIndication::Write(std::span<uint8_t> out) const {
  if (out.size() < Size()) return 0;
  WriteFeedbackHeader(out.data(), kPsfbPictureLossIndication, RtcpPacketType::kPayloadFeedback,
                      Size(), header);
  return Size();
}

}  // namespace auralink::rtc
