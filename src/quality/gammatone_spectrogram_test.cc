#include "quality/gammatone_spectrogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace auralink::quality {
namespace {

std::vector<float> Tone(double frequency_hz, double seconds, int rate_hz, double amplitude = 0.5) {
  std::vector<float> tone(static_cast<size_t>(seconds * rate_hz));
  for (size_t i = 0; i < tone.size(); ++i) {
    tone[i] = static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * frequency_hz *
                                                      static_cast<double>(i) / rate_hz));
  }
  return tone;
}

TEST(GammatoneSpectrogramTest, CentreFrequenciesAreErbSpacedWithinTheRange) {
  const GammatoneSpectrogramBuilder builder;
  const std::vector<double>& centers = builder.center_frequencies_hz();
  ASSERT_EQ(centers.size(), 32u);
  EXPECT_NEAR(centers.front(), 50.0, 1e-9);
  EXPECT_LT(centers.back(), 8000.0);
  // Equal steps on the ERB-rate scale: log(f + EarQ * minBW) is evenly spaced.
  const double offset = 9.26449 * 24.7;
  const double step = std::log(centers[1] + offset) - std::log(centers[0] + offset);
  for (size_t i = 1; i < centers.size(); ++i) {
    EXPECT_NEAR(std::log(centers[i] + offset) - std::log(centers[i - 1] + offset), step, 1e-9);
  }
}

TEST(GammatoneSpectrogramTest, ToneIsLoudestInTheNearestBand) {
  const GammatoneSpectrogramBuilder builder;
  const std::vector<double>& centers = builder.center_frequencies_hz();
  for (double frequency : {200.0, 1000.0, 3000.0}) {
    StatusOr<Spectrogram> spectrogram = builder.Build(Tone(frequency, 0.5, 16000));
    ASSERT_TRUE(spectrogram.ok());
    const size_t frame = spectrogram->num_frames / 2;
    size_t loudest = 0;
    for (size_t b = 1; b < spectrogram->num_bands; ++b) {
      if (spectrogram->level(frame, b) > spectrogram->level(frame, loudest)) loudest = b;
    }
    size_t nearest = 0;
    for (size_t b = 1; b < centers.size(); ++b) {
      if (std::abs(centers[b] - frequency) < std::abs(centers[nearest] - frequency)) nearest = b;
    }
    EXPECT_EQ(loudest, nearest) << frequency << " Hz";
  }
}

TEST(GammatoneSpectrogramTest, LevelFollowsTenLogOfRms) {
  // Doubling the amplitude doubles the band RMS: +10 log10(2) on ViSQOL's scale.
  const GammatoneSpectrogramBuilder builder;
  StatusOr<Spectrogram> quiet = builder.Build(Tone(1000.0, 0.5, 16000, 0.2));
  StatusOr<Spectrogram> loud = builder.Build(Tone(1000.0, 0.5, 16000, 0.4));
  ASSERT_TRUE(quiet.ok() && loud.ok());
  for (size_t b = 0; b < quiet->num_bands; ++b) {
    EXPECT_NEAR(loud->level(5, b) - quiet->level(5, b), 10.0 * std::log10(2.0), 1e-6);
  }
}

TEST(GammatoneSpectrogramTest, FramesHopEveryTwentyMilliseconds) {
  const GammatoneSpectrogramBuilder builder;
  StatusOr<Spectrogram> spectrogram = builder.Build(std::vector<float>(16000, 0.0f));
  ASSERT_TRUE(spectrogram.ok());
  EXPECT_EQ(spectrogram->num_frames, 1 + (16000 - 1280) / 320);
  EXPECT_EQ(spectrogram->values.size(), spectrogram->num_frames * 32);
  EXPECT_FALSE(builder.Build(std::vector<float>(1000, 0.0f)).ok());
}

TEST(GammatoneSpectrogramTest, PreparationFloorsAndZeroesTheMinimum) {
  const GammatoneSpectrogramBuilder builder;
  StatusOr<Spectrogram> reference = builder.Build(Tone(1000.0, 0.5, 16000));
  StatusOr<Spectrogram> silence = builder.Build(std::vector<float>(8000, 0.0f));
  ASSERT_TRUE(reference.ok() && silence.ok());
  PrepareSpectrogramsForComparison(&*reference, &*silence);
  const double lowest =
      std::min(*std::min_element(reference->values.begin(), reference->values.end()),
               *std::min_element(silence->values.begin(), silence->values.end()));
  EXPECT_DOUBLE_EQ(lowest, 0.0);
  for (size_t f = 0; f < reference->num_frames; ++f) {
    double peak = 0.0, low = 1e9;
    for (size_t b = 0; b < reference->num_bands; ++b) {
      peak = std::max(peak, reference->level(f, b));
      low = std::min(low, reference->level(f, b));
    }
    EXPECT_LE(peak - low, 45.0 + 1e-9);
  }
}

}  // namespace
}  // namespace auralink::quality
