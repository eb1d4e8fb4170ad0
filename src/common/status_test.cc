#include "common/status.h"

#include <gtest/gtest.h>

namespace auralink {
namespace {

StatusOr<int> ParsePositive(int v) {
  if (v <= 0) return Status::Error("not positive: " + std::to_string(v));
  return v;
}

TEST(StatusTest, OkAndError) {
  EXPECT_TRUE(Status::Ok().ok());
  Status e = Status::Error("bad header");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.WithContext("a.wav").message(), "a.wav: bad header");
}

TEST(StatusTest, StatusOrCarriesValueOrError) {
  auto good = ParsePositive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  auto bad = ParsePositive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "not positive: -1");
}

}  // namespace
}  // namespace auralink

namespace auralink {
namespace {

TEST(StatusCodeTest, CodesSurviveContext) {
  Status plain = Status::Error("x");
  EXPECT_EQ(plain.code(), StatusCode::kUnknown);
  Status missing = Status::Error(StatusCode::kNotFound, "room 'a' does not exist");
  EXPECT_EQ(missing.WithContext("ListParticipants").code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.WithContext("ListParticipants").message(),
            "ListParticipants: room 'a' does not exist");
  EXPECT_EQ(Status::Ok().code(), StatusCode::kOk);
  EXPECT_EQ(Status::Error(StatusCode::kOk, "odd").code(), StatusCode::kUnknown);
}

}  // namespace
}  // namespace auralink
