#include "signal/api/rtc_join_admission.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "signal/api/control_plane_test_server.h"
#include "signal/api/loopback_http_client.h"
#include "signal/api/request_token.h"
#include "signal/auth/api_key_provider.h"
#include "signal/auth/base64_url.h"
#include "signal/auth/hmac_sha256.h"
#include "signal/protocol/wrapped_join_request.h"

namespace auralink::signal {
namespace {

VideoGrant JoinGrant(const std::string& room) {
  VideoGrant grant;
  grant.room_join = true;
  grant.room = room;
  return grant;
}

// Signs `payload` with the test key by hand, for claims the issuer refuses to write.
std::string SignedToken(const nlohmann::json& payload) {
  const std::string signing_input = Base64UrlEncode(std::string(R"({"alg":"HS256","typ":"JWT"})")) +
                                    "." + Base64UrlEncode(payload.dump());
  const auto digest = HmacSha256(kTestApiSecret, signing_input);
  return signing_input + "." + Base64UrlEncode(std::span<const uint8_t>(*digest));
}

class RtcJoinAdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto keys = StaticApiKeyProvider::Create({{kTestApiKey, kTestApiSecret}});
    ASSERT_TRUE(keys.ok());
    auto verifier =
        AccessTokenVerifier::Create(std::shared_ptr<const ApiKeyProvider>(std::move(keys).value()));
    ASSERT_TRUE(verifier.ok());
    verifier_ = std::move(verifier).value();
    auto issuer = AccessTokenIssuer::Create(kTestApiKey, kTestApiSecret);
    ASSERT_TRUE(issuer.ok());
    issuer_ = std::move(issuer).value();
  }

  std::string Token(const VideoGrant& grant, int64_t issued_at_s,
                    const std::string& identity = "alice") {
    ClaimGrants grants;
    grants.identity = identity;
    grants.name = "Alice";
    grants.video = grant;
    return *issuer_->Issue(grants, issued_at_s, 600);
  }

  static constexpr int64_t kNow = 1750000000;
  std::unique_ptr<AccessTokenVerifier> verifier_;
  std::unique_ptr<AccessTokenIssuer> issuer_;
};

TEST_F(RtcJoinAdmissionTest, AdmitsAJoinTokenAndReturnsItsGrants) {
  const RtcJoinAdmission admission =
      CheckRtcJoin(Token(JoinGrant("standup"), kNow), *verifier_, RtcJoinPolicy{}, kNow);
  EXPECT_TRUE(admission.admitted());
  EXPECT_EQ(admission.http_status, 200);
  EXPECT_EQ(admission.message, "success");
  EXPECT_EQ(admission.room, "standup");
  EXPECT_EQ(admission.grants.identity, "alice");
  EXPECT_EQ(admission.grants.name, "Alice");
}

TEST_F(RtcJoinAdmissionTest, RefusesBadTokensWith401) {
  for (const std::string& token :
       {std::string(), std::string("garbage"), Token(JoinGrant("r"), kNow - 7200)}) {
    const RtcJoinAdmission admission = CheckRtcJoin(token, *verifier_, RtcJoinPolicy{}, kNow);
    EXPECT_EQ(admission.http_status, 401) << token;
    EXPECT_FALSE(admission.message.empty());
    EXPECT_FALSE(admission.admitted());
  }
  // Not yet valid: issued an hour from now.
  EXPECT_EQ(CheckRtcJoin(Token(JoinGrant("r"), kNow + 3600), *verifier_, {}, kNow).http_status,
            401);
  // Signed with another secret.
  auto forger = AccessTokenIssuer::Create(kTestApiKey, "the-wrong-secret-0123456789");
  ClaimGrants grants;
  grants.identity = "alice";
  grants.video = JoinGrant("r");
  EXPECT_EQ(CheckRtcJoin(*(*forger)->Issue(grants, kNow), *verifier_, {}, kNow).http_status, 401);
}

TEST_F(RtcJoinAdmissionTest, RefusesTokensWithoutAJoinGrantWith403) {
  VideoGrant admin;
  admin.room_admin = true;
  admin.room = "r";
  RtcJoinAdmission admission = CheckRtcJoin(Token(admin, kNow), *verifier_, {}, kNow);
  EXPECT_EQ(admission.http_status, 403);
  EXPECT_NE(admission.message.find("permissions denied"), std::string::npos);
  EXPECT_EQ(CheckRtcJoin(Token(JoinGrant(""), kNow), *verifier_, {}, kNow).http_status, 403);
}

TEST_F(RtcJoinAdmissionTest, RefusesATokenWithoutIdentityWith400) {
  const std::string token = SignedToken({{"iss", kTestApiKey},
                                         {"nbf", kNow},
                                         {"exp", kNow + 600},
                                         {"video", {{"roomJoin", true}, {"room", "r"}}}});
  const RtcJoinAdmission admission = CheckRtcJoin(token, *verifier_, {}, kNow);
  EXPECT_EQ(admission.http_status, 400) << admission.message;
}

