// The RoomService API over real HTTP on loopback: every method in JSON and protobuf, the
// permission rules and the Twirp errors, against an in-memory RoomControl.
#include "signal/api/room_service_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "signal/api/control_plane_test_server.h"
#include "signal/api/loopback_http_client.h"
#include "signal/api/request_token.h"
#include "signal/protocol/livekit_room.pb.h"

namespace auralink::signal {
namespace {

using nlohmann::json;

VideoGrant CreateGrant() {
  VideoGrant grant;
  grant.room_create = true;
  return grant;
}

VideoGrant ListGrant() {
  VideoGrant grant;
  grant.room_list = true;
  return grant;
}

VideoGrant AdminGrant(const std::string& room) {
  VideoGrant grant;
  grant.room_admin = true;
  grant.room = room;
  return grant;
}

sfu::ParticipantDescription Publisher(const std::string& identity) {
  sfu::ParticipantDescription participant;
  participant.identity = identity;
  participant.name = identity + " (name)";
  participant.metadata = "{\"role\":\"speaker\"}";
  participant.state = sfu::ParticipantState::kActive;
  participant.joined_at_s = 1700000100;
  participant.joined_at_ms = 1700000100250;
  participant.is_publisher = true;
  participant.version = 3;
  participant.permissions.can_publish_sources = {sfu::TrackSource::kCamera,
                                                 sfu::TrackSource::kMicrophone};
  sfu::TrackDescription audio;
  audio.sid = "TR_audio_" + identity;
  audio.name = "microphone";
  audio.kind = sfu::TrackKind::kAudio;
  audio.source = sfu::TrackSource::kMicrophone;
  audio.mime_type = "audio/opus";
  audio.mid = "0";
  sfu::TrackDescription video;
  video.sid = "TR_video_" + identity;
  video.name = "camera";
  video.kind = sfu::TrackKind::kVideo;
  video.source = sfu::TrackSource::kCamera;
  video.width = 1280;
  video.height = 720;
  video.simulcast = true;
  video.mime_type = "video/VP8";
  video.mid = "1";
  video.layers = {{0, 320, 180, 150000, 1111, "q"},
                  {1, 640, 360, 500000, 2222, "h"},
                  {2, 1280, 720, 1700000, 3333, "f"}};
  participant.tracks = {audio, video};
  return participant;
}

class RoomServiceApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ControlPlaneTestOptions options;
    options.api.limits.max_metadata_size = 64;
    server_ = std::make_unique<ControlPlaneTestServer>(std::move(options));
    ASSERT_TRUE(server_->ok()) << server_->error();
  }

  LoopbackHttpResponse Call(const std::string& method, const std::string& body,
                            const std::string& token,
                            const std::string& content_type = "application/json;charset=UTF-8") {
    http::HttpHeaders headers = {{"Content-Type", content_type}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return SendLoopbackHttpRequest(server_->port(), "POST", "/twirp/livekit.RoomService/" + method,
                                   headers, body);
  }

  // A JSON call that must succeed; returns the parsed answer.
  json CallOk(const std::string& method, const json& body, const VideoGrant& grant) {
    LoopbackHttpResponse response = Call(method, body.dump(), server_->Token(grant));
    EXPECT_EQ(response.status, 200) << method << ": " << response.body;
    EXPECT_EQ(response.Header("Content-Type").value_or(""), "application/json");
    json parsed = json::parse(response.body, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << response.body;
    return parsed;
  }

  template <typename Response, typename Request>
  Response CallProtobuf(const std::string& method, const Request& request,
                        const VideoGrant& grant) {
    LoopbackHttpResponse response =
        Call(method, request.SerializeAsString(), server_->Token(grant), "application/protobuf");
    EXPECT_EQ(response.status, 200) << method << ": " << response.body;
    EXPECT_EQ(response.Header("Content-Type").value_or(""), "application/protobuf");
    Response parsed;
    EXPECT_TRUE(parsed.ParseFromString(response.body));
    return parsed;
  }

  // Checks a Twirp error: status, JSON content type (the SDK parses only exactly that) and code.
  static void ExpectTwirpError(const LoopbackHttpResponse& response, int status,
                               const std::string& code) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.Header("Content-Type").value_or(""), "application/json");
    const json error = json::parse(response.body, nullptr, false);
    ASSERT_TRUE(error.is_object()) << response.body;
    EXPECT_EQ(error.value("code", ""), code) << response.body;
    EXPECT_FALSE(error.value("msg", "").empty()) << response.body;
  }

