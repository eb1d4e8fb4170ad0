// Fuzzes RTCP parsing (src/rtc/rtcp/): walks a compound datagram and parses every known message,
// transport-wide CC feedback included, then writes each parsed message back and parses the result
// again. Any input must give messages or a reason, never a crash or an allocation the input does
// not pay for.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "rtc/rtcp/bye.h"
#include "rtc/rtcp/full_intra_request.h"
#include "rtc/rtcp/generic_nack.h"
#include "rtc/rtcp/picture_loss_indication.h"
#include "rtc/rtcp/receiver_report.h"
#include "rtc/rtcp/remb.h"
#include "rtc/rtcp/rtcp_packet.h"
#include "rtc/rtcp/sender_report.h"
#include "rtc/rtcp/source_description.h"
#include "rtc/rtcp/twcc_feedback.h"

using namespace auralink::rtc;

namespace {

// Names the broken invariant's line before aborting, so a crash report says which one.
void Check(bool condition, int line = __builtin_LINE()) {
  if (condition) return;
  std::fprintf(stderr, "%s:%d: invariant broken\n", __FILE__, line);
  std::abort();
}

// Writes a parsed message and parses it again: it must come back as the same type.
template <typename Message>
void RoundTrip(const Message& message, Message* again) {
  std::vector<uint8_t> out(message.Size());
  if (message.Write(out) == 0) return;  // e.g. an empty NACK list cannot be written
  RtcpPacketView view;
  size_t consumed = 0;
  Check(ParseRtcpPacket(out, &view, &consumed) == RtcpParseError::kOk && consumed == out.size());
  Check(Message::Parse(view, again) == RtcpParseError::kOk);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> datagram(data, size);
  (void)ValidateRtcpCompound(datagram, false);
  (void)ValidateRtcpCompound(datagram, true);

  RtcpPacketIterator it(datagram);
  RtcpPacketView packet;
  SenderReport sr, sr2;
  ReceiverReport rr, rr2;
  SourceDescription sdes, sdes2;
  Bye bye, bye2;
  GenericNack nack, nack2;
  PictureLossIndication pli, pli2;
  FullIntraRequest fir, fir2;
  Remb remb, remb2;
  TwccFeedback twcc, twcc2;
  std::vector<uint16_t> sequence_numbers;
  while (it.Next(&packet)) {
    Check(packet.body.size() + 4 <= packet.packet.size());
    switch (static_cast<RtcpPacketType>(packet.packet_type)) {
      case RtcpPacketType::kSenderReport:
        if (SenderReport::Parse(packet, &sr) == RtcpParseError::kOk) RoundTrip(sr, &sr2);
        break;
      case RtcpPacketType::kReceiverReport:
        if (ReceiverReport::Parse(packet, &rr) == RtcpParseError::kOk) RoundTrip(rr, &rr2);
        break;
      case RtcpPacketType::kSourceDescription:
        if (SourceDescription::Parse(packet, &sdes) == RtcpParseError::kOk) {
          RoundTrip(sdes, &sdes2);
        }
        break;
      case RtcpPacketType::kBye:
        if (Bye::Parse(packet, &bye) == RtcpParseError::kOk) RoundTrip(bye, &bye2);
        break;
      case RtcpPacketType::kTransportFeedback:
        if (GenericNack::Parse(packet, &nack) == RtcpParseError::kOk) {
          nack.GetSequenceNumbers(&sequence_numbers);
          Check(sequence_numbers.size() >= nack.items.size());
          RoundTrip(nack, &nack2);
        }
        if (TwccFeedback::Parse(packet, &twcc) == RtcpParseError::kOk) {
          Check(twcc.received.size() <= packet.body.size());
          RoundTrip(twcc, &twcc2);
          Check(twcc2.received == twcc.received);
        }
        break;
      case RtcpPacketType::kPayloadFeedback:
        if (PictureLossIndication::Parse(packet, &pli) == RtcpParseError::kOk)
          RoundTrip(pli, &pli2);
        if (FullIntraRequest::Parse(packet, &fir) == RtcpParseError::kOk) RoundTrip(fir, &fir2);
        if (Remb::Parse(packet, &remb) == RtcpParseError::kOk) RoundTrip(remb, &remb2);
        break;
      default:
        std::abort();  // the iterator yields only the types above
    }
  }
  Check(!RtcpParseErrorName(it.error()).empty());
  return 0;
}
