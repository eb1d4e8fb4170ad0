#include "client/send_timestamp.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::client {
namespace {

TEST(SendTimestampTest, RoundTripsInTheLastBytes) {
  std::vector<uint8_t> payload(40, 0xAB);
  ASSERT_TRUE(WriteSendTimestamp(payload, 1234567890123));
  EXPECT_EQ(payload[0], 0xAB);  // the rest of the payload is untouched
  EXPECT_EQ(payload[40 - kSendTimestampSize - 1], 0xAB);
  EXPECT_EQ(ReadSendTimestamp(payload), 1234567890123);
}

TEST(SendTimestampTest, RejectsShortOrUnmarkedPayloads) {
  std::vector<uint8_t> short_payload(kSendTimestampSize - 1, 0);
  EXPECT_FALSE(WriteSendTimestamp(short_payload, 1));
  EXPECT_FALSE(ReadSendTimestamp(short_payload).has_value());
  std::vector<uint8_t> unmarked(64, 0x11);
  EXPECT_FALSE(ReadSendTimestamp(unmarked).has_value());
}

}  // namespace
}  // namespace auralink::client
