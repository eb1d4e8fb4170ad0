#include <gtest/gtest.h>

#include <string>

#include "signal/auth/access_token_issuer.h"
#include "signal/auth/access_token_verifier.h"
#include "signal/auth/base64_url.h"
#include "signal/auth/hmac_sha256.h"

namespace auralink::signal {
namespace {

constexpr int64_t kNow = 1700000000;

std::shared_ptr<const ApiKeyProvider> Keys(std::map<std::string, std::string> keys) {
  auto provider = StaticApiKeyProvider::Create(std::move(keys));
  EXPECT_TRUE(provider.ok());
  return provider.ok() ? std::shared_ptr<const ApiKeyProvider>(std::move(provider).value())
                       : nullptr;
}

std::unique_ptr<AccessTokenVerifier> Verifier(int64_t leeway_s = kDefaultClockLeewaySeconds) {
  auto verifier = AccessTokenVerifier::Create(
      Keys({{"devkey", "secret"}, {"APIother", "a-much-longer-secret-of-32-bytes!"}}), leeway_s);
  EXPECT_TRUE(verifier.ok());
  return std::move(verifier).value();
}

ClaimGrants JoinGrants() {
  ClaimGrants grants;
  grants.identity = "alice";
  grants.name = "Alice";
  grants.metadata = "meta";
  grants.attributes = {{"role", "host"}};
  VideoGrant video;
  video.room_join = true;
  video.room = "standup";
  grants.video = video;
  return grants;
}

std::string Issue(const ClaimGrants& grants, int64_t now_s = kNow, int64_t ttl_s = 600,
                  const std::string& key = "devkey", const std::string& secret = "secret") {
  auto issuer = AccessTokenIssuer::Create(key, secret);
  EXPECT_TRUE(issuer.ok());
  auto token = (*issuer)->Issue(grants, now_s, ttl_s);
  EXPECT_TRUE(token.ok()) << token.status().message();
  return token.ok() ? *token : "";
}

// Signs arbitrary header and payload JSON with `secret`, for tokens our issuer would never make.
std::string Sign(const std::string& header, const std::string& payload,
                 const std::string& secret = "secret") {
  const std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  return input + "." + Base64UrlEncode(*HmacSha256(secret, input));
}

AuthErrorKind ErrorOf(const AuthResult<ClaimGrants>& result) {
  EXPECT_FALSE(result.ok());
  return result.ok() ? AuthErrorKind::kPermissionDenied : result.error().kind;
}

TEST(AccessTokenTest, IssuedTokenVerifiesWithAllClaims) {
  const auto result = Verifier()->Verify(Issue(JoinGrants()), kNow + 1);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->api_key, "devkey");
  EXPECT_EQ(result->identity, "alice");
  EXPECT_EQ(result->name, "Alice");
  EXPECT_EQ(result->metadata, "meta");
  EXPECT_EQ(result->attributes.at("role"), "host");
  EXPECT_EQ(result->not_before_s, kNow);
  EXPECT_EQ(result->expires_at_s, kNow + 600);
  ASSERT_TRUE(result->video);
  EXPECT_TRUE(result->video->CanJoin("standup"));
}

// RFC 7515 appendix A.1: an HS256 JWS from the specification, with its key, verifies here.
TEST(AccessTokenTest, VerifiesTheRfc7515ExampleToken) {
  const auto key = Base64UrlDecode(
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
  ASSERT_TRUE(key);
  auto verifier =
      AccessTokenVerifier::Create(Keys({{"joe", std::string(key->begin(), key->end())}}), 0);
  ASSERT_TRUE(verifier.ok());
  const std::string token =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
      "fQ."
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const auto valid = (*verifier)->Verify(token, 1300819379);
  ASSERT_TRUE(valid.ok()) << valid.error().message;
  EXPECT_EQ(valid->api_key, "joe");
  EXPECT_EQ(valid->expires_at_s, 1300819380);
  EXPECT_EQ(ErrorOf((*verifier)->Verify(token, 1300819380)), AuthErrorKind::kExpired);
  std::string tampered = token;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'X' ? 'Y' : 'X';
  EXPECT_EQ(ErrorOf((*verifier)->Verify(tampered, 1300819379)), AuthErrorKind::kBadSignature);
}

TEST(AccessTokenTest, MissingTokenIs401) {
  const auto result = Verifier()->Verify("", kNow);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, AuthErrorKind::kMissingToken);
  EXPECT_EQ(result.error().HttpStatus(), 401);
}

TEST(AccessTokenTest, RejectsMalformedTokens) {
  const std::string good = Issue(JoinGrants());
  const std::string header = good.substr(0, good.find('.'));
  for (const std::string& bad : {
           std::string("abc"),
           std::string("a.b"),
           good + ".x",
           std::string(".."),
           "!!!." + good.substr(good.find('.') + 1),
           Base64UrlEncode(std::string_view("not json")) + good.substr(good.find('.')),
           Base64UrlEncode(std::string_view("[1]")) + good.substr(good.find('.')),
           header + "." + Base64UrlEncode(std::string_view("[]")) + ".AAAA",
           header + "." + Base64UrlEncode(std::string_view("{\"iss\":\"devkey\"")) + ".AAAA",
           good.substr(0, good.rfind('.')) + ".!!",
           std::string(kMaxAccessTokenBytes + 1, 'a'),
       }) {
    const auto result = Verifier()->Verify(bad, kNow);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.error().kind, AuthErrorKind::kMalformedToken)
        << bad << ": " << result.error().message;
    EXPECT_EQ(result.error().HttpStatus(), 401);
  }
}

