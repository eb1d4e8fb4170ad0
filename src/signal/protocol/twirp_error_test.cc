#include "signal/protocol/twirp_error.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace auralink::signal {
namespace {

// Statuses from the Twirp v7 specification's error code table.
TEST(TwirpErrorTest, CodesMapToTheSpecifiedHttpStatus) {
  EXPECT_EQ(TwirpErrorHttpStatus(TwirpErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(TwirpErrorHttpStatus(TwirpErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(TwirpErrorHttpStatus(TwirpErrorCode::kNotFound), 404);
  EXPECT_EQ(TwirpErrorHttpStatus(TwirpErrorCode::kBadRoute), 404);
  EXPECT_EQ(TwirpErrorHttpStatus(TwirpErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(TwirpErrorHttpStatus(TwirpErrorCode::kMalformed), 400);
  EXPECT_EQ(TwirpErrorHttpStatus(TwirpErrorCode::kAlreadyExists), 409);
  EXPECT_EQ(TwirpErrorHttpStatus(TwirpErrorCode::kResourceExhausted), 429);
  EXPECT_EQ(TwirpErrorHttpStatus(TwirpErrorCode::kFailedPrecondition), 412);
  EXPECT_EQ(TwirpErrorHttpStatus(TwirpErrorCode::kUnimplemented), 501);
  EXPECT_EQ(TwirpErrorHttpStatus(TwirpErrorCode::kUnavailable), 503);
  EXPECT_EQ(TwirpErrorHttpStatus(TwirpErrorCode::kInternal), 500);
  EXPECT_EQ(TwirpErrorCodeName(TwirpErrorCode::kDataLoss), "dataloss");
  EXPECT_EQ(TwirpErrorCodeName(TwirpErrorCode::kPermissionDenied), "permission_denied");
}

TEST(TwirpErrorTest, BodyCarriesCodeMessageAndMeta) {
  TwirpError error{TwirpErrorCode::kNotFound, "room \"x\" does not exist", {{"room", "x"}}};
  const auto body = nlohmann::json::parse(error.ToJson());
  EXPECT_EQ(body.at("code"), "not_found");
  EXPECT_EQ(body.at("msg"), "room \"x\" does not exist");
  EXPECT_EQ(body.at("meta").at("room"), "x");
  EXPECT_EQ(error.HttpStatus(), 404);

  TwirpError invalid_utf8{TwirpErrorCode::kMalformed, "bad \xff byte", {}};
  EXPECT_TRUE(nlohmann::json::accept(invalid_utf8.ToJson()));
  EXPECT_FALSE(nlohmann::json::parse(invalid_utf8.ToJson()).contains("meta"));
}

}  // namespace
}  // namespace auralink::signal