  std::unique_ptr<ControlPlaneTestServer> server_;
};

TEST_F(RoomServiceApiTest, CreateRoomInJsonAsTheSdkSendsIt) {
  // protobuf-es toJson(): lowerCamelCase, defaults left out.
  const json room = CallOk(
      "CreateRoom",
      {{"name", "standup"}, {"emptyTimeout", 30}, {"maxParticipants", 8}, {"metadata", "topic"}},
      CreateGrant());
  EXPECT_EQ(room["name"], "standup");
  EXPECT_TRUE(room["sid"].get<std::string>().starts_with("RM_"));
  EXPECT_EQ(room["empty_timeout"], 30);
  EXPECT_EQ(room["departure_timeout"], 20);  // the RoomControl's default: 0 meant "unset"
  EXPECT_EQ(room["max_participants"], 8);
  EXPECT_EQ(room["metadata"], "topic");
  EXPECT_EQ(room["creation_time"], "1700000000");  // int64 as a string (proto3 JSON)
  EXPECT_EQ(room["creation_time_ms"], "1700000000123");
  EXPECT_EQ(room["num_participants"], 0);

  // Idempotent: creating it again returns the same room.
  const json again = CallOk("CreateRoom", {{"name", "standup"}}, CreateGrant());
  EXPECT_EQ(again["sid"], room["sid"]);
}

TEST_F(RoomServiceApiTest, CreateAndListRoomsInProtobuf) {
  livekit::CreateRoomRequest create;
  create.set_name("binary");
  create.set_departure_timeout(7);
  const livekit::Room room = CallProtobuf<livekit::Room>("CreateRoom", create, CreateGrant());
  EXPECT_EQ(room.name(), "binary");
  EXPECT_EQ(room.departure_timeout(), 7u);
  EXPECT_EQ(room.creation_time(), 1700000000);

  server_->rooms().AddParticipant("other", Publisher("alice"));
  livekit::ListRoomsRequest list;
  const auto all = CallProtobuf<livekit::ListRoomsResponse>("ListRooms", list, ListGrant());
  ASSERT_EQ(all.rooms_size(), 2);
  list.add_names("other");
  const auto some = CallProtobuf<livekit::ListRoomsResponse>("ListRooms", list, ListGrant());
  ASSERT_EQ(some.rooms_size(), 1);
  EXPECT_EQ(some.rooms(0).name(), "other");
  EXPECT_EQ(some.rooms(0).num_participants(), 1u);
  EXPECT_EQ(some.rooms(0).num_publishers(), 1u);
}

TEST_F(RoomServiceApiTest, ListRoomsInJsonFiltersByName) {
  server_->rooms().AddParticipant("a", Publisher("alice"));
  server_->rooms().AddParticipant("b", Publisher("bob"));
  EXPECT_EQ(CallOk("ListRooms", json::object(), ListGrant())["rooms"].size(), 2u);
  const json some = CallOk("ListRooms", {{"names", {"b", "missing"}}}, ListGrant());
  ASSERT_EQ(some["rooms"].size(), 1u);
  EXPECT_EQ(some["rooms"][0]["name"], "b");
}

