#include "aic/speech/soundstream_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <numbers>
#include <random>

#include "audio/audio_file.h"
#include "common/shared_test_data.h"

namespace auralink::speech {
namespace {

std::string ModelDirectory() {
  std::string encoder = SharedTestFile("models/lyra-v1.3.2/soundstream_encoder.tflite");
  return encoder.empty() ? "" : std::filesystem::path(encoder).parent_path().string();
}

std::vector<float> LoadSpeech16k() {
  std::string path = SharedTestFile("media/speech/lyra_sample1_16kHz.wav");
  if (path.empty()) return {};
  auto clip = audio::ReadAudioFile(path);
  if (!clip.ok()) return {};
  return clip->samples;
}

double Energy(std::span<const float> x) {
  double e = 0.0;
  for (float v : x) e += static_cast<double>(v) * v;
  return e / static_cast<double>(std::max<size_t>(1, x.size()));
}

// Highest normalised cross-correlation of `decoded` against `reference` over lags 0..max_lag.
double BestCorrelation(std::span<const float> reference, std::span<const float> decoded,
                       size_t max_lag) {
  double best = 0.0;
  for (size_t lag = 0; lag <= max_lag; ++lag) {
    double xy = 0.0, xx = 0.0, yy = 0.0;
    for (size_t i = 0; i + lag < decoded.size() && i < reference.size(); ++i) {
      xy += static_cast<double>(reference[i]) * decoded[i + lag];
      xx += static_cast<double>(reference[i]) * reference[i];
      yy += static_cast<double>(decoded[i + lag]) * decoded[i + lag];
    }
    if (xx > 0 && yy > 0) best = std::max(best, xy / std::sqrt(xx * yy));
  }
  return best;
}

class SoundStreamCodecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_dir_ = ModelDirectory();
    if (model_dir_.empty()) GTEST_SKIP() << "SoundStream weights absent (../shared/models)";
    auto models = SoundStreamModels::Load(model_dir_);
    ASSERT_TRUE(models.ok()) << models.status().message();
    models_ = *models;
  }

  std::unique_ptr<SoundStreamEncoder> MakeEncoder(int bitrate, int rate = 16000, int channels = 1,
                                                  bool dtx = false) {
    EncoderOptions options;
    options.bitrate_bps = bitrate;
    options.input_sample_rate_hz = rate;
    options.input_channels = channels;
    options.dtx = dtx;
    auto encoder = SoundStreamEncoder::Create(options, models_);
    EXPECT_TRUE(encoder.ok()) << encoder.status().message();
    return encoder.ok() ? std::move(*encoder) : nullptr;
  }

  std::unique_ptr<SoundStreamDecoder> MakeDecoder(int rate = 16000) {
    DecoderOptions options;
    options.output_sample_rate_hz = rate;
    auto decoder = SoundStreamDecoder::Create(options, models_);
    EXPECT_TRUE(decoder.ok()) << decoder.status().message();
    return decoder.ok() ? std::move(*decoder) : nullptr;
  }

  // Encodes and decodes `signal` (16 kHz mono), switching bitrate per frame via `bitrate_of`.
  std::vector<float> RoundTrip(std::span<const float> signal,
                               const std::function<int(size_t)>& bitrate_of) {
    auto encoder = MakeEncoder(bitrate_of(0));
    auto decoder = MakeDecoder();
    std::vector<float> out;
    std::vector<uint8_t> packet;
    std::vector<float> frame;
    for (size_t f = 0; (f + 1) * 320 <= signal.size(); ++f) {
      EXPECT_TRUE(encoder->SetBitrate(bitrate_of(f)).ok());
      EXPECT_TRUE(encoder->Encode(signal.subspan(f * 320, 320), &packet).ok());
      EXPECT_EQ(packet.size(), static_cast<size_t>(SoundStreamPacketBytes(
                                   *SoundStreamQuantizersForBitrate(bitrate_of(f)))));
      EXPECT_TRUE(decoder->Decode(packet, &frame).ok());
      EXPECT_EQ(frame.size(), 320u);
      out.insert(out.end(), frame.begin(), frame.end());
    }
    return out;
  }

