// An Opus-like audio stream without an encoder: one 100-byte payload every 20 ms (what Opus at
// ~32 kbit/s produces), RTP timestamps at 48 kHz, the RFC 6464 audio level, MID and a slot for the
// transport-wide sequence number, and the send time in the payload trailer for latency.
#pragma once

#include <cstdint>

#include "client/emulated_stream.h"

namespace auralink::client {

struct EmulatedAudioOptions {
  size_t payload_bytes = 100;
  int frame_ms = 20;
  uint8_t level_dbov = 30;  // RFC 6464: -30 dBov, speech
};

class EmulatedAudioSource {
 public:
  EmulatedAudioSource(EmulatedStreamConfig stream, EmulatedAudioOptions options, uint32_t seed);

  // The next frame's packet; valid until the next call. send_time_us goes into the trailer.
  EmulatedPacket& NextPacket(int64_t send_time_us);

  int frame_interval_ms() const { return options_.frame_ms; }
  const EmulatedStreamConfig& stream() const { return stream_; }
  uint64_t packets_produced() const { return packets_produced_; }

 private:
  EmulatedStreamConfig stream_;
  EmulatedAudioOptions options_;
  uint16_t sequence_number_;
  uint32_t timestamp_;
  uint64_t packets_produced_ = 0;
  EmulatedPacket packet_;
};

}  // namespace auralink::client