TEST(AccessTokenTest, RejectsAlgorithmsOtherThanHs256) {
  const std::string payload = R"({"iss":"devkey","sub":"a","exp":1700000600})";
  // alg "none" with an empty signature: the classic downgrade (RFC 8725 section 2.1).
  const std::string unsigned_token =
      Base64UrlEncode(std::string_view(R"({"alg":"none"})")) + "." + Base64UrlEncode(payload) + ".";
  EXPECT_EQ(ErrorOf(Verifier()->Verify(unsigned_token, kNow)),
            AuthErrorKind::kUnsupportedAlgorithm);
  for (const char* header : {R"({"alg":"RS256","typ":"JWT"})", R"({"alg":"HS512"})",
                             R"({"alg":"hs256"})", R"({"alg":"HS256","crit":["exp"]})"}) {
    EXPECT_EQ(ErrorOf(Verifier()->Verify(Sign(header, payload), kNow)),
              AuthErrorKind::kUnsupportedAlgorithm)
        << header;
  }
  EXPECT_EQ(ErrorOf(Verifier()->Verify(Sign(R"({"typ":"JWT"})", payload), kNow)),
            AuthErrorKind::kMalformedToken);
  EXPECT_EQ(
      ErrorOf(Verifier()->Verify(Sign(R"({"alg":"HS256","typ":"JOSE+JSON"})", payload), kNow)),
      AuthErrorKind::kMalformedToken);
  // Without "typ" (jose's SignJWT as livekit-server-sdk uses it writes none) the token is fine.
  EXPECT_TRUE(Verifier()->Verify(Sign(R"({"alg":"HS256"})", payload), kNow).ok());
}

TEST(AccessTokenTest, RejectsUnknownKeysAndBadSignatures) {
  EXPECT_EQ(ErrorOf(Verifier()->Verify(Issue(JoinGrants(), kNow, 600, "nokey", "secret"), kNow)),
            AuthErrorKind::kUnknownApiKey);
  EXPECT_EQ(ErrorOf(Verifier()->Verify(Issue(JoinGrants(), kNow, 600, "devkey", "wrong"), kNow)),
            AuthErrorKind::kBadSignature);
  // The other configured key's secret does not sign for devkey.
  EXPECT_EQ(
      ErrorOf(Verifier()->Verify(
          Issue(JoinGrants(), kNow, 600, "devkey", "a-much-longer-secret-of-32-bytes!"), kNow)),
      AuthErrorKind::kBadSignature);
  EXPECT_TRUE(
      Verifier()
          ->Verify(Issue(JoinGrants(), kNow, 600, "APIother", "a-much-longer-secret-of-32-bytes!"),
                   kNow)
          .ok());

  const std::string good = Issue(JoinGrants());
  const size_t dot = good.rfind('.');
  EXPECT_EQ(ErrorOf(Verifier()->Verify(good.substr(0, dot + 1), kNow)),
            AuthErrorKind::kBadSignature);
  EXPECT_EQ(ErrorOf(Verifier()->Verify(good.substr(0, good.size() - 3), kNow)),
            AuthErrorKind::kBadSignature);  // 30-byte signature
  // A payload edited to join another room no longer matches the signature.
  std::string payload =
      R"({"iss":"devkey","sub":"alice","exp":1700000600,"video":{"roomJoin":true,"room":"other"}})";
  const std::string forged =
      good.substr(0, good.find('.')) + "." + Base64UrlEncode(payload) + good.substr(dot);
  EXPECT_EQ(ErrorOf(Verifier()->Verify(forged, kNow)), AuthErrorKind::kBadSignature);
  EXPECT_EQ(ErrorOf(Verifier()->Verify(
                Sign(R"({"alg":"HS256"})", R"({"sub":"a","exp":1700000600})"), kNow)),
            AuthErrorKind::kMalformedToken);  // no iss
}

