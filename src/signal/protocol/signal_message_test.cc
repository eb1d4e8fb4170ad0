#include "signal/protocol/signal_message.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "signal/protocol/livekit_room.pb.h"
#include "signal/protocol/sample_message.h"

namespace auralink::signal {
namespace {

using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;

std::unique_ptr<Message> NewMessage(const google::protobuf::Descriptor* type) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

// The largest oneof of a type: that many seeds give every member of every oneof a turn.
int SeedsToCoverOneofs(const google::protobuf::Descriptor* type) {
  int seeds = 1;
  for (int i = 0; i < type->oneof_decl_count(); ++i) {
    seeds = std::max(seeds, type->oneof_decl(i)->field_count());
  }
  return seeds;
}

TEST(SignalMessageTest, EveryLivekitMessageTypeRoundTripsThroughBinary) {
  const auto types = AllLivekitMessageTypes();
  ASSERT_GT(types.size(), 150u);
  for (const auto* type : types) {
    for (int seed = 0; seed < SeedsToCoverOneofs(type); ++seed) {
      SCOPED_TRACE(type->full_name() + " seed " + std::to_string(seed));
      auto original = NewMessage(type);
      FillSampleMessage(original.get(), seed);
      const std::vector<uint8_t> bytes = SerializeMessage(*original);
      if (type->field_count() > 0) {
        EXPECT_FALSE(bytes.empty());
      }
      auto parsed = NewMessage(type);
      ASSERT_TRUE(ParseBinaryMessage(bytes, kMaxSignalMessageBytes, parsed.get()).ok());
      EXPECT_TRUE(MessageDifferencer::Equals(*original, *parsed));
      EXPECT_EQ(SerializeMessage(*parsed), bytes);
    }
  }
}

TEST(SignalMessageTest, EverySignalRequestArmParses) {
  const auto* oneof = livekit::SignalRequest::descriptor()->FindOneofByName("message");
  ASSERT_NE(oneof, nullptr);
  ASSERT_GE(oneof->field_count(), 16);
  for (int seed = 0; seed < oneof->field_count(); ++seed) {
    livekit::SignalRequest request;
    FillSampleMessage(&request, seed);
    const auto parsed = ParseSignalRequest(SerializeMessage(request));
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(static_cast<int>(parsed->message_case()), oneof->field(seed)->number());
    EXPECT_TRUE(MessageDifferencer::Equals(request, *parsed));
  }
}

TEST(SignalMessageTest, EverySignalResponseArmParses) {
  const auto* oneof = livekit::SignalResponse::descriptor()->FindOneofByName("message");
  ASSERT_NE(oneof, nullptr);
  for (int seed = 0; seed < oneof->field_count(); ++seed) {
    livekit::SignalResponse response;
    FillSampleMessage(&response, seed);
    const auto parsed = ParseSignalResponse(SerializeMessage(response));
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(static_cast<int>(parsed->message_case()), oneof->field(seed)->number());
  }
}

TEST(SignalMessageTest, OfferFieldsSurvive) {
  livekit::SignalRequest request;
  request.mutable_offer()->set_type("offer");
  request.mutable_offer()->set_sdp("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n");
  request.mutable_offer()->set_id(42);
  const auto parsed = ParseSignalRequest(SerializeMessage(request));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->message_case(), livekit::SignalRequest::kOffer);
  EXPECT_EQ(parsed->offer().type(), "offer");
  EXPECT_EQ(parsed->offer().sdp(), "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n");
  EXPECT_EQ(parsed->offer().id(), 42u);
}

// Fields from a newer protocol version must pass through us unchanged (proto3 keeps unknown
// fields).
TEST(SignalMessageTest, UnknownFieldsSurviveAtTopLevelAndNested) {
  livekit::SignalRequest request;
  request.mutable_trickle()->set_candidateinit(
      "{\"candidate\":\"candidate:1 1 udp 1 1.2.3.4 5 typ host\"}");
  std::vector<uint8_t> bytes = SerializeMessage(request);
  // Field 900, varint 7: tag = 900 << 3 | 0 = 7200 = 0xa0 0x38.
  const std::vector<uint8_t> unknown_varint = {0xa0, 0x38, 0x07};
  // Field 901, length-delimited "hi": tag = 901 << 3 | 2 = 7210 = 0xaa 0x38.
  const std::vector<uint8_t> unknown_bytes = {0xaa, 0x38, 0x02, 'h', 'i'};
  bytes.insert(bytes.end(), unknown_varint.begin(), unknown_varint.end());
  bytes.insert(bytes.end(), unknown_bytes.begin(), unknown_bytes.end());

  const auto parsed = ParseSignalRequest(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->message_case(), livekit::SignalRequest::kTrickle);
  EXPECT_EQ(SerializeMessage(*parsed), bytes);

  // The same inside a nested message: TrickleRequest gets field 950 (tag 7600 = 0xb0 0x3b).
  livekit::TrickleRequest trickle;
  trickle.set_target(livekit::SUBSCRIBER);
  std::vector<uint8_t> trickle_bytes = SerializeMessage(trickle);
  trickle_bytes.insert(trickle_bytes.end(), {0xb0, 0x3b, 0x05});
  std::vector<uint8_t> outer = {0x1a, static_cast<uint8_t>(trickle_bytes.size())};  // field 3, LEN
  outer.insert(outer.end(), trickle_bytes.begin(), trickle_bytes.end());
  const auto nested = ParseSignalRequest(outer);
  ASSERT_TRUE(nested.ok()) << nested.status().message();
  EXPECT_EQ(nested->trickle().target(), livekit::SUBSCRIBER);
  EXPECT_EQ(nested->trickle().GetReflection()->GetUnknownFields(nested->trickle()).field_count(),
            1);
  EXPECT_EQ(SerializeMessage(*nested), outer);
}

TEST(SignalMessageTest, EmptyInputIsAnEmptyRequest) {
  const auto parsed = ParseSignalRequest({});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->message_case(), livekit::SignalRequest::MESSAGE_NOT_SET);
}

