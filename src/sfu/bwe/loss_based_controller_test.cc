#include "sfu/bwe/loss_based_controller.h"

#include <gtest/gtest.h>

namespace auralink::sfu {
namespace {

TEST(LossBasedControllerTest, HighLossCutsByHalfTheLossFraction) {
  LossBasedController controller;
  controller.OnPacketResults(80, 20, 1'000'000, 1'000'000, 0);  // starts the interval
  EXPECT_FALSE(controller.bound_bps().has_value());
  controller.OnPacketResults(80, 20, 1'000'000, 1'000'000, 250);
  ASSERT_TRUE(controller.bound_bps().has_value());
  // 40 lost of 200 = 20 %: 1 - 0.5 * 0.2 = 0.9.
  EXPECT_EQ(*controller.bound_bps(), 900'000);
  EXPECT_DOUBLE_EQ(*controller.last_loss_fraction(), 0.2);
}

TEST(LossBasedControllerTest, ModerateLossHoldsAndLowLossGrowsUntilReleased) {
  LossBasedController controller;
  controller.OnPacketResults(50, 50, 1'000'000, 1'000'000, 0);
  controller.OnPacketResults(50, 50, 1'000'000, 1'000'000, 200);
  const int64_t cut = *controller.bound_bps();
  EXPECT_EQ(cut, 750'000);
  controller.OnPacketResults(95, 5, cut, 1'000'000, 400);  // 5 %: hold
  EXPECT_EQ(controller.bound_bps(), cut);
  controller.OnPacketResults(100, 0, cut, 1'000'000, 600);
  EXPECT_EQ(controller.bound_bps(), static_cast<int64_t>(cut * 1.05));
  for (int64_t t = 800; t < 5'000; t += 200) {
    controller.OnPacketResults(100, 0, *controller.bound_bps(), 1'000'000, t);
    if (!controller.bound_bps()) break;
  }
  EXPECT_FALSE(controller.bound_bps().has_value());  // grew past the delay-based rate
}

TEST(LossBasedControllerTest, WaitsForEnoughPackets) {
  LossBasedController controller;
  controller.OnPacketResults(1, 4, 1'000'000, 1'000'000, 0);
  controller.OnPacketResults(1, 4, 1'000'000, 1'000'000, 1'000);
  EXPECT_FALSE(controller.bound_bps().has_value());  // 10 packets: too few to judge
}

}  // namespace
}  // namespace auralink::sfu
