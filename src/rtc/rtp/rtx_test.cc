#include "rtc/rtp/rtx.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::rtc {
namespace {

using Bytes = std::vector<uint8_t>;

// V=2, X, P; M=1 PT=96; seq 0x1234; ts 0x00000010; SSRC 0x11111111; a one-byte extension block
// with id 1 (2 bytes); payload AA BB CC; 2 bytes of padding.
Bytes OriginalBytes() {
  return {0xB0, 0xE0, 0x12, 0x34, 0,    0,    0,    0x10, 0x11, 0x11, 0x11, 0x11, 0xBE,
          0xDE, 0x00, 0x01, 0x11, 0x00, 0x05, 0x00, 0xAA, 0xBB, 0xCC, 0x00, 0x02};
}

TEST(RtxTest, WrapPutsOriginalSequenceNumberFirst) {
  Bytes original = OriginalBytes();
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(original, &packet), RtpParseError::kOk);
  Bytes out(100);
  auto size = WrapRtx(packet, {0x22222222, 97}, 0x0007, out);
  ASSERT_TRUE(size);
  // P cleared, PT 97 with the marker kept, RTX sequence and SSRC, OSN 0x1234, payload.
  const Bytes expected = {0x90, 0xE1, 0x00, 0x07, 0,    0,    0,    0x10, 0x22,
                          0x22, 0x22, 0x22, 0xBE, 0xDE, 0x00, 0x01, 0x11, 0x00,
                          0x05, 0x00, 0x12, 0x34, 0xAA, 0xBB, 0xCC};
  EXPECT_EQ(Bytes(out.begin(), out.begin() + *size), expected);

  Bytes small(10);
  EXPECT_FALSE(WrapRtx(packet, {1, 97}, 0, small));
}

TEST(RtxTest, UnwrapRestoresTheOriginal) {
  Bytes original = OriginalBytes();
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(original, &packet), RtpParseError::kOk);
  Bytes rtx(100);
  const size_t rtx_size = *WrapRtx(packet, {0x22222222, 97}, 7, rtx);
  rtx.resize(rtx_size);
  RtpPacket rtx_packet;
  ASSERT_EQ(RtpPacket::Parse(rtx, &rtx_packet), RtpParseError::kOk);

  Bytes restored(100);
  auto size = UnwrapRtx(rtx_packet, 0x11111111, 96, restored);
  ASSERT_TRUE(size);
  // The original header with P cleared, and the payload without the padding.
  const Bytes expected = {0x90, 0xE0, 0x12, 0x34, 0,    0,    0,    0x10, 0x11, 0x11, 0x11, 0x11,
                          0xBE, 0xDE, 0x00, 0x01, 0x11, 0x00, 0x05, 0x00, 0xAA, 0xBB, 0xCC};
  EXPECT_EQ(Bytes(restored.begin(), restored.begin() + *size), expected);

  ASSERT_TRUE(UnwrapRtxInPlace(&rtx_packet, 0x11111111, 96));
  EXPECT_EQ(rtx_packet.sequence_number(), 0x1234);
  EXPECT_EQ(rtx_packet.ssrc(), 0x11111111u);
  EXPECT_EQ(rtx_packet.payload_type(), 96);
  EXPECT_EQ(rtx_packet.data().data(), rtx.data() + 2);
  EXPECT_EQ(Bytes(rtx_packet.data().begin(), rtx_packet.data().end()), expected);
}

TEST(RtxTest, PaddingOnlyRtxHasNothingToUnwrap) {
  Bytes padding_only = {0xA0, 97, 0, 1, 0, 0, 0, 0, 0x22, 0x22, 0x22, 0x22, 0, 0, 0, 4};
  RtpPacket packet;
  ASSERT_EQ(RtpPacket::Parse(padding_only, &packet), RtpParseError::kOk);
  Bytes out(100);
  EXPECT_FALSE(UnwrapRtx(packet, 1, 96, out));
  EXPECT_FALSE(UnwrapRtxInPlace(&packet, 1, 96));
  EXPECT_EQ(packet.ssrc(), 0x22222222u);
}

}  // namespace
}  // namespace auralink::rtc
