#include "quality/neurogram_similarity.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace auralink::quality {
namespace {

constexpr size_t kFrames = 20;
constexpr size_t kBands = 32;

std::vector<double> RandomPatch(uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> level(0.0, 40.0);
  std::vector<double> patch(kFrames * kBands);
  for (double& value : patch) value = level(random);
  return patch;
}

TEST(NeurogramSimilarityTest, IdenticalPatchesScoreOne) {
  const std::vector<double> patch = RandomPatch(1);
  EXPECT_NEAR(NeurogramSimilarity(patch, patch, kFrames, kBands), 1.0, 1e-12);
  const std::vector<double> flat(kFrames * kBands, 3.0);
  EXPECT_NEAR(NeurogramSimilarity(flat, flat, kFrames, kBands), 1.0, 1e-12);
}

TEST(NeurogramSimilarityTest, IsSymmetricAndBelowOneForDifferentPatches) {
  const std::vector<double> a = RandomPatch(1);
  const std::vector<double> b = RandomPatch(2);
  const double ab = NeurogramSimilarity(a, b, kFrames, kBands);
  EXPECT_NEAR(ab, NeurogramSimilarity(b, a, kFrames, kBands), 1e-12);
  EXPECT_LT(ab, 0.5);
  EXPECT_GE(ab, -1.0);
}

TEST(NeurogramSimilarityTest, FallsAsDistortionGrows) {
  const std::vector<double> reference = RandomPatch(1);
  const std::vector<double> noise = RandomPatch(3);
  double previous = 1.0 + 1e-9;
  for (double weight : {0.1, 0.3, 0.6, 0.9}) {
    std::vector<double> degraded(reference.size());
    for (size_t i = 0; i < reference.size(); ++i) {
      degraded[i] = (1.0 - weight) * reference[i] + weight * noise[i];
    }
    const double similarity = NeurogramSimilarity(reference, degraded, kFrames, kBands);
    EXPECT_LT(similarity, previous) << "weight " << weight;
    previous = similarity;
  }
}

TEST(NeurogramSimilarityTest, IntensityTermPenalisesALevelOffset) {
  // Same structure, lower level: structure stays 1, intensity (2 mu_r mu_d)/(mu_r^2 + mu_d^2) < 1.
  const std::vector<double> reference = RandomPatch(4);
  std::vector<double> quieter = reference;
  for (double& value : quieter) value *= 0.5;
  const double similarity = NeurogramSimilarity(reference, quieter, kFrames, kBands);
  EXPECT_LT(similarity, 0.85);
  EXPECT_GT(similarity, 0.75);  // ~ 2 * 0.5 / (1 + 0.25) = 0.8 where the level dominates C1
}

}  // namespace
}  // namespace auralink::quality
