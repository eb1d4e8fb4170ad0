#include "client/emulated_audio_source.h"

#include <gtest/gtest.h>

#include "client/send_timestamp.h"
#include "rtc/rtp/rtp_packet.h"

namespace auralink::client {
namespace {

TEST(EmulatedAudioSourceTest, OpusSizedPacketsEvery20MsWithExtensions) {
  EmulatedStreamConfig stream;
  stream.ssrc = 0x1234;
  stream.payload_type = 111;
  stream.mid = "0";
  EmulatedAudioSource source(stream, EmulatedAudioOptions{}, 7);
  EXPECT_EQ(source.frame_interval_ms(), 20);
  rtc::RtpExtensionIdMap ids;
  ids.Register(stream.extension_ids.audio_level, rtc::RtpExtensionType::kAudioLevel);
  ids.Register(stream.extension_ids.mid, rtc::RtpExtensionType::kMid);
  uint32_t previous_timestamp = 0;
  uint16_t previous_sequence = 0;
  for (int i = 0; i < 3; ++i) {
    EmulatedPacket& emitted = source.NextPacket(1000 + i);
    rtc::RtpPacket packet;
    ASSERT_EQ(rtc::RtpPacket::Parse({emitted.buffer.data(), emitted.size}, &packet),
              rtc::RtpParseError::kOk);
    EXPECT_EQ(packet.ssrc(), 0x1234u);
    EXPECT_EQ(packet.payload_type(), 111);
    EXPECT_EQ(packet.payload().size(), 100u);
    EXPECT_EQ(ReadSendTimestamp(packet.payload()), 1000 + i);
    auto level = packet.FindExtension(rtc::RtpExtensionType::kAudioLevel, ids);
    ASSERT_TRUE(level.has_value());
    EXPECT_EQ(rtc::AudioLevel::Parse(*level)->level_dbov, 30);
    auto mid = packet.FindExtension(rtc::RtpExtensionType::kMid, ids);
    ASSERT_TRUE(mid.has_value());
    EXPECT_EQ(rtc::RtpStringExtension::Parse(*mid), "0");
    EXPECT_NE(emitted.transport_cc_offset, 0u);
    if (i > 0) {
      EXPECT_EQ(packet.timestamp() - previous_timestamp, 960u);  // 20 ms at 48 kHz
      EXPECT_EQ(static_cast<uint16_t>(packet.sequence_number() - previous_sequence), 1);
    }
    previous_timestamp = packet.timestamp();
    previous_sequence = packet.sequence_number();
  }
}

}  // namespace
}  // namespace auralink::client
