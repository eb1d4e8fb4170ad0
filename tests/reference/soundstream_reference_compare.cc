// Compares AuraLink's TFLite engine (src/nn) with a dump of Google's LiteRT.js run of the same
// SoundStream graphs (soundstream_reference.mjs) on one clip, stage by stage:
//   - encoder features: relative error over the clip (and the worst frame) <= 1e-4;
//   - quantizer indices, our quantizer on OUR features: all 46 indices equal on >= 99% of frames;
//   - decoder PCM, our decoder fed with our dequantization of the REFERENCE indices, so that the
//     decoder is judged on its own: SNR against the reference PCM >= 30 dB.
// An end-to-end SNR (our indices through our decoder) is reported but not judged, because one
// flipped index on a near tie legitimately changes the decoded waveform from then on.
//
//   soundstream_reference_compare --models DIR --input IN.f32 --reference DUMP_DIR
//                                 [--clip NAME] [--json | --json-out FILE]
//
// Exit status: 0 all thresholds met, 1 a threshold failed, 2 bad usage or unreadable input.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "nn/interpreter.h"
#include "nn/model.h"
#include "nn/tensor_type.h"

namespace auralink {
namespace {

constexpr int kFrameSamples = 320;
constexpr int kFeatureDims = 64;
constexpr int kQuantizerLevels = 46;

constexpr double kMaxFeatureRelativeError = 1e-4;
constexpr double kMinIdenticalIndexFrames = 0.99;
constexpr double kMinDecoderSnrDb = 30.0;
// Reported when two signals are bit-identical, so that JSON stays finite.
constexpr double kIdenticalSnrDb = 300.0;

struct Options {
  std::string models;
  std::string input;
  std::string reference;
  std::string clip;
  bool json = false;
  std::string json_out;
};

constexpr char kUsage[] =
    "usage: soundstream_reference_compare --models DIR --input IN.f32 --reference DUMP_DIR "
    "[--clip NAME] [--json | --json-out FILE]";

StatusOr<Options> ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--json") {
      options.json = true;
      continue;
    }
    std::string* target = nullptr;
    if (flag == "--models") target = &options.models;
    if (flag == "--input") target = &options.input;
    if (flag == "--reference") target = &options.reference;
    if (flag == "--clip") target = &options.clip;
    if (flag == "--json-out") target = &options.json_out;
    if (target == nullptr) return Status::Error("unknown argument '" + flag + "'");
    if (i + 1 >= argc) return Status::Error(flag + " needs a value");
    *target = argv[++i];
  }
  if (options.models.empty() || options.input.empty() || options.reference.empty()) {
    return Status::Error("--models, --input and --reference are required");
  }
  if (options.clip.empty()) options.clip = std::filesystem::path(options.input).stem().string();
  return options;
}

// Reads a raw little-endian array of T; `expected_count` < 0 accepts any whole number of values.
template <typename T>
StatusOr<std::vector<T>> ReadRawArray(const std::filesystem::path& path, long expected_count) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) return Status::Error("cannot open " + path.string());
  const std::streamoff bytes = file.tellg();
  if (bytes < 0 || bytes % static_cast<std::streamoff>(sizeof(T)) != 0) {
    return Status::Error(path.string() + ": size " + std::to_string(bytes) +
                         " is not a whole number of " + std::to_string(sizeof(T)) + "-byte values");
  }
  const long count = static_cast<long>(bytes / static_cast<std::streamoff>(sizeof(T)));
  if (expected_count >= 0 && count != expected_count) {
    return Status::Error(path.string() + ": holds " + std::to_string(count) + " values, expected " +
                         std::to_string(expected_count));
  }
  std::vector<T> values(static_cast<size_t>(count));
  file.seekg(0);
  if (!file.read(reinterpret_cast<char*>(values.data()), bytes)) {
    return Status::Error("cannot read " + path.string());
  }
  return values;
}

StatusOr<nlohmann::json> ReadJson(const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) return Status::Error("cannot open " + path.string());
  nlohmann::json value = nlohmann::json::parse(file, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Status::Error(path.string() + " is not valid JSON");
  return value;
}

// What LiteRT.js wrote for one clip (layout documented in soundstream_reference.mjs).
struct ReferenceDump {
  struct PerBitrate {
    int num_quantizers = 0;
    std::vector<int32_t> indices;
    std::vector<float> decoded;
  };
  int frames = 0;
  std::vector<float> features;
  std::vector<PerBitrate> bitrates;
  nlohmann::json meta;
};