TEST_F(RoomServiceApiTest, DeleteRoom) {
  server_->rooms().AddParticipant("doomed", Publisher("alice"));
  EXPECT_EQ(CallOk("DeleteRoom", {{"room", "doomed"}}, CreateGrant()), json::object());
  EXPECT_TRUE(server_->rooms().ListRooms({"doomed"}).empty());
  ExpectTwirpError(Call("DeleteRoom", R"({"room":"doomed"})", server_->Token(CreateGrant())), 404,
                   "not_found");
  livekit::DeleteRoomRequest request;
  request.set_room("doomed");
  ExpectTwirpError(Call("DeleteRoom", request.SerializeAsString(), server_->Token(CreateGrant()),
                        "application/protobuf"),
                   404, "not_found");
}

TEST_F(RoomServiceApiTest, ListAndGetParticipantsCarryTracksAndLayers) {
  server_->rooms().AddParticipant("r", Publisher("alice"));
  server_->rooms().AddParticipant("r", Publisher("bob"));
  const json list = CallOk("ListParticipants", {{"room", "r"}}, AdminGrant("r"));
  ASSERT_EQ(list["participants"].size(), 2u);

  const json alice =
      CallOk("GetParticipant", {{"room", "r"}, {"identity", "alice"}}, AdminGrant("r"));
  EXPECT_EQ(alice["identity"], "alice");
  EXPECT_EQ(alice["name"], "alice (name)");
  EXPECT_EQ(alice["metadata"], "{\"role\":\"speaker\"}");
  EXPECT_EQ(alice["state"], "ACTIVE");
  EXPECT_EQ(alice["kind"], "STANDARD");
  EXPECT_EQ(alice["joined_at"], "1700000100");
  EXPECT_EQ(alice["joined_at_ms"], "1700000100250");
  EXPECT_EQ(alice["version"], 3);
  EXPECT_EQ(alice["is_publisher"], true);
  EXPECT_EQ(alice["permission"]["can_publish"], true);
  EXPECT_EQ(alice["permission"]["can_publish_sources"], json({"CAMERA", "MICROPHONE"}));
  ASSERT_EQ(alice["tracks"].size(), 2u);
  const json& audio = alice["tracks"][0];
  EXPECT_EQ(audio["type"], "AUDIO");
  EXPECT_EQ(audio["source"], "MICROPHONE");
  EXPECT_EQ(audio["mime_type"], "audio/opus");
  const json& video = alice["tracks"][1];
  EXPECT_EQ(video["sid"], "TR_video_alice");
  EXPECT_EQ(video["type"], "VIDEO");
  EXPECT_EQ(video["source"], "CAMERA");
  EXPECT_EQ(video["width"], 1280);
  EXPECT_EQ(video["height"], 720);
  EXPECT_EQ(video["simulcast"], true);
  EXPECT_EQ(video["mid"], "1");
  ASSERT_EQ(video["layers"].size(), 3u);
  EXPECT_EQ(video["layers"][1]["quality"], "MEDIUM");
  EXPECT_EQ(video["layers"][1]["width"], 640);
  EXPECT_EQ(video["layers"][1]["height"], 360);
  EXPECT_EQ(video["layers"][1]["bitrate"], 500000);
  EXPECT_EQ(video["layers"][1]["ssrc"], 2222);
  EXPECT_EQ(video["layers"][1]["rid"], "h");
  ASSERT_EQ(video["codecs"].size(), 1u);
  EXPECT_EQ(video["codecs"][0]["mime_type"], "video/VP8");
  EXPECT_EQ(video["codecs"][0]["layers"].size(), 3u);

  livekit::RoomParticipantIdentity request;
  request.set_room("r");
  request.set_identity("bob");
  const auto bob =
      CallProtobuf<livekit::ParticipantInfo>("GetParticipant", request, AdminGrant("r"));
  EXPECT_EQ(bob.identity(), "bob");
  ASSERT_EQ(bob.tracks_size(), 2);
  EXPECT_EQ(bob.tracks(1).layers(2).width(), 1280u);
  EXPECT_EQ(bob.tracks(1).layers(2).quality(), livekit::HIGH);

  livekit::ListParticipantsRequest list_request;
  list_request.set_room("r");
  EXPECT_EQ(CallProtobuf<livekit::ListParticipantsResponse>("ListParticipants", list_request,
                                                            AdminGrant("r"))
                .participants_size(),
            2);

  ExpectTwirpError(Call("GetParticipant", R"({"room":"r","identity":"nobody"})",
                        server_->Token(AdminGrant("r"))),
                   404, "not_found");
  ExpectTwirpError(
      Call("ListParticipants", R"({"room":"gone"})", server_->Token(AdminGrant("gone"))), 404,
      "not_found");
}

