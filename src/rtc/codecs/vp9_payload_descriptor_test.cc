#include "rtc/codecs/vp9_payload_descriptor.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::rtc {
namespace {

using Bytes = std::vector<uint8_t>;

// RFC 9628 s4.2 octets, written by hand. First octet: |I|P|L|F|B|E|V|Z|. Layer indices:
// |TID(3)|U|SID(3)|D|. P_DIFF: |P_DIFF(7)|N|. SS header: |N_S(3)|Y|G|RSV(3)|, picture group
// entries |TID(3)|U|R(2)|RSV(2)| each followed by R P_DIFF octets.

TEST(Vp9PayloadDescriptorTest, NonFlexibleKeyFrameWithScalabilityStructure) {
  const Bytes packet = {0xAA,                    // I=1 P=0 L=1 F=0 B=1 E=0 V=1 Z=0
                        0x81, 0x23,              // M=1, picture id 0x0123
                        0x00, 0x07,              // TID 0 U 0 SID 0 D 0; TL0PICIDX 7
                        0x58,                    // N_S=2 (three layers) Y=1 G=1
                        0x01, 0x40, 0x00, 0xB4,  // 320x180
                        0x02, 0x80, 0x01, 0x68,  // 640x360
                        0x05, 0x00, 0x02, 0xD0,  // 1280x720
                        0x02,                    // N_G = 2
                        0x04, 0x02,              // TID 0, R=1, P_DIFF 2
                        0x34, 0x01,              // TID 1, U=1, R=1, P_DIFF 1
                        0xEE, 0xEE};             // VP9 frame data
  auto d = Vp9PayloadDescriptor::Parse(packet);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->picture_id, 0x0123);
  EXPECT_TRUE(d->picture_id_15_bit);
  EXPECT_TRUE(d->has_layer_indices);
  EXPECT_EQ(d->tl0_pic_idx, 7);
  EXPECT_TRUE(d->start_of_frame);
  EXPECT_FALSE(d->end_of_frame);
  EXPECT_TRUE(d->key_frame);
  EXPECT_EQ(d->descriptor_size, packet.size() - 2);
  ASSERT_TRUE(d->scalability_structure.has_value());
  const auto& ss = *d->scalability_structure;
  EXPECT_EQ(ss.spatial_layer_count, 3);
  ASSERT_EQ(ss.resolutions.size(), 3u);
  EXPECT_EQ(ss.resolutions[0].width, 320);
  EXPECT_EQ(ss.resolutions[0].height, 180);
  EXPECT_EQ(ss.resolutions[2].width, 1280);
  EXPECT_EQ(ss.resolutions[2].height, 720);
  ASSERT_EQ(ss.picture_group.size(), 2u);
  EXPECT_EQ(ss.picture_group[0].temporal_id, 0);
  EXPECT_EQ(ss.picture_group[0].reference_diffs, (std::vector<uint8_t>{2}));
  EXPECT_EQ(ss.picture_group[1].temporal_id, 1);
  EXPECT_TRUE(ss.picture_group[1].switching_up_point);
  EXPECT_EQ(ss.picture_group[1].reference_diffs, (std::vector<uint8_t>{1}));
}

TEST(Vp9PayloadDescriptorTest, FlexibleModeWithReferenceIndices) {
  const Bytes packet = {0xFD,        // I P L F B E, V=0, Z=1
                        0x05,        // 7-bit picture id 5
                        0x53,        // TID 2 U=1 SID 1 D=1
                        0x03, 0x08,  // P_DIFF 1 (N=1), P_DIFF 4 (N=0)
                        0x00};
  auto d = Vp9PayloadDescriptor::Parse(packet);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_TRUE(d->flexible_mode);
  EXPECT_TRUE(d->inter_picture_predicted);
  EXPECT_EQ(d->picture_id, 5);
  EXPECT_FALSE(d->picture_id_15_bit);
  EXPECT_EQ(d->temporal_id, 2);
  EXPECT_TRUE(d->switching_up_point);
  EXPECT_EQ(d->spatial_id, 1);
  EXPECT_TRUE(d->inter_layer_dependency);
  EXPECT_TRUE(d->not_reference_for_upper_spatial);
  EXPECT_FALSE(d->tl0_pic_idx.has_value());
  ASSERT_EQ(d->reference_count, 2);
  EXPECT_EQ(d->reference_diffs[0], 1);
  EXPECT_EQ(d->reference_diffs[1], 4);
  EXPECT_EQ(d->descriptor_size, 5u);
  EXPECT_FALSE(d->key_frame);
}

TEST(Vp9PayloadDescriptorTest, KeyFrameOnlyAtSpatialLayerZero) {
  // B=1 P=0 at SID 1: an intra-only upper layer of a key picture, not where decoding starts.
  auto upper = Vp9PayloadDescriptor::Parse(Bytes{0x2C, 0x03, 0x00, 0xEE});
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->spatial_id, 1);
  EXPECT_FALSE(upper->key_frame);
  // Without layer indices the stream has one layer: B=1 P=0 is a key frame.
  auto single = Vp9PayloadDescriptor::Parse(Bytes{0x0C, 0xEE});
  ASSERT_TRUE(single.ok());
  EXPECT_TRUE(single->key_frame);
  // Not the first packet of the frame.
  auto middle = Vp9PayloadDescriptor::Parse(Bytes{0x04, 0xEE});
  ASSERT_TRUE(middle.ok());
  EXPECT_FALSE(middle->key_frame);
}

TEST(Vp9PayloadDescriptorTest, RejectsMalformedDescriptors) {
  const std::vector<Bytes> bad = {
      {},                              // empty
      {0x80},                          // I without picture id
      {0x80, 0x80},                    // M=1 without second byte
      {0x20},                          // L without layer octet
      {0x20, 0x00},                    // non-flexible L without TL0PICIDX
      {0x50},                          // F and P without P_DIFF
      {0x50, 0x03, 0x03, 0x03, 0x02},  // four P_DIFF octets
      {0x02},                          // V without SS
      {0x02, 0x10, 0x01},              // Y with a truncated resolution
      {0x02, 0x08},                    // G without N_G
      {0x02, 0x08, 0x01, 0x04},        // R=1 without its P_DIFF
  };
  for (const Bytes& packet : bad) {
    auto d = Vp9PayloadDescriptor::Parse(packet);
    EXPECT_FALSE(d.ok()) << "accepted " << packet.size() << " bytes";
  }
}

}  // namespace
}  // namespace auralink::rtc