StatusOr<ReferenceDump> ReadReferenceDump(const std::filesystem::path& dir, int frames) {
  ReferenceDump dump;
  auto meta = ReadJson(dir / "meta.json");
  if (!meta.ok()) return meta.status();
  dump.meta = *meta;
  const nlohmann::json& frames_field = dump.meta["frames"];
  const nlohmann::json& quantizers_field = dump.meta["quantizers"];
  if (!frames_field.is_number_integer() || !quantizers_field.is_array()) {
    return Status::Error((dir / "meta.json").string() + " lacks 'frames' or 'quantizers'");
  }
  if (frames_field.get<int>() != frames) {
    return Status::Error("the reference dump has " + std::to_string(frames_field.get<int>()) +
                         " frames but the input has " + std::to_string(frames));
  }
  dump.frames = frames;
  auto features = ReadRawArray<float>(dir / "features.f32", long{frames} * kFeatureDims);
  if (!features.ok()) return features.status();
  dump.features = std::move(*features);
  for (const nlohmann::json& n : quantizers_field) {
    if (!n.is_number_integer() || n.get<int>() < 1 || n.get<int>() > kQuantizerLevels) {
      return Status::Error("meta.json: quantizer count " + n.dump() + " is not in 1..46");
    }
    ReferenceDump::PerBitrate bitrate;
    bitrate.num_quantizers = n.get<int>();
    const std::string suffix = "_q" + std::to_string(bitrate.num_quantizers);
    auto indices =
        ReadRawArray<int32_t>(dir / ("indices" + suffix + ".i32"), long{frames} * kQuantizerLevels);
    if (!indices.ok()) return indices.status();
    auto decoded =
        ReadRawArray<float>(dir / ("decoded" + suffix + ".f32"), long{frames} * kFrameSamples);
    if (!decoded.ok()) return decoded.status();
    bitrate.indices = std::move(*indices);
    bitrate.decoded = std::move(*decoded);
    dump.bitrates.push_back(std::move(bitrate));
  }
  if (dump.bitrates.empty()) return Status::Error("meta.json lists no quantizer counts");
  return dump;
}

// Median milliseconds of one kind of Invoke(), for the report only.
class CallTimer {
 public:
  template <typename Fn>
  Status Time(Fn&& fn) {
    const auto start = std::chrono::steady_clock::now();
    Status status = fn();
    samples_ms_.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    return status;
  }
  double MedianMs() const {
    if (samples_ms_.empty()) return 0.0;
    std::vector<double> sorted = samples_ms_;
    std::sort(sorted.begin(), sorted.end());
    const size_t mid = sorted.size() / 2;
    return sorted.size() % 2 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
  }

 private:
  std::vector<double> samples_ms_;
};

// One long-lived interpreter over one signature, owning that graph's state variables, which
// persist across Invoke() calls as in the reference implementation.
class GraphRunner {
 public:
  static StatusOr<std::unique_ptr<GraphRunner>> Create(std::shared_ptr<const nn::Model> model,
                                                       const std::string& signature) {
    auto interpreter = nn::Interpreter::Create(std::move(model), signature);
    if (!interpreter.ok()) {
      return interpreter.status().WithContext("creating interpreter '" + signature + "'");
    }
    return std::unique_ptr<GraphRunner>(new GraphRunner(std::move(*interpreter)));
  }

  // The elements of input `name`, checked to be `count` values of T.
  template <typename T>
  StatusOr<std::span<T>> Input(const std::string& name, size_t count) {
    const int index = interpreter_->input_index(name);
    if (index < 0) return Status::Error("graph has no input '" + name + "'");
    const nn::TensorView view = interpreter_->input(static_cast<size_t>(index));
    if (view.type != nn::TensorTypeOf<T>::value || view.bytes != count * sizeof(T)) {
      return Status::Error("input '" + name + "' is " + std::string(nn::TensorTypeName(view.type)) +
                           " of " + std::to_string(view.bytes) + " bytes, expected " +
                           std::to_string(count) + " values of " +
                           std::string(nn::TensorTypeName(nn::TensorTypeOf<T>::value)));
    }
    return view.as<T>();
  }