TEST_F(RoomServiceApiTest, RemoveParticipant) {
  server_->rooms().AddParticipant("r", Publisher("alice"));
  EXPECT_EQ(CallOk("RemoveParticipant", {{"room", "r"}, {"identity", "alice"}}, AdminGrant("r")),
            json::object());
  EXPECT_FALSE(server_->rooms().HasParticipant("r", "alice"));
  ExpectTwirpError(Call("RemoveParticipant", R"({"room":"r","identity":"alice"})",
                        server_->Token(AdminGrant("r"))),
                   404, "not_found");
  ExpectTwirpError(Call("RemoveParticipant", R"({"room":"r"})", server_->Token(AdminGrant("r"))),
                   400, "invalid_argument");
}

TEST_F(RoomServiceApiTest, MutePublishedTrack) {
  server_->rooms().AddParticipant("r", Publisher("alice"));
  const json muted = CallOk(
      "MutePublishedTrack",
      {{"room", "r"}, {"identity", "alice"}, {"trackSid", "TR_video_alice"}, {"muted", true}},
      AdminGrant("r"));
  EXPECT_EQ(muted["track"]["sid"], "TR_video_alice");
  EXPECT_EQ(muted["track"]["muted"], true);
  EXPECT_TRUE(server_->rooms().GetParticipant("r", "alice")->tracks[1].muted);

  livekit::MuteRoomTrackRequest unmute;
  unmute.set_room("r");
  unmute.set_identity("alice");
  unmute.set_track_sid("TR_video_alice");
  unmute.set_muted(false);
  const auto answer =
      CallProtobuf<livekit::MuteRoomTrackResponse>("MutePublishedTrack", unmute, AdminGrant("r"));
  EXPECT_FALSE(answer.track().muted());
  EXPECT_EQ(answer.track().type(), livekit::VIDEO);

  ExpectTwirpError(Call("MutePublishedTrack",
                        R"({"room":"r","identity":"alice","trackSid":"TR_nope","muted":true})",
                        server_->Token(AdminGrant("r"))),
                   404, "not_found");
}

TEST_F(RoomServiceApiTest, UpdateParticipant) {
  server_->rooms().AddParticipant("r", Publisher("alice"));
  const json updated = CallOk("UpdateParticipant",
                              {{"room", "r"},
                               {"identity", "alice"},
                               {"metadata", "new"},
                               {"name", "Alice"},
                               {"permission",
                                {{"canSubscribe", true},
                                 {"canPublish", false},
                                 {"canPublishData", true},
                                 {"canPublishSources", {"SCREEN_SHARE"}}}}},
                              AdminGrant("r"));
  EXPECT_EQ(updated["metadata"], "new");
  EXPECT_EQ(updated["name"], "Alice");
  EXPECT_EQ(updated["permission"]["can_publish"], false);
  EXPECT_EQ(updated["permission"]["can_subscribe"], true);
  EXPECT_EQ(updated["permission"]["can_publish_sources"], json({"SCREEN_SHARE"}));
  EXPECT_EQ(updated["version"], 4);

  // Empty strings and no permission leave the participant as it is.
  livekit::UpdateParticipantRequest request;
  request.set_room("r");
  request.set_identity("alice");
  const auto same =
      CallProtobuf<livekit::ParticipantInfo>("UpdateParticipant", request, AdminGrant("r"));
  EXPECT_EQ(same.metadata(), "new");
  EXPECT_EQ(same.name(), "Alice");
  EXPECT_FALSE(same.permission().can_publish());

  ExpectTwirpError(
      Call("UpdateParticipant", R"({"room":"r","identity":"alice","attributes":{"a":"b"}})",
           server_->Token(AdminGrant("r"))),
      501, "unimplemented");
  ExpectTwirpError(
      Call("UpdateParticipant",
           R"({"room":"r","identity":"alice","metadata":")" + std::string(65, 'x') + R"("})",
           server_->Token(AdminGrant("r"))),
      400, "invalid_argument");
}