TEST(SignalMessageTest, RejectsInputOverTheLimit) {
  livekit::SignalRequest request;
  request.mutable_offer()->set_sdp(std::string(2000, 'a'));
  const auto bytes = SerializeMessage(request);
  const auto parsed = ParseSignalRequest(bytes, 1000);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("limit of 1000"), std::string::npos);
  EXPECT_TRUE(ParseSignalRequest(bytes, bytes.size()).ok());
}

TEST(SignalMessageTest, RejectsMalformedEncodings) {
  const std::vector<std::vector<uint8_t>> bad = {
      {0x0a, 0x05, 0x01},  // offer: length 5, only 1 byte follows
      {0x0a},              // tag without its length
      {0x70, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
       0x01},        // varint of 11 bytes
      {0x0f},        // wire type 7 does not exist
      {0x00, 0x01},  // field number 0 is invalid
      {0x0c},        // end-group with no start-group
  };
  for (const auto& bytes : bad) {
    const auto parsed = ParseSignalRequest(bytes);
    EXPECT_FALSE(parsed.ok()) << "accepted " << bytes.size() << " bytes starting 0x" << std::hex
                              << int{bytes[0]};
    if (!parsed.ok()) {
      EXPECT_NE(parsed.status().message().find("livekit.SignalRequest"), std::string::npos);
    }
  }
}

TEST(SignalMessageTest, RejectsUnboundedGroupNesting) {
  // 10,000 nested start-group tags of an unknown field: must fail cleanly, not recurse unboundedly.
  const std::vector<uint8_t> bytes(10000, (15 << 3) | 3);  // field 15, wire type 3 (start group)
  EXPECT_FALSE(ParseSignalRequest(bytes).ok());
}

TEST(SignalMessageTest, DataPacketWithUserPayloadRoundTrips) {
  livekit::DataPacket packet;
  packet.set_kind(livekit::DataPacket::RELIABLE);
  packet.set_participant_identity("alice");
  packet.add_destination_identities("bob");
  auto* user = packet.mutable_user();
  user->set_payload(std::string("\x00\x01\x02", 3));
  user->set_topic("chat");
  const auto parsed = ParseDataPacket(SerializeMessage(packet));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->value_case(), livekit::DataPacket::kUser);
  EXPECT_EQ(parsed->user().payload(), std::string("\x00\x01\x02", 3));
  EXPECT_EQ(parsed->user().topic(), "chat");
  EXPECT_EQ(parsed->destination_identities(0), "bob");
}

}  // namespace
}  // namespace auralink::signal
