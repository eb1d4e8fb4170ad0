// The real SoundStream graphs (skipped when the weights are absent): every ISA path gives the
// same bits, and an encode -> quantize -> dequantize -> decode round trip of real speech comes
// back correlated with the input.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "nn/kernels/operator_test_harness.h"

namespace auralink::nn {
namespace {

constexpr int kFrameSamples = 320;
constexpr int kFeatures = 64;
constexpr int kLevels = 46;

std::filesystem::path SharedDirectory() {
  const char* shared = std::getenv("AURALINK_SHARED");
  return shared != nullptr && *shared != '\0' ? std::filesystem::path(shared)
                                              : std::filesystem::path(AURALINK_DEFAULT_SHARED_DIR);
}

std::filesystem::path ModelDirectory() { return SharedDirectory() / "models" / "lyra-v1.3.2"; }

#define SKIP_WITHOUT_MODELS()                                               \
  if (!std::filesystem::exists(ModelDirectory() / "lyragan.tflite")) {      \
    GTEST_SKIP() << "SoundStream weights not found in " << ModelDirectory() \
                 << " (set AURALINK_SHARED)";                               \
  }

// 16-bit mono PCM samples of a RIFF/WAVE file, scaled by 1/32768; empty if it is anything else.
std::vector<float> ReadPcm16Wav(const std::filesystem::path& path, int* sample_rate) {
  std::ifstream file(path, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                                   std::istreambuf_iterator<char>());
  auto u32 = [&](size_t at) {
    uint32_t v = 0;
    std::memcpy(&v, bytes.data() + at, 4);
    return v;
  };
  auto u16 = [&](size_t at) {
    uint16_t v = 0;
    std::memcpy(&v, bytes.data() + at, 2);
    return v;
  };
  if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0 ||
      std::memcmp(bytes.data() + 8, "WAVE", 4) != 0) {
    return {};
  }
  bool pcm16_mono = false;
  for (size_t at = 12; at + 8 <= bytes.size();) {
    const uint32_t size = u32(at + 4);
    if (at + 8 + size > bytes.size()) break;
    if (std::memcmp(bytes.data() + at, "fmt ", 4) == 0 && size >= 16) {
      pcm16_mono = u16(at + 8) == 1 && u16(at + 10) == 1 && u16(at + 22) == 16;
      *sample_rate = static_cast<int>(u32(at + 12));
    } else if (std::memcmp(bytes.data() + at, "data", 4) == 0 && pcm16_mono) {
      std::vector<float> samples(size / 2);
      for (size_t i = 0; i < samples.size(); ++i) {
        int16_t s = 0;
        std::memcpy(&s, bytes.data() + at + 8 + 2 * i, 2);
        samples[i] = s / 32768.0f;
      }
      return samples;
    }
    at += 8 + size + (size & 1);
  }
  return {};
}

struct Codec {
  std::unique_ptr<Interpreter> encoder;
  std::unique_ptr<Interpreter> quantizer_encode;
  std::unique_ptr<Interpreter> quantizer_decode;
  std::unique_ptr<Interpreter> decoder;
};

Codec MakeCodec(CpuIsa isa, Int8Semantics semantics) {
  auto encoder = Model::Load((ModelDirectory() / "soundstream_encoder.tflite").string());
  auto quantizer = Model::Load((ModelDirectory() / "quantizer.tflite").string());
  auto decoder = Model::Load((ModelDirectory() / "lyragan.tflite").string());
  EXPECT_TRUE(encoder.ok() && quantizer.ok() && decoder.ok());
  InterpreterOptions options;
  options.int8_semantics = semantics;
  SetCpuIsaForTesting(isa);
  Codec codec;
  auto e = Interpreter::Create(*encoder, "", options);
  auto qe = Interpreter::Create(*quantizer, "encode", options);
  auto qd = Interpreter::Create(*quantizer, "decode", options);
  auto d = Interpreter::Create(*decoder, "", options);
  SetCpuIsaForTesting(std::nullopt);
  EXPECT_TRUE(e.ok() && qe.ok() && qd.ok() && d.ok());
  codec.encoder = std::move(*e);
  codec.quantizer_encode = std::move(*qe);
  codec.quantizer_decode = std::move(*qd);
  codec.decoder = std::move(*d);
  return codec;
}

struct FrameResult {
  std::vector<float> features;
  std::vector<int32_t> indices;
  std::vector<float> decoded;
};

FrameResult RunFrame(Codec& codec, const float* samples, int quantizers) {
  FrameResult result;
  auto input = codec.encoder->input(0).as<float>();
  std::copy(samples, samples + kFrameSamples, input.begin());
  EXPECT_TRUE(codec.encoder->Invoke().ok());
  auto features = codec.encoder->output(0).as<float>();
  result.features.assign(features.begin(), features.end());
  std::copy(features.begin(), features.end(), codec.quantizer_encode->input(0).as<float>().begin());
  codec.quantizer_encode->input(1).as<int32_t>()[0] = quantizers;
  EXPECT_TRUE(codec.quantizer_encode->Invoke().ok());
  auto indices = codec.quantizer_encode->output(0).as<int32_t>();
  result.indices.assign(indices.begin(), indices.end());
  std::copy(indices.begin(), indices.end(), codec.quantizer_decode->input(0).as<int32_t>().begin());
  EXPECT_TRUE(codec.quantizer_decode->Invoke().ok());
  auto dequantized = codec.quantizer_decode->output(0).as<float>();
  std::copy(dequantized.begin(), dequantized.end(), codec.decoder->input(0).as<float>().begin());
  EXPECT_TRUE(codec.decoder->Invoke().ok());
  auto decoded = codec.decoder->output(0).as<float>();
  result.decoded.assign(decoded.begin(), decoded.end());
  return result;
}

std::vector<float> Speech() {
  int rate = 0;
  std::vector<float> samples =
      ReadPcm16Wav(SharedDirectory() / "media" / "speech" / "lyra_sample1_16kHz.wav", &rate);
  if (rate != 16000) samples.clear();
  return samples;
}

TEST(SoundStreamModelsTest, EveryIsaGivesTheSameBits) {
  SKIP_WITHOUT_MODELS();
  const std::vector<float> speech = Speech();
  if (speech.size() < 40 * kFrameSamples) GTEST_SKIP() << "lyra_sample1_16kHz.wav not found";
  for (Int8Semantics semantics : {Int8Semantics::kXnnpack, Int8Semantics::kTfliteReference}) {
    std::vector<FrameResult> baseline;
    for (CpuIsa isa : testing::SupportedIsas()) {
      Codec codec = MakeCodec(isa, semantics);
      for (int frame = 0; frame < 40; ++frame) {
        FrameResult result = RunFrame(codec, speech.data() + (frame + 50) * kFrameSamples, 30);
        if (isa == CpuIsa::kPortable) {
          baseline.push_back(std::move(result));
          continue;
        }
        EXPECT_EQ(result.features, baseline[frame].features)
            << CpuIsaName(isa) << " frame " << frame;
        EXPECT_EQ(result.indices, baseline[frame].indices) << CpuIsaName(isa) << " frame " << frame;
        EXPECT_EQ(result.decoded, baseline[frame].decoded) << CpuIsaName(isa) << " frame " << frame;
      }
    }
  }
}

TEST(SoundStreamModelsTest, QuantizerUsesExactlyTheRequestedLevels) {
  SKIP_WITHOUT_MODELS();
  Codec codec = MakeCodec(ActiveCpuIsa(), DefaultInt8Semantics());
  const auto features = testing::RandomFloats(kFeatures, 3, -20.0f, 20.0f);
  for (int quantizers : {16, 30, 46}) {
    std::copy(features.begin(), features.end(),
              codec.quantizer_encode->input(0).as<float>().begin());
    codec.quantizer_encode->input(1).as<int32_t>()[0] = quantizers;
    ASSERT_TRUE(codec.quantizer_encode->Invoke().ok());
    auto indices = codec.quantizer_encode->output(0).as<int32_t>();
    ASSERT_EQ(indices.size(), size_t{kLevels});
    for (int level = 0; level < kLevels; ++level) {
      if (level < quantizers) {
        EXPECT_GE(indices[level], 0);
        EXPECT_LT(indices[level], 16);
      } else {
        EXPECT_EQ(indices[level], -1);
      }
    }
    const int bits = codec.quantizer_encode->output(1).as<int32_t>()[0];
    EXPECT_EQ(bits, 4);
  }
}

TEST(SoundStreamModelsTest, RoundTripOfSpeechCorrelatesWithTheInput) {
  SKIP_WITHOUT_MODELS();
  const std::vector<float> speech = Speech();
  if (speech.empty()) GTEST_SKIP() << "lyra_sample1_16kHz.wav not found";
  Codec codec = MakeCodec(ActiveCpuIsa(), DefaultInt8Semantics());
  const int frames = static_cast<int>(speech.size() / kFrameSamples);
  std::vector<float> decoded;
  for (int frame = 0; frame < frames; ++frame) {
    FrameResult result = RunFrame(codec, speech.data() + frame * kFrameSamples, kLevels);
    decoded.insert(decoded.end(), result.decoded.begin(), result.decoded.end());
  }
  // The codec delays the signal; take the best alignment within 100 ms.
  double best = -1;
  for (int lag = 0; lag <= 1600; ++lag) {
    double xy = 0, xx = 0, yy = 0;
    for (size_t i = 0; i + lag < decoded.size(); ++i) {
      xy += double(speech[i]) * decoded[i + lag];
      xx += double(speech[i]) * speech[i];
      yy += double(decoded[i + lag]) * decoded[i + lag];
    }
    best = std::max(best, xy / std::sqrt(xx * yy + 1e-30));
  }
  // LiteRT's own run of these weights reaches 0.935 at 9.2 kbps.
  EXPECT_GT(best, 0.9);
}

}  // namespace
}  // namespace auralink::nn
