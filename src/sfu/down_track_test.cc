#include "sfu/down_track.h"

#include <gtest/gtest.h>

#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "rtc/dtls/dtls_certificate.h"
#include "rtc/rtp/rtx.h"
#include "sfu/subscriber_sender.h"
#include "sfu/webrtc_transport.h"
#include "sfu/webrtc_transport_test_fixture.h"

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

constexpr std::string_view kMidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
constexpr std::string_view kAbsSendTimeUri =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
constexpr std::string_view kToffsetUri = "urn:ietf:params:rtp-hdrext:toffset";

// The published track's side: every packet forwarded, as it arrived, by layer and sequence number.
class FakeSourceStore : public SourcePacketStore {
 public:
  std::span<const uint8_t> FindSourcePacket(int layer, uint16_t sequence_number, int64_t) override {
    auto found = packets_.find({layer, sequence_number});
    if (found == packets_.end()) return {};
    return found->second;
  }
  void Put(int layer, uint16_t sequence_number, std::vector<uint8_t> bytes) {
    packets_[{layer, sequence_number}] = std::move(bytes);
  }
  void Clear() { packets_.clear(); }

 private:
  std::map<std::pair<int, uint16_t>, std::vector<uint8_t>> packets_;
};

// A down track on a connected transport: what it sends reaches the browser-like peer, decrypted.
class DownTrackTest : public test::WebRtcTransportTest {
 protected:
  void SetUp() override {
    test::WebRtcTransportTest::SetUp();
    Connect();
    // The publisher and the subscriber number the extensions differently.
    publisher_ids_.Register(1, kMidUri);
    publisher_ids_.Register(3, kToffsetUri);
    sender_ = std::make_unique<SubscriberSender>(
        server_.get(), std::map<std::string, int>{{std::string(kMidUri), 4},
                                                  {std::string(kToffsetUri), 5},
                                                  {std::string(kAbsSendTimeUri), 6}});
    DownTrackConfig config;
    config.kind = MediaKind::kVideo;
    config.codec = VideoCodecId::kVp8;
    config.ssrc = 0x1111;
    config.rtx_ssrc = 0x2222;
    config.rtx_payload_type_of[kVp8] = kRtx;
    auto created = DownTrack::Create(config, sender_.get(), &publisher_ids_, &store_);
    ASSERT_TRUE(created.ok());
    down_ = std::move(*created);
  }

  // One 1000-byte VP8 packet of `layer` (picture id 300 + its sequence number), the start of a key
  // frame when `key`, with the publisher's MID and toffset extensions.
  void Forward(int layer, uint16_t sequence_number, uint32_t timestamp, bool key) {
    std::array<uint8_t, 1200> buffer{};
    std::vector<uint8_t> payload(1000, 0x55);
    const uint16_t picture_id = static_cast<uint16_t>(300 + sequence_number) & 0x7FFF;
    // RFC 7741 §4.2: X and S, then I with a 15-bit picture id.
    payload[0] = 0x90;
    payload[1] = 0x80;
    payload[2] = static_cast<uint8_t>(0x80 | (picture_id >> 8));
    payload[3] = static_cast<uint8_t>(picture_id);
    const std::array<uint8_t, 1> mid{'v'};
    const std::array<uint8_t, 3> toffset{0, 1, 2};
    rtc::RtpPacketBuilder builder(buffer);
    builder.SetPayloadType(kVp8)
        .SetSequenceNumber(sequence_number)
        .SetTimestamp(timestamp)
        .SetSsrc(0xA000 + static_cast<uint32_t>(layer))
        .SetMarker(true)
        .AddExtension(1, mid)
        .AddExtension(3, toffset)
        .SetPayload(payload);
    const std::optional<size_t> length = builder.Finish();
    ASSERT_TRUE(length.has_value());
    store_.Put(layer, sequence_number, {buffer.begin(), buffer.begin() + *length});
    rtc::RtpPacket packet;
    ASSERT_EQ(rtc::RtpPacket::Parse({buffer.data(), *length}, &packet), rtc::RtpParseError::kOk);
    VideoPayloadInfo info;
    info.parsed = true;
    info.start_of_frame = true;
    info.key_frame = key;
    info.picture_id = picture_id;
    ForwardSource source(packet, layer, info, publisher_ids_);
    down_->Forward(source, now_ms_);
  }

  // What the peer received since the last call, decrypted.
  std::vector<std::vector<uint8_t>> Received() {
    Pump();
    return std::exchange(peer_.received_rtp, {});
  }

