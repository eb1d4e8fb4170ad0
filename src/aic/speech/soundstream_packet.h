// SoundStream packet layout, as the weights' reference implementation (Lyra v2) writes it: residual
// vector-quantizer indices of 4 bits each, packed most-significant-first, two per byte, the first
// quantizer in the high nibble of byte 0, no header. The packet length alone says the bitrate.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace auralink::speech {

inline constexpr int kSoundStreamMaxQuantizers = 46;
inline constexpr int kSoundStreamBitsPerQuantizer = 4;
inline constexpr int kSoundStreamSampleRateHz = 16000;
inline constexpr int kSoundStreamFrameSamples = 320;  // 20 ms at 16 kHz
inline constexpr int kSoundStreamFeatureSize = 64;

// 3200 -> 16, 6000 -> 30, 9200 -> 46 quantizers; nullopt for any other bitrate.
std::optional<int> SoundStreamQuantizersForBitrate(int bitrate_bps);
// 8 -> 16, 15 -> 30, 23 -> 46 quantizers; nullopt for any other length.
std::optional<int> SoundStreamQuantizersForPacketSize(size_t packet_bytes);
inline int SoundStreamPacketBytes(int quantizers) {
  return (quantizers * kSoundStreamBitsPerQuantizer + 7) / 8;
}

// Packs the first `quantizers` indices (each 0..15) of `indices`.
std::vector<uint8_t> PackSoundStreamIndices(std::span<const int32_t> indices, int quantizers);
// Unpacks a packet into kSoundStreamMaxQuantizers indices, the unused levels set to -1 (what the
// quantizer's decode signature expects). Returns false on an invalid packet length.
bool UnpackSoundStreamIndices(std::span<const uint8_t> packet, std::span<int32_t> indices);

}  // namespace auralink::speech
