#include "aic/video/policy/ridge_regression.h"

#include <gtest/gtest.h>

#include <random>

namespace auralink::video {
namespace {

TEST(RidgeRegressionTest, RecoversKnownCoefficientsFromNoisyData) {
  std::mt19937 random(7);
  std::uniform_real_distribution<double> feature(-1.0, 1.0);
  std::normal_distribution<double> noise(0.0, 0.01);
  const std::vector<double> truth = {0.5, -2.0, 1.25, 0.3};
  std::vector<std::vector<double>> rows;
  std::vector<double> targets;
  for (int i = 0; i < 400; ++i) {
    std::vector<double> row = {1.0, feature(random), feature(random), feature(random)};
    double target = noise(random);
    for (size_t j = 0; j < row.size(); ++j) target += truth[j] * row[j];
    rows.push_back(row);
    targets.push_back(target);
  }
  auto weights = FitRidgeRegression(rows, targets, 1e-6);
  ASSERT_TRUE(weights.ok()) << weights.status().message();
  for (size_t j = 0; j < truth.size(); ++j) EXPECT_NEAR((*weights)[j], truth[j], 0.01) << j;
}

TEST(RidgeRegressionTest, PenaltyShrinksAConstantFeatureToZeroAndKeepsTheIntercept) {
  std::vector<std::vector<double>> rows;
  std::vector<double> targets;
  for (int i = 0; i < 20; ++i) {
    rows.push_back({1.0, static_cast<double>(i), 0.0});  // the last feature never varies
    targets.push_back(3.0 + 0.5 * i);
  }
  auto weights = FitRidgeRegression(rows, targets, 1e-3);
  ASSERT_TRUE(weights.ok()) << weights.status().message();
  EXPECT_NEAR((*weights)[0], 3.0, 0.05);
  EXPECT_NEAR((*weights)[1], 0.5, 0.01);
  EXPECT_EQ((*weights)[2], 0.0);
}

TEST(RidgeRegressionTest, RefusesMalformedInput) {
  EXPECT_FALSE(FitRidgeRegression({}, {}).ok());
  EXPECT_FALSE(FitRidgeRegression({{1.0, 2.0}}, {1.0, 2.0}).ok());
  EXPECT_FALSE(FitRidgeRegression({{1.0, 2.0}, {1.0}}, {1.0, 2.0}).ok());
  // Without a penalty, two identical columns leave the system singular.
  EXPECT_FALSE(FitRidgeRegression({{1.0, 1.0}, {1.0, 1.0}}, {1.0, 2.0}, 0.0).ok());
}

}  // namespace
}  // namespace auralink::video
