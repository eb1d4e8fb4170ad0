// Tokens cross between us and livekit-server-sdk 2.19.2 (AccessToken, TokenVerifier) in both
// directions. Runs node with access_token_interop.mjs; skips when node or
// tests/livekit/node_modules is absent.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "signal/auth/access_token_issuer.h"
#include "signal/auth/access_token_verifier.h"

namespace auralink::signal {
namespace {

class AccessTokenInteropTest : public testing::Test {
 protected:
  void SetUp() override {
    const std::filesystem::path source = AURALINK_SOURCE_DIR;
    node_modules_ = source / "tests/livekit/node_modules";
    script_ = source / "src/signal/auth/access_token_interop.mjs";
    if (std::system("command -v node >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not on PATH";
    if (!std::filesystem::exists(node_modules_ / "livekit-server-sdk/dist/index.js")) {
      GTEST_SKIP() << "no livekit-server-sdk in " << node_modules_ << " (npm ci in tests/livekit)";
    }
  }

  // Arguments are tokens and fixed keys: base64url and plain words, safe inside single quotes.
  std::string RunNode(const std::string& arguments) {
    const std::string command =
        "node '" + script_.string() + "' '" + node_modules_.string() + "' " + arguments;
    std::string output;
    if (FILE* pipe = popen(command.c_str(), "r")) {
      char buffer[4096];
      size_t n;
      while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
      EXPECT_EQ(pclose(pipe), 0) << command;
    }
    return output;
  }

  std::filesystem::path node_modules_;
  std::filesystem::path script_;
};

TEST_F(AccessTokenInteropTest, WeVerifyLivekitServerSdkTokens) {
  const std::string token = RunNode("issue devkey secret");
  ASSERT_FALSE(token.empty());
  auto keys = StaticApiKeyProvider::Create({{"devkey", "secret"}});
  ASSERT_TRUE(keys.ok());
  auto verifier = AccessTokenVerifier::Create(std::move(keys).value());
  ASSERT_TRUE(verifier.ok());
  const int64_t now = std::time(nullptr);
  const auto grants = (*verifier)->Verify(token, now);
  ASSERT_TRUE(grants.ok()) << grants.error().message;
  EXPECT_EQ(grants->api_key, "devkey");
  EXPECT_EQ(grants->identity, "alice");
  EXPECT_EQ(grants->name, "Alice A.");
  EXPECT_EQ(grants->metadata, "{\"team\":\"media\"}");
  EXPECT_EQ(grants->attributes.at("role"), "host");
  EXPECT_EQ(grants->attributes.at("floor"), "3");
  EXPECT_EQ(grants->kind, "standard");
  EXPECT_EQ(grants->sha256, "c2hhMjU2");
  EXPECT_EQ(grants->expires_at_s - grants->not_before_s, 600);
  EXPECT_LE(std::llabs(grants->not_before_s - now), 60);
  ASSERT_TRUE(grants->video);
  const VideoGrant& video = *grants->video;
  EXPECT_TRUE(video.CanJoin("standup"));
  EXPECT_TRUE(video.CanAdminister("standup"));
  EXPECT_TRUE(video.CanPublish());
  EXPECT_FALSE(video.CanSubscribe());
  EXPECT_FALSE(video.CanPublishData());
  EXPECT_TRUE(video.CanPublishSource("camera"));
  EXPECT_TRUE(video.CanPublishSource("microphone"));
  EXPECT_FALSE(video.CanPublishSource("screen_share"));
  EXPECT_TRUE(video.CanUpdateOwnMetadata());
  EXPECT_TRUE(video.hidden);
  EXPECT_FALSE(video.room_create);

  // The same token under another secret, or after expiry, is refused.
  auto other_keys = StaticApiKeyProvider::Create({{"devkey", "not-the-secret"}});
  ASSERT_TRUE(other_keys.ok());
  auto other = AccessTokenVerifier::Create(std::move(other_keys).value());
  ASSERT_TRUE(other.ok());
  const auto forged = (*other)->Verify(token, now);
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().kind, AuthErrorKind::kBadSignature);
  const auto late = (*verifier)->Verify(token, grants->expires_at_s + 3600);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().kind, AuthErrorKind::kExpired);
}

TEST_F(AccessTokenInteropTest, LivekitServerSdkVerifiesOurTokens) {
  auto issuer = AccessTokenIssuer::Create("APIauralink", "a-secret-of-at-least-32-characters!!");
  ASSERT_TRUE(issuer.ok());
  ClaimGrants grants;
  grants.identity = "bob";
  grants.name = "Bob B.";
  grants.metadata = "m";
  grants.attributes = {{"k", "v"}};
  grants.kind = "agent";
  VideoGrant video;
  video.room_join = true;
  video.room = "standup";
  video.can_publish = false;
  video.can_publish_sources = {"microphone"};
  video.agent = true;
  grants.video = video;
  const int64_t now = std::time(nullptr);
  const auto token = (*issuer)->Issue(grants, now, 300);
  ASSERT_TRUE(token.ok());

  const auto payload = nlohmann::json::parse(
      RunNode("verify APIauralink 'a-secret-of-at-least-32-characters!!' '" + *token + "'"),
      nullptr, false);
  ASSERT_TRUE(payload.is_object()) << payload.dump();
  ASSERT_FALSE(payload.contains("error")) << payload.dump();
  EXPECT_EQ(payload.at("iss"), "APIauralink");
  EXPECT_EQ(payload.at("sub"), "bob");
  EXPECT_EQ(payload.at("name"), "Bob B.");
  EXPECT_EQ(payload.at("metadata"), "m");
  EXPECT_EQ(payload.at("attributes").at("k"), "v");
  EXPECT_EQ(payload.at("kind"), "agent");
  EXPECT_EQ(payload.at("nbf"), now);
  EXPECT_EQ(payload.at("exp"), now + 300);
  const auto& v = payload.at("video");
  EXPECT_EQ(v.at("roomJoin"), true);
  EXPECT_EQ(v.at("room"), "standup");
  EXPECT_EQ(v.at("canPublish"), false);
  EXPECT_EQ(v.at("canPublishSources"), nlohmann::json::array({"microphone"}));
  EXPECT_EQ(v.at("agent"), true);

  // And it refuses ours under the wrong secret, so the acceptance above means something.
  const auto refused = nlohmann::json::parse(
      RunNode("verify APIauralink wrong-secret '" + *token + "'"), nullptr, false);
  ASSERT_TRUE(refused.is_object());
  EXPECT_TRUE(refused.contains("error")) << refused.dump();
}

}  // namespace
}  // namespace auralink::signal
