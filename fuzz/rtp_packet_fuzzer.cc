// Fuzzes the RTP packet view (src/rtc/rtp/rtp_packet.h) and what the forwarding path does with it:
// parse, walk and rewrite header extensions, rewrite header fields, wrap into RTX and back, and
// rebuild the packet with the builder. Any input must parse or give a reason, never crash, and a
// parsed packet must survive every rewrite with its layout intact.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "rtc/rtp/nack_generator.h"
#include "rtc/rtp/rtp_packet.h"
#include "rtc/rtp/rtp_receive_statistics.h"
#include "rtc/rtp/rtx.h"

using namespace auralink::rtc;

namespace {

// Names the broken invariant's line before aborting, so a crash report says which one.
void Check(bool condition, int line = __builtin_LINE()) {
  if (condition) return;
  std::fprintf(stderr, "%s:%d: invariant broken\n", __FILE__, line);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> buffer(data, data + size);
  RtpPacket packet;
  const RtpParseError error = RtpPacket::Parse(buffer, &packet);
  if (error != RtpParseError::kOk) {
    Check(packet.empty() && !RtpParseErrorName(error).empty());
    return 0;
  }
  Check(packet.header_size() + packet.payload().size() + packet.padding_size() == size);

  const uint16_t sequence_number = packet.sequence_number();
  for (size_t i = 0; i < packet.extension_count(); ++i) {
    const RtpExtensionElement element = packet.extension(i);
    Check(element.id != 0 && element.value.data() >= buffer.data() &&
          element.value.data() + element.value.size() <= buffer.data() + size);
    auto found = packet.FindExtension(element.id);
    Check(found.has_value());
    std::vector<uint8_t> copy(found->begin(), found->end());
    Check(packet.SetExtensionValue(element.id, copy));
    (void)AbsSendTime::Parse(element.value);
    (void)TransportSequenceNumber::Parse(element.value);
    (void)AudioLevel::Parse(element.value);
    (void)RtpStringExtension::Parse(element.value);
  }

  // RTX round trip before any rewriting: the original comes back minus its padding.
  std::vector<uint8_t> rtx(size + 2);
  auto rtx_size = WrapRtx(packet, {0xABCDEF01, 97}, 1, rtx);
  Check(rtx_size.has_value());
  RtpPacket rtx_packet;
  Check(RtpPacket::Parse(std::span(rtx).first(*rtx_size), &rtx_packet) == RtpParseError::kOk);
  std::vector<uint8_t> restored(size);
  auto restored_size = UnwrapRtx(rtx_packet, packet.ssrc(), packet.payload_type(), restored);
  Check(restored_size.has_value() && *restored_size == size - packet.padding_size());
  Check(UnwrapRtxInPlace(&rtx_packet, packet.ssrc(), packet.payload_type()));
  Check(rtx_packet.sequence_number() == sequence_number);

  // Rebuild the packet from its parts: the builder's output parses back to the same content.
  std::vector<uint8_t> rebuilt(size + 64 + 2 * RtpPacket::kMaxExtensions);
  RtpPacketBuilder builder(rebuilt);
  builder.SetMarker(packet.marker())
      .SetPayloadType(packet.payload_type())
      .SetSequenceNumber(sequence_number)
      .SetTimestamp(packet.timestamp())
      .SetSsrc(packet.ssrc());
  for (size_t i = 0; i < packet.csrc_count(); ++i) builder.AddCsrc(packet.csrc(i));
  for (size_t i = 0; i < packet.extension_count(); ++i) {
    const RtpExtensionElement element = packet.extension(i);
    builder.AddExtension(element.id, element.value);
  }
  builder.SetPayload(packet.payload());
  auto rebuilt_size = builder.Finish();
  Check(rebuilt_size.has_value());
  RtpPacket reparsed;
  Check(RtpPacket::Parse(std::span(rebuilt).first(*rebuilt_size), &reparsed) == RtpParseError::kOk);
  Check(reparsed.extension_count() == packet.extension_count() &&
        reparsed.payload().size() == packet.payload().size() && reparsed.ssrc() == packet.ssrc() &&
        reparsed.sequence_number() == sequence_number);

  // Forwarding rewrites: header fields and extension ids from one negotiated map to another.
  RtpExtensionIdMap from;
  RtpExtensionIdMap to;
  for (uint8_t id = 1; id < 16; ++id) {
    const auto type =
        static_cast<RtpExtensionType>(id % static_cast<int>(RtpExtensionType::kCount));
    from.Register(id, type);
    to.Register(static_cast<uint8_t>(id * 13), type);
  }
  const size_t before = packet.extension_count();
  const size_t removed = packet.RewriteExtensionIds(from, to);
  Check(packet.extension_count() + removed == before);
  packet.SetSequenceNumber(static_cast<uint16_t>(sequence_number + 1000));
  packet.SetTimestamp(packet.timestamp() + 90000);
  packet.SetSsrc(~packet.ssrc());
  packet.SetMarker(!packet.marker());
  packet.SetPayloadType(96);
  RtpPacket after;
  Check(RtpPacket::Parse(buffer, &after) == RtpParseError::kOk);
  Check(after.extension_count() == packet.extension_count());

  NackGenerator nack;
  RtpReceiveStatistics statistics(after.ssrc(), 90000);
  for (size_t i = 0; i + 1 < size && i < 64; i += 2) {
    const uint16_t seq = static_cast<uint16_t>((data[i] << 8) | data[i + 1]);
    nack.OnPacket(seq, static_cast<int64_t>(i), (data[i] & 1) != 0);
    statistics.OnPacket(seq, static_cast<uint32_t>(i * 90), static_cast<int64_t>(i) * 1000);
  }
  nack.Tick(1000);
  (void)statistics.MakeReportBlock(1'000'000);
  return 0;
}
