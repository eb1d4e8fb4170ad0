#include "sfu/bwe/simulcast_layer_selector.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::sfu {
namespace {

// Chromium's default three layers for a 1280x720 camera (q, h, f).
const std::vector<SimulcastLayerInfo> kLayers = {
    {320, 180, 150'000, true}, {640, 360, 500'000, true}, {1280, 720, 1'700'000, true}};

constexpr SimulcastLayerSelector::Config kConfig = {.up_margin = 0.2, .up_hold_ms = 2000};

std::unique_ptr<SimulcastLayerSelector> NewSelector() {
  auto selector = SimulcastLayerSelector::Create(kConfig);
  EXPECT_TRUE(selector.ok());
  return std::move(selector).value();
}

SimulcastLayerSelector::Request Available(int64_t bps) {
  return {.available_bps = bps, .layers = kLayers};
}

TEST(SimulcastLayerSelectorTest, RejectsNegativeSettings) {
  EXPECT_FALSE(SimulcastLayerSelector::Create({.up_margin = -0.1}).ok());
  EXPECT_FALSE(SimulcastLayerSelector::Create({.up_hold_ms = -1}).ok());
}

TEST(SimulcastLayerSelectorTest, FirstChoiceIsImmediate) {
  auto selector = NewSelector();
  EXPECT_EQ(selector->Select(Available(2'000'000), 0), 2);
  auto other = NewSelector();
  EXPECT_EQ(other->Select(Available(600'000), 0), 1);
  auto starved = NewSelector();
  EXPECT_EQ(starved->Select(Available(100'000), 0), std::nullopt);
}

TEST(SimulcastLayerSelectorTest, StepsDownAtOnceAndUpOnlyAfterTheMarginHolds) {
  auto selector = NewSelector();
  int64_t now = 0;
  ASSERT_EQ(selector->Select(Available(2'000'000), now), 2);
  EXPECT_EQ(selector->Select(Available(1'200'000), now += 100), 1);  // down at once
  EXPECT_EQ(selector->Select(Available(400'000), now += 100), 0);
  EXPECT_EQ(selector->Select(Available(100'000), now += 100), std::nullopt);

  // 550k exceeds layer 1's 500k but not by 20 %: never up.
  for (int i = 0; i < 100; ++i) {
    EXPECT_NE(selector->Select(Available(550'000), now += 100), 1);
  }
  // 650k clears the margin for layer 1 (600k); it must hold for 2 s.
  int64_t up_at = -1;
  const int64_t start = now;
  for (int i = 0; i < 40 && up_at < 0; ++i) {
    if (selector->Select(Available(650'000), now += 100) == 1) up_at = now;
  }
  ASSERT_GE(up_at, 0);
  EXPECT_GE(up_at - (start + 100), kConfig.up_hold_ms);
  EXPECT_LE(up_at - (start + 100), kConfig.up_hold_ms + 100);
}

TEST(SimulcastLayerSelectorTest, EstimateDippingBelowTheMarginRestartsTheWait) {
  auto selector = NewSelector();
  int64_t now = 0;
  ASSERT_EQ(selector->Select(Available(600'000), now), 1);
  // Alternating 2.2 Mbps (clears 1.7M x 1.2) and 1.9 Mbps (does not) for 10 s: no step up.
  for (int i = 0; i < 100; ++i) {
    const int64_t bps = (i / 5) % 2 == 0 ? 2'200'000 : 1'900'000;
    EXPECT_EQ(selector->Select(Available(bps), now += 100), 1) << "at " << now;
  }
}

TEST(SimulcastLayerSelectorTest, RequestedSizeCapsTheLayer) {
  auto selector = NewSelector();
  auto request = Available(5'000'000);
  request.max_width = 600;
  request.max_height = 340;
  EXPECT_EQ(selector->Select(request, 0), 1);  // 640x360 covers 600x340
  request.max_width = 320;
  request.max_height = 180;
  EXPECT_EQ(selector->Select(request, 100), 0);  // smaller view: down at once
  request.max_width = 1920;
  request.max_height = 1080;
  EXPECT_EQ(selector->Select(request, 200), 2);  // larger view with room: up at once
}

TEST(SimulcastLayerSelectorTest, PauseAndInactiveLayers) {
  auto selector = NewSelector();
  auto request = Available(5'000'000);
  ASSERT_EQ(selector->Select(request, 0), 2);
  request.paused = true;
  EXPECT_EQ(selector->Select(request, 100), std::nullopt);
  request.paused = false;
  EXPECT_EQ(selector->Select(request, 200), 2);  // resume is immediate

  std::vector<SimulcastLayerInfo> layers = kLayers;
  layers[2].active = false;  // the publisher stopped sending the top layer
  request.layers = layers;
  EXPECT_EQ(selector->Select(request, 300), 1);
  request.layers = {};
  EXPECT_EQ(selector->Select(request, 400), std::nullopt);
}

}  // namespace
}  // namespace auralink::sfu
