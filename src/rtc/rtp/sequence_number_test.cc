#include "rtc/rtp/sequence_number.h"

#include <gtest/gtest.h>

namespace auralink::rtc {
namespace {

TEST(SequenceNumberTest, NewerAcrossTheWrap) {
  EXPECT_TRUE(IsNewerSequenceNumber(1, 0));
  EXPECT_FALSE(IsNewerSequenceNumber(0, 1));
  EXPECT_TRUE(IsNewerSequenceNumber(0, 65535));
  EXPECT_TRUE(IsNewerSequenceNumber(5, 65530));
  EXPECT_FALSE(IsNewerSequenceNumber(65530, 5));
  EXPECT_FALSE(IsNewerSequenceNumber(7, 7));
  EXPECT_EQ(SequenceNumberDelta(2, 65534), 4);
  EXPECT_EQ(SequenceNumberDelta(65534, 2), -4);
}

TEST(SequenceNumberTest, UnwrapperCountsCycles) {
  SequenceNumberUnwrapper unwrapper;
  EXPECT_EQ(unwrapper.Unwrap(65534), 65534);
  EXPECT_EQ(unwrapper.Unwrap(65535), 65535);
  EXPECT_EQ(unwrapper.Unwrap(0), 65536);
  EXPECT_EQ(unwrapper.Unwrap(65533), 65533);  // reordered from before the wrap
  EXPECT_EQ(unwrapper.Unwrap(3), 65539);
  EXPECT_EQ(unwrapper.PeekUnwrap(65535), 65535);
  EXPECT_EQ(unwrapper.Unwrap(30000), 65536 + 30000);
  EXPECT_EQ(unwrapper.Unwrap(60000), 65536 + 60000);
  EXPECT_EQ(unwrapper.Unwrap(10), 2 * 65536 + 10);
}

}  // namespace
}  // namespace auralink::rtc
