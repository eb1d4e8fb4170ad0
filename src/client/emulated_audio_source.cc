#include "client/emulated_audio_source.h"

#include <algorithm>
#include <array>

#include "client/send_timestamp.h"
#include "rtc/rtp/rtp_packet.h"

namespace auralink::client {

EmulatedAudioSource::EmulatedAudioSource(EmulatedStreamConfig stream, EmulatedAudioOptions options,
                                         uint32_t seed)
    : stream_(std::move(stream)),
      options_(options),
      sequence_number_(static_cast<uint16_t>(seed)),
      timestamp_(seed * 2654435761u) {
  options_.payload_bytes = std::clamp<size_t>(options_.payload_bytes, kSendTimestampSize, 1000);
  options_.frame_ms = std::max(options_.frame_ms, 1);
}

EmulatedPacket& EmulatedAudioSource::NextPacket(int64_t send_time_us) {
  // Opus TOC byte (RFC 6716 §3.1): config 27 = CELT FB 20 ms, mono, one frame; the rest is filler.
  std::array<uint8_t, 1000> payload{};
  payload[0] = 27 << 3;
  for (size_t i = 1; i < options_.payload_bytes; ++i) payload[i] = static_cast<uint8_t>(i * 37);
  std::span<uint8_t> body(payload.data(), options_.payload_bytes);
  WriteSendTimestamp(body, send_time_us);

  const PublisherExtensionIds& ids = stream_.extension_ids;
  const uint8_t level = options_.level_dbov & 0x7F;
  const uint8_t audio_level[1] = {static_cast<uint8_t>(0x80 | level)};  // V=1: voice
  const uint8_t transport_cc[2] = {0, 0};
  rtc::RtpPacketBuilder builder(packet_.buffer);
  builder.SetPayloadType(stream_.payload_type)
      .SetSequenceNumber(sequence_number_++)
      .SetTimestamp(timestamp_)
      .SetSsrc(stream_.ssrc)
      .SetMarker(false)
      .AddExtension(ids.audio_level, audio_level)
      .AddExtension(ids.transport_cc, transport_cc);
  if (!stream_.mid.empty()) {
    builder.AddExtension(
        ids.mid, {reinterpret_cast<const uint8_t*>(stream_.mid.data()), stream_.mid.size()});
  }
  builder.SetPayload(body);
  packet_.size = builder.Finish().value_or(0);
  packet_.transport_cc_offset = 0;
  rtc::RtpPacket parsed;
  if (packet_.size > 0 && rtc::RtpPacket::Parse({packet_.buffer.data(), packet_.size}, &parsed) ==
                              rtc::RtpParseError::kOk) {
    if (auto value = parsed.FindExtension(ids.transport_cc))
      packet_.transport_cc_offset = static_cast<size_t>(value->data() - packet_.buffer.data());
  }
  timestamp_ += static_cast<uint32_t>(48 * options_.frame_ms);
  ++packets_produced_;
  return packet_;
}

}  // namespace auralink::client