TEST_F(RoomServiceApiTest, UpdateRoomMetadata) {
  server_->rooms().AddParticipant("r", Publisher("alice"));
  const json room =
      CallOk("UpdateRoomMetadata", {{"room", "r"}, {"metadata", "agenda"}}, AdminGrant("r"));
  EXPECT_EQ(room["metadata"], "agenda");
  EXPECT_EQ(room["num_participants"], 1);
  livekit::UpdateRoomMetadataRequest request;
  request.set_room("r");
  request.set_metadata("binary agenda");
  EXPECT_EQ(CallProtobuf<livekit::Room>("UpdateRoomMetadata", request, AdminGrant("r")).metadata(),
            "binary agenda");
  ExpectTwirpError(Call("UpdateRoomMetadata", R"({"room":"gone","metadata":"x"})",
                        server_->Token(AdminGrant("gone"))),
                   404, "not_found");
}

TEST_F(RoomServiceApiTest, SendData) {
  server_->rooms().AddParticipant("r", Publisher("alice"));
  server_->rooms().AddParticipant("r", Publisher("bob"));
  // bytes are base64 in proto3 JSON; kind LOSSY; the SDK adds a random nonce.
  EXPECT_EQ(CallOk("SendData",
                   {{"room", "r"},
                    {"data", "aGVsbG8="},
                    {"kind", "LOSSY"},
                    {"destinationIdentities", {"bob"}},
                    {"topic", "chat"},
                    {"nonce", "AAECAwQFBgcICQoLDA0ODw=="}},
                   AdminGrant("r")),
            json::object());
  livekit::SendDataRequest request;
  request.set_room("r");
  request.set_data(std::string("\x00\x01\x02", 3));
  request.set_kind(livekit::DataPacket_Kind_RELIABLE);
  const std::string alice_sid = server_->rooms().GetParticipant("r", "alice")->sid;
  request.add_destination_sids(alice_sid);
  CallProtobuf<livekit::SendDataResponse>("SendData", request, AdminGrant("r"));

  const auto sent = server_->rooms().sent_data();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(std::string(sent[0].payload.begin(), sent[0].payload.end()), "hello");
  EXPECT_FALSE(sent[0].reliable);
  EXPECT_EQ(sent[0].destination_identities, std::vector<std::string>{"bob"});
  EXPECT_EQ(sent[0].topic, "chat");
  EXPECT_EQ(sent[1].payload, (std::vector<uint8_t>{0, 1, 2}));
  EXPECT_TRUE(sent[1].reliable);
  EXPECT_EQ(sent[1].destination_identities, std::vector<std::string>{"alice"});
  EXPECT_EQ(sent[1].topic, "");
}

TEST_F(RoomServiceApiTest, UnsupportedMethodsAnswerUnimplemented) {
  server_->rooms().AddParticipant("r", Publisher("alice"));
  for (const char* method : {"UpdateSubscriptions", "ForwardParticipant", "MoveParticipant"}) {
    ExpectTwirpError(
        Call(method, R"({"room":"r","identity":"alice"})", server_->Token(AdminGrant("r"))), 501,
        "unimplemented");
    // The permission check comes first.
    ExpectTwirpError(
        Call(method, R"({"room":"r","identity":"alice"})", server_->Token(AdminGrant("other"))),
        403, "permission_denied");
  }
}

