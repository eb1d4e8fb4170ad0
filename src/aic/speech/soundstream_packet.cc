#include "aic/speech/soundstream_packet.h"

#include <algorithm>

namespace auralink::speech {

std::optional<int> SoundStreamQuantizersForBitrate(int bitrate_bps) {
  switch (bitrate_bps) {
    case 3200: return 16;
    case 6000: return 30;
    case 9200: return 46;
    default: return std::nullopt;
  }
}

std::optional<int> SoundStreamQuantizersForPacketSize(size_t packet_bytes) {
  for (int quantizers : {16, 30, 46}) {
    if (packet_bytes == static_cast<size_t>(SoundStreamPacketBytes(quantizers))) return quantizers;
  }
  return std::nullopt;
}

std::vector<uint8_t> PackSoundStreamIndices(std::span<const int32_t> indices, int quantizers) {
  std::vector<uint8_t> packet(static_cast<size_t>(SoundStreamPacketBytes(quantizers)), 0);
  for (int q = 0; q < quantizers; ++q) {
    const uint8_t nibble = static_cast<uint8_t>(indices[static_cast<size_t>(q)] & 0x0f);
    packet[static_cast<size_t>(q / 2)] |= (q % 2 == 0) ? static_cast<uint8_t>(nibble << 4) : nibble;
  }
  return packet;
}

bool UnpackSoundStreamIndices(std::span<const uint8_t> packet, std::span<int32_t> indices) {
  std::optional<int> quantizers = SoundStreamQuantizersForPacketSize(packet.size());
  if (!quantizers || indices.size() < static_cast<size_t>(kSoundStreamMaxQuantizers)) return false;
  std::fill(indices.begin(), indices.end(), -1);
  for (int q = 0; q < *quantizers; ++q) {
    const uint8_t byte = packet[static_cast<size_t>(q / 2)];
    indices[static_cast<size_t>(q)] = (q % 2 == 0) ? (byte >> 4) : (byte & 0x0f);
  }
  return true;
}

}  // namespace auralink::speech
