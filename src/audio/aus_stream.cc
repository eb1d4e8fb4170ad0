#include "audio/aus_stream.h"

#include <cstring>

#include "common/whole_file.h"

namespace auralink::audio {
namespace {

constexpr char kMagic[4] = {'A', 'U', 'R', 'A'};

uint16_t ReadLe16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

uint32_t ReadLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

void AppendLe16(std::vector<uint8_t>* out, uint16_t v) {
  out->push_back(static_cast<uint8_t>(v));
  out->push_back(static_cast<uint8_t>(v >> 8));
}

void AppendLe32(std::vector<uint8_t>* out, uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) out->push_back(static_cast<uint8_t>(v >> shift));
}

}  // namespace

bool IsAusSampleRate(uint32_t sample_rate_hz) {
  switch (sample_rate_hz) {
    case 8000:
    case 16000:
    case 32000:
    case 44100:
    case 48000:
      return true;
    default:
      return false;
  }
}

Status ValidateAusHeader(const AusHeader& header) {
  if (header.version != kAusVersion) {
    return Status::Error("unsupported .aus version " + std::to_string(header.version) +
                         " (this build reads version 1)");
  }
  if (header.codec != kAusCodecSoundStream && header.codec != kAusCodecOpus) {
    return Status::Error("unknown codec id " + std::to_string(header.codec) +
                         " (1 = soundstream, 2 = opus)");
  }
  if (header.frame_duration_ms != kAusFrameDurationMs) {
    return Status::Error("unsupported frame duration " + std::to_string(header.frame_duration_ms) +
                         " ms (only 20 ms)");
  }
  if (!IsAusSampleRate(header.sample_rate_hz)) {
    return Status::Error("unsupported sample rate " + std::to_string(header.sample_rate_hz) +
                         " Hz (8000, 16000, 32000, 44100 or 48000)");
  }
  if (header.channels < 1 || header.channels > 2) {
    return Status::Error("unsupported channel count " + std::to_string(header.channels) +
                         " (1 or 2)");
  }
  return Status::Ok();
}

StatusOr<std::vector<uint8_t>> SerializeAus(const AusStream& stream) {
  AURALINK_RETURN_IF_ERROR(ValidateAusHeader(stream.header));
  if (stream.packets.size() > 0xFFFFFFFFu) return Status::Error("too many frames for .aus");
  size_t total = kAusHeaderBytes;
  for (size_t i = 0; i < stream.packets.size(); ++i) {
    if (stream.packets[i].size() > kAusMaxPacketBytes) {
      return Status::Error("frame " + std::to_string(i) + ": packet of " +
                           std::to_string(stream.packets[i].size()) + " bytes is over the " +
                           std::to_string(kAusMaxPacketBytes) + "-byte limit");
    }
    total += 2 + stream.packets[i].size();
  }
  std::vector<uint8_t> out;
  out.reserve(total);
  out.insert(out.end(), kMagic, kMagic + 4);
  out.push_back(stream.header.version);
  out.push_back(stream.header.codec);
  AppendLe16(&out, stream.header.frame_duration_ms);
  AppendLe32(&out, stream.header.sample_rate_hz);
  out.push_back(stream.header.channels);
  out.insert(out.end(), 3, 0);  // reserved
  AppendLe32(&out, stream.header.bitrate_bps);
  AppendLe32(&out, static_cast<uint32_t>(stream.packets.size()));
  for (const std::vector<uint8_t>& packet : stream.packets) {
    AppendLe16(&out, static_cast<uint16_t>(packet.size()));
    out.insert(out.end(), packet.begin(), packet.end());
  }
  return out;
}

StatusOr<AusStream> ParseAus(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return Status::Error("empty file");
  if (bytes.size() < 4 || std::memcmp(bytes.data(), kMagic, 4) != 0) {
    return Status::Error("not an .aus file (bad magic)");
  }
  if (bytes.size() < kAusHeaderBytes) {
    return Status::Error("truncated: header needs " + std::to_string(kAusHeaderBytes) +
                         " bytes, the file has " + std::to_string(bytes.size()));
  }
  const uint8_t* p = bytes.data();
  AusStream stream;
  AusHeader& header = stream.header;
  header.version = p[4];
  header.codec = p[5];
  header.frame_duration_ms = ReadLe16(p + 6);
  header.sample_rate_hz = ReadLe32(p + 8);
  header.channels = p[12];
  // Bytes 13-15 are reserved: written as zero, ignored on reading.
  header.bitrate_bps = ReadLe32(p + 16);
  header.frame_count = ReadLe32(p + 20);
  AURALINK_RETURN_IF_ERROR(ValidateAusHeader(header));

  // Every record takes at least its 2-byte length, which bounds the allocation by the input size.
  const size_t body = bytes.size() - kAusHeaderBytes;
  if (header.frame_count > body / 2) {
    return Status::Error("truncated: the header declares " + std::to_string(header.frame_count) +
                         " frames, the file holds at most " + std::to_string(body / 2));
  }
  stream.packets.reserve(header.frame_count);
  size_t offset = kAusHeaderBytes;
  for (uint32_t i = 0; i < header.frame_count; ++i) {
    if (bytes.size() - offset < 2) {
      return Status::Error("truncated: frame " + std::to_string(i) + " of " +
                           std::to_string(header.frame_count) + " is missing");
    }
    const uint16_t length = ReadLe16(p + offset);
    offset += 2;
    if (length > kAusMaxPacketBytes) {
      return Status::Error("frame " + std::to_string(i) + ": packet length " +
                           std::to_string(length) + " is over the " +
                           std::to_string(kAusMaxPacketBytes) + "-byte limit");
    }
    if (bytes.size() - offset < length) {
      return Status::Error("truncated: frame " + std::to_string(i) + " declares " +
                           std::to_string(length) + " bytes, " +
                           std::to_string(bytes.size() - offset) + " remain");
    }
    stream.packets.emplace_back(p + offset, p + offset + length);
    offset += length;
  }
  if (offset != bytes.size()) {
    return Status::Error(std::to_string(bytes.size() - offset) +
                         " trailing bytes after the last frame");
  }
  return stream;
}

StatusOr<AusStream> ReadAusFile(const std::string& path) {
  StatusOr<std::vector<uint8_t>> bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  StatusOr<AusStream> stream = ParseAus(*bytes);
  if (!stream.ok()) return stream.status().WithContext(path);
  return stream;
}

Status WriteAusFile(const std::string& path, const AusStream& stream) {
  StatusOr<std::vector<uint8_t>> bytes = SerializeAus(stream);
  if (!bytes.ok()) return bytes.status().WithContext(path);
  return WriteWholeFileAtomically(path, *bytes);
}

}  // namespace auralink::audio