  std::string model_dir_;
  std::shared_ptr<const SoundStreamModels> models_;
};

TEST_F(SoundStreamCodecTest, RejectsUnsupportedOptions) {
  EncoderOptions options;
  options.bitrate_bps = 8000;
  EXPECT_FALSE(SoundStreamEncoder::Create(options, models_).ok());
  options.bitrate_bps = 6000;
  options.input_sample_rate_hz = 22050;
  EXPECT_FALSE(SoundStreamEncoder::Create(options, models_).ok());
  DecoderOptions decoder_options;
  decoder_options.output_sample_rate_hz = 11025;
  EXPECT_FALSE(SoundStreamDecoder::Create(decoder_options, models_).ok());
  EXPECT_FALSE(SoundStreamModels::Load("/nonexistent").ok());
}

TEST_F(SoundStreamCodecTest, SpeechSurvivesEveryBitrateAndQualityRisesWithIt) {
  std::vector<float> speech = LoadSpeech16k();
  if (speech.empty()) GTEST_SKIP() << "lyra_sample1_16kHz.wav absent";
  double previous = 0.0;
  for (int bitrate : {3200, 6000, 9200}) {
    std::vector<float> decoded = RoundTrip(speech, [&](size_t) { return bitrate; });
    double correlation = BestCorrelation(speech, decoded, 1600);
    // The reference run of these weights correlates 0.874 / 0.921 / 0.935 on this clip.
    EXPECT_GT(correlation, 0.80) << bitrate;
    EXPECT_GT(correlation, previous - 0.01) << bitrate;
    previous = correlation;
  }
}

TEST_F(SoundStreamCodecTest, BitrateChangesOnAnyFrameWithoutReset) {
  std::vector<float> speech = LoadSpeech16k();
  if (speech.empty()) GTEST_SKIP() << "lyra_sample1_16kHz.wav absent";
  const int kRates[] = {3200, 9200, 6000};
  std::vector<float> decoded = RoundTrip(speech, [&](size_t f) { return kRates[f % 3]; });
  EXPECT_GT(BestCorrelation(speech, decoded, 1600), 0.80);
}

TEST_F(SoundStreamCodecTest, StereoAt48kHzDecodesToAnySupportedRate) {
  auto encoder = MakeEncoder(6000, 48000, 2);
  ASSERT_NE(encoder, nullptr);
  EXPECT_EQ(encoder->frame_size(), 960 * 2);
  for (int rate : {8000, 16000, 32000, 44100, 48000}) {
    auto decoder = MakeDecoder(rate);
    ASSERT_NE(decoder, nullptr);
    std::vector<float> frame(960 * 2);
    std::vector<uint8_t> packet;
    std::vector<float> out;
    for (int f = 0; f < 10; ++f) {
      for (size_t i = 0; i < 960; ++i) {
        float v = 0.2f * std::sin(2.0f * std::numbers::pi_v<float> * 220.0f * (f * 960 + i) / 48000);
        frame[2 * i] = v;
        frame[2 * i + 1] = v;
      }
      ASSERT_TRUE(encoder->Encode(frame, &packet).ok());
      ASSERT_EQ(packet.size(), 15u);
      ASSERT_TRUE(decoder->Decode(packet, &out).ok());
      EXPECT_EQ(out.size(), static_cast<size_t>(rate / 50));
    }
  }
}