  FakeSourceStore store_;
  rtc::RtpExtensionIdMap publisher_ids_;
  std::unique_ptr<SubscriberSender> sender_;
  std::unique_ptr<DownTrack> down_;
};

TEST_F(DownTrackTest, ForwardsWithTheSubscribersSsrcNumbersAndExtensionIds) {
  Forward(0, 100, 3000, /*key=*/true);
  Forward(0, 101, 6000, false);
  const std::vector<std::vector<uint8_t>> received = Received();
  ASSERT_EQ(received.size(), 2u);
  for (size_t i = 0; i < received.size(); ++i) {
    std::vector<uint8_t> bytes = received[i];
    rtc::RtpPacket packet;
    ASSERT_EQ(rtc::RtpPacket::Parse(bytes, &packet), rtc::RtpParseError::kOk);
    EXPECT_EQ(packet.ssrc(), 0x1111u);
    EXPECT_EQ(packet.payload_type(), kVp8);
    EXPECT_EQ(packet.sequence_number(), static_cast<uint16_t>(*down_->repair_floor() + i));
    // toffset moved from id 3 to the subscriber's 5; the publisher's MID is gone.
    EXPECT_FALSE(packet.FindExtension(3).has_value());
    EXPECT_FALSE(packet.FindExtension(1).has_value());
    EXPECT_FALSE(packet.FindExtension(4).has_value());
    auto toffset = packet.FindExtension(5);
    ASSERT_TRUE(toffset.has_value());
    EXPECT_EQ(std::vector<uint8_t>(toffset->begin(), toffset->end()),
              (std::vector<uint8_t>{0, 1, 2}));
    EXPECT_EQ(packet.payload().size(), 1000u);
    EXPECT_EQ(packet.payload()[10], 0x55);
  }
}

TEST_F(DownTrackTest, AResendOverRtxIsTheForwardedPacketRebuiltFromThePublishersCopy) {
  Forward(0, 100, 3000, /*key=*/true);
  Forward(0, 101, 6000, false);
  Forward(0, 102, 9000, false);
  const std::vector<std::vector<uint8_t>> sent = Received();
  ASSERT_EQ(sent.size(), 3u);
  const uint16_t first = *down_->repair_floor();

  const std::vector<uint16_t> lost{static_cast<uint16_t>(first + 1)};
  down_->OnNack(lost, now_ms_);
  std::vector<std::vector<uint8_t>> resent = Received();
  ASSERT_EQ(resent.size(), 1u);
  EXPECT_EQ(down_->packets_retransmitted(), 1u);
  rtc::RtpPacket rtx;
  ASSERT_EQ(rtc::RtpPacket::Parse(resent[0], &rtx), rtc::RtpParseError::kOk);
  EXPECT_EQ(rtx.ssrc(), 0x2222u);
  EXPECT_EQ(rtx.payload_type(), kRtx);
  std::array<uint8_t, 1500> restored{};
  const std::optional<size_t> length = rtc::UnwrapRtx(rtx, 0x1111, kVp8, restored);
  ASSERT_TRUE(length.has_value());
  // Byte for byte what the subscriber got the first time: the same header, extensions, rewritten
  // picture id and payload.
  EXPECT_EQ(std::vector<uint8_t>(restored.begin(), restored.begin() + *length), sent[1]);

  // Repeated within 10 ms the NACK is answered once; once the publisher's copy is gone, not at all.
  down_->OnNack(lost, now_ms_ + 5);
  EXPECT_TRUE(Received().empty());
  store_.Clear();
  down_->OnNack(lost, now_ms_ + 50);
  EXPECT_TRUE(Received().empty());
  EXPECT_EQ(down_->packets_retransmitted(), 1u);
}

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
  Received();

  const std::vector<uint16_t> old_packets{first, static_cast<uint16_t>(first + 2)};
  down_->OnNack(old_packets, now_ms_);
  EXPECT_EQ(down_->nacks_before_switch(), 2u);
  EXPECT_TRUE(Received().empty());

  // The key frame of the new layer itself is still repaired, from layer 1's copy.
  const std::vector<uint16_t> new_packet{switched};
  down_->OnNack(new_packet, now_ms_);
  EXPECT_EQ(down_->nacks_before_switch(), 2u);
  EXPECT_EQ(Received().size(), 1u);
  EXPECT_EQ(down_->packets_retransmitted(), 1u);
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
