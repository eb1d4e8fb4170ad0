#include "rtc/codecs/av1_payload.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::rtc {
namespace {

using Bytes = std::vector<uint8_t>;

// Aggregation header (AV1 RTP s4.4): |Z|Y|W(2)|N|-|-|-|. OBU header (AV1 s5.3.2):
// |0|type(4)|extension|has_size|0|, extension |temporal_id(3)|spatial_id(2)|0(3)|.

TEST(Av1PayloadTest, KeyFrameWithSequenceHeaderAndDeclaredElementCount) {
  const Bytes packet = {
      0x28,                    // Z=0 Y=0 W=2 N=1
      0x04,                    // element 1: LEB128 length 4
      0x08, 0x00, 0x00, 0x00,  // sequence header OBU (type 1)
      0x34, 0x20, 0xAA, 0xBB,  // element 2 (no length): frame OBU with extension, tid 1 sid 0
  };
  auto p = Av1Payload::Parse(packet);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->new_coded_video_sequence);
  EXPECT_EQ(p->obu_element_count, 2);
  EXPECT_TRUE(p->HasObu(Av1ObuType::kSequenceHeader));
  EXPECT_TRUE(p->HasObu(Av1ObuType::kFrame));
  EXPECT_FALSE(p->HasObu(Av1ObuType::kTileGroup));
  EXPECT_EQ(p->temporal_id, 1);
  EXPECT_EQ(p->spatial_id, 0);
  EXPECT_TRUE(p->key_frame);
}

TEST(Av1PayloadTest, ContinuationElementIsNotReadAsAnObuHeader) {
  const Bytes packet = {
      0xC0,                    // Z=1 Y=1 W=0 (every element has a length)
      0x03, 0xFF, 0xFF, 0xFF,  // continuation bytes (0xFF would be an invalid OBU header)
      0x02, 0x30, 0x00,        // frame OBU, no extension
  };
  auto p = Av1Payload::Parse(packet);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->first_element_continues);
  EXPECT_TRUE(p->last_element_continues);
  EXPECT_EQ(p->obu_element_count, 2);
  EXPECT_EQ(p->obu_type_mask, 1u << 6);
  EXPECT_FALSE(p->temporal_id.has_value());
  EXPECT_FALSE(p->key_frame);
}

TEST(Av1PayloadTest, NewSequenceWithoutSequenceHeaderIsNotKey) {
  auto p = Av1Payload::Parse(Bytes{0x18, 0x30, 0x01});  // W=1 N=1, frame OBU only
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->key_frame);
}

TEST(Av1PayloadTest, MultiByteLeb128Length) {
  Bytes packet = {0x00, 0xC8, 0x01};  // W=0, length 200
  packet.push_back(0x08);
  packet.resize(packet.size() + 199, 0x00);
  auto p = Av1Payload::Parse(packet);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->obu_element_count, 1);
  EXPECT_TRUE(p->HasObu(Av1ObuType::kSequenceHeader));
  EXPECT_FALSE(p->key_frame);  // N=0
}

TEST(Av1PayloadTest, Leb128Limits) {
  uint32_t value = 0;
  EXPECT_EQ(ReadLeb128(Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, &value), 5u);
  EXPECT_EQ(value, 0xFFFFFFFFu);
  EXPECT_EQ(ReadLeb128(Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x1F}, &value), 0u);  // above 2^32 - 1
  EXPECT_EQ(ReadLeb128(Bytes(8, 0x80), &value), 0u);                       // more than 8 bytes
  EXPECT_EQ(ReadLeb128(Bytes{0x80}, &value), 0u);                          // truncated
}

TEST(Av1PayloadTest, RejectsMalformedPayloads) {
  const std::vector<Bytes> bad = {
      {},                        // empty
      {0x00},                    // no element
      {0x20, 0x02, 0x08, 0x00},  // W=2 but one element
      {0x00, 0x05, 0x08},        // length overruns
      {0x00, 0x80},              // truncated length
      {0x10, 0x80},              // forbidden bit in OBU header
      {0x88, 0x01, 0x08},        // N=1 with Z=1
      {0x10, 0x0C},              // extension flag without extension byte
      {0x00, 0x00},              // empty element
  };
  for (const Bytes& packet : bad) {
    auto p = Av1Payload::Parse(packet);
    EXPECT_FALSE(p.ok()) << "accepted " << packet.size() << " bytes";
  }
}

}  // namespace
}  // namespace auralink::rtc
