// Checks our .proto against @livekit/protocol itself, the encoder livekit-client and
// livekit-server-sdk use: same fields and types for every message, and bytes encoded by one side
// decode to the same values on the other. Runs node with livekit_protocol_interop.mjs; skips when
// node or tests/livekit/node_modules is absent.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "signal/protocol/livekit_models.pb.h"
#include "signal/protocol/livekit_rtc.pb.h"
#include "signal/protocol/sample_message.h"
#include "signal/protocol/signal_message.h"
#include "signal/protocol/twirp_json.h"

namespace auralink::signal {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;
using nlohmann::json;

std::string Base64(const std::vector<uint8_t>& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const uint32_t n = (uint32_t{bytes[i]} << 16) | (i + 1 < bytes.size() ? bytes[i + 1] << 8 : 0) |
                       (i + 2 < bytes.size() ? bytes[i + 2] : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

std::vector<uint8_t> FromBase64(const std::string& text) {
  std::vector<uint8_t> out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else
      continue;
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(buffer >> bits));
    }
  }
  return out;
}

std::unique_ptr<Message> NewMessage(const google::protobuf::Descriptor* type) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

class LivekitProtocolInteropTest : public testing::Test {
 protected:
  void SetUp() override {
    const std::filesystem::path source = AURALINK_SOURCE_DIR;
    node_modules_ = source / "tests/livekit/node_modules";
    script_ = source / "src/signal/protocol/livekit_protocol_interop.mjs";
    if (std::system("command -v node >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not on PATH";
    if (!std::filesystem::exists(node_modules_ / "@livekit/protocol/dist/index.mjs")) {
      GTEST_SKIP() << "no @livekit/protocol in " << node_modules_ << " (npm ci in tests/livekit)";
    }
  }

  // Runs the jobs through node in one process and returns one answer per job.
  json RunNode(const json& jobs) {
    const std::string jobs_path =
        testing::TempDir() + "livekit_interop_jobs_" + std::to_string(getpid()) + ".json";
    std::ofstream(jobs_path) << jobs.dump();
    const std::string command =
        "node '" + script_.string() + "' '" + node_modules_.string() + "' '" + jobs_path + "'";
    std::string output;
    if (FILE* pipe = popen(command.c_str(), "r")) {
      char buffer[65536];
      size_t n;
      while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
      const int status = pclose(pipe);
      EXPECT_EQ(status, 0) << command;
    }
    std::filesystem::remove(jobs_path);
    json answers = json::parse(output, nullptr, false);
    EXPECT_TRUE(answers.is_array() && answers.size() == jobs.size()) << output.substr(0, 2000);
    return answers.is_array() ? answers : json::array();
  }

  std::filesystem::path node_modules_;
  std::filesystem::path script_;
};

// protobuf-es ScalarType numbers (the same as FieldDescriptor::Type for scalars).
int ScalarNumber(const FieldDescriptor* field) { return static_cast<int>(field->type()); }

void ExpectValueMatches(const FieldDescriptor* field, const json& described) {
  const std::string kind = described.at("kind");
  if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
    EXPECT_EQ(kind, "message");
    EXPECT_EQ(described.at("type"), field->message_type()->full_name());
  } else if (field->type() == FieldDescriptor::TYPE_ENUM) {
    EXPECT_EQ(kind, "enum");
    EXPECT_EQ(described.at("type"), field->enum_type()->full_name());
  } else {
    EXPECT_EQ(kind, "scalar");
    EXPECT_EQ(described.at("scalar"), ScalarNumber(field));
  }
}

TEST_F(LivekitProtocolInteropTest, EveryMessageMatchesLivekitProtocolFieldForField) {
  json names = json::array();
  const auto types = AllLivekitMessageTypes();
  for (const auto* type : types) names.push_back(type->full_name());
  const json answers = RunNode(json::array({{{"op", "describe"}, {"types", names}}}));
  ASSERT_EQ(answers.size(), 1u);
  const json& described = answers[0].at("types");
  for (const auto* type : types) {
    SCOPED_TRACE(type->full_name());
    ASSERT_TRUE(described.contains(type->full_name())) << "not in @livekit/protocol";
    const json& fields = described.at(type->full_name());
    ASSERT_EQ(fields.size(), static_cast<size_t>(type->field_count()));
    for (const json& theirs : fields) {
      const FieldDescriptor* ours = type->FindFieldByNumber(theirs.at("no"));
      ASSERT_NE(ours, nullptr) << "field " << theirs.at("no") << " missing";
      SCOPED_TRACE(ours->name());
      EXPECT_EQ(ours->name(), theirs.at("name"));
      EXPECT_EQ(ours->json_name(), theirs.at("json_name"));
      EXPECT_EQ(ours->real_containing_oneof() ? ours->real_containing_oneof()->name() : "",
                theirs.at("oneof"));
      EXPECT_EQ(ours->has_optional_keyword(), theirs.at("optional").get<bool>());
      if (ours->is_map()) {
        EXPECT_EQ(theirs.at("kind"), "map");
        EXPECT_EQ(ScalarNumber(ours->message_type()->map_key()), theirs.at("key_scalar"));
        ExpectValueMatches(ours->message_type()->map_value(), theirs.at("value"));
      } else {
        EXPECT_EQ(ours->is_repeated(), theirs.at("repeated").get<bool>());
        ExpectValueMatches(ours, theirs);
      }
    }
  }
}

// The messages the brief singles out, each filled field by field; every oneof arm of SignalRequest.
std::vector<std::pair<const google::protobuf::Descriptor*, int>> FilledCases() {
  std::vector<std::pair<const google::protobuf::Descriptor*, int>> cases;
  const auto* request_oneof = livekit::SignalRequest::descriptor()->FindOneofByName("message");
  for (int i = 0; i < request_oneof->field_count(); ++i) {
    cases.push_back({livekit::SignalRequest::descriptor(), i});
  }
  const auto* response_oneof = livekit::SignalResponse::descriptor()->FindOneofByName("message");
  for (int i = 0; i < response_oneof->field_count(); ++i) {
    cases.push_back({livekit::SignalResponse::descriptor(), i});
  }
  for (const auto* type : AllLivekitMessageTypes()) cases.push_back({type, 1});
  return cases;
}

TEST_F(LivekitProtocolInteropTest, OurBytesDecodeToTheSameValuesInLivekitProtocol) {
  const auto cases = FilledCases();
  json jobs = json::array();
  std::vector<std::unique_ptr<Message>> originals;
  for (const auto& [type, seed] : cases) {
    auto message = NewMessage(type);
    FillSampleMessage(message.get(), seed);
    jobs.push_back({{"op", "binary_to_json"},
                    {"type", type->full_name()},
                    {"base64", Base64(SerializeMessage(*message))}});
    originals.push_back(std::move(message));
  }
  const json answers = RunNode(jobs);
  ASSERT_EQ(answers.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].first->full_name() + " seed " + std::to_string(cases[i].second));
    ASSERT_TRUE(answers[i].contains("json")) << answers[i].dump();
    auto decoded = NewMessage(cases[i].first);
    const Status status = MessageFromTwirpJson(answers[i].at("json").dump(), decoded.get());
    ASSERT_TRUE(status.ok()) << status.message();
    EXPECT_TRUE(MessageDifferencer::Equals(*originals[i], *decoded)) << answers[i].dump();
  }
}

