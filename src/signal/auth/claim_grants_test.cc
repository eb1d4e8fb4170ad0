#include "signal/auth/claim_grants.h"

#include <gtest/gtest.h>

namespace auralink::signal {
namespace {

using nlohmann::json;

TEST(ClaimGrantsTest, ReadsLivekitClaims) {
  const json payload = json::parse(R"({
    "iss": "devkey", "sub": "alice", "nbf": 1700000000, "exp": 1700021600.5, "jti": "x",
    "name": "Alice", "metadata": "{\"a\":1}", "attributes": {"role": "host"}, "kind": "agent",
    "sha256": "abc", "roomPreset": "p", "roomConfig": {"name": "r", "emptyTimeout": 10},
    "sip": {"admin": true},
    "video": {"roomJoin": true, "room": "standup", "canPublish": false, "canSubscribe": true,
              "canPublishSources": ["camera", "microphone"], "hidden": true,
              "canUpdateOwnMetadata": true, "roomAdmin": true, "agent": true,
              "destinationRoom": "other", "futureGrant": 5}
  })");
  const auto grants = ClaimGrantsFromJwtPayload(payload);
  ASSERT_TRUE(grants.ok()) << grants.status().message();
  EXPECT_EQ(grants->api_key, "devkey");
  EXPECT_EQ(grants->identity, "alice");
  EXPECT_EQ(grants->not_before_s, 1700000000);
  EXPECT_EQ(grants->expires_at_s, 1700021600);
  EXPECT_EQ(grants->name, "Alice");
  EXPECT_EQ(grants->metadata, "{\"a\":1}");
  EXPECT_EQ(grants->attributes.at("role"), "host");
  EXPECT_EQ(grants->kind, "agent");
  EXPECT_EQ(grants->sha256, "abc");
  EXPECT_EQ(grants->room_preset, "p");
  EXPECT_EQ(grants->room_config.at("emptyTimeout"), 10);
  ASSERT_TRUE(grants->video);
  const VideoGrant& video = *grants->video;
  EXPECT_TRUE(video.CanJoin("standup"));
  EXPECT_FALSE(video.CanJoin("other"));
  EXPECT_TRUE(video.CanAdminister("standup"));
  EXPECT_FALSE(video.CanPublish());
  EXPECT_FALSE(video.CanPublishSource("camera"));  // canPublish false wins over the source list
  EXPECT_TRUE(video.CanSubscribe());
  EXPECT_TRUE(video.CanPublishData());  // unset
  EXPECT_TRUE(video.CanUpdateOwnMetadata());
  EXPECT_TRUE(video.hidden);
  EXPECT_TRUE(video.agent);
  EXPECT_FALSE(video.room_create);
  EXPECT_EQ(video.destination_room, "other");
}

TEST(ClaimGrantsTest, UnsetGrantsHaveLivekitDefaults) {
  VideoGrant video;
  EXPECT_TRUE(video.CanPublish());
  EXPECT_TRUE(video.CanSubscribe());
  EXPECT_TRUE(video.CanPublishData());
  EXPECT_FALSE(video.CanUpdateOwnMetadata());
  EXPECT_TRUE(video.CanPublishSource("screen_share"));
  video.can_publish_sources = {"microphone"};
  EXPECT_TRUE(video.CanPublishSource("microphone"));
  EXPECT_FALSE(video.CanPublishSource("camera"));
  EXPECT_FALSE(video.CanJoin(""));  // roomJoin not granted, even for the empty room name
}

TEST(ClaimGrantsTest, PayloadRoundTrips) {
  ClaimGrants grants;
  grants.api_key = "k";
  grants.identity = "bob";
  grants.name = "Bob";
  grants.attributes = {{"a", "1"}, {"b", "2"}};
  grants.kind = "standard";
  grants.not_before_s = 10;
  grants.expires_at_s = 20;
  grants.room_config = json{{"name", "r"}};
  VideoGrant video;
  video.room_join = true;
  video.room = "r";
  video.can_publish = true;
  video.can_subscribe = false;
  video.can_publish_data = false;
  video.can_publish_sources = {"camera"};
  video.recorder = true;
  grants.video = video;
  const json payload = ClaimGrantsToJwtPayload(grants);
  EXPECT_EQ(payload.at("video").at("canSubscribe"), false);
  EXPECT_FALSE(payload.at("video").contains("roomAdmin"));  // unset grants are left out
  EXPECT_FALSE(payload.contains("metadata"));
  const auto read = ClaimGrantsFromJwtPayload(payload);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(*read, grants);
}

TEST(ClaimGrantsTest, WrongTypesAreErrorsNamingTheClaim) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"sub": 5})", "\"sub\""},
      {R"({"exp": "tomorrow"})", "\"exp\""},
      {R"({"exp": -1})", "\"exp\""},
      {R"({"exp": 1e300})", "\"exp\""},
      {R"({"attributes": {"a": 1}})", "attributes.a"},
      {R"({"attributes": []})", "\"attributes\""},
      {R"({"video": []})", "\"video\""},
      {R"({"video": {"roomJoin": "yes"}})", "video.roomJoin"},
      {R"({"video": {"canPublish": 1}})", "video.canPublish"},
      {R"({"video": {"room": {}}})", "video.room"},
      {R"({"video": {"canPublishSources": [1]}})", "video.canPublishSources"},
      {R"({"roomConfig": "x"})", "\"roomConfig\""},
  };
  for (const auto& [text, name] : cases) {
    const auto grants = ClaimGrantsFromJwtPayload(json::parse(text));
    ASSERT_FALSE(grants.ok()) << text;
    EXPECT_NE(grants.status().message().find(name), std::string::npos)
        << text << " -> " << grants.status().message();
  }
  EXPECT_FALSE(ClaimGrantsFromJwtPayload(json::array()).ok());
}

}  // namespace
}  // namespace auralink::signal