  // The first output of exactly `count` values of T. Outputs are found by type and size because
  // the signatures' output names ("output_0", "output_1") carry no meaning.
  template <typename T>
  StatusOr<std::span<const T>> OutputWithCount(size_t count) const {
    for (size_t i = 0; i < interpreter_->output_count(); ++i) {
      const nn::TensorView view = interpreter_->output(i);
      if (view.type == nn::TensorTypeOf<T>::value && view.bytes == count * sizeof(T)) {
        return view.as<const T>();
      }
    }
    return Status::Error("graph has no output of " + std::to_string(count) + " values of " +
                         std::string(nn::TensorTypeName(nn::TensorTypeOf<T>::value)));
  }

  Status Invoke() { return interpreter_->Invoke(); }

 private:
  explicit GraphRunner(std::unique_ptr<nn::Interpreter> interpreter)
      : interpreter_(std::move(interpreter)) {}
  std::unique_ptr<nn::Interpreter> interpreter_;
};

struct Graphs {
  std::shared_ptr<const nn::Model> encoder;
  std::shared_ptr<const nn::Model> quantizer;
  std::shared_ptr<const nn::Model> decoder;
};

StatusOr<Graphs> LoadGraphs(const std::filesystem::path& dir) {
  Graphs graphs;
  struct Entry {
    const char* file;
    std::shared_ptr<const nn::Model>* slot;
  };
  for (const Entry& entry :
       {Entry{"soundstream_encoder.tflite", &graphs.encoder},
        Entry{"quantizer.tflite", &graphs.quantizer}, Entry{"lyragan.tflite", &graphs.decoder}}) {
    auto model = nn::Model::Load((dir / entry.file).string());
    if (!model.ok()) return model.status().WithContext("loading " + (dir / entry.file).string());
    *entry.slot = std::move(*model);
  }
  return graphs;
}

// Wraps the three graphs the way the codec drives them, one frame per call.
class Pipeline {
 public:
  static StatusOr<std::unique_ptr<Pipeline>> Create(const Graphs& graphs) {
    auto pipeline = std::unique_ptr<Pipeline>(new Pipeline(graphs));
    auto encoder = GraphRunner::Create(graphs.encoder, "");
    if (!encoder.ok()) return encoder.status().WithContext("encoder");
    auto quantize = GraphRunner::Create(graphs.quantizer, "encode");
    if (!quantize.ok()) return quantize.status().WithContext("quantizer");
    auto dequantize = GraphRunner::Create(graphs.quantizer, "decode");
    if (!dequantize.ok()) return dequantize.status().WithContext("quantizer");
    pipeline->encoder_ = std::move(*encoder);
    pipeline->quantize_ = std::move(*quantize);
    pipeline->dequantize_ = std::move(*dequantize);
    return pipeline;
  }

  StatusOr<std::unique_ptr<GraphRunner>> NewDecoder() const {
    auto decoder = GraphRunner::Create(graphs_.decoder, "");
    if (!decoder.ok()) return decoder.status().WithContext("decoder");
    return std::move(*decoder);
  }

  Status Encode(std::span<const float> frame, std::span<float> features) {
    auto input = encoder_->Input<float>("input_audio", kFrameSamples);
    if (!input.ok()) return input.status().WithContext("encoder");
    std::copy(frame.begin(), frame.end(), input->begin());
    AURALINK_RETURN_IF_ERROR(encoder_timer_.Time([&] { return encoder_->Invoke(); }));
    auto output = encoder_->OutputWithCount<float>(kFeatureDims);
    if (!output.ok()) return output.status().WithContext("encoder");
    std::copy(output->begin(), output->end(), features.begin());
    return Status::Ok();
  }

  Status Quantize(std::span<const float> features, int num_quantizers, std::span<int32_t> indices) {
    auto input = quantize_->Input<float>("input_frames", kFeatureDims);
    if (!input.ok()) return input.status().WithContext("quantizer encode");
    auto count = quantize_->Input<int32_t>("num_quantizers", 1);
    if (!count.ok()) return count.status().WithContext("quantizer encode");
    std::copy(features.begin(), features.end(), input->begin());
    (*count)[0] = num_quantizers;
    AURALINK_RETURN_IF_ERROR(quantize_timer_.Time([&] { return quantize_->Invoke(); }));
    auto output = quantize_->OutputWithCount<int32_t>(kQuantizerLevels);
    if (!output.ok()) return output.status().WithContext("quantizer encode");
    std::copy(output->begin(), output->end(), indices.begin());
    return Status::Ok();
  }

