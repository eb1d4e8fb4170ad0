// npm livekit-server-sdk 2.19.2's RoomServiceClient, unchanged, against the RoomService API: every
// method, the errors it reports, and binary protobuf through @livekit/protocol's codec. Runs
// room_service_sdk_client.mjs; skips when node or tests/livekit/node_modules is absent.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "signal/api/control_plane_test_server.h"

namespace auralink::signal {
namespace {

using nlohmann::json;

sfu::ParticipantDescription Participant(const std::string& identity, bool with_video) {
  sfu::ParticipantDescription participant;
  participant.identity = identity;
  participant.name = identity;
  participant.state = sfu::ParticipantState::kActive;
  participant.joined_at_s = 1700000200;
  participant.is_publisher = with_video;
  if (with_video) {
    sfu::TrackDescription video;
    video.sid = "TR_video_" + identity;
    video.name = "camera";
    video.kind = sfu::TrackKind::kVideo;
    video.source = sfu::TrackSource::kCamera;
    video.width = 1280;
    video.height = 720;
    video.simulcast = true;
    video.mime_type = "video/VP8";
    video.layers = {{0, 320, 180, 150000, 11, "q"}, {2, 1280, 720, 1700000, 33, "f"}};
    participant.tracks.push_back(video);
  }
  return participant;
}

std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

class RoomServiceSdkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_modules_ = std::filesystem::path(AURALINK_SOURCE_DIR) / "tests/livekit/node_modules";
    script_ =
        std::filesystem::path(AURALINK_SOURCE_DIR) / "src/signal/api/room_service_sdk_client.mjs";
    if (std::system("command -v node >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not on PATH";
    if (!std::filesystem::exists(node_modules_ / "livekit-server-sdk/dist/index.js")) {
      GTEST_SKIP() << "no livekit-server-sdk in " << node_modules_ << " (npm ci in tests/livekit)";
    }
  }

  std::filesystem::path node_modules_;
  std::filesystem::path script_;
};

TEST_F(RoomServiceSdkTest, EveryMethodAndErrorThroughTheSdk) {
  ControlPlaneTestServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  server.rooms().AddParticipant("media", Participant("alice", true));
  server.rooms().AddParticipant("media", Participant("bob", false));

  VideoGrant list_only;
  list_only.room_list = true;
  VideoGrant admin_other;
  admin_other.room_admin = true;
  admin_other.room = "elsewhere";
  const json tokens = {{"expired", server.Token(list_only, "admin", -7200, 600)},
                       {"listOnly", server.Token(list_only)},
                       {"adminOther", server.Token(admin_other)}};
  const std::string command = "node " + Quote(script_.string()) + " " +
                              Quote(node_modules_.string()) + " " + std::to_string(server.port()) +
                              " " + kTestApiKey + " " + kTestApiSecret + " " +
                              Quote(tokens.dump()) + " 2>&1";
  std::string output;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    size_t count;
    while ((count = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, count);
    pclose(pipe);
  }
  const size_t start = output.rfind("\n{");
  const json out =
      json::parse(output.substr(start == std::string::npos ? 0 : start + 1), nullptr, false);
  ASSERT_TRUE(out.is_object()) << output;
  const auto value = [&](const char* name) -> const json& {
    EXPECT_TRUE(out[name].value("ok", false)) << name << ": " << out[name].dump();
    return out[name]["value"];
  };
  const auto expect_error = [&](const char* name, int status, const char* code) {
    EXPECT_FALSE(out[name].value("ok", true)) << name;
    EXPECT_EQ(out[name].value("status", 0), status) << name << ": " << out[name].dump();
    EXPECT_EQ(out[name].value("code", ""), code) << name << ": " << out[name].dump();
  };

  const json& created = value("createRoom");
  EXPECT_EQ(created["name"], "sdk-room");
  EXPECT_EQ(created["emptyTimeout"], 60);
  EXPECT_EQ(created["maxParticipants"], 4);
  EXPECT_EQ(created["metadata"], "hello");
  EXPECT_EQ(created["creationTime"], "1700000000");
  EXPECT_EQ(value("listRooms"), json({"media", "sdk-room"}));
  ASSERT_EQ(value("listRoomsByName").size(), 1u);
  EXPECT_EQ(value("listRoomsByName")[0]["sid"], created["sid"]);

  const json& participants = value("listParticipants");
  ASSERT_EQ(participants.size(), 2u);
  const json& alice = value("getParticipant");
  EXPECT_EQ(alice["identity"], "alice");
  EXPECT_EQ(alice["state"], "ACTIVE");
  EXPECT_EQ(alice["joinedAt"], "1700000200");
  ASSERT_EQ(alice["tracks"].size(), 1u);
  EXPECT_EQ(alice["tracks"][0]["type"], "VIDEO");
  EXPECT_EQ(alice["tracks"][0]["source"], "CAMERA");
  EXPECT_EQ(alice["tracks"][0]["mimeType"], "video/VP8");
  EXPECT_EQ(alice["tracks"][0]["simulcast"], true);
  ASSERT_EQ(alice["tracks"][0]["layers"].size(), 2u);
  EXPECT_EQ(alice["tracks"][0]["layers"][1]["quality"], "HIGH");
  EXPECT_EQ(alice["tracks"][0]["layers"][1]["width"], 1280);
  EXPECT_EQ(alice["tracks"][0]["layers"][1]["bitrate"], 1700000);
  EXPECT_EQ(alice["tracks"][0]["layers"][1]["rid"], "f");

  EXPECT_EQ(value("mutePublishedTrack")["muted"], true);
  const json& updated = value("updateParticipant");
  EXPECT_EQ(updated["metadata"], "updated");
  EXPECT_EQ(updated["name"], "Alice Updated");
  EXPECT_EQ(updated["permission"]["canPublish"], false);
  EXPECT_EQ(updated["permission"]["canSubscribe"], true);
  EXPECT_EQ(updated["permission"]["canPublishSources"], json({"MICROPHONE"}));
  EXPECT_EQ(updated["tracks"][0]["muted"], true);
  EXPECT_EQ(value("updateParticipantLegacy")["metadata"], "bob-metadata");
  EXPECT_EQ(value("updateRoomMetadata")["metadata"], "agenda");
  EXPECT_EQ(value("sendData"), "sent");
  const auto sent = server.rooms().sent_data();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(std::string(sent[0].payload.begin(), sent[0].payload.end()), "hi");
  EXPECT_TRUE(sent[0].reliable);
  EXPECT_EQ(sent[0].destination_identities, std::vector<std::string>{"bob"});
  EXPECT_EQ(sent[0].topic, "greetings");
  expect_error("updateSubscriptions", 501, "unimplemented");
  EXPECT_EQ(value("removeParticipant"), "removed");
  EXPECT_FALSE(server.rooms().HasParticipant("media", "bob"));
  EXPECT_EQ(value("deleteRoom"), "deleted");
  EXPECT_TRUE(server.rooms().ListRooms({"sdk-room"}).empty());

  expect_error("deleteMissingRoom", 404, "not_found");
  expect_error("getMissingParticipant", 404, "not_found");
  expect_error("listMissingRoom", 404, "not_found");
  expect_error("wrongSecret", 401, "unauthenticated");
  expect_error("unknownKey", 401, "unauthenticated");
  expect_error("expired", 401, "unauthenticated");
  expect_error("missingCreateGrant", 403, "permission_denied");
  expect_error("missingAdminGrant", 403, "permission_denied");
  expect_error("adminOfOtherRoom", 403, "permission_denied");
  EXPECT_TRUE(server.rooms().HasParticipant("media", "alice"));
  const json& no_token = value("noToken");
  EXPECT_EQ(no_token["status"], 401);
  EXPECT_EQ(no_token["contentType"], "application/json");
  EXPECT_EQ(no_token["body"]["code"], "unauthenticated");

  const json& binary = value("protobufListParticipants");
  EXPECT_EQ(binary["contentType"], "application/protobuf");
  ASSERT_EQ(binary["participants"].size(), 1u);
  EXPECT_EQ(binary["participants"][0]["identity"], "alice");
  EXPECT_EQ(binary["participants"][0]["tracks"][0]["layers"][0]["width"], 320);
}

}  // namespace
}  // namespace auralink::signal
