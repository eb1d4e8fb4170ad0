// The .aus speech stream container: a 24-byte header and one length-prefixed packet per 20 ms
// frame. The layout is specified in docs/aus-format.md.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace auralink::audio {

inline constexpr uint8_t kAusVersion = 1;
// Codec ids, the same values as auralink::speech::CodecType.
inline constexpr uint8_t kAusCodecSoundStream = 1;
inline constexpr uint8_t kAusCodecOpus = 2;
inline constexpr uint16_t kAusFrameDurationMs = 20;
inline constexpr size_t kAusHeaderBytes = 24;
inline constexpr size_t kAusMaxPacketBytes = 1275;  // the largest Opus packet (RFC 6716 s3.4 R2)

struct AusHeader {
  uint8_t version = kAusVersion;
  uint8_t codec = 0;
  uint16_t frame_duration_ms = kAusFrameDurationMs;
  uint32_t sample_rate_hz = 0;  // of the encoder's input; the default decode output rate
  uint8_t channels = 1;         // of the encoder's input
  uint32_t bitrate_bps = 0;     // nominal
  uint32_t frame_count = 0;
};

struct AusStream {
  AusHeader header;
  // One entry per 20 ms frame; an empty packet means nothing was sent for that frame (DTX or loss).
  std::vector<std::vector<uint8_t>> packets;
};

// Sample rates a .aus header may carry: 8000, 16000, 32000, 44100, 48000.
bool IsAusSampleRate(uint32_t sample_rate_hz);

// Checks the header fields a reader would reject (all but frame_count).
Status ValidateAusHeader(const AusHeader& header);

// Serialises `stream`; the frame count written is packets.size() (header.frame_count is ignored).
StatusOr<std::vector<uint8_t>> SerializeAus(const AusStream& stream);

// Parses a whole .aus file held in memory. Errors are one line: "not an .aus file (bad magic)",
// "unsupported .aus version 3", "unknown codec id 7", "truncated: ...", "N trailing bytes after
// the last frame", ...
StatusOr<AusStream> ParseAus(std::span<const uint8_t> bytes);

// As ParseAus(), with errors prefixed by the path ("x.aus: file not found", "x.aus: empty file").
StatusOr<AusStream> ReadAusFile(const std::string& path);

// Written atomically: a failure never leaves a partial file at `path`.
Status WriteAusFile(const std::string& path, const AusStream& stream);

}  // namespace auralink::audio