TEST_F(SoundStreamCodecTest, WrongFrameSizeAndBadPacketsAreErrorsNotCrashes) {
  auto encoder = MakeEncoder(6000);
  std::vector<uint8_t> packet;
  std::vector<float> short_frame(100);
  EXPECT_FALSE(encoder->Encode(short_frame, &packet).ok());
  auto decoder = MakeDecoder();
  std::vector<float> frame;
  std::vector<uint8_t> bad(14, 0xff);
  EXPECT_FALSE(decoder->Decode(bad, &frame).ok());
  std::vector<uint8_t> good(15, 0x12);
  EXPECT_TRUE(decoder->Decode(good, &frame).ok());
  EXPECT_EQ(frame.size(), 320u);
}

TEST_F(SoundStreamCodecTest, ConcealmentFadesToComfortNoiseAndBack) {
  std::vector<float> speech = LoadSpeech16k();
  if (speech.empty()) GTEST_SKIP() << "lyra_sample1_16kHz.wav absent";
  auto encoder = MakeEncoder(6000);
  auto decoder = MakeDecoder();
  std::vector<uint8_t> packet;
  std::vector<float> frame;
  std::vector<double> concealed_energy;
  const size_t frames = speech.size() / 320;
  for (size_t f = 0; f < frames; ++f) {
    ASSERT_TRUE(encoder->Encode(std::span(speech).subspan(f * 320, 320), &packet).ok());
    const bool lost = f >= 60 && f < 75;  // 300 ms gap in the middle of speech
    if (lost) {
      decoder->Conceal({}, &frame);
      concealed_energy.push_back(Energy(frame));
    } else {
      ASSERT_TRUE(decoder->Decode(packet, &frame).ok());
    }
    ASSERT_EQ(frame.size(), 320u);
    for (float v : frame) ASSERT_TRUE(std::isfinite(v));
  }
  // Past the 80 ms model concealment and the 40 ms cross-fade, only comfort noise remains: far
  // quieter than speech, never silence-by-crash (finite) and never louder than the speech was.
  const double speech_energy = Energy(speech);
  EXPECT_LT(concealed_energy.back(), 0.1 * speech_energy);
}

TEST_F(SoundStreamCodecTest, DtxSendsNothingForSilenceAndSpeechForSpeech) {
  std::vector<float> speech = LoadSpeech16k();
  if (speech.empty()) GTEST_SKIP() << "lyra_sample1_16kHz.wav absent";
  auto encoder = MakeEncoder(6000, 16000, 1, /*dtx=*/true);
  std::vector<uint8_t> packet;
  std::vector<float> silence(320 * 50, 0.0f);
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0.0f, 0.0003f);  // about -70 dBFS
  for (float& v : silence) v = noise(rng);
  size_t empty = 0;
  for (size_t f = 0; f < 50; ++f) {
    ASSERT_TRUE(encoder->Encode(std::span(silence).subspan(f * 320, 320), &packet).ok());
    if (packet.empty()) ++empty;
  }
  EXPECT_GT(empty, 40u);
  size_t sent = 0;
  const size_t frames = speech.size() / 320;
  for (size_t f = 0; f < frames; ++f) {
    ASSERT_TRUE(encoder->Encode(std::span(speech).subspan(f * 320, 320), &packet).ok());
    if (!packet.empty()) ++sent;
  }
  EXPECT_GT(sent, frames / 2);
}

TEST_F(SoundStreamCodecTest, SameInputGivesSamePackets) {
  std::vector<float> speech = LoadSpeech16k();
  if (speech.empty()) GTEST_SKIP() << "lyra_sample1_16kHz.wav absent";
  auto a = MakeEncoder(9200);
  auto b = MakeEncoder(9200);
  std::vector<uint8_t> pa, pb;
  for (size_t f = 0; f < 50; ++f) {
    auto frame = std::span(speech).subspan(f * 320, 320);
    ASSERT_TRUE(a->Encode(frame, &pa).ok());
    ASSERT_TRUE(b->Encode(frame, &pb).ok());
    EXPECT_EQ(pa, pb);
  }
}

}  // namespace
}  // namespace auralink::speech
