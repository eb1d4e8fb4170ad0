#include "rtc/codecs/vp8_payload_descriptor.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::rtc {
namespace {

using Bytes = std::vector<uint8_t>;

// RFC 7741 s4.2 descriptor octets, written by hand:
//   |X|R|N|S|R| PID |   then, with X:   |I|L|T|K| RSV |
// followed by M|PictureID (7 or 15 bits), TL0PICIDX, TID(2)|Y|KEYIDX(5).
// The VP8 key frame header (RFC 6386 s9.1): the 3-byte frame tag with P (bit 0) = 0, start code
// 9d 01 2a, then width and height as 14 bits + 2 scaling bits, little endian.
Bytes KeyFrameHeader(int width, int height, int horizontal_scale) {
  return {0x10,
          0x00,
          0x00,
          0x9D,
          0x01,
          0x2A,
          static_cast<uint8_t>(width & 0xFF),
          static_cast<uint8_t>((width >> 8) | (horizontal_scale << 6)),
          static_cast<uint8_t>(height & 0xFF),
          static_cast<uint8_t>(height >> 8)};
}

Bytes Concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(Vp8PayloadDescriptorTest, ParsesAllExtensionFieldsOfAKeyFrame) {
  // X=1 S=1 PID=0; I L T K; PictureID 0x1234 (M=1); TL0PICIDX 5; TID=2 Y=1 KEYIDX=3.
  const Bytes packet =
      Concat({0x90, 0xF0, 0x92, 0x34, 0x05, 0xA3}, KeyFrameHeader(640, 480, /*scale=*/1));
  auto d = Vp8PayloadDescriptor::Parse(packet);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_FALSE(d->non_reference);
  EXPECT_TRUE(d->start_of_partition);
  EXPECT_EQ(d->partition_index, 0);
  ASSERT_TRUE(d->picture_id.has_value());
  EXPECT_EQ(*d->picture_id, 0x1234);
  EXPECT_TRUE(d->picture_id_15_bit);
  EXPECT_EQ(d->tl0_pic_idx, 5);
  EXPECT_EQ(d->temporal_id, 2);
  EXPECT_TRUE(d->layer_sync);
  EXPECT_EQ(d->key_index, 3);
  EXPECT_EQ(d->descriptor_size, 6u);
  EXPECT_TRUE(d->start_of_frame);
  EXPECT_TRUE(d->key_frame);
  EXPECT_EQ(d->width, 640);
  EXPECT_EQ(d->height, 480);
}

TEST(Vp8PayloadDescriptorTest, DeltaFrameWithSevenBitPictureIdIsNotKey) {
  // X=1 N=1 S=1; I only; PictureID 5 (M=0); frame tag with P=1.
  const Bytes packet = {0xB0, 0x80, 0x05, 0x01, 0x00, 0x00, 0xAA};
  auto d = Vp8PayloadDescriptor::Parse(packet);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_TRUE(d->non_reference);
  EXPECT_EQ(d->picture_id, 5);
  EXPECT_FALSE(d->picture_id_15_bit);
  EXPECT_FALSE(d->tl0_pic_idx.has_value());
  EXPECT_FALSE(d->temporal_id.has_value());
  EXPECT_TRUE(d->start_of_frame);
  EXPECT_FALSE(d->key_frame);
  EXPECT_EQ(d->width, 0);
}

TEST(Vp8PayloadDescriptorTest, ContinuationPacketIsNeverKeyEvenWithEvenFirstByte) {
  // S=0: the byte after the descriptor is partition data, not a frame tag.
  const Bytes packet = {0x80, 0x80, 0x07, 0x00, 0x9D};
  auto d = Vp8PayloadDescriptor::Parse(packet);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->start_of_frame);
  EXPECT_FALSE(d->key_frame);
  // S=1 but PID=1: a later partition.
  auto later = Vp8PayloadDescriptor::Parse(Bytes{0x11, 0x00, 0x00});
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->partition_index, 1);
  EXPECT_FALSE(later->start_of_frame);
  EXPECT_FALSE(later->key_frame);
}

