#include "rtc/ice/ice_tcp_framing.h"

#include <gtest/gtest.h>

#include <numeric>

namespace auralink::rtc {
namespace {

std::vector<uint8_t> Payload(size_t size, uint8_t seed) {
  std::vector<uint8_t> payload(size);
  std::iota(payload.begin(), payload.end(), seed);
  return payload;
}

TEST(IceTcpFramingTest, EncoderWritesBigEndianLength) {
  std::vector<uint8_t> out;
  ASSERT_TRUE(AppendIceTcpFrame(Payload(300, 0), &out).ok());
  ASSERT_EQ(out.size(), 302u);
  EXPECT_EQ(out[0], 0x01);
  EXPECT_EQ(out[1], 0x2C);
  EXPECT_EQ(out[2], 0);
  EXPECT_FALSE(AppendIceTcpFrame(Payload(65536, 0), &out).ok());
  EXPECT_EQ(out.size(), 302u);
}

TEST(IceTcpFramingTest, ReassemblesFramesFromAnyChunking) {
  const std::vector<std::vector<uint8_t>> frames = {Payload(1, 1), Payload(200, 2), Payload(0, 0),
                                                    Payload(1500, 3), Payload(20, 4)};
  std::vector<uint8_t> stream;
  for (const auto& frame : frames) ASSERT_TRUE(AppendIceTcpFrame(frame, &stream).ok());

  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64}, stream.size()}) {
    IceTcpFrameDecoder decoder(1500);
    std::vector<std::vector<uint8_t>> decoded;
    for (size_t offset = 0; offset < stream.size(); offset += chunk) {
      const size_t size = std::min(chunk, stream.size() - offset);
      ASSERT_TRUE(decoder.Feed(std::span(stream).subspan(offset, size)).ok());
      while (auto frame = decoder.NextFrame()) decoded.emplace_back(frame->begin(), frame->end());
    }
    ASSERT_EQ(decoded.size(), 4u) << "chunk " << chunk;  // the empty frame is skipped
    EXPECT_EQ(decoded[0], frames[0]);
    EXPECT_EQ(decoded[1], frames[1]);
    EXPECT_EQ(decoded[2], frames[3]);
    EXPECT_EQ(decoded[3], frames[4]);
    EXPECT_EQ(decoder.buffered_bytes(), 0u);
  }
}

TEST(IceTcpFramingTest, RejectsOversizedFrameFromItsLengthAlone) {
  IceTcpFrameDecoder decoder(1500);
  std::vector<uint8_t> stream;
  ASSERT_TRUE(AppendIceTcpFrame(Payload(10, 0), &stream).ok());
  stream.push_back(0x05);  // a 0x05DD = 1501-byte frame follows
  ASSERT_TRUE(decoder.Feed(stream).ok());
  const uint8_t low = 0xDD;
  EXPECT_FALSE(decoder.Feed(std::span(&low, 1)).ok());
  EXPECT_TRUE(decoder.failed());
  EXPECT_FALSE(decoder.NextFrame());
  EXPECT_FALSE(decoder.Feed(stream).ok());
}

TEST(IceTcpFramingTest, KeepsPartialFrameUntilComplete) {
  IceTcpFrameDecoder decoder;
  const uint8_t header[] = {0x00, 0x03, 0xAA};
  ASSERT_TRUE(decoder.Feed(header).ok());
  EXPECT_FALSE(decoder.NextFrame());
  const uint8_t rest[] = {0xBB, 0xCC, 0x00};
  ASSERT_TRUE(decoder.Feed(rest).ok());
  auto frame = decoder.NextFrame();
  ASSERT_TRUE(frame);
  EXPECT_EQ(std::vector<uint8_t>(frame->begin(), frame->end()),
            (std::vector<uint8_t>{0xAA, 0xBB, 0xCC}));
  EXPECT_FALSE(decoder.NextFrame());
  EXPECT_EQ(decoder.buffered_bytes(), 1u);
}

}  // namespace
}  // namespace auralink::rtc