  Status Dequantize(std::span<const int32_t> indices, std::span<float> features) {
    auto input = dequantize_->Input<int32_t>("encoding_indices", kQuantizerLevels);
    if (!input.ok()) return input.status().WithContext("quantizer decode");
    std::copy(indices.begin(), indices.end(), input->begin());
    AURALINK_RETURN_IF_ERROR(dequantize_timer_.Time([&] { return dequantize_->Invoke(); }));
    auto output = dequantize_->OutputWithCount<float>(kFeatureDims);
    if (!output.ok()) return output.status().WithContext("quantizer decode");
    std::copy(output->begin(), output->end(), features.begin());
    return Status::Ok();
  }

  Status Decode(GraphRunner& decoder, std::span<const float> features, std::span<float> pcm) {
    auto input = decoder.Input<float>("input_audio", kFeatureDims);
    if (!input.ok()) return input.status().WithContext("decoder");
    std::copy(features.begin(), features.end(), input->begin());
    AURALINK_RETURN_IF_ERROR(decoder_timer_.Time([&] { return decoder.Invoke(); }));
    auto output = decoder.OutputWithCount<float>(kFrameSamples);
    if (!output.ok()) return output.status().WithContext("decoder");
    std::copy(output->begin(), output->end(), pcm.begin());
    return Status::Ok();
  }

  nlohmann::json MedianMs() const {
    return {{"encoder", encoder_timer_.MedianMs()},
            {"quantizer_encode", quantize_timer_.MedianMs()},
            {"quantizer_decode", dequantize_timer_.MedianMs()},
            {"decoder", decoder_timer_.MedianMs()}};
  }

 private:
  explicit Pipeline(const Graphs& graphs) : graphs_(graphs) {}

  Graphs graphs_;
  std::unique_ptr<GraphRunner> encoder_;
  std::unique_ptr<GraphRunner> quantize_;
  std::unique_ptr<GraphRunner> dequantize_;
  CallTimer encoder_timer_;
  CallTimer quantize_timer_;
  CallTimer dequantize_timer_;
  CallTimer decoder_timer_;
};

double SumOfSquares(std::span<const float> values) {
  double sum = 0.0;
  for (float v : values) sum += double{v} * v;
  return sum;
}

double SumOfSquaredDifferences(std::span<const float> a, std::span<const float> b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = double{a[i]} - b[i];
    sum += d * d;
  }
  return sum;
}

double RelativeError(std::span<const float> ours, std::span<const float> reference) {
  const double error = SumOfSquaredDifferences(ours, reference);
  const double energy = SumOfSquares(reference);
  if (error == 0.0) return 0.0;
  if (energy == 0.0) return std::numeric_limits<double>::infinity();
  return std::sqrt(error / energy);
}

double SnrDb(std::span<const float> ours, std::span<const float> reference) {
  const double noise = SumOfSquaredDifferences(ours, reference);
  const double signal = SumOfSquares(reference);
  if (noise == 0.0) return kIdenticalSnrDb;
  if (signal == 0.0) return -kIdenticalSnrDb;
  return std::min(kIdenticalSnrDb, 10.0 * std::log10(signal / noise));
}

struct FeatureAgreement {
  double clip_relative_error = 0.0;
  double max_frame_relative_error = 0.0;
  int worst_frame = 0;
  // The encoder's output is dequantized int8, so a disagreement shows up as whole quantization
  // steps; these two say how many values moved and by how much.
  long differing_values = 0;
  double max_abs_diff = 0.0;
  bool pass = false;
};

struct BitrateAgreement {
  int num_quantizers = 0;
  int identical_frames = 0;
  double identical_fraction = 0.0;
  long differing_indices = 0;
  int first_differing_frame = -1;
  double dequantize_max_abs_diff = 0.0;
  double decoder_snr_db = 0.0;
  double end_to_end_snr_db = 0.0;
  bool indices_pass = false;
  bool decoder_pass = false;
};

struct Comparison {
  std::string clip;
  int frames = 0;
  FeatureAgreement features;
  std::vector<BitrateAgreement> bitrates;
  nlohmann::json engine_ms;
  bool pass = false;
};