TEST_F(RoomServiceApiTest, RefusesMissingAndInvalidTokens) {
  server_->rooms().AddParticipant("r", Publisher("alice"));
  ExpectTwirpError(Call("ListRooms", "{}", ""), 401, "unauthenticated");
  ExpectTwirpError(Call("ListRooms", "{}", "not.a.token"), 401, "unauthenticated");
  ExpectTwirpError(Call("ListRooms", "{}", server_->ForgedToken(ListGrant())), 401,
                   "unauthenticated");
  // Issued two hours ago for ten minutes.
  ExpectTwirpError(Call("ListRooms", "{}", server_->Token(ListGrant(), "admin", -7200, 600)), 401,
                   "unauthenticated");
  // Not a Bearer credential.
  LoopbackHttpResponse basic = SendLoopbackHttpRequest(
      server_->port(), "POST", "/twirp/livekit.RoomService/ListRooms",
      {{"Content-Type", "application/json"}, {"Authorization", "Basic YTpi"}}, "{}");
  ExpectTwirpError(basic, 401, "unauthenticated");
  // A token under a key the server does not know.
  auto stranger = AccessTokenIssuer::Create("APIunknown", "some-other-secret-0123456789");
  ASSERT_TRUE(stranger.ok());
  ClaimGrants grants;
  grants.video = ListGrant();
  ExpectTwirpError(Call("ListRooms", "{}", *(*stranger)->Issue(grants, UnixTimeSeconds())), 401,
                   "unauthenticated");
}

TEST_F(RoomServiceApiTest, ChecksGrantsAsLiveKitDoes) {
  server_->rooms().AddParticipant("r", Publisher("alice"));
  const std::string admin_r = server_->Token(AdminGrant("r"));
  // roomCreate for CreateRoom/DeleteRoom, roomList for ListRooms: roomAdmin is not enough.
  ExpectTwirpError(Call("CreateRoom", R"({"name":"x"})", admin_r), 403, "permission_denied");
  ExpectTwirpError(Call("DeleteRoom", R"({"room":"r"})", admin_r), 403, "permission_denied");
  ExpectTwirpError(Call("ListRooms", "{}", admin_r), 403, "permission_denied");
  ExpectTwirpError(Call("ListRooms", "{}", server_->Token(CreateGrant())), 403,
                   "permission_denied");
  // roomAdmin must be for the room the request names.
  const std::string admin_other = server_->Token(AdminGrant("other"));
  ExpectTwirpError(Call("ListParticipants", R"({"room":"r"})", admin_other), 403,
                   "permission_denied");
  ExpectTwirpError(Call("GetParticipant", R"({"room":"r","identity":"alice"})", admin_other), 403,
                   "permission_denied");
  ExpectTwirpError(Call("RemoveParticipant", R"({"room":"r","identity":"alice"})", admin_other),
                   403, "permission_denied");
  ExpectTwirpError(Call("SendData", R"({"room":"r","data":"AA=="})", admin_other), 403,
                   "permission_denied");
  ExpectTwirpError(Call("UpdateRoomMetadata", R"({"room":"r","metadata":"m"})", admin_other), 403,
                   "permission_denied");
  VideoGrant join_only;
  join_only.room_join = true;
  join_only.room = "r";
  ExpectTwirpError(Call("ListParticipants", R"({"room":"r"})", server_->Token(join_only)), 403,
                   "permission_denied");
  ExpectTwirpError(Call("ListParticipants", R"({"room":"r"})", server_->Token(CreateGrant())), 403,
                   "permission_denied");
  EXPECT_TRUE(server_->rooms().HasParticipant("r", "alice"));
}