TEST(AccessTokenTest, EnforcesExpiryAndNotBeforeWithLeeway) {
  const std::string token = Issue(JoinGrants(), kNow, 600);  // nbf kNow, exp kNow + 600
  const auto verifier = Verifier(10);
  EXPECT_TRUE(verifier->Verify(token, kNow - 10).ok());  // 10 s early: within leeway
  EXPECT_EQ(ErrorOf(verifier->Verify(token, kNow - 11)), AuthErrorKind::kNotYetValid);
  EXPECT_TRUE(verifier->Verify(token, kNow + 609).ok());
  EXPECT_EQ(ErrorOf(verifier->Verify(token, kNow + 610)), AuthErrorKind::kExpired);
  EXPECT_EQ(ErrorOf(Verifier(0)->Verify(token, kNow + 600)), AuthErrorKind::kExpired);
  EXPECT_EQ(ErrorOf(Verifier()->Verify(Sign(R"({"alg":"HS256"})", R"({"iss":"devkey","sub":"a"})"),
                                       kNow)),
            AuthErrorKind::kExpired);  // exp is required
  EXPECT_EQ(ErrorOf(Verifier()->Verify(
                Sign(R"({"alg":"HS256"})",
                     R"({"iss":"devkey","exp":1700000600,"video":{"roomJoin":"yes"}})"),
                kNow)),
            AuthErrorKind::kMalformedToken);
}

TEST(AccessTokenTest, IssuerRefusesJoinWithoutIdentityAndBadInputs) {
  ClaimGrants grants = JoinGrants();
  grants.identity.clear();
  auto issuer = AccessTokenIssuer::Create("devkey", "secret");
  ASSERT_TRUE(issuer.ok());
  EXPECT_FALSE((*issuer)->Issue(grants, kNow).ok());
  EXPECT_FALSE((*issuer)->Issue(JoinGrants(), kNow, 0).ok());
  EXPECT_FALSE(AccessTokenIssuer::Create("", "secret").ok());
  EXPECT_FALSE(AccessTokenIssuer::Create("devkey", "").ok());
  EXPECT_FALSE(StaticApiKeyProvider::Create({{"devkey", ""}}).ok());
  EXPECT_FALSE(StaticApiKeyProvider::Create({{"", "secret"}}).ok());
  EXPECT_FALSE(AccessTokenVerifier::Create(nullptr).ok());
}

TEST(AccessTokenTest, PermissionDeniedIs403) {
  const AuthError error{AuthErrorKind::kPermissionDenied, "permissions denied"};
  EXPECT_EQ(error.HttpStatus(), 403);
  EXPECT_EQ(error.ToStatus().message(), "permissions denied");
  EXPECT_EQ(error.ToStatus().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ((AuthError{AuthErrorKind::kExpired, "x"}.ToStatus().code()),
            StatusCode::kUnauthenticated);
}

TEST(AccessTokenTest, BearerTokenFromAuthorizationHeader) {
  const auto token = BearerToken("Bearer abc.def.ghi");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, "abc.def.ghi");
  EXPECT_EQ(*BearerToken("bearer  x "), "x");
  for (const char* bad : {"", "Bearer", "Bearer ", "Bearer    ", "Basic abc", "abc.def.ghi"}) {
    const auto missing = BearerToken(bad);
    ASSERT_FALSE(missing.ok()) << bad;
    EXPECT_EQ(missing.error().kind, AuthErrorKind::kMissingToken);
    EXPECT_EQ(missing.error().HttpStatus(), 401);
  }
}

}  // namespace
}  // namespace auralink::signal