TEST_F(LivekitProtocolInteropTest, LivekitProtocolBytesDecodeToTheSameValuesHere) {
  const auto cases = FilledCases();
  json jobs = json::array();
  std::vector<std::unique_ptr<Message>> originals;
  for (const auto& [type, seed] : cases) {
    auto message = NewMessage(type);
    FillSampleMessage(message.get(), seed);
    jobs.push_back({{"op", "json_to_binary"},
                    {"type", type->full_name()},
                    {"json", json::parse(MessageToTwirpJson(*message, {.proto_field_names = false,
                                                                       .emit_defaults = false}))}});
    originals.push_back(std::move(message));
  }
  const json answers = RunNode(jobs);
  ASSERT_EQ(answers.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].first->full_name() + " seed " + std::to_string(cases[i].second));
    ASSERT_TRUE(answers[i].contains("base64")) << answers[i].dump();
    auto decoded = NewMessage(cases[i].first);
    const Status status = ParseBinaryMessage(FromBase64(answers[i].at("base64")),
                                             kMaxSignalMessageBytes, decoded.get());
    ASSERT_TRUE(status.ok()) << status.message();
    EXPECT_TRUE(MessageDifferencer::Equals(*originals[i], *decoded));
  }
}

// Messages built in JavaScript from literals (the values below are the script's), decoded here.
TEST_F(LivekitProtocolInteropTest, MessagesBuiltByLivekitProtocolDecode) {
  json jobs = json::array();
  for (const char* name :
       {"offer", "trickle", "add_track", "ping", "leave", "join_response", "data_packet"}) {
    jobs.push_back({{"op", "fixture"}, {"name", name}});
  }
  const json answers = RunNode(jobs);
  ASSERT_EQ(answers.size(), jobs.size());
  for (const json& answer : answers) ASSERT_TRUE(answer.contains("base64")) << answer.dump();
  const auto bytes = [&](size_t i) { return FromBase64(answers[i].at("base64")); };

  const auto offer = ParseSignalRequest(bytes(0));
  ASSERT_TRUE(offer.ok());
  ASSERT_EQ(offer->message_case(), livekit::SignalRequest::kOffer);
  EXPECT_EQ(offer->offer().type(), "offer");
  EXPECT_EQ(offer->offer().sdp(), "v=0\r\ns=auralink\r\n");
  EXPECT_EQ(offer->offer().id(), 7u);
  EXPECT_EQ(offer->offer().mid_to_track_id().at("0"), "TR_a");

  const auto trickle = ParseSignalRequest(bytes(1));
  ASSERT_TRUE(trickle.ok());
  ASSERT_EQ(trickle->message_case(), livekit::SignalRequest::kTrickle);
  EXPECT_EQ(trickle->trickle().candidateinit(),
            R"({"candidate":"candidate:1 1 udp 2130706431 192.0.2.1 50000 typ host"})");
  EXPECT_EQ(trickle->trickle().target(), livekit::SUBSCRIBER);
  EXPECT_TRUE(trickle->trickle().final());

  const auto add_track = ParseSignalRequest(bytes(2));
  ASSERT_TRUE(add_track.ok());
  ASSERT_EQ(add_track->message_case(), livekit::SignalRequest::kAddTrack);
  const auto& track = add_track->add_track();
  EXPECT_EQ(track.cid(), "cam-1");
  EXPECT_EQ(track.type(), livekit::VIDEO);
  EXPECT_EQ(track.source(), livekit::CAMERA);
  EXPECT_EQ(track.width(), 1280u);
  ASSERT_EQ(track.layers_size(), 2);
  EXPECT_EQ(track.layers(0).quality(), livekit::LOW);
  EXPECT_EQ(track.layers(1).quality(), livekit::HIGH);
  EXPECT_EQ(track.layers(1).bitrate(), 1700000u);
  EXPECT_EQ(track.layers(1).ssrc(), 33u);
  ASSERT_EQ(track.simulcast_codecs_size(), 1);
  EXPECT_EQ(track.simulcast_codecs(0).codec(), "vp8");

  const auto ping = ParseSignalRequest(bytes(3));
  ASSERT_TRUE(ping.ok());
  ASSERT_EQ(ping->message_case(), livekit::SignalRequest::kPingReq);
  EXPECT_EQ(ping->ping_req().timestamp(), 1700000000123);
  EXPECT_EQ(ping->ping_req().rtt(), 42);

  const auto leave = ParseSignalRequest(bytes(4));
  ASSERT_TRUE(leave.ok());
  ASSERT_EQ(leave->message_case(), livekit::SignalRequest::kLeave);
  EXPECT_EQ(leave->leave().reason(), livekit::CLIENT_INITIATED);
  EXPECT_EQ(leave->leave().action(), livekit::LeaveRequest::DISCONNECT);

  livekit::JoinResponse join;
  ASSERT_TRUE(ParseBinaryMessage(bytes(5), kMaxSignalMessageBytes, &join).ok());
  EXPECT_EQ(join.room().name(), "standup");
  EXPECT_EQ(join.room().empty_timeout(), 300u);
  EXPECT_EQ(join.room().creation_time(), 1700000000);
  EXPECT_EQ(join.room().enabled_codecs(0).mime(), "video/VP8");
  EXPECT_EQ(join.participant().identity(), "alice");
  EXPECT_EQ(join.participant().state(), livekit::ParticipantInfo::JOINED);
  EXPECT_TRUE(join.participant().permission().can_publish_data());
  EXPECT_EQ(join.participant().attributes().at("role"), "host");
  ASSERT_EQ(join.other_participants_size(), 1);
  EXPECT_EQ(join.other_participants(0).tracks(0).sid(), "TR_v");
  EXPECT_TRUE(join.other_participants(0).tracks(0).simulcast());
  EXPECT_EQ(join.ice_servers(0).urls(0), "turn:192.0.2.1:3478?transport=udp");
  EXPECT_TRUE(join.subscriber_primary());
  EXPECT_EQ(join.ping_timeout(), 15);
  EXPECT_EQ(join.ping_interval(), 5);
  EXPECT_EQ(join.server_info().protocol(), 16);
  EXPECT_EQ(join.sif_trailer(), std::string("\x01\x02\x03", 3));

  const auto packet = ParseDataPacket(bytes(6));
  ASSERT_TRUE(packet.ok());
  EXPECT_EQ(packet->kind(), livekit::DataPacket::RELIABLE);
  EXPECT_EQ(packet->participant_identity(), "alice");
  ASSERT_EQ(packet->value_case(), livekit::DataPacket::kUser);
  EXPECT_EQ(packet->user().payload(), std::string("\x00\xff\x07", 3));
  EXPECT_EQ(packet->user().topic(), "chat");
}

}  // namespace
}  // namespace auralink::signal
