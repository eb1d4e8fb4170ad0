#include "aic/speech/voice_activity_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "audio/audio_file.h"
#include "audio/resampler.h"
#include "common/shared_test_data.h"

namespace auralink::speech {
namespace {

constexpr size_t kFrame = VoiceActivityDetector::kFrameSamples;

std::vector<bool> Classify(const std::vector<float>& signal, VoiceActivityDetector* detector) {
  std::vector<bool> decisions;
  for (size_t begin = 0; begin + kFrame <= signal.size(); begin += kFrame) {
    decisions.push_back(detector->IsSpeech(std::span<const float>(signal).subspan(begin, kFrame)));
  }
  return decisions;
}

std::vector<bool> Classify(const std::vector<float>& signal) {
  VoiceActivityDetector detector;
  return Classify(signal, &detector);
}

size_t CountSpeech(const std::vector<bool>& decisions, size_t begin = 0,
                   size_t end = std::numeric_limits<size_t>::max()) {
  size_t count = 0;
  for (size_t i = begin; i < std::min(end, decisions.size()); ++i) count += decisions[i] ? 1 : 0;
  return count;
}

std::vector<float> WhiteNoise(size_t samples, double dbfs, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, static_cast<float>(std::pow(10.0, dbfs / 20.0)));
  std::vector<float> x(samples);
  for (float& v : x) v = normal(rng);
  return x;
}

// A voiced-speech stand-in: 120 Hz harmonics with a 1/k roll-off, about -20 dBFS.
void AddVoicedBurst(std::vector<float>* x, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    double v = 0.0;
    for (int k = 1; k <= 25; ++k) {
      v += std::sin(2.0 * std::numbers::pi * 120.0 * k * static_cast<double>(i) / 16000.0) / k;
    }
    (*x)[i] += static_cast<float>(0.05 * v);
  }
}

// Frames of clean speech above (loudest frame - 35 dB): the ground truth for speech presence.
std::vector<bool> EnergyLabels(const std::vector<float>& clean) {
  std::vector<double> db;
  double loudest = -200.0;
  for (size_t begin = 0; begin + kFrame <= clean.size(); begin += kFrame) {
    double energy = 1e-12;
    for (size_t i = begin; i < begin + kFrame; ++i) energy += clean[i] * clean[i] / kFrame;
    db.push_back(10.0 * std::log10(energy));
    loudest = std::max(loudest, db.back());
  }
  std::vector<bool> labels;
  for (double d : db) labels.push_back(d > loudest - 35.0);
  return labels;
}

std::vector<float> LoadAt16k(const std::string& path) {
  auto audio = audio::ReadAudioFile(path);
  EXPECT_TRUE(audio.ok()) << audio.status().message();
  if (!audio.ok()) return {};
  std::vector<float> mono;
  audio::DownmixToMono(audio->samples, audio->channels, &mono);
  return audio::ResampleWhole(mono, audio->sample_rate_hz, 16000);
}

TEST(VoiceActivityDetectorTest, DigitalSilenceIsNoise) {
  EXPECT_EQ(CountSpeech(Classify(std::vector<float>(16000 * 5, 0.0f))), 0u);
}

TEST(VoiceActivityDetectorTest, StationaryWhiteNoiseIsNoise) {
  for (double dbfs : {-50.0, -20.0}) {
    const std::vector<bool> decisions = Classify(WhiteNoise(16000 * 5, dbfs, 7));
    EXPECT_LE(CountSpeech(decisions), decisions.size() / 50) << dbfs << " dBFS";
  }
}

TEST(VoiceActivityDetectorTest, OnsetIsCaughtAndHangoverLasts200Ms) {
  std::vector<float> x = WhiteNoise(16000 * 4, -50.0, 3);
  const size_t onset_frame = 100, end_frame = 115;  // 300 ms burst starting at 2 s
  AddVoicedBurst(&x, onset_frame * kFrame, end_frame * kFrame);
  const std::vector<bool> decisions = Classify(x);
  EXPECT_EQ(CountSpeech(decisions, 0, onset_frame), 0u);
  EXPECT_TRUE(decisions[onset_frame]) << "the first frame of speech must not be clipped";
  EXPECT_EQ(CountSpeech(decisions, onset_frame, end_frame), end_frame - onset_frame);
  // The hangover covers 10 frames after the last speech frame; the 32 ms analysis window may see
  // the burst's tail one frame late.
  EXPECT_EQ(CountSpeech(decisions, end_frame, end_frame + VoiceActivityDetector::kHangoverFrames),
            static_cast<size_t>(VoiceActivityDetector::kHangoverFrames));
  EXPECT_EQ(CountSpeech(decisions, end_frame + VoiceActivityDetector::kHangoverFrames + 2), 0u);
}

