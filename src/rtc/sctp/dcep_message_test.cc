#include "rtc/sctp/dcep_message.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::rtc {
namespace {

// DATA_CHANNEL_OPEN laid out by hand from RFC 8832 §5.1: type 0x03, channel type 0x81
// (partial reliable rexmit, unordered), priority 256, reliability 0, label "_lossy", no protocol.
const std::vector<uint8_t> kLossyOpen = {0x03, 0x81, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                         0x06, 0x00, 0x00, '_',  'l',  'o',  's',  's',  'y'};

TEST(DcepMessageTest, ParsesHandBuiltOpen) {
  auto open = DcepOpenMessage::Parse(kLossyOpen);
  ASSERT_TRUE(open.ok()) << open.status().message();
  EXPECT_EQ(open->channel_type, DcepChannelType::kPartialReliableRexmitUnordered);
  EXPECT_FALSE(open->ordered());
  EXPECT_EQ(open->priority, kDcepPriorityNormal);
  EXPECT_EQ(open->max_retransmits(), std::optional<uint16_t>(0));
  EXPECT_FALSE(open->max_packet_lifetime_ms().has_value());
  EXPECT_EQ(open->label, "_lossy");
  EXPECT_EQ(open->protocol, "");
}

TEST(DcepMessageTest, SerializeMatchesTheWireLayout) {
  DcepOpenMessage open;
  open.channel_type = DcepChannelType::kPartialReliableRexmitUnordered;
  open.label = "_lossy";
  auto bytes = open.Serialize();
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, kLossyOpen);
}

TEST(DcepMessageTest, RoundTripsEveryChannelType) {
  for (auto type :
       {DcepChannelType::kReliable, DcepChannelType::kReliableUnordered,
        DcepChannelType::kPartialReliableRexmit, DcepChannelType::kPartialReliableRexmitUnordered,
        DcepChannelType::kPartialReliableTimed, DcepChannelType::kPartialReliableTimedUnordered}) {
    DcepOpenMessage open;
    open.channel_type = type;
    open.priority = kDcepPriorityHigh;
    open.reliability_parameter = 1500;
    open.label = "chat";
    open.protocol = "json";
    auto bytes = open.Serialize();
    ASSERT_TRUE(bytes.ok());
    auto parsed = DcepOpenMessage::Parse(*bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(parsed->channel_type, type);
    EXPECT_EQ(parsed->priority, kDcepPriorityHigh);
    EXPECT_EQ(parsed->label, "chat");
    EXPECT_EQ(parsed->protocol, "json");
    const bool reliable =
        type == DcepChannelType::kReliable || type == DcepChannelType::kReliableUnordered;
    // RFC 8832 §5.1: reliable channels send the parameter as 0.
    EXPECT_EQ(parsed->reliability_parameter, reliable ? 0u : 1500u);
  }
}

TEST(DcepMessageTest, ChannelTypeForWebRtcOptions) {
  EXPECT_EQ(*DcepOpenMessage::ChannelTypeFor(true, std::nullopt, std::nullopt),
            DcepChannelType::kReliable);
  EXPECT_EQ(*DcepOpenMessage::ChannelTypeFor(false, 0, std::nullopt),
            DcepChannelType::kPartialReliableRexmitUnordered);
  EXPECT_EQ(*DcepOpenMessage::ChannelTypeFor(true, std::nullopt, 3000),
            DcepChannelType::kPartialReliableTimed);
  EXPECT_FALSE(DcepOpenMessage::ChannelTypeFor(true, 1, 1).ok());
}

TEST(DcepMessageTest, RejectsTruncatedAndInconsistentMessages) {
  for (size_t size = 0; size < kLossyOpen.size(); ++size) {
    std::span<const uint8_t> prefix(kLossyOpen.data(), size);
    EXPECT_FALSE(DcepOpenMessage::Parse(prefix).ok()) << "prefix of " << size << " bytes";
  }
  std::vector<uint8_t> long_label = kLossyOpen;
  long_label[8] = 0xff;  // label length 0xff06, far past the end
  EXPECT_FALSE(DcepOpenMessage::Parse(long_label).ok());
  std::vector<uint8_t> long_protocol = kLossyOpen;
  long_protocol[10] = 0xff;
  long_protocol[11] = 0xff;
  EXPECT_FALSE(DcepOpenMessage::Parse(long_protocol).ok());
  std::vector<uint8_t> bad_type = kLossyOpen;
  bad_type[1] = 0x03;
  EXPECT_FALSE(DcepOpenMessage::Parse(bad_type).ok());
  std::vector<uint8_t> not_open = kLossyOpen;
  not_open[0] = 0x02;
  EXPECT_FALSE(DcepOpenMessage::Parse(not_open).ok());
}

TEST(DcepMessageTest, AcceptsTrailingBytesAfterProtocol) {
  std::vector<uint8_t> padded = kLossyOpen;
  padded.push_back(0);
  auto open = DcepOpenMessage::Parse(padded);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->label, "_lossy");
}

TEST(DcepMessageTest, SerializeRejectsOverlongLabel) {
  DcepOpenMessage open;
  open.label.assign(70000, 'x');
  EXPECT_FALSE(open.Serialize().ok());
}

TEST(DcepMessageTest, MessageTypeAndAck) {
  EXPECT_FALSE(ParseDcepMessageType({}).ok());
  const std::vector<uint8_t> ack = SerializeDcepAck();
  EXPECT_EQ(ack, std::vector<uint8_t>{0x02});
  EXPECT_EQ(*ParseDcepMessageType(ack), DcepMessageType::kAck);
  EXPECT_TRUE(ParseDcepAck(ack).ok());
  EXPECT_EQ(*ParseDcepMessageType(kLossyOpen), DcepMessageType::kOpen);
  EXPECT_FALSE(ParseDcepAck(kLossyOpen).ok());
  const std::vector<uint8_t> unknown = {0x7f};
  EXPECT_FALSE(ParseDcepMessageType(unknown).ok());
}

}  // namespace
}  // namespace auralink::rtc