TEST_F(RoomServiceApiTest, RefusesBadRequests) {
  const std::string token = server_->Token(CreateGrant());
  ExpectTwirpError(Call("CreateRoom", "{not json", token), 400, "malformed");
  ExpectTwirpError(Call("CreateRoom", "\xff\xff\xff", token, "application/protobuf"), 400,
                   "malformed");
  ExpectTwirpError(Call("CreateRoom", R"({"name":""})", token), 400, "invalid_argument");
  ExpectTwirpError(
      Call("CreateRoom", R"({"name":"x","metadata":")" + std::string(65, 'm') + R"("})", token),
      400, "invalid_argument");
  ExpectTwirpError(Call("CreateRoom", R"({"name":"x"})", token, "text/plain"), 404, "bad_route");
  ExpectTwirpError(Call("NoSuchMethod", "{}", token), 404, "bad_route");
  ExpectTwirpError(
      SendLoopbackHttpRequest(server_->port(), "POST", "/twirp/livekit.EgressService/ListEgress",
                              {{"Content-Type", "application/json"}}, "{}"),
      404, "bad_route");
  ExpectTwirpError(
      SendLoopbackHttpRequest(server_->port(), "GET", "/twirp/livekit.RoomService/ListRooms"), 404,
      "bad_route");
  // Unknown fields are ignored, as Twirp's Go server does.
  EXPECT_EQ(CallOk("CreateRoom", {{"name", "x"}, {"futureField", 1}}, CreateGrant())["name"], "x");
}

TEST_F(RoomServiceApiTest, DevHookLimitsSubscriberBandwidth) {
  server_->rooms().AddParticipant("r", Publisher("bob"));
  const auto hook = [&](const std::string& body, const std::string& token) {
    return SendLoopbackHttpRequest(
        server_->port(), "POST", "/debug/limit-subscriber-bandwidth",
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}}, body);
  };
  const std::string admin = server_->Token(AdminGrant("r"));
  LoopbackHttpResponse limited = hook(R"({"room":"r","identity":"bob","kbps":300})", admin);
  EXPECT_EQ(limited.status, 200) << limited.body;
  EXPECT_EQ(json::parse(limited.body)["kbps"], 300);
  EXPECT_EQ(server_->rooms().bandwidth_limits().at("r/bob"), 300);
  EXPECT_EQ(hook(R"({"room":"r","identity":"bob","kbps":0})", admin).status, 200);
  EXPECT_EQ(server_->rooms().bandwidth_limits().at("r/bob"), 0);

  ExpectTwirpError(
      hook(R"({"room":"r","identity":"bob","kbps":300})", server_->Token(AdminGrant("other"))), 403,
      "permission_denied");
  ExpectTwirpError(hook(R"({"room":"r","identity":"bob","kbps":300})", ""), 401, "unauthenticated");
  ExpectTwirpError(hook(R"({"room":"r","identity":"bob","kbps":-1})", admin), 400,
                   "invalid_argument");
  ExpectTwirpError(hook(R"({"room":"r","identity":"bob","kbps":"300"})", admin), 400,
                   "invalid_argument");
  ExpectTwirpError(hook(R"({"room":"r","kbps":300})", admin), 400, "invalid_argument");
  ExpectTwirpError(hook("[1,2", admin), 400, "malformed");
  ExpectTwirpError(hook(R"({"room":"r","identity":"carol","kbps":300})", admin), 404, "not_found");
}

TEST(RoomServiceApiDevHooksTest, AbsentUnlessRegistered) {
  ControlPlaneTestOptions options;
  options.dev_hooks = false;
  ControlPlaneTestServer server(std::move(options));
  ASSERT_TRUE(server.ok()) << server.error();
  VideoGrant grant = AdminGrant("r");
  const LoopbackHttpResponse response =
      SendLoopbackHttpRequest(server.port(), "POST", "/debug/limit-subscriber-bandwidth",
                              {{"Authorization", "Bearer " + server.Token(grant)}},
                              R"({"room":"r","identity":"b","kbps":1})");
  EXPECT_EQ(response.status, 404);
}

TEST(RoomServiceApiCreateTest, NeedsItsCollaborators) {
  InMemoryRoomControl rooms;
  EXPECT_FALSE(RoomServiceApi::Create(&rooms, nullptr).ok());
  EXPECT_FALSE(RoomServiceApi::Create(nullptr, nullptr).ok());
}

}  // namespace
}  // namespace auralink::signal
