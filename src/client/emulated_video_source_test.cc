#include "client/emulated_video_source.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "client/send_timestamp.h"
#include "rtc/codecs/vp8_payload_descriptor.h"
#include "rtc/rtp/rtp_packet.h"

namespace auralink::client {
namespace {

EmulatedStreamConfig VideoStream() {
  EmulatedStreamConfig stream;
  stream.ssrc = 99;
  stream.payload_type = 96;
  stream.mid = "1";
  return stream;
}

TEST(EmulatedVideoSourceTest, FramesAreValidVp8WithKeyFramesOnSchedule) {
  EmulatedVideoOptions options;
  options.bitrate_bps = 2'400'000;
  options.fps = 30;
  options.key_frame_interval = 10;
  options.width = 640;
  options.height = 360;
  EmulatedVideoSource source(VideoStream(), {{99, ""}}, options, 5);
  uint64_t payload_bytes = 0;
  int key_frames = 0;
  std::optional<uint16_t> previous_picture_id;
  for (int frame = 0; frame < 30; ++frame) {
    std::span<EmulatedPacket> packets = source.NextFrame(frame * 33333);
    ASSERT_FALSE(packets.empty());
    for (size_t i = 0; i < packets.size(); ++i) {
      rtc::RtpPacket packet;
      ASSERT_EQ(rtc::RtpPacket::Parse({packets[i].buffer.data(), packets[i].size}, &packet),
                rtc::RtpParseError::kOk);
      EXPECT_LE(packet.payload().size(), 1100u);
      EXPECT_EQ(packet.marker(), i + 1 == packets.size());
      EXPECT_EQ(ReadSendTimestamp(packet.payload()), frame * 33333);
      auto descriptor = rtc::Vp8PayloadDescriptor::Parse(packet.payload());
      ASSERT_TRUE(descriptor.ok()) << descriptor.status().message();
      ASSERT_TRUE(descriptor->picture_id.has_value());
      EXPECT_EQ(descriptor->start_of_frame, i == 0);
      if (i == 0) {
        if (previous_picture_id) {
          EXPECT_EQ(*descriptor->picture_id, (*previous_picture_id + 1) & 0x7FFF);
        }
        previous_picture_id = descriptor->picture_id;
        const bool expect_key = frame % 10 == 0;
        EXPECT_EQ(descriptor->key_frame, expect_key) << "frame " << frame;
        if (descriptor->key_frame) {
          ++key_frames;
          EXPECT_EQ(descriptor->width, 640);
          EXPECT_EQ(descriptor->height, 360);
        }
      }
      payload_bytes += packet.payload().size() - descriptor->descriptor_size;
    }
  }
  EXPECT_EQ(key_frames, 3);
  // One second of frames: 27 delta frames at 10 kB and 3 key frames at 4x.
  EXPECT_NEAR(static_cast<double>(payload_bytes), 27 * 10000 + 3 * 40000, 2000);
}

TEST(EmulatedVideoSourceTest, KeyFrameOnRequest) {
  EmulatedVideoOptions options;
  options.key_frame_interval = 0;
  EmulatedVideoSource source(VideoStream(), {{99, ""}}, options, 1);
  auto key = [](std::span<EmulatedPacket> packets) {
    rtc::RtpPacket packet;
    rtc::RtpPacket::Parse({packets[0].buffer.data(), packets[0].size}, &packet);
    return rtc::Vp8PayloadDescriptor::Parse(packet.payload())->key_frame;
  };
  EXPECT_TRUE(key(source.NextFrame(0)));  // the first frame always is
  EXPECT_FALSE(key(source.NextFrame(1)));
  source.RequestKeyFrame();
  EXPECT_TRUE(key(source.NextFrame(2)));
  EXPECT_FALSE(key(source.NextFrame(3)));
}

TEST(EmulatedVideoSourceTest, SimulcastLayersCarryTheirRids) {
  EmulatedVideoOptions options;
  options.bitrate_bps = 1'600'000;
  EmulatedStreamConfig stream = VideoStream();
  EmulatedVideoSource source(stream, {{11, "q"}, {22, "h"}, {33, "f"}}, options, 3);
  rtc::RtpExtensionIdMap ids;
  ids.Register(stream.extension_ids.rid, rtc::RtpExtensionType::kRtpStreamId);
  std::map<uint32_t, std::string> rid_of;
  std::map<uint32_t, size_t> bytes_of;
  std::map<uint32_t, int> width_of;
  for (int frame = 0; frame < 2; ++frame) {
    for (EmulatedPacket& emitted : source.NextFrame(frame)) {
      rtc::RtpPacket packet;
      ASSERT_EQ(rtc::RtpPacket::Parse({emitted.buffer.data(), emitted.size}, &packet),
                rtc::RtpParseError::kOk);
      auto rid = packet.FindExtension(rtc::RtpExtensionType::kRtpStreamId, ids);
      ASSERT_TRUE(rid.has_value());
      rid_of[packet.ssrc()] = std::string(*rtc::RtpStringExtension::Parse(*rid));
      if (frame == 1) bytes_of[packet.ssrc()] += packet.payload().size();
      auto descriptor = rtc::Vp8PayloadDescriptor::Parse(packet.payload());
      if (descriptor.ok() && descriptor->key_frame) width_of[packet.ssrc()] = descriptor->width;
    }
  }
  EXPECT_EQ(rid_of, (std::map<uint32_t, std::string>{{11, "q"}, {22, "h"}, {33, "f"}}));
  EXPECT_EQ(width_of[11], 320);
  EXPECT_EQ(width_of[22], 640);
  EXPECT_EQ(width_of[33], 1280);
  EXPECT_LT(bytes_of[11], bytes_of[22]);
  EXPECT_LT(bytes_of[22], bytes_of[33]);
}

}  // namespace
}  // namespace auralink::client