StatusOr<Comparison> Compare(const Options& options) {
  auto samples = ReadRawArray<float>(options.input, -1);
  if (!samples.ok()) return samples.status();
  const int frames = static_cast<int>(samples->size() / kFrameSamples);
  if (frames == 0) return Status::Error(options.input + " is shorter than one frame");
  auto dump = ReadReferenceDump(options.reference, frames);
  if (!dump.ok()) return dump.status().WithContext("reading the reference dump");
  auto graphs = LoadGraphs(options.models);
  if (!graphs.ok()) return graphs.status();
  auto pipeline = Pipeline::Create(*graphs);
  if (!pipeline.ok()) return pipeline.status();

  struct BitrateState {
    std::unique_ptr<GraphRunner> isolated_decoder;    // fed the reference indices
    std::unique_ptr<GraphRunner> end_to_end_decoder;  // fed our own indices
    std::vector<int32_t> indices;
    std::vector<float> isolated_pcm;
    std::vector<float> end_to_end_pcm;
  };
  std::vector<BitrateState> states(dump->bitrates.size());
  for (BitrateState& state : states) {
    auto isolated = (*pipeline)->NewDecoder();
    if (!isolated.ok()) return isolated.status();
    auto end_to_end = (*pipeline)->NewDecoder();
    if (!end_to_end.ok()) return end_to_end.status();
    state.isolated_decoder = std::move(*isolated);
    state.end_to_end_decoder = std::move(*end_to_end);
    state.indices.resize(size_t{1} * frames * kQuantizerLevels);
    state.isolated_pcm.resize(size_t{1} * frames * kFrameSamples);
    state.end_to_end_pcm.resize(size_t{1} * frames * kFrameSamples);
  }

  Comparison result;
  result.clip = options.clip;
  result.frames = frames;
  result.bitrates.resize(dump->bitrates.size());
  std::vector<float> features(size_t{1} * frames * kFeatureDims);
  std::vector<float> dequantized(kFeatureDims);
  std::vector<float> reference_dequantized(kFeatureDims);

  for (int f = 0; f < frames; ++f) {
    const auto frame =
        std::span<const float>(*samples).subspan(size_t{1} * f * kFrameSamples, kFrameSamples);
    const auto frame_features =
        std::span<float>(features).subspan(size_t{1} * f * kFeatureDims, kFeatureDims);
    AURALINK_RETURN_IF_ERROR((*pipeline)->Encode(frame, frame_features));

    for (size_t b = 0; b < dump->bitrates.size(); ++b) {
      const ReferenceDump::PerBitrate& reference = dump->bitrates[b];
      BitrateState& state = states[b];
      BitrateAgreement& agreement = result.bitrates[b];
      const size_t index_offset = size_t{1} * f * kQuantizerLevels;
      const size_t pcm_offset = size_t{1} * f * kFrameSamples;
      const auto our_indices =
          std::span<int32_t>(state.indices).subspan(index_offset, kQuantizerLevels);
      const auto reference_indices =
          std::span<const int32_t>(reference.indices).subspan(index_offset, kQuantizerLevels);

      AURALINK_RETURN_IF_ERROR(
          (*pipeline)->Quantize(frame_features, reference.num_quantizers, our_indices));
      const long differing = static_cast<long>(
          std::inner_product(our_indices.begin(), our_indices.end(), reference_indices.begin(), 0L,
                             std::plus<>(), std::not_equal_to<>()));
      agreement.differing_indices += differing;
      if (differing == 0) {
        ++agreement.identical_frames;
      } else if (agreement.first_differing_frame < 0) {
        agreement.first_differing_frame = f;
      }

      AURALINK_RETURN_IF_ERROR((*pipeline)->Dequantize(reference_indices, reference_dequantized));
      AURALINK_RETURN_IF_ERROR((*pipeline)->Decode(
          *state.isolated_decoder, reference_dequantized,
          std::span<float>(state.isolated_pcm).subspan(pcm_offset, kFrameSamples)));
      AURALINK_RETURN_IF_ERROR((*pipeline)->Dequantize(our_indices, dequantized));
      AURALINK_RETURN_IF_ERROR((*pipeline)->Decode(
          *state.end_to_end_decoder, dequantized,
          std::span<float>(state.end_to_end_pcm).subspan(pcm_offset, kFrameSamples)));
    }
  }

  FeatureAgreement& feature = result.features;
  feature.clip_relative_error = RelativeError(features, dump->features);
  for (int f = 0; f < frames; ++f) {
    const size_t offset = size_t{1} * f * kFeatureDims;
    const double error =
        RelativeError(std::span<const float>(features).subspan(offset, kFeatureDims),
                      std::span<const float>(dump->features).subspan(offset, kFeatureDims));
    if (error > feature.max_frame_relative_error) {
      feature.max_frame_relative_error = error;
      feature.worst_frame = f;
    }
  }
  for (size_t i = 0; i < features.size(); ++i) {
    const double diff = std::abs(double{features[i]} - dump->features[i]);
    if (diff != 0.0) ++feature.differing_values;
    feature.max_abs_diff = std::max(feature.max_abs_diff, diff);
  }
  feature.pass = feature.clip_relative_error <= kMaxFeatureRelativeError;
  result.pass = feature.pass;

  for (size_t b = 0; b < dump->bitrates.size(); ++b) {
    const ReferenceDump::PerBitrate& reference = dump->bitrates[b];
    BitrateAgreement& agreement = result.bitrates[b];
    agreement.num_quantizers = reference.num_quantizers;
    agreement.identical_fraction = static_cast<double>(agreement.identical_frames) / frames;
    agreement.decoder_snr_db = SnrDb(states[b].isolated_pcm, reference.decoded);
    agreement.end_to_end_snr_db = SnrDb(states[b].end_to_end_pcm, reference.decoded);
    agreement.indices_pass = agreement.identical_fraction >= kMinIdenticalIndexFrames;
    agreement.decoder_pass = agreement.decoder_snr_db >= kMinDecoderSnrDb;
    result.pass = result.pass && agreement.indices_pass && agreement.decoder_pass;
  }

  // The dequantized features of the reference's own indices, ours vs LiteRT's, isolate the
  // quantizer's codebook lookup from its argmin.
  for (size_t b = 0; b < dump->bitrates.size(); ++b) {
    const std::string file =
        "dequantized_q" + std::to_string(dump->bitrates[b].num_quantizers) + ".f32";
    auto reference_dequantized_all = ReadRawArray<float>(
        std::filesystem::path(options.reference) / file, long{frames} * kFeatureDims);
    if (!reference_dequantized_all.ok()) continue;  // optional, for debugging only
    double max_diff = 0.0;
    for (int f = 0; f < frames; ++f) {
      const auto indices = std::span<const int32_t>(dump->bitrates[b].indices)
                               .subspan(size_t{1} * f * kQuantizerLevels, kQuantizerLevels);
      AURALINK_RETURN_IF_ERROR((*pipeline)->Dequantize(indices, dequantized));
      for (int d = 0; d < kFeatureDims; ++d) {
        max_diff = std::max(
            max_diff, std::abs(double{dequantized[d]} -
                               (*reference_dequantized_all)[size_t{1} * f * kFeatureDims + d]));
      }
    }
    result.bitrates[b].dequantize_max_abs_diff = max_diff;
  }

  result.engine_ms = (*pipeline)->MedianMs();
  return result;
}

