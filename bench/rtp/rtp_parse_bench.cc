// Per-packet cost of what the SFU does to every forwarded RTP packet: parse the header as a view,
// then rewrite sequence number, timestamp and SSRC for the subscriber (and, in the second case, the
// transport-wide sequence number and the extension ids). The packets are Chromium-like: VP8 video
// of 1200 bytes with mid, abs-send-time, transport-wide sequence number and, for audio, audio
// level.
//   build/bench/rtp/rtp_parse_bench --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "rtc/rtp/rtp_packet.h"

namespace {

using auralink::rtc::RtpExtensionIdMap;
using auralink::rtc::RtpExtensionType;
using auralink::rtc::RtpPacket;
using auralink::rtc::RtpPacketBuilder;
using auralink::rtc::RtpParseError;

constexpr size_t kPacketCount = 256;  // distinct buffers so the loop is not one cache line

std::vector<std::vector<uint8_t>> MakePackets(size_t payload_size, bool audio) {
  std::vector<std::vector<uint8_t>> packets;
  const uint8_t mid[] = {'1'};
  const uint8_t abs_send_time[] = {0x12, 0x34, 0x56};
  const uint8_t level[] = {0x85};
  std::vector<uint8_t> payload(payload_size, 0x5A);
  for (size_t i = 0; i < kPacketCount; ++i) {
    std::vector<uint8_t> buffer(payload_size + 64);
    const uint8_t transport_sequence[] = {static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    RtpPacketBuilder builder(buffer);
    builder.SetPayloadType(audio ? 111 : 96)
        .SetSequenceNumber(static_cast<uint16_t>(1000 + i))
        .SetTimestamp(static_cast<uint32_t>(i * 3000))
        .SetSsrc(0x11223344)
        .AddExtension(4, mid)
        .AddExtension(2, abs_send_time)
        .AddExtension(3, transport_sequence);
    if (audio) builder.AddExtension(1, level);
    builder.SetPayload(payload);
    buffer.resize(*builder.Finish());
    packets.push_back(std::move(buffer));
  }
  return packets;
}

void BM_ParseAndRewriteHeader(benchmark::State& state) {
  auto packets = MakePackets(static_cast<size_t>(state.range(0)), state.range(0) < 500);
  uint16_t sequence = 0;
  size_t i = 0;
  for (auto _ : state) {
    RtpPacket packet;
    auto& buffer = packets[i++ % kPacketCount];
    if (RtpPacket::Parse(buffer, &packet) != RtpParseError::kOk) state.SkipWithError("parse");
    packet.SetSequenceNumber(sequence++);
    packet.SetTimestamp(packet.timestamp() + 1234);
    packet.SetSsrc(0x55667788);
    benchmark::DoNotOptimize(packet.payload().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAndRewriteHeader)->Arg(160)->Arg(1200);

void BM_ParseRewriteHeaderAndExtensions(benchmark::State& state) {
  auto packets = MakePackets(static_cast<size_t>(state.range(0)), state.range(0) < 500);
  RtpExtensionIdMap publisher;
  publisher.Register(1, RtpExtensionType::kAudioLevel);
  publisher.Register(2, RtpExtensionType::kAbsSendTime);
  publisher.Register(3, RtpExtensionType::kTransportSequenceNumber);
  publisher.Register(4, RtpExtensionType::kMid);
  RtpExtensionIdMap subscriber;  // the same extensions under other ids
  subscriber.Register(10, RtpExtensionType::kAudioLevel);
  subscriber.Register(3, RtpExtensionType::kAbsSendTime);
  subscriber.Register(5, RtpExtensionType::kTransportSequenceNumber);
  subscriber.Register(9, RtpExtensionType::kMid);
  RtpExtensionIdMap* maps[2] = {&publisher, &subscriber};
  uint16_t sequence = 0;
  size_t i = 0;
  for (auto _ : state) {
    // Alternate direction so every buffer stays in a state the next iteration can rewrite.
    const size_t index = i % kPacketCount;
    const bool forward = (i / kPacketCount) % 2 == 0;
    ++i;
    RtpPacket packet;
    if (RtpPacket::Parse(packets[index], &packet) != RtpParseError::kOk) {
      state.SkipWithError("parse");
    }
    packet.SetSequenceNumber(sequence);
    packet.SetTimestamp(packet.timestamp() + 1234);
    packet.SetSsrc(0x55667788);
    packet.RewriteExtensionIds(*maps[forward ? 0 : 1], *maps[forward ? 1 : 0]);
    const uint8_t transport_sequence[] = {static_cast<uint8_t>(sequence >> 8),
                                          static_cast<uint8_t>(sequence)};
    packet.SetExtensionValue(forward ? 5 : 3, transport_sequence);
    ++sequence;
    benchmark::DoNotOptimize(packet.payload().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseRewriteHeaderAndExtensions)->Arg(160)->Arg(1200);

}  // namespace

BENCHMARK_MAIN();
