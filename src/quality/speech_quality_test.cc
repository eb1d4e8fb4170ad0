#include "quality/speech_quality.h"

#include <gtest/gtest.h>
#include <opus.h>
#include <sndfile.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "quality/sample_rate_conversion.h"
#include "quality/test_speech_signal.h"

namespace auralink::quality {
namespace {

using testing::SyntheticSpeech;
using testing::WithWhiteNoise;

constexpr int kRate = 16000;

std::filesystem::path SharedDirectory() {
  if (const char* env = std::getenv("AURALINK_SHARED"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::filesystem::path(AURALINK_SOURCE_DIR) / ".." / "shared";
}

// Mono float samples of a sound file, or nothing when it cannot be read.
std::optional<std::vector<float>> ReadMono(const std::filesystem::path& path, int* rate_hz) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (file == nullptr) return std::nullopt;
  std::vector<float> interleaved(static_cast<size_t>(info.frames) * info.channels);
  const sf_count_t read = sf_readf_float(file, interleaved.data(), info.frames);
  sf_close(file);
  std::vector<float> mono(static_cast<size_t>(read));
  for (size_t i = 0; i < mono.size(); ++i) {
    double sum = 0.0;
    for (int c = 0; c < info.channels; ++c) sum += interleaved[i * info.channels + c];
    mono[i] = static_cast<float>(sum / info.channels);
  }
  *rate_hz = info.samplerate;
  return mono;
}

// libopus round trip as a VoIP call would make it: 16 kHz, VOIP application, 20 ms frames.
std::vector<float> OpusRoundTrip(const std::vector<float>& input, int bitrate_bps) {
  constexpr int kFrame = kRate / 50;
  int error = 0;
  OpusEncoder* encoder = opus_encoder_create(kRate, 1, OPUS_APPLICATION_VOIP, &error);
  EXPECT_EQ(error, OPUS_OK);
  OpusDecoder* decoder = opus_decoder_create(kRate, 1, &error);
  EXPECT_EQ(error, OPUS_OK);
  opus_encoder_ctl(encoder, OPUS_SET_BITRATE(bitrate_bps));
  std::vector<float> padded = input;
  padded.resize((input.size() + kFrame - 1) / kFrame * kFrame, 0.0f);
  std::vector<float> output(padded.size());
  unsigned char packet[1500];
  for (size_t start = 0; start < padded.size(); start += kFrame) {
    const opus_int32 bytes =
        opus_encode_float(encoder, &padded[start], kFrame, packet, sizeof(packet));
    EXPECT_GT(bytes, 0);
    const int decoded = opus_decode_float(decoder, packet, bytes, &output[start], kFrame, 0);
    EXPECT_EQ(decoded, kFrame);
  }
  opus_encoder_destroy(encoder);
  opus_decoder_destroy(decoder);
  return output;
}

SpeechQualityScores Compare(const std::vector<float>& reference, const std::vector<float>& degraded,
                            int degraded_rate = kRate) {
  StatusOr<SpeechQualityScores> scores = CompareSpeech(reference, kRate, degraded, degraded_rate);
  EXPECT_TRUE(scores.ok()) << scores.status().message();
  return scores.ok() ? *scores : SpeechQualityScores{};
}

TEST(CompareSpeechTest, IdenticalInputScoresAtTheTop) {
  const std::vector<float> speech = SyntheticSpeech(3.0, kRate);
  const SpeechQualityScores scores = Compare(speech, speech);
  EXPECT_GE(scores.mos, 4.5);
  EXPECT_LE(scores.mos, 5.0);
  EXPECT_GT(scores.nsim, 0.99);
  EXPECT_GT(scores.stoi, 0.99);
  EXPECT_NEAR(scores.lsd_db, 0.0, 1e-6);
  EXPECT_DOUBLE_EQ(scores.delay_ms, 0.0);
}

TEST(CompareSpeechTest, MosAndStoiFallAsWhiteNoiseRises) {
  const std::vector<float> speech = SyntheticSpeech(4.0, kRate);
  double previous_mos = 5.0 + 1e-9;
  double previous_stoi = 1.0 + 1e-9;
  for (double snr_db : {40.0, 30.0, 20.0, 10.0, 0.0}) {
    const SpeechQualityScores scores = Compare(speech, WithWhiteNoise(speech, snr_db));
    EXPECT_LT(scores.mos, previous_mos) << "at " << snr_db << " dB SNR";
    EXPECT_LT(scores.stoi, previous_stoi) << "at " << snr_db << " dB SNR";
    previous_mos = scores.mos;
    previous_stoi = scores.stoi;
  }
}

TEST(CompareSpeechTest, DelayedCopyScoresAsWellAsTheOriginal) {
  const std::vector<float> speech = SyntheticSpeech(3.0, kRate);
  const SpeechQualityScores original = Compare(speech, speech);
  constexpr int kDelaySamples = 37 * kRate / 1000;  // 37 ms
  std::vector<float> delayed(kDelaySamples, 0.0f);
  delayed.insert(delayed.end(), speech.begin(), speech.end());
  const SpeechQualityScores scores = Compare(speech, delayed);
  EXPECT_NEAR(scores.delay_ms, 37.0, 1e-9);
  EXPECT_NEAR(scores.mos, original.mos, 0.01);
  EXPECT_GT(scores.stoi, 0.99);
  EXPECT_NEAR(scores.lsd_db, 0.0, 1e-6);
}

TEST(CompareSpeechTest, DegradedAheadOfReferenceGivesNegativeDelay) {
  const std::vector<float> speech = SyntheticSpeech(3.0, kRate);
  const std::vector<float> early(speech.begin() + 160, speech.end());  // 10 ms missing up front
  const SpeechQualityScores scores = Compare(speech, early);
  EXPECT_NEAR(scores.delay_ms, -10.0, 1e-9);
  EXPECT_GE(scores.mos, 4.5);
}

TEST(CompareSpeechTest, LevelDifferenceIsNotDegradation) {
  const std::vector<float> speech = SyntheticSpeech(3.0, kRate);
  std::vector<float> quieter = speech;
  for (float& sample : quieter) sample *= 0.25f;
  const SpeechQualityScores scores = Compare(speech, quieter);
  EXPECT_GE(scores.mos, 4.5);
  EXPECT_GT(scores.stoi, 0.99);
}

TEST(CompareSpeechTest, DegradedAtAnotherRateIsResampled) {
  const std::vector<float> speech = SyntheticSpeech(3.0, kRate);
  StatusOr<std::vector<float>> upsampled = ConvertSampleRate(speech, kRate, 48000);
  ASSERT_TRUE(upsampled.ok());
  const SpeechQualityScores scores = Compare(speech, *upsampled, 48000);
  EXPECT_GE(scores.mos, 4.5);
  EXPECT_GT(scores.stoi, 0.99);
  EXPECT_NEAR(scores.delay_ms, 0.0, 0.1);
}

TEST(CompareSpeechTest, UnrelatedSpeechScoresBelowANoisyCopy) {
  // Other speech is not a degraded copy: it must score below a copy under noise that leaves it
  // clearly intelligible (20 dB SNR). STOI, which correlates envelopes, separates them widely.
  const std::vector<float> speech = SyntheticSpeech(4.0, kRate, 1);
  const std::vector<float> other = SyntheticSpeech(4.0, kRate, 2);
  const SpeechQualityScores unrelated = Compare(speech, other);
  const SpeechQualityScores noisy = Compare(speech, WithWhiteNoise(speech, 20.0));
  EXPECT_LT(unrelated.mos, noisy.mos);
  EXPECT_LT(unrelated.stoi, 0.5);
}

TEST(CompareSpeechTest, SilentDegradedScoresAtTheBottom) {
  const std::vector<float> speech = SyntheticSpeech(3.0, kRate);
  const SpeechQualityScores scores = Compare(speech, std::vector<float>(speech.size(), 0.0f));
  EXPECT_LT(scores.mos, 1.5);
  EXPECT_LT(scores.stoi, 0.1);
}

TEST(CompareSpeechTest, RejectsBadInput) {
  const std::vector<float> speech = SyntheticSpeech(2.0, kRate);
  const std::vector<float> short_clip(static_cast<size_t>(0.4 * kRate), 0.1f);
  EXPECT_FALSE(CompareSpeech({}, kRate, speech, kRate).ok());
  EXPECT_FALSE(CompareSpeech(speech, kRate, {}, kRate).ok());
  EXPECT_FALSE(CompareSpeech(short_clip, kRate, speech, kRate).ok());
  EXPECT_FALSE(CompareSpeech(speech, kRate, short_clip, kRate).ok());
  EXPECT_FALSE(CompareSpeech(speech, 4000, speech, kRate).ok());
  EXPECT_FALSE(CompareSpeech(speech, kRate, speech, 96000).ok());
  EXPECT_FALSE(CompareSpeech(speech, 0, speech, kRate).ok());
  EXPECT_FALSE(CompareSpeech(std::vector<float>(speech.size(), 0.0f), kRate, speech, kRate).ok());
  std::vector<float> with_nan = speech;
  with_nan[100] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(CompareSpeech(speech, kRate, with_nan, kRate).ok());
  const StatusOr<SpeechQualityScores> silent =
      CompareSpeech(std::vector<float>(speech.size(), 0.0f), kRate, speech, kRate);
  EXPECT_NE(silent.status().message().find("silent"), std::string::npos);
}

TEST(CompareSpeechTest, HalfSecondClipIsAccepted) {
  const std::vector<float> speech = SyntheticSpeech(0.5, kRate, 3);
  const SpeechQualityScores scores = Compare(speech, speech);
  EXPECT_GE(scores.mos, 4.5);
}

TEST(CompareSpeechTest, OpusMosFallsAsBitrateFalls) {
  const std::filesystem::path clip =
      SharedDirectory() / "media" / "speech" / "lyra_sample1_16kHz.wav";
  int rate = 0;
  const std::optional<std::vector<float>> speech = ReadMono(clip, &rate);
  if (!speech) GTEST_SKIP() << "shared clip " << clip << " not found (set AURALINK_SHARED)";
  ASSERT_EQ(rate, kRate);
  std::vector<SpeechQualityScores> scores;
  for (int bitrate : {32000, 16000, 8000, 6000}) {
    scores.push_back(Compare(*speech, OpusRoundTrip(*speech, bitrate)));
  }
  for (size_t i = 1; i < scores.size(); ++i) {
    EXPECT_LE(scores[i].mos, scores[i - 1].mos + 0.05) << "bitrate step " << i;
  }
  EXPECT_GT(scores.front().mos, scores.back().mos + 0.5);
  EXPECT_GT(scores.front().stoi, scores.back().stoi);
  EXPECT_LT(scores.front().lsd_db, scores.back().lsd_db);
  // Opus adds its look-ahead (a few ms) and no more.
  for (const SpeechQualityScores& s : scores) {
    EXPECT_GT(s.delay_ms, 0.0);
    EXPECT_LT(s.delay_ms, 20.0);
  }
}

}  // namespace
}  // namespace auralink::quality