nlohmann::json ToJson(const Comparison& result, const nlohmann::json& reference_meta) {
  nlohmann::json bitrates = nlohmann::json::array();
  for (const BitrateAgreement& b : result.bitrates) {
    bitrates.push_back({{"num_quantizers", b.num_quantizers},
                        {"identical_index_frames", b.identical_frames},
                        {"identical_index_fraction", b.identical_fraction},
                        {"differing_indices", b.differing_indices},
                        {"first_differing_frame", b.first_differing_frame},
                        {"dequantize_max_abs_diff", b.dequantize_max_abs_diff},
                        {"decoder_snr_db", b.decoder_snr_db},
                        {"end_to_end_snr_db", b.end_to_end_snr_db},
                        {"indices_pass", b.indices_pass},
                        {"decoder_pass", b.decoder_pass}});
  }
  nlohmann::json litert_ms = nullptr;
  if (reference_meta.contains("median_ms_per_frame")) {
    litert_ms = reference_meta["median_ms_per_frame"];
  }
  return {{"clip", result.clip},
          {"frames", result.frames},
          {"pass", result.pass},
          {"features",
           {{"clip_relative_error", result.features.clip_relative_error},
            {"max_frame_relative_error", result.features.max_frame_relative_error},
            {"worst_frame", result.features.worst_frame},
            {"differing_values", result.features.differing_values},
            {"max_abs_diff", result.features.max_abs_diff},
            {"pass", result.features.pass}}},
          {"quantizers", bitrates},
          {"thresholds",
           {{"max_feature_relative_error", kMaxFeatureRelativeError},
            {"min_identical_index_fraction", kMinIdenticalIndexFrames},
            {"min_decoder_snr_db", kMinDecoderSnrDb}}},
          {"median_ms_per_call", {{"auralink", result.engine_ms}, {"litert", litert_ms}}}};
}