TEST(Vp8PayloadDescriptorTest, MinimalDescriptorKeyFrameWithShortHeader) {
  // No X; the frame tag says key frame but the packet ends before the dimensions.
  auto d = Vp8PayloadDescriptor::Parse(Bytes{0x10, 0x00, 0x01, 0x00});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->descriptor_size, 1u);
  EXPECT_TRUE(d->key_frame);
  EXPECT_EQ(d->width, 0);
}

TEST(Vp8PayloadDescriptorTest, KOnlySharesTheTidOctet) {
  // X=1; K only: the TID/Y/KEYIDX octet is present, TID must be ignored.
  auto d = Vp8PayloadDescriptor::Parse(Bytes{0x80, 0x10, 0xDF, 0xAB});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->key_index, 31);
  EXPECT_FALSE(d->temporal_id.has_value());
  EXPECT_EQ(d->descriptor_size, 3u);
}

TEST(Vp8PayloadDescriptorTest, RejectsTruncatedDescriptors) {
  const std::vector<Bytes> bad = {
      {},                  // empty
      {0x80},              // X without extension octet
      {0x90, 0x80},        // I without PictureID
      {0x90, 0x80, 0x80},  // M=1 without the second PictureID byte
      {0x90, 0x40},        // L without TL0PICIDX
      {0x90, 0x20},        // T without TID octet
      {0x90, 0x10},        // K without KEYIDX octet
      {0x10},              // frame start without the payload header
      Concat({0x10}, {0x10, 0x00, 0x00, 0x9D, 0x01, 0x2B, 0x80, 0x02, 0xE0, 0x01}),  // bad start
  };
  for (const Bytes& packet : bad) {
    auto d = Vp8PayloadDescriptor::Parse(packet);
    EXPECT_FALSE(d.ok()) << "accepted " << packet.size() << " bytes";
    if (!d.ok()) {
      EXPECT_FALSE(d.status().message().empty());
    }
  }
}

TEST(Vp8PayloadDescriptorTest, RewriteKeeps15BitWidthAndOtherBytes) {
  Bytes packet = Concat({0x90, 0xE0, 0x92, 0x34, 0x05, 0x40}, KeyFrameHeader(320, 180, 0));
  const Bytes before = packet;
  ASSERT_TRUE(Vp8PayloadDescriptor::Rewrite(packet, uint16_t{0x0ABC}, uint8_t{0x77}).ok());
  auto d = Vp8PayloadDescriptor::Parse(packet);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->picture_id, 0x0ABC);
  EXPECT_TRUE(d->picture_id_15_bit);
  EXPECT_EQ(d->tl0_pic_idx, 0x77);
  EXPECT_EQ(d->temporal_id, 1);
  ASSERT_EQ(packet.size(), before.size());
  for (size_t i = 0; i < packet.size(); ++i) {
    if (i == 2 || i == 3 || i == 4) continue;
    EXPECT_EQ(packet[i], before[i]) << "byte " << i;
  }
}

TEST(Vp8PayloadDescriptorTest, RewriteOfSevenBitPictureIdWritesLowBits) {
  Bytes packet = {0x90, 0x80, 0x05, 0x01, 0x02};
  ASSERT_TRUE(Vp8PayloadDescriptor::Rewrite(packet, uint16_t{300}, std::nullopt).ok());
  auto d = Vp8PayloadDescriptor::Parse(packet);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->picture_id_15_bit);
  EXPECT_EQ(d->picture_id, 300 % 128);
  EXPECT_EQ(packet[3], 0x01);
  // A packet without the fields is left alone; a truncated one is an error.
  Bytes plain = {0x10, 0x01};
  EXPECT_TRUE(Vp8PayloadDescriptor::Rewrite(plain, uint16_t{1}, uint8_t{1}).ok());
  EXPECT_EQ(plain, (Bytes{0x10, 0x01}));
  Bytes truncated = {0x90, 0x80};
  EXPECT_FALSE(Vp8PayloadDescriptor::Rewrite(truncated, uint16_t{1}, std::nullopt).ok());
}

}  // namespace
}  // namespace auralink::rtc