TEST(VoiceActivityDetectorTest, FollowsARiseInTheNoiseLevel) {
  std::vector<float> x = WhiteNoise(16000 * 2, -50.0, 11);
  const std::vector<float> louder = WhiteNoise(16000 * 6, -30.0, 12);
  x.insert(x.end(), louder.begin(), louder.end());
  const std::vector<bool> decisions = Classify(x);
  // The minimum-statistics floor follows within its 2 s window; from then on it is noise again.
  EXPECT_EQ(CountSpeech(decisions, 100 + 150), 0u);
}

TEST(VoiceActivityDetectorTest, ResetForgetsEverything) {
  std::vector<float> x = WhiteNoise(16000 * 2, -40.0, 5);
  AddVoicedBurst(&x, 16000, 20000);
  VoiceActivityDetector detector;
  const std::vector<bool> first = Classify(x, &detector);
  detector.Reset();
  EXPECT_EQ(Classify(x, &detector), first);
}

TEST(VoiceActivityDetectorTest, OddFramesAndNonFiniteSamplesAreSurvived) {
  VoiceActivityDetector detector;
  std::vector<float> bad(kFrame, std::nanf(""));
  bad[3] = std::numeric_limits<float>::infinity();
  detector.IsSpeech(bad);
  detector.IsSpeech(std::vector<float>(10, 0.1f));
  detector.IsSpeech(std::vector<float>(5000, 0.1f));
  detector.IsSpeech({});
  EXPECT_TRUE(std::isfinite(detector.last_score()));
  for (int i = 0; i < 30; ++i) detector.IsSpeech(std::vector<float>(kFrame, 0.0f));
  EXPECT_FALSE(detector.IsSpeech(std::vector<float>(kFrame, 0.0f)));
}

TEST(VoiceActivityDetectorTest, CleanSpeechClipsAreSpeech) {
  for (const char* clip : {"media/speech/lyra_sample2_16kHz.wav", "media/speech/vctk_p225_003.wav",
                           "media/speech/librispeech_2843-152918-0000.flac"}) {
    const std::string path = SharedTestFile(clip);
    if (path.empty()) GTEST_SKIP() << clip << " not found (set AURALINK_SHARED)";
    const std::vector<float> speech = LoadAt16k(path);
    const std::vector<bool> labels = EnergyLabels(speech);
    const std::vector<bool> decisions = Classify(speech);
    size_t active = 0, detected = 0;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (!labels[i]) continue;
      ++active;
      detected += decisions[i] ? 1 : 0;
    }
    EXPECT_GT(static_cast<double>(detected) / active, 0.95) << clip;
  }
}

TEST(VoiceActivityDetectorTest, NoisySpeechAtZeroDbSnr) {
  const std::string clean_path =
      SharedTestFile("media/other/dfn_clean_freesound_33711_48k.wav");
  const std::string noisy_path = SharedTestFile("media/other/dfn_noisy_snr0_48k.wav");
  if (clean_path.empty() || noisy_path.empty()) {
    GTEST_SKIP() << "DeepFilterNet clips not found (set AURALINK_SHARED)";
  }
  const std::vector<bool> labels = EnergyLabels(LoadAt16k(clean_path));
  const std::vector<bool> decisions = Classify(LoadAt16k(noisy_path));
  ASSERT_EQ(labels.size(), decisions.size());
  // Noise-only frames are those more than the hangover away from any labelled speech.
  size_t active = 0, detected = 0, noise_only = 0, false_alarms = 0;
  int since_speech = 1000;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i]) {
      since_speech = 0;
      ++active;
      detected += decisions[i] ? 1 : 0;
    } else if (++since_speech > VoiceActivityDetector::kHangoverFrames) {
      ++noise_only;
      false_alarms += decisions[i] ? 1 : 0;
    }
  }
  ASSERT_GT(noise_only, 50u);
  EXPECT_GT(static_cast<double>(detected) / active, 0.9);
  EXPECT_LT(static_cast<double>(false_alarms) / noise_only, 0.15);
}

}  // namespace
}  // namespace auralink::speech
