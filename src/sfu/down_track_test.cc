#include "sfu/down_track.h"

#include <gtest/gtest.h>

#include <vector>

#include "rtc/dtls/dtls_certificate.h"
#include "sfu/subscriber_sender.h"
#include "sfu/webrtc_transport.h"

namespace auralink::sfu {
namespace {

constexpr uint8_t kVp8 = 96;
constexpr uint8_t kRtx = 97;

// A transport that is never connected: what the down track sends is refused there, which these
// tests do not look at. They look at what the down track and its sender decide before that.
std::unique_ptr<WebRtcTransport> UnconnectedTransport() {
  WebRtcTransportConfig config;
  auto certificate = rtc::DtlsCertificate::Create();
  EXPECT_TRUE(certificate.ok());
  config.certificate = *certificate;
  config.local_ufrag = "srvU";
  config.local_pwd = "serverpassword0123456789";
  WebRtcTransportCallbacks callbacks;
  callbacks.send_packet = [](std::span<const uint8_t>, const net::SocketAddress&) {};
  auto created = WebRtcTransport::Create(config, callbacks);
  EXPECT_TRUE(created.ok());
  return std::move(*created);
}

class DownTrackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    transport_ = UnconnectedTransport();
    sender_ = std::make_unique<SubscriberSender>(transport_.get(), std::map<std::string, int>{});
    DownTrackConfig config;
    config.kind = MediaKind::kVideo;
    config.codec = VideoCodecId::kVp8;
    config.ssrc = 0x1111;
    config.rtx_ssrc = 0x2222;
    config.rtx_payload_type_of[kVp8] = kRtx;
    auto created = DownTrack::Create(config, sender_.get(), &publisher_ids_);
    ASSERT_TRUE(created.ok());
    down_ = std::move(*created);
  }

  // One 1000-byte packet of `layer`, the start of a key frame when `key`.
  void Forward(int layer, uint16_t sequence_number, uint32_t timestamp, bool key) {
    std::array<uint8_t, 1200> buffer{};
    const std::vector<uint8_t> payload(1000, 0x55);
    rtc::RtpPacketBuilder builder(buffer);
    builder.SetPayloadType(kVp8)
        .SetSequenceNumber(sequence_number)
        .SetTimestamp(timestamp)
        .SetSsrc(0xA000 + static_cast<uint32_t>(layer))
        .SetMarker(true)
        .SetPayload(payload);
    const std::optional<size_t> length = builder.Finish();
    ASSERT_TRUE(length.has_value());
    rtc::RtpPacket packet;
    ASSERT_EQ(rtc::RtpPacket::Parse({buffer.data(), *length}, &packet), rtc::RtpParseError::kOk);
    VideoPayloadInfo info;
    info.parsed = true;
    info.start_of_frame = true;
    info.key_frame = key;
    down_->Forward(packet, layer, info, now_ms_);
  }

  int64_t now_ms_ = 10'000;
  rtc::RtpExtensionIdMap publisher_ids_;
  std::unique_ptr<WebRtcTransport> transport_;
  std::unique_ptr<SubscriberSender> sender_;
  std::unique_ptr<DownTrack> down_;
};

TEST_F(DownTrackTest, PacketsSentBeforeALayerSwitchAreNotRepaired) {
  Forward(0, 100, 3000, /*key=*/true);
  ASSERT_TRUE(down_->repair_floor().has_value());
  const uint16_t first = *down_->repair_floor();
  Forward(0, 101, 6000, false);
  Forward(0, 102, 9000, false);
  // A switch to layer 1 at its key frame.
  down_->SetTargetLayer(1);
  Forward(1, 7000, 9000, /*key=*/true);
  ASSERT_EQ(down_->current_layer(), std::optional<int>(1));
  ASSERT_TRUE(down_->repair_floor().has_value());
  const uint16_t switched = *down_->repair_floor();
  EXPECT_EQ(static_cast<uint16_t>(switched - first), 3);

  const std::vector<uint16_t> old_packets{first, static_cast<uint16_t>(first + 2)};
  down_->OnNack(old_packets, now_ms_);
  EXPECT_EQ(down_->nacks_before_switch(), 2u);
  EXPECT_EQ(sender_->retransmissions_refused(), 0u);

  // The key frame of the new layer itself is still repaired (it reaches the retransmission budget).
  const std::vector<uint16_t> new_packet{switched};
  down_->OnNack(new_packet, now_ms_);
  EXPECT_EQ(down_->nacks_before_switch(), 2u);
}

TEST(SubscriberSenderTest, RetransmissionsGetAShareOfTheEstimate) {
  std::unique_ptr<WebRtcTransport> transport = UnconnectedTransport();
  SubscriberSender sender(transport.get(), {});
  // Before any feedback the estimate is its start value; a share of it, with 250 ms of burst.
  const double budget_bytes_per_ms =
      static_cast<double>(sender.available_bps()) * SubscriberSender::kRetransmitShare / 8000.0;
  double tokens = budget_bytes_per_ms * 250.0;
  const size_t kPacket = 1000;
  int64_t now_ms = 5'000;
  const int burst_packets = static_cast<int>(tokens / kPacket);
  ASSERT_GT(burst_packets, 2);
  for (int i = 0; i < burst_packets; ++i) EXPECT_TRUE(sender.AdmitRetransmission(kPacket, now_ms));
  EXPECT_FALSE(sender.AdmitRetransmission(kPacket, now_ms));
  EXPECT_EQ(sender.retransmissions_refused(), 1u);
  tokens -= burst_packets * static_cast<double>(kPacket);
  // It refills at the share's rate: 100 ms later, a tenth of a second's budget is there again.
  now_ms += 100;
  tokens += budget_bytes_per_ms * 100.0;
  const int refilled = static_cast<int>(tokens / kPacket);
  ASSERT_GT(refilled, 0);
  for (int i = 0; i < refilled; ++i) EXPECT_TRUE(sender.AdmitRetransmission(kPacket, now_ms));
  EXPECT_FALSE(sender.AdmitRetransmission(kPacket, now_ms));
}

}  // namespace
}  // namespace auralink::sfu
