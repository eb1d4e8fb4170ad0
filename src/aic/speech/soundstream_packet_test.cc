#include "aic/speech/soundstream_packet.h"

#include <gtest/gtest.h>

#include <array>

namespace auralink::speech {
namespace {

TEST(SoundStreamPacketTest, BitratesMapToReferencePacketSizes) {
  EXPECT_EQ(SoundStreamPacketBytes(*SoundStreamQuantizersForBitrate(3200)), 8);
  EXPECT_EQ(SoundStreamPacketBytes(*SoundStreamQuantizersForBitrate(6000)), 15);
  EXPECT_EQ(SoundStreamPacketBytes(*SoundStreamQuantizersForBitrate(9200)), 23);
  EXPECT_FALSE(SoundStreamQuantizersForBitrate(8000).has_value());
  EXPECT_EQ(SoundStreamQuantizersForPacketSize(15), 30);
  EXPECT_FALSE(SoundStreamQuantizersForPacketSize(14).has_value());
}

TEST(SoundStreamPacketTest, FirstQuantizerInHighNibbleOfFirstByte) {
  std::array<int32_t, 46> indices{};
  indices[0] = 0xA;
  indices[1] = 0x3;
  indices[15] = 0xF;
  auto packet = PackSoundStreamIndices(indices, 16);
  ASSERT_EQ(packet.size(), 8u);
  EXPECT_EQ(packet[0], 0xA3);
  EXPECT_EQ(packet[7], 0x0F);
}

TEST(SoundStreamPacketTest, RoundTripMarksUnusedLevels) {
  for (int quantizers : {16, 30, 46}) {
    std::array<int32_t, 46> indices{};
    for (int q = 0; q < 46; ++q) indices[q] = (q * 7 + 3) % 16;
    auto packet = PackSoundStreamIndices(indices, quantizers);
    std::array<int32_t, 46> unpacked{};
    ASSERT_TRUE(UnpackSoundStreamIndices(packet, unpacked));
    for (int q = 0; q < 46; ++q) EXPECT_EQ(unpacked[q], q < quantizers ? indices[q] : -1);
  }
}

TEST(SoundStreamPacketTest, RejectsInvalidLengths) {
  std::array<int32_t, 46> indices{};
  std::vector<uint8_t> packet(9, 0);
  EXPECT_FALSE(UnpackSoundStreamIndices(packet, indices));
  EXPECT_FALSE(UnpackSoundStreamIndices({}, indices));
}

}  // namespace
}  // namespace auralink::speech
