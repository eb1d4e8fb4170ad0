// Times AuraLink's engine on the SoundStream graphs, per graph and for one whole 20 ms frame
// (encoder, quantizer encode at 46 quantizers, quantizer decode, decoder), on the current ISA and
// on each one this CPU supports. Skips (with a message) when the weights are absent.
//
//   soundstream_inference_bench [--benchmark_filter=Frame] [--benchmark_repetitions=5]
//
// Weights: $AURALINK_SHARED/models/lyra-v1.3.2 (default: the `shared` folder beside the checkout).

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "nn/cpu_isa.h"
#include "nn/interpreter.h"
#include "nn/model.h"

namespace {

using auralink::nn::CpuIsa;
using auralink::nn::Interpreter;
using auralink::nn::Model;

constexpr int kFrameSamples = 320;
constexpr int kFeatures = 64;
constexpr int kQuantizers = 46;

std::string ModelDirectory() {
  const char* shared = std::getenv("AURALINK_SHARED");
  std::filesystem::path root = shared != nullptr && *shared != '\0'
                                   ? std::filesystem::path(shared)
                                   : std::filesystem::path(AURALINK_DEFAULT_SHARED_DIR);
  return (root / "models" / "lyra-v1.3.2").string();
}

// The four interpreters of one codec instance, for one ISA.
struct Codec {
  std::unique_ptr<Interpreter> encoder;
  std::unique_ptr<Interpreter> quantizer_encode;
  std::unique_ptr<Interpreter> quantizer_decode;
  std::unique_ptr<Interpreter> decoder;
};

std::unique_ptr<Codec> MakeCodec(CpuIsa isa, std::string* error) {
  const std::string dir = ModelDirectory();
  auto encoder = Model::Load(dir + "/soundstream_encoder.tflite");
  auto quantizer = Model::Load(dir + "/quantizer.tflite");
  auto decoder = Model::Load(dir + "/lyragan.tflite");
  for (const auto* model : {&encoder, &quantizer, &decoder}) {
    if (!model->ok()) {
      *error = model->status().message();
      return nullptr;
    }
  }
  auralink::nn::SetCpuIsaForTesting(isa);
  auto codec = std::make_unique<Codec>();
  auto e = Interpreter::Create(*encoder);
  auto qe = Interpreter::Create(*quantizer, "encode");
  auto qd = Interpreter::Create(*quantizer, "decode");
  auto d = Interpreter::Create(*decoder);
  auralink::nn::SetCpuIsaForTesting(std::nullopt);
  for (const auto* interpreter : {&e, &qe, &qd, &d}) {
    if (!interpreter->ok()) {
      *error = interpreter->status().message();
      return nullptr;
    }
  }
  codec->encoder = std::move(*e);
  codec->quantizer_encode = std::move(*qe);
  codec->quantizer_decode = std::move(*qd);
  codec->decoder = std::move(*d);
  return codec;
}

// A voiced-speech-like test frame: a few harmonics of 140 Hz with a slow amplitude drift.
void FillFrame(int frame, float* samples) {
  for (int i = 0; i < kFrameSamples; ++i) {
    const double t = (frame * kFrameSamples + i) / 16000.0;
    double value = 0;
    for (int h = 1; h <= 6; ++h) value += std::sin(2 * M_PI * 140.0 * h * t) / h;
    samples[i] = static_cast<float>(0.15 * value * (0.6 + 0.4 * std::sin(2 * M_PI * 3 * t)));
  }
}

// A second of test signal, generated once so that timing loops only copy it.
const std::vector<float>& TestSignal() {
  static const std::vector<float> signal = [] {
    std::vector<float> samples(50 * kFrameSamples);
    for (int frame = 0; frame < 50; ++frame)
      FillFrame(frame, samples.data() + frame * kFrameSamples);
    return samples;
  }();
  return signal;
}

// Encoder -> quantizer encode -> quantizer decode -> decoder, as a codec round trip runs them.
bool RunFrame(Codec& codec, int frame) {
  const float* samples = TestSignal().data() + (frame % 50) * kFrameSamples;
  std::copy(samples, samples + kFrameSamples, codec.encoder->input(0).as<float>().begin());
  if (!codec.encoder->Invoke().ok()) return false;
  auto features = codec.encoder->output(0).as<float>();
  std::copy(features.begin(), features.end(), codec.quantizer_encode->input(0).as<float>().begin());
  codec.quantizer_encode->input(1).as<int32_t>()[0] = kQuantizers;
  if (!codec.quantizer_encode->Invoke().ok()) return false;
  auto indices = codec.quantizer_encode->output(0).as<int32_t>();
  std::copy(indices.begin(), indices.end(), codec.quantizer_decode->input(0).as<int32_t>().begin());
  if (!codec.quantizer_decode->Invoke().ok()) return false;
  auto dequantized = codec.quantizer_decode->output(0).as<float>();
  std::copy(dequantized.begin(), dequantized.end(), codec.decoder->input(0).as<float>().begin());
  return codec.decoder->Invoke().ok();
}

enum class Stage { kEncoder, kQuantizerEncode, kQuantizerDecode, kDecoder, kFrame };

void BM_SoundStream(benchmark::State& state, Stage stage, CpuIsa isa) {
  if (!auralink::nn::CpuSupports(isa)) {
    state.SkipWithError("this CPU lacks the instruction set");
    return;
  }
  std::string error;
  std::unique_ptr<Codec> codec = MakeCodec(isa, &error);
  if (codec == nullptr) {
    state.SkipWithError(("SoundStream weights unavailable: " + error).c_str());
    return;
  }
  // Warm the state variables and every stage's inputs with a few real frames.
  int frame = 0;
  for (; frame < 10; ++frame) {
    if (!RunFrame(*codec, frame)) {
      state.SkipWithError("Invoke failed");
      return;
    }
  }
  Interpreter* single = stage == Stage::kEncoder           ? codec->encoder.get()
                        : stage == Stage::kQuantizerEncode ? codec->quantizer_encode.get()
                        : stage == Stage::kQuantizerDecode ? codec->quantizer_decode.get()
                        : stage == Stage::kDecoder         ? codec->decoder.get()
                                                           : nullptr;
  for (auto _ : state) {
    bool ok = single != nullptr ? single->Invoke().ok() : RunFrame(*codec, frame++);
    if (!ok) {
      state.SkipWithError("Invoke failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void Register() {
  const std::pair<const char*, Stage> stages[] = {
      {"Encoder", Stage::kEncoder},
      {"QuantizerEncode46", Stage::kQuantizerEncode},
      {"QuantizerDecode", Stage::kQuantizerDecode},
      {"Decoder", Stage::kDecoder},
      {"Frame", Stage::kFrame},
  };
  for (CpuIsa isa : {CpuIsa::kAvx512, CpuIsa::kAvx2, CpuIsa::kPortable}) {
    for (const auto& [name, stage] : stages) {
      const std::string label =
          std::string("SoundStream/") + name + "/" + std::string(auralink::nn::CpuIsaName(isa));
      benchmark::RegisterBenchmark(label.c_str(), BM_SoundStream, stage, isa)
          ->Unit(benchmark::kMicrosecond);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Register();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
