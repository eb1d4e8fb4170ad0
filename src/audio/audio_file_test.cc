#include "audio/audio_file.h"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "common/shared_test_data.h"
#include "common/whole_file.h"

namespace auralink::audio {
namespace {

namespace fs = std::filesystem;

std::vector<float> Sine(int rate, int channels, size_t frames, double amplitude) {
  std::vector<float> samples(frames * static_cast<size_t>(channels));
  for (size_t i = 0; i < frames; ++i) {
    for (int c = 0; c < channels; ++c) {
      const double hz = 440.0 * (c + 1);
      samples[i * channels + c] = static_cast<float>(
          amplitude * std::sin(2.0 * std::numbers::pi * hz * static_cast<double>(i) / rate));
    }
  }
  return samples;
}

class AudioFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::path(::testing::TempDir()) / ("auralink_audio_file_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string PathOf(const std::string& name) const { return (dir_ / name).string(); }

  // Writes a fixture with libsndfile itself, so the reader is checked against an independent
  // writer.
  void WriteWithSndfile(const std::string& path, int format, int rate, int channels,
                        const std::vector<float>& samples) {
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = channels;
    info.format = format;
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(file, nullptr) << sf_strerror(nullptr);
    // Float files keep out-of-range values; integer files would clip them in libsndfile.
    sf_command(file, SFC_SET_CLIPPING, nullptr, SF_TRUE);
    const sf_count_t frames = static_cast<sf_count_t>(samples.size()) / channels;
    ASSERT_EQ(sf_writef_float(file, samples.data(), frames), frames);
    sf_close(file);
  }

  fs::path dir_;
};

TEST_F(AudioFileTest, Pcm16RoundTripIsExactOnTheGrid) {
  AudioBuffer audio{16000, 1, {}};
  for (int v = -32768; v < 32768; v += 97)
    audio.samples.push_back(static_cast<float>(v) / 32768.0f);
  ASSERT_TRUE(WriteWavFile(PathOf("grid.wav"), audio).ok());
  auto read = ReadAudioFile(PathOf("grid.wav"));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->sample_rate_hz, 16000);
  EXPECT_EQ(read->channels, 1);
  EXPECT_EQ(read->samples, audio.samples);
}

TEST_F(AudioFileTest, WriteRoundsAndClips) {
  const float step = 1.0f / 32768.0f;
  AudioBuffer audio{
      8000, 1, {0.4f * step, 0.6f * step, -0.6f * step, 1.5f, -2.0f, 1.0f, std::nanf("")}};
  ASSERT_TRUE(WriteWavFile(PathOf("clip.wav"), audio).ok());
  auto read = ReadAudioFile(PathOf("clip.wav"));
  ASSERT_TRUE(read.ok()) << read.status().message();
  const std::vector<float> expected = {0.0f, step, -step, 32767 * step, -1.0f, 32767 * step, 0.0f};
  EXPECT_EQ(read->samples, expected);
}

TEST_F(AudioFileTest, WrittenHeaderIsCanonicalPcm16) {
  AudioBuffer audio{48000, 2, {0.0f, 0.5f, -0.5f, 0.25f}};
  auto bytes = EncodeWav16(audio);
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->size(), 44u + 8u);
  EXPECT_EQ(std::string(bytes->begin(), bytes->begin() + 4), "RIFF");
  EXPECT_EQ(std::string(bytes->begin() + 8, bytes->begin() + 16), "WAVEfmt ");
  EXPECT_EQ((*bytes)[22], 2);     // channels
  EXPECT_EQ((*bytes)[24], 0x80);  // 48000 = 0xBB80
  EXPECT_EQ((*bytes)[25], 0xBB);
  EXPECT_EQ((*bytes)[34], 16);  // bits per sample
  EXPECT_EQ(std::string(bytes->begin() + 36, bytes->begin() + 40), "data");
  EXPECT_EQ((*bytes)[40], 8);  // data bytes
}

TEST_F(AudioFileTest, InvalidBufferIsRefusedAndTheOldFileKept) {
  AudioBuffer good{16000, 1, {0.5f}};
  ASSERT_TRUE(WriteWavFile(PathOf("keep.wav"), good).ok());
  AudioBuffer bad{16000, 2, {0.1f, 0.2f, 0.3f}};
  Status status = WriteWavFile(PathOf("keep.wav"), bad);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("whole number"), std::string::npos) << status.message();
  auto read = ReadAudioFile(PathOf("keep.wav"));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->samples, good.samples);
  EXPECT_FALSE(WriteWavFile(PathOf("x.wav"), AudioBuffer{0, 1, {0.0f}}).ok());
  EXPECT_FALSE(WriteWavFile(PathOf("x.wav"), AudioBuffer{16000, 0, {0.0f}}).ok());
}

struct EncodingCase {
  const char* name;
  int format;
  double tolerance;
};

class AudioFileEncodingTest : public AudioFileTest,
                              public ::testing::WithParamInterface<EncodingCase> {};

