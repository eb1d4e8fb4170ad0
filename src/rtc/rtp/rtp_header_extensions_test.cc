#include "rtc/rtp/rtp_header_extensions.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::rtc {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(RtpHeaderExtensionsTest, UrisRoundTrip) {
  for (int i = 1; i < static_cast<int>(RtpExtensionType::kCount); ++i) {
    const auto type = static_cast<RtpExtensionType>(i);
    EXPECT_EQ(RtpExtensionTypeFromUri(RtpExtensionUri(type)), type) << RtpExtensionUri(type);
  }
  EXPECT_EQ(RtpExtensionTypeFromUri("urn:ietf:params:rtp-hdrext:sdes:mid"), RtpExtensionType::kMid);
  EXPECT_EQ(RtpExtensionTypeFromUri(
                "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"),
            RtpExtensionType::kTransportSequenceNumber);
  EXPECT_EQ(RtpExtensionTypeFromUri("urn:example:unknown"), RtpExtensionType::kNone);
  EXPECT_EQ(RtpExtensionTypeFromUri(""), RtpExtensionType::kNone);
}

TEST(RtpHeaderExtensionsTest, IdMapLooksUpBothWays) {
  RtpExtensionIdMap map;
  EXPECT_TRUE(map.Register(4, "urn:ietf:params:rtp-hdrext:sdes:mid"));
  EXPECT_TRUE(map.Register(10, RtpExtensionType::kAudioLevel));
  EXPECT_FALSE(map.Register(4, RtpExtensionType::kAbsSendTime));  // id taken
  EXPECT_FALSE(map.Register(0, RtpExtensionType::kAbsSendTime));
  EXPECT_FALSE(map.Register(5, "urn:example:unknown"));
  EXPECT_EQ(map.TypeOf(4), RtpExtensionType::kMid);
  EXPECT_EQ(map.IdOf(RtpExtensionType::kAudioLevel), 10);
  EXPECT_EQ(map.IdOf(RtpExtensionType::kAbsSendTime), 0);
  EXPECT_EQ(map.TypeOf(200), RtpExtensionType::kNone);

  EXPECT_TRUE(map.Register(200, RtpExtensionType::kMid));  // moves
  EXPECT_EQ(map.TypeOf(4), RtpExtensionType::kNone);
  EXPECT_EQ(map.IdOf(RtpExtensionType::kMid), 200);
  map.Unregister(RtpExtensionType::kMid);
  EXPECT_EQ(map.TypeOf(200), RtpExtensionType::kNone);
  EXPECT_EQ(map.IdOf(RtpExtensionType::kMid), 0);
}

TEST(RtpHeaderExtensionsTest, AbsSendTimeIsSixEighteenFixedPoint) {
  // One second is 1 << 18; the 24-bit value wraps every 64 seconds.
  EXPECT_EQ(AbsSendTime::FromMicroseconds(1'000'000), 0x040000u);
  EXPECT_EQ(AbsSendTime::FromMicroseconds(500'000), 0x020000u);
  EXPECT_EQ(AbsSendTime::FromMicroseconds(64'000'000), 0u);
  EXPECT_EQ(AbsSendTime::FromMicroseconds(65'000'000), 0x040000u);
  EXPECT_EQ(AbsSendTime::ToMicroseconds(0x040000), 1'000'000);
  EXPECT_EQ(AbsSendTime::ToMicroseconds(0xC00000), 48'000'000);
  // 1 unit is 1/262144 s, about 3.8 us.
  EXPECT_EQ(AbsSendTime::FromMicroseconds(4), 1u);

  Bytes value(3);
  ASSERT_TRUE(AbsSendTime::Write(value, 0x123456));
  EXPECT_EQ(value, (Bytes{0x12, 0x34, 0x56}));
  EXPECT_EQ(AbsSendTime::Parse(value), 0x123456u);
  EXPECT_FALSE(AbsSendTime::Write(value, 0x1000000));
  EXPECT_FALSE(AbsSendTime::Parse(Bytes{1, 2}));
}

TEST(RtpHeaderExtensionsTest, TransportSequenceNumber) {
  Bytes value(2);
  ASSERT_TRUE(TransportSequenceNumber::Write(value, 0xABCD));
  EXPECT_EQ(value, (Bytes{0xAB, 0xCD}));
  EXPECT_EQ(TransportSequenceNumber::Parse(value), 0xABCD);
  EXPECT_FALSE(TransportSequenceNumber::Parse(Bytes{1}));
}

TEST(RtpHeaderExtensionsTest, AudioLevelHasVoiceBitAndLevel) {
  auto level = AudioLevel::Parse(Bytes{0x85});
  ASSERT_TRUE(level);
  EXPECT_TRUE(level->voice_activity);
  EXPECT_EQ(level->level_dbov, 5);
  level = AudioLevel::Parse(Bytes{0x7F});
  ASSERT_TRUE(level);
  EXPECT_FALSE(level->voice_activity);
  EXPECT_EQ(level->level_dbov, 127);
  Bytes value(1);
  ASSERT_TRUE(AudioLevel::Write(value, {true, 30}));
  EXPECT_EQ(value[0], 0x80 | 30);
  EXPECT_FALSE(AudioLevel::Write(value, {false, 128}));
  EXPECT_FALSE(AudioLevel::Parse(Bytes{}));
}

TEST(RtpHeaderExtensionsTest, MidAndRidStrings) {
  EXPECT_EQ(RtpStringExtension::Parse(Bytes{'0'}), "0");
  EXPECT_EQ(RtpStringExtension::Parse(Bytes{'h', 'i', 0, 0}), "hi");  // trailing zeros trimmed
  EXPECT_FALSE(RtpStringExtension::Parse(Bytes{'a', ' ', 'b'}));
  EXPECT_FALSE(RtpStringExtension::Parse(Bytes{0, 0}));
  EXPECT_FALSE(RtpStringExtension::Parse(Bytes{}));
  Bytes value(4);
  EXPECT_EQ(RtpStringExtension::Write(value, "q"), 1u);
  EXPECT_EQ(value[0], 'q');
  EXPECT_EQ(RtpStringExtension::Write(value, "toolong"), 0u);
  EXPECT_EQ(RtpStringExtension::Write(value, "a b"), 0u);
}

TEST(RtpHeaderExtensionsTest, PlayoutDelayAndVideoOrientation) {
  // 12-bit min 100 (0x064) and max 200 (0x0C8): 0x064 0C8 -> 06 40 C8.
  Bytes value(3);
  ASSERT_TRUE(PlayoutDelay::Write(value, {100, 200}));
  EXPECT_EQ(value, (Bytes{0x06, 0x40, 0xC8}));
  auto delay = PlayoutDelay::Parse(value);
  ASSERT_TRUE(delay);
  EXPECT_EQ(delay->min_10ms, 100);
  EXPECT_EQ(delay->max_10ms, 200);

  // C=1, F=0, R=3: back camera, 270 degrees.
  auto orientation = VideoOrientation::Parse(Bytes{0x0B});
  ASSERT_TRUE(orientation);
  EXPECT_TRUE(orientation->back_camera);
  EXPECT_FALSE(orientation->horizontal_flip);
  EXPECT_EQ(orientation->rotation_degrees, 270);
  Bytes one(1);
  ASSERT_TRUE(VideoOrientation::Write(one, {false, true, 90}));
  EXPECT_EQ(one[0], 0x05);
  EXPECT_FALSE(VideoOrientation::Write(one, {false, false, 45}));
}

}  // namespace
}  // namespace auralink::rtc