void PrintTable(const Comparison& result, const nlohmann::json& reference_meta) {
  const char* verdict = result.pass ? "PASS" : "FAIL";
  std::printf(
      "%s: %d frames, AuraLink engine vs LiteRT.js %s: %s\n", result.clip.c_str(), result.frames,
      reference_meta.value(nlohmann::json::json_pointer("/litert/version"), std::string("?"))
          .c_str(),
      verdict);
  std::printf(
      "  encoder features   relative error %.3g over the clip (limit %.0e), worst frame "
      "%d at %.3g; %ld of %d values differ, by up to %.3g  %s\n",
      result.features.clip_relative_error, kMaxFeatureRelativeError, result.features.worst_frame,
      result.features.max_frame_relative_error, result.features.differing_values,
      result.frames * kFeatureDims, result.features.max_abs_diff,
      result.features.pass ? "ok" : "FAIL");
  std::printf("  %-4s %-24s %-10s %-12s %-20s %-12s\n", "N", "identical index frames", "diff idx",
              "deq max|d|", "decoder SNR dB", "e2e SNR dB");
  for (const BitrateAgreement& b : result.bitrates) {
    char identical[64];
    std::snprintf(identical, sizeof identical, "%d/%d (%.2f%%)%s", b.identical_frames,
                  result.frames, 100.0 * b.identical_fraction, b.indices_pass ? "" : " FAIL");
    char decoder[64];
    std::snprintf(decoder, sizeof decoder, "%.1f%s", b.decoder_snr_db,
                  b.decoder_pass ? "" : " FAIL");
    std::printf("  %-4d %-24s %-10ld %-12.3g %-20s %-12.1f\n", b.num_quantizers, identical,
                b.differing_indices, b.dequantize_max_abs_diff, decoder, b.end_to_end_snr_db);
  }
  std::printf("  limits: identical index frames >= %.0f%%, decoder SNR >= %.0f dB\n",
              100.0 * kMinIdenticalIndexFrames, kMinDecoderSnrDb);
  const nlohmann::json& ms = result.engine_ms;
  std::printf(
      "  median ms per call, AuraLink: encoder %.3f, quantizer encode %.3f, quantizer "
      "decode %.3f, decoder %.3f\n",
      ms.value("encoder", 0.0), ms.value("quantizer_encode", 0.0),
      ms.value("quantizer_decode", 0.0), ms.value("decoder", 0.0));
  if (reference_meta.contains("median_ms_per_frame")) {
    const nlohmann::json& ref = reference_meta["median_ms_per_frame"];
    std::printf(
        "  median ms per call, LiteRT.js: encoder %.3f, quantizer encode %.3f, quantizer "
        "decode %.3f, decoder %.3f\n",
        ref.value("encoder", 0.0), ref.value("quantizer_encode", 0.0),
        ref.value("quantizer_decode", 0.0), ref.value("decoder", 0.0));
  }
}

int Run(int argc, char** argv) {
  auto options = ParseOptions(argc, argv);
  if (!options.ok()) {
    std::fprintf(stderr, "soundstream_reference_compare: %s\n%s\n",
                 options.status().message().c_str(), kUsage);
    return 2;
  }
  auto result = Compare(*options);
  if (!result.ok()) {
    std::fprintf(stderr, "soundstream_reference_compare: %s\n", result.status().message().c_str());
    return 2;
  }
  auto meta = ReadJson(std::filesystem::path(options->reference) / "meta.json");
  const nlohmann::json reference_meta = meta.ok() ? *meta : nlohmann::json::object();
  const nlohmann::json json = ToJson(*result, reference_meta);
  if (options->json) {
    std::cout << json.dump() << "\n";
  } else {
    PrintTable(*result, reference_meta);
  }
  if (!options->json_out.empty()) {
    std::ofstream file(options->json_out);
    file << json.dump(2) << "\n";
    if (!file) {
      std::fprintf(stderr, "soundstream_reference_compare: cannot write %s\n",
                   options->json_out.c_str());
      return 2;
    }
  }
  return result->pass ? 0 : 1;
}

}  // namespace
}  // namespace auralink

int main(int argc, char** argv) { return auralink::Run(argc, argv); }