TEST_P(AudioFileEncodingTest, ReadsWhatLibsndfileWrote) {
  const EncodingCase& c = GetParam();
  const std::vector<float> samples = Sine(44100, 2, 4410, 0.7);
  const std::string path = PathOf(std::string(c.name) + ".audio");
  WriteWithSndfile(path, c.format, 44100, 2, samples);
  auto read = ReadAudioFile(path);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->sample_rate_hz, 44100);
  EXPECT_EQ(read->channels, 2);
  ASSERT_EQ(read->samples.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    ASSERT_NEAR(read->samples[i], samples[i], c.tolerance) << "sample " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Encodings, AudioFileEncodingTest,
    ::testing::Values(EncodingCase{"wav16", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1.0 / 32768},
                      EncodingCase{"wav24", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 1.0 / 8388608},
                      EncodingCase{"wav32", SF_FORMAT_WAV | SF_FORMAT_PCM_32, 1e-7},
                      EncodingCase{"wavfloat", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 0.0},
                      EncodingCase{"wavex24", SF_FORMAT_WAVEX | SF_FORMAT_PCM_24, 1.0 / 8388608},
                      EncodingCase{"flac16", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1.0 / 32768},
                      EncodingCase{"flac24", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 1.0 / 8388608}),
    [](const ::testing::TestParamInfo<EncodingCase>& info) { return info.param.name; });

TEST_F(AudioFileTest, FloatSamplesAreClippedAndNonFiniteZeroed) {
  WriteWithSndfile(PathOf("hot.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, 16000, 1,
                   {1.5f, -3.0f, 0.25f, std::numeric_limits<float>::infinity(), std::nanf("")});
  auto read = ReadAudioFile(PathOf("hot.wav"));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->samples, (std::vector<float>{1.0f, -1.0f, 0.25f, 0.0f, 0.0f}));
}

TEST_F(AudioFileTest, AnyRateIsAccepted) {
  AudioBuffer audio{22050, 1, std::vector<float>(100, 0.25f)};
  ASSERT_TRUE(WriteWavFile(PathOf("odd.wav"), audio).ok());
  auto read = ReadAudioFile(PathOf("odd.wav"));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->sample_rate_hz, 22050);
}

TEST_F(AudioFileTest, MissingAndEmptyFilesAreNamed) {
  auto missing = ReadAudioFile(PathOf("x.wav"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), PathOf("x.wav") + ": file not found");
  std::ofstream(PathOf("empty.wav")).close();
  auto empty = ReadAudioFile(PathOf("empty.wav"));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), PathOf("empty.wav") + ": empty file");
}

TEST_F(AudioFileTest, GarbageIsNotAWavOrFlacFile) {
  std::ofstream(PathOf("text.wav")) << "this is not audio at all, just some words";
  auto read = ReadAudioFile(PathOf("text.wav"));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(
      read.status().message().rfind(PathOf("text.wav") + ": truncated or not a WAV/FLAC file (", 0),
      0u)
      << read.status().message();
}

TEST_F(AudioFileTest, TruncatedWavIsReportedNotReadShort) {
  AudioBuffer audio{16000, 1, Sine(16000, 1, 1600, 0.5)};
  auto bytes = EncodeWav16(audio);
  ASSERT_TRUE(bytes.ok());
  bytes->resize(bytes->size() - 1000);
  auto read = ReadAudioFromMemory(*bytes);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message().rfind("audio data: truncated", 0), 0u)
      << read.status().message();
  EXPECT_NE(read.status().message().find("3200 bytes"), std::string::npos)
      << read.status().message();
}

TEST_F(AudioFileTest, TruncatedFlacIsReported) {
  WriteWithSndfile(PathOf("long.flac"), SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 1,
                   Sine(16000, 1, 16000, 0.5));
  auto bytes = ReadWholeFile(PathOf("long.flac"));
  ASSERT_TRUE(bytes.ok());
  bytes->resize(bytes->size() / 2);
  auto read = ReadAudioFromMemory(*bytes);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("truncated"), std::string::npos)
      << read.status().message();
}

TEST_F(AudioFileTest, HeaderOnlyWavHoldsNoAudio) {
  auto bytes = EncodeWav16(AudioBuffer{16000, 1, {}});
  ASSERT_TRUE(bytes.ok());
  auto read = ReadAudioFromMemory(*bytes);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(), "audio data: holds no audio");
}

TEST_F(AudioFileTest, UnsupportedEncodingIsNamed) {
  WriteWithSndfile(PathOf("ulaw.wav"), SF_FORMAT_WAV | SF_FORMAT_ULAW, 8000, 1,
                   Sine(8000, 1, 800, 0.5));
  auto read = ReadAudioFile(PathOf("ulaw.wav"));
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("unsupported encoding"), std::string::npos)
      << read.status().message();
}

TEST_F(AudioFileTest, ReadsSharedSpeechClips) {
  const std::string wav = SharedTestFile("media/speech/lyra_sample1_16kHz.wav");
  const std::string flac = SharedTestFile("media/speech/librispeech_1926-143879-0000.flac");
  if (wav.empty() || flac.empty())
    GTEST_SKIP() << "shared speech clips not found (AURALINK_SHARED)";
  auto lyra = ReadAudioFile(wav);
  ASSERT_TRUE(lyra.ok()) << lyra.status().message();
  EXPECT_EQ(lyra->sample_rate_hz, 16000);
  EXPECT_EQ(lyra->channels, 1);
  EXPECT_NEAR(static_cast<double>(lyra->frames()) / 16000.0, 3.45, 0.01);
  auto libri = ReadAudioFile(flac);
  ASSERT_TRUE(libri.ok()) << libri.status().message();
  EXPECT_EQ(libri->sample_rate_hz, 16000);
  EXPECT_NEAR(static_cast<double>(libri->frames()) / 16000.0, 12.80, 0.01);
  double energy = 0.0;
  for (float s : libri->samples) energy += static_cast<double>(s) * s;
  EXPECT_GT(energy, 0.0);
}

}  // namespace
}  // namespace auralink::audio
