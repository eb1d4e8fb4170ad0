#include "rtc/codecs/h264_payload.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::rtc {
namespace {

using Bytes = std::vector<uint8_t>;

// NAL headers (H.264 s7.3.1): F(1) NRI(2) type(5). A slice header opens with first_mb_in_slice
// as ue(v), so a first byte with its top bit set means first_mb_in_slice = 0.
// STAP-A (RFC 6184 s5.7.1): header type 24, then 16-bit size + NAL unit, repeated.
// FU-A (s5.8): indicator with type 28, FU header |S|E|R|type(5)|.
const Bytes kSps = {0x67, 0x42, 0xC0, 0x1E};
const Bytes kPps = {0x68, 0xCE, 0x3C, 0x80};

Bytes StapA(std::initializer_list<Bytes> units) {
  Bytes out = {0x78};  // NRI 3, type 24
  for (const Bytes& unit : units) {
    out.push_back(static_cast<uint8_t>(unit.size() >> 8));
    out.push_back(static_cast<uint8_t>(unit.size() & 0xFF));
    out.insert(out.end(), unit.begin(), unit.end());
  }
  return out;
}

TEST(H264PayloadTest, StapAWithSpsAndPpsStartsKeyFrame) {
  auto p = H264Payload::Parse(StapA({kSps, kPps}));
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->packetization, H264Packetization::kStapA);
  EXPECT_EQ(p->nal_unit_count, 2);
  EXPECT_TRUE(p->has_sps);
  EXPECT_TRUE(p->has_pps);
  EXPECT_FALSE(p->has_idr);
  EXPECT_TRUE(p->key_frame);
  EXPECT_TRUE(p->start_of_frame);
  EXPECT_TRUE(p->StartsKeyFrame());
  EXPECT_EQ(p->nal_type_mask, (1u << 7) | (1u << 8));
}

TEST(H264PayloadTest, SpsAloneIsNotAKeyFrame) {
  auto p = H264Payload::Parse(kSps);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->packetization, H264Packetization::kSingleNalUnit);
  EXPECT_TRUE(p->start_of_frame);
  EXPECT_FALSE(p->key_frame);
}

TEST(H264PayloadTest, FuAFragmentsOfAnIdrSlice) {
  const Bytes first = {0x7C, 0x85, 0x88, 0x84};   // FU-A, S=1, type 5, first_mb 0
  const Bytes middle = {0x7C, 0x05, 0x11, 0x22};  // S=0 E=0
  const Bytes last = {0x7C, 0x45, 0x33};          // E=1
  auto a = H264Payload::Parse(first);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->packetization, H264Packetization::kFuA);
  EXPECT_TRUE(a->has_idr);
  EXPECT_TRUE(a->starts_nal_unit);
  EXPECT_FALSE(a->ends_nal_unit);
  EXPECT_TRUE(a->StartsKeyFrame());
  auto b = H264Payload::Parse(middle);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->key_frame);  // part of the IDR picture
  EXPECT_FALSE(b->start_of_frame);
  EXPECT_FALSE(b->StartsKeyFrame());
  auto c = H264Payload::Parse(last);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->ends_nal_unit);
  EXPECT_FALSE(c->StartsKeyFrame());
}

TEST(H264PayloadTest, SecondSliceOfAPictureDoesNotStartAFrame) {
  // Non-IDR slice (type 1) with first_mb_in_slice = 5 ("00110" -> top bit clear).
  auto p = H264Payload::Parse(Bytes{0x41, 0x30, 0x84});
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->start_of_frame);
  EXPECT_FALSE(p->key_frame);
  auto q = H264Payload::Parse(Bytes{0x41, 0x9A, 0x02});  // first_mb_in_slice 0
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->start_of_frame);
  EXPECT_FALSE(q->key_frame);
}

TEST(H264PayloadTest, RejectsMalformedPayloads) {
  const std::vector<Bytes> bad = {
      {},                              // empty
      {0xE7, 0x00},                    // forbidden_zero_bit set
      {0x78},                          // STAP-A with no unit
      {0x78, 0x00},                    // STAP-A size truncated
      {0x78, 0x00, 0x05, 0x67, 0x42},  // STAP-A unit overruns
      {0x78, 0x00, 0x00},              // STAP-A empty unit
      {0x7C, 0x85},                    // FU-A without payload
      {0x7C, 0xC5, 0x00},              // FU-A with S and E
      {0x79, 0x00, 0x00},              // STAP-B (mode 2)
      {0x7D, 0x85, 0x00},              // FU-B
      {0x60, 0x00},                    // type 0
  };
  for (const Bytes& payload : bad) {
    auto p = H264Payload::Parse(payload);
    EXPECT_FALSE(p.ok()) << "accepted " << payload.size() << " bytes";
  }
}

}  // namespace
}  // namespace auralink::rtc