TEST_F(RtcJoinAdmissionTest, MissingRoomIs404OnlyWithoutAutoCreate) {
  RtcJoinPolicy policy;
  policy.auto_create_rooms = false;
  policy.room_exists = [](const std::string& room) { return room == "exists"; };
  const RtcJoinAdmission missing =
      CheckRtcJoin(Token(JoinGrant("nope"), kNow), *verifier_, policy, kNow);
  EXPECT_EQ(missing.http_status, 404);
  EXPECT_EQ(missing.message, kRoomNotFoundMessage);
  EXPECT_TRUE(CheckRtcJoin(Token(JoinGrant("exists"), kNow), *verifier_, policy, kNow).admitted());
  policy.auto_create_rooms = true;
  EXPECT_TRUE(CheckRtcJoin(Token(JoinGrant("nope"), kNow), *verifier_, policy, kNow).admitted());
}

// Over HTTP, with a stand-in /rtc WebSocket route registered as the signalling layer will.
TEST(RtcValidateRoutesTest, AnswersAsLiveKitClientExpects) {
  ControlPlaneTestOptions options;
  options.join_policy.auto_create_rooms = false;
  ControlPlaneTestServer server(std::move(options));
  ASSERT_TRUE(server.ok()) << server.error();
  server.rooms().AddParticipant("exists", {});
  const auto validate = [&](const std::string& path, const std::string& token) {
    return SendLoopbackHttpRequest(server.port(), "GET",
                                   path + "?access_token=" + token + "&auto_subscribe=1&sdk=js");
  };

  LoopbackHttpResponse ok = validate("/rtc/validate", server.Token(JoinGrant("exists"), "alice"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "success");
  // livekit-client fetches it cross-origin.
  EXPECT_EQ(ok.Header("Access-Control-Allow-Origin").value_or(""), "*");

  LoopbackHttpResponse missing =
      validate("/rtc/validate", server.Token(JoinGrant("nope"), "alice"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("requested room does not exist"), std::string::npos);

  EXPECT_EQ(validate("/rtc/validate", server.Token(JoinGrant("exists"), "alice", -7200)).status,
            401);
  EXPECT_EQ(validate("/rtc/validate", server.ForgedToken(JoinGrant("exists"))).status, 401);
  EXPECT_EQ(validate("/rtc/validate", "").status, 401);
  VideoGrant no_join;
  no_join.room = "exists";
  EXPECT_EQ(validate("/rtc/validate", server.Token(no_join, "alice")).status, 403);
}

// livekit-client 2.23 signals on /rtc/v1 first and asks /rtc/v1/validate when the upgrade fails:
// it answers as /rtc/validate does, and 400 for a join_request that does not decode.
TEST(RtcValidateRoutesTest, ValidatesV1JoinsWithTheirJoinRequest) {
  ControlPlaneTestOptions options;
  options.join_policy.auto_create_rooms = false;
  ControlPlaneTestServer server(std::move(options));
  ASSERT_TRUE(server.ok()) << server.error();
  server.rooms().AddParticipant("exists", {});
  const std::string token = server.Token(JoinGrant("exists"), "alice");
  livekit::JoinRequest join_request;
  join_request.mutable_connection_settings()->set_auto_subscribe(true);
  join_request.mutable_publisher_offer()->set_sdp("v=0\r\n");
  const auto validate = [&](const std::string& query) {
    return SendLoopbackHttpRequest(server.port(), "GET", "/rtc/v1/validate?" + query);
  };

  for (bool gzip : {false, true}) {
    const LoopbackHttpResponse ok = validate("access_token=" + token + "&join_request=" +
                                             EncodeJoinRequestParameter(join_request, gzip));
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.body, "success");
    EXPECT_EQ(ok.Header("Access-Control-Allow-Origin").value_or(""), "*");
  }
  EXPECT_EQ(validate("access_token=" + token).status, 200);

  const LoopbackHttpResponse malformed = validate("access_token=" + token + "&join_request=AAA*");
  EXPECT_EQ(malformed.status, 400);
  const LoopbackHttpResponse not_protobuf =
      validate("access_token=" + token + "&join_request=_w");  // 0xff: a truncated varint
  EXPECT_EQ(not_protobuf.status, 400);
  EXPECT_NE(not_protobuf.body.find("join_request"), std::string::npos) << not_protobuf.body;

  // The token is judged first, as on /rtc/validate.
  EXPECT_EQ(validate("access_token=garbage&join_request=_w").status, 401);
  const LoopbackHttpResponse missing =
      validate("access_token=" + server.Token(JoinGrant("nope"), "alice"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("requested room does not exist"), std::string::npos);

  // The v1 upgrade is the signalling layer's now (here the test's stand-in for /rtc), not a 404.
  const LoopbackHttpResponse v1_upgrade =
      SendLoopbackHttpRequest(server.port(), "GET", "/rtc/v1?access_token=" + token,
                              {{"Upgrade", "websocket"},
                               {"Connection", "Upgrade"},
                               {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                               {"Sec-WebSocket-Version", "13"}});
  EXPECT_EQ(v1_upgrade.status, 418);
}

}  // namespace
}  // namespace auralink::signal
