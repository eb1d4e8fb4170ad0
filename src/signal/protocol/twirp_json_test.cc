#include "signal/protocol/twirp_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "signal/protocol/livekit_models.pb.h"
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

TEST(TwirpJsonTest, EveryLivekitMessageTypeRoundTripsInBothFieldNameStyles) {
  for (const auto* type : AllLivekitMessageTypes()) {
    for (const bool proto_names : {true, false}) {
      SCOPED_TRACE(type->full_name() + (proto_names ? " proto names" : " camelCase"));
      auto original = NewMessage(type);
      FillSampleMessage(original.get(), 1);
      const std::string json =
          MessageToTwirpJson(*original, {.proto_field_names = proto_names, .emit_defaults = false});
      auto parsed = NewMessage(type);
      const Status status = MessageFromTwirpJson(json, parsed.get());
      ASSERT_TRUE(status.ok()) << status.message() << "\n" << json;
      EXPECT_TRUE(MessageDifferencer::Equals(*original, *parsed)) << json;
    }
  }
}

// The body livekit-server-sdk's RoomServiceClient.createRoom sends (protobuf-es toJson()).
TEST(TwirpJsonTest, ReadsWhatLivekitServerSdkSends) {
  livekit::CreateRoomRequest request;
  const Status status = MessageFromTwirpJson(
      R"({"name":"standup","emptyTimeout":10,"departureTimeout":5,"maxParticipants":20,)"
      R"("metadata":"{\"topic\":\"x\"}","tags":{"team":"media"}})",
      &request);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(request.name(), "standup");
  EXPECT_EQ(request.empty_timeout(), 10u);
  EXPECT_EQ(request.departure_timeout(), 5u);
  EXPECT_EQ(request.max_participants(), 20u);
  EXPECT_EQ(request.metadata(), "{\"topic\":\"x\"}");
  EXPECT_EQ(request.tags().at("team"), "media");
}

TEST(TwirpJsonTest, AcceptsProtoNamesEnumNumbersAndInt64Spellings) {
  livekit::SendDataRequest by_name;
  ASSERT_TRUE(
      MessageFromTwirpJson(R"({"room":"r","data":"AAEC","kind":"LOSSY","topic":"t"})", &by_name)
          .ok());
  EXPECT_EQ(by_name.kind(), livekit::DataPacket::LOSSY);
  EXPECT_EQ(by_name.data(), std::string("\x00\x01\x02", 3));
  EXPECT_TRUE(by_name.has_topic());

  livekit::SendDataRequest by_number;
  ASSERT_TRUE(
      MessageFromTwirpJson(R"({"room":"r","kind":1,"destination_identities":["a"]})", &by_number)
          .ok());
  EXPECT_EQ(by_number.kind(), livekit::DataPacket::LOSSY);
  EXPECT_EQ(by_number.destination_identities(0), "a");

  livekit::Room as_string;
  livekit::Room as_number;
  ASSERT_TRUE(MessageFromTwirpJson(R"({"creationTime":"1700000000123"})", &as_string).ok());
  ASSERT_TRUE(MessageFromTwirpJson(R"({"creation_time":1700000000123})", &as_number).ok());
  EXPECT_EQ(as_string.creation_time(), 1700000000123);
  EXPECT_EQ(as_number.creation_time(), 1700000000123);
}

TEST(TwirpJsonTest, IgnoresUnknownFieldsAndUnknownEnumNames) {
  livekit::SendDataRequest request;
  const Status status = MessageFromTwirpJson(
      R"({"room":"r","fieldFromTheFuture":{"a":[1,2]},"kind":"KIND_FROM_THE_FUTURE"})", &request);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(request.room(), "r");
  EXPECT_EQ(request.kind(), livekit::DataPacket::RELIABLE);
}

TEST(TwirpJsonTest, WritesTwirpServerStyleByDefault) {
  livekit::Room room;
  room.set_name("standup");
  room.set_creation_time(1700000000);
  const auto json = nlohmann::json::parse(MessageToTwirpJson(room));
  EXPECT_EQ(json.at("name"), "standup");
  EXPECT_EQ(json.at("creation_time"), "1700000000");  // 64-bit integers as strings (proto3 JSON)
  EXPECT_EQ(json.at("num_participants"), 0);          // defaults written
  EXPECT_TRUE(json.at("enabled_codecs").is_array());

  livekit::SendDataRequest data;
  data.set_kind(livekit::DataPacket::LOSSY);
  const auto camel = nlohmann::json::parse(
      MessageToTwirpJson(data, {.proto_field_names = false, .emit_defaults = false}));
  EXPECT_EQ(camel.at("kind"), "LOSSY");
  EXPECT_FALSE(camel.contains("room"));
}

TEST(TwirpJsonTest, RejectsMalformedJsonNamingTheType) {
  livekit::CreateRoomRequest request;
  for (const char* bad : {"", "{", "[]", R"({"name":5})", R"({"emptyTimeout":-1})",
                          R"({"emptyTimeout":"ten"})", "{\"name\":\"\xff\"}"}) {
    const Status status = MessageFromTwirpJson(bad, &request);
    EXPECT_FALSE(status.ok()) << "accepted: " << bad;
    EXPECT_NE(status.message().find("livekit.CreateRoomRequest"), std::string::npos);
  }
}

TEST(TwirpJsonTest, RejectsBodiesOverTheLimit) {
  livekit::CreateRoomRequest request;
  const std::string body = R"({"name":")" + std::string(100, 'a') + R"("})";
  EXPECT_FALSE(MessageFromTwirpJson(body, &request, 50).ok());
  EXPECT_TRUE(MessageFromTwirpJson(body, &request, body.size()).ok());
}

TEST(TwirpJsonTest, DeepNestingFailsCleanly) {
  std::string body;
  for (int i = 0; i < 5000; ++i) body += R"({"unknown":)";
  body += "1";
  for (int i = 0; i < 5000; ++i) body += "}";
  livekit::CreateRoomRequest request;
  EXPECT_FALSE(MessageFromTwirpJson(body, &request).ok());
}

}  // namespace
}  // namespace auralink::signal
