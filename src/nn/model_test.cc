// Model::Create's validation: the real SoundStream files load; truncated, corrupted and
// unsupported files are refused with a one-line error naming the problem.

#include "nn/model.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "nn/flatbuffer_view.h"
#include "nn/interpreter.h"
#include "nn/test_model_builder.h"

namespace auralink::nn {
namespace {

using testing::TestModelBuilder;
using testing::TestQuantization;
using tflite::BuiltinOperator;
using tflite::BuiltinOptionsType;

std::filesystem::path ModelDirectory() {
  const char* shared = std::getenv("AURALINK_SHARED");
  const std::filesystem::path root = shared != nullptr && *shared != '\0'
                                         ? std::filesystem::path(shared)
                                         : std::filesystem::path(AURALINK_DEFAULT_SHARED_DIR);
  return root / "models" / "lyra-v1.3.2";
}

std::vector<uint8_t> ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

#define SKIP_WITHOUT_MODELS()                                               \
  if (!std::filesystem::exists(ModelDirectory() / "quantizer.tflite")) {    \
    GTEST_SKIP() << "SoundStream weights not found in " << ModelDirectory() \
                 << " (set AURALINK_SHARED)";                               \
  }

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ModelTest, LoadsTheSoundStreamGraphs) {
  SKIP_WITHOUT_MODELS();
  auto encoder = Model::Load((ModelDirectory() / "soundstream_encoder.tflite").string());
  ASSERT_TRUE(encoder.ok()) << encoder.status().message();
  EXPECT_EQ((*encoder)->signature_keys(), std::vector<std::string>{"serving_default"});
  EXPECT_EQ((*encoder)->subgraphs().size(), 2u);
  EXPECT_EQ((*encoder)->subgraphs()[0].operators.size(), 152u);

  auto quantizer = Model::Load((ModelDirectory() / "quantizer.tflite").string());
  ASSERT_TRUE(quantizer.ok()) << quantizer.status().message();
  EXPECT_EQ((*quantizer)->signature_keys(), (std::vector<std::string>{"decode", "encode"}));
  const SignatureSpec* encode = (*quantizer)->FindSignature("encode");
  ASSERT_NE(encode, nullptr);
  ASSERT_EQ(encode->inputs.size(), 2u);
  EXPECT_EQ(encode->inputs[0].name, "input_frames");
  EXPECT_EQ(encode->inputs[1].name, "num_quantizers");
  // Two signatures and no serving_default: "" names none of them.
  EXPECT_EQ((*quantizer)->FindSignature(""), nullptr);

  auto decoder = Model::Load((ModelDirectory() / "lyragan.tflite").string());
  ASSERT_TRUE(decoder.ok()) << decoder.status().message();
}

TEST(ModelTest, LoadNamesTheMissingPath) {
  auto model = Model::Load("/nonexistent/model.tflite");
  ASSERT_FALSE(model.ok());
  EXPECT_TRUE(Contains(model.status().message(), "/nonexistent/model.tflite"))
      << model.status().message();
}

TEST(ModelTest, RefusesTruncatedCopies) {
  SKIP_WITHOUT_MODELS();
  const std::vector<uint8_t> bytes = ReadFile(ModelDirectory() / "quantizer.tflite");
  for (size_t size : {size_t{0}, size_t{7}, size_t{1000}, bytes.size() / 2, bytes.size() - 1}) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + size);
    auto model = Model::Create(cut);
    ASSERT_FALSE(model.ok()) << "size " << size;
    const std::string message = model.status().message();
    EXPECT_TRUE(Contains(message, "file truncated")) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(ModelTest, RefusesCorruptedCopies) {
  SKIP_WITHOUT_MODELS();
  const std::vector<uint8_t> bytes = ReadFile(ModelDirectory() / "quantizer.tflite");
  {
    // The root offset points past the end.
    std::vector<uint8_t> corrupt = bytes;
    const uint32_t beyond = static_cast<uint32_t>(bytes.size() + 100);
    std::memcpy(corrupt.data(), &beyond, 4);
    auto model = Model::Create(corrupt);
    ASSERT_FALSE(model.ok());
    EXPECT_TRUE(Contains(model.status().message(),
                         "beyond end of " + std::to_string(bytes.size()) + "-byte file"))
        << model.status().message();
  }
  {
    auto model = Model::Create(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 4));
    ASSERT_FALSE(model.ok());
  }
  {
    std::vector<uint8_t> corrupt = bytes;
    corrupt[4] = 'X';
    auto model = Model::Create(corrupt);
    ASSERT_FALSE(model.ok());
    EXPECT_TRUE(Contains(model.status().message(), "file identifier")) << model.status().message();
  }
  // Flipping bytes anywhere must give an error or a valid model, never a crash.
  for (size_t at = 8; at < bytes.size(); at += bytes.size() / 97) {
    std::vector<uint8_t> corrupt = bytes;
    corrupt[at] ^= 0x5A;
    auto model = Model::Create(corrupt);
    if (model.ok()) continue;
    EXPECT_EQ(model.status().message().find('\n'), std::string::npos);
  }
}

// Locates operator code `index` of a real model and rewrites its builtin code.
std::vector<uint8_t> WithOperatorCode(std::vector<uint8_t> bytes, uint32_t index, int32_t code) {
  FlatbufferView view(bytes);
  auto root = view.Root(tflite::kFileIdentifier);
  auto codes = root->Vector(tflite::model_field::kOperatorCodes, 4);
  auto table = (**codes).TableAt(index);
  // Both the byte field and the int32 field exist in these files; patch both in place.
  const uint64_t table_at = table->position();
  FlatbufferView patch(bytes);
  auto read_offset = [&](int id) {
    const int32_t soffset = patch.ReadUnchecked<int32_t>(table_at);
    const uint64_t vtable = table_at - soffset;
    return patch.ReadUnchecked<uint16_t>(vtable + 4 + 2 * id);
  };
  const uint16_t byte_field = read_offset(tflite::operator_code_field::kDeprecatedBuiltinCode);
  const uint16_t int_field = read_offset(tflite::operator_code_field::kBuiltinCode);
  if (byte_field != 0) bytes[table_at + byte_field] = static_cast<uint8_t>(code);
  if (int_field != 0) std::memcpy(bytes.data() + table_at + int_field, &code, 4);
  return bytes;
}

TEST(ModelTest, RefusesAnUnsupportedOperator) {
  SKIP_WITHOUT_MODELS();
  const std::vector<uint8_t> bytes = ReadFile(ModelDirectory() / "soundstream_encoder.tflite");
  // Operator code 7 of the encoder is CONV_2D (operator 29 of subgraph 0 is its first use).
  auto model = Model::Create(WithOperatorCode(bytes, 7, 25));
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().message(),
            "unsupported operator SOFTMAX (builtin code 25) in subgraph 0, operator 29");
}

TEST(ModelTest, RefusesBufferSizeMismatch) {
  TestModelBuilder builder;
  const int in = builder.AddTensor("x", TensorType::kFloat32, {64, 3});
  const int weights =
      builder.AddConstantBytes("w", TensorType::kFloat32, {64, 3}, std::vector<uint8_t>(100, 0));
  const int out = builder.AddTensor("y", TensorType::kFloat32, {64, 3});
  builder.AddOperator(BuiltinOperator::kAdd, {in, weights}, {out});
  builder.SetInputs({in});
  builder.SetOutputs({out});
  auto model = Model::Create(builder.Build());
  ASSERT_FALSE(model.ok());
  EXPECT_TRUE(Contains(model.status().message(),
                       "buffer 1 holds 100 bytes but tensor 'w' [64,3] FLOAT32 needs 768"))
      << model.status().message();
}

TEST(ModelTest, RefusesInconsistentQuantization) {
  TestModelBuilder builder;
  TestQuantization per_channel{{0.1f, 0.2f, 0.3f}, {0, 0, 0}, 0};  // 3 scales for 4 channels
  const int in = builder.AddTensor("x", TensorType::kInt8, {4, 2}, per_channel);
  builder.SetInputs({in});
  builder.SetOutputs({in});
  auto model = Model::Create(builder.Build());
  ASSERT_FALSE(model.ok());
  EXPECT_TRUE(Contains(model.status().message(), "3 per-channel scales but dimension 0"))
      << model.status().message();
}

TEST(ModelTest, RefusesOutOfRangeIndicesAndWrongOptions) {
  {
    TestModelBuilder builder;
    const int in = builder.AddTensor("x", TensorType::kFloat32, {4});
    builder.AddOperator(BuiltinOperator::kAdd, {in, 7}, {in});
    builder.SetInputs({in});
    auto model = Model::Create(builder.Build());
    ASSERT_FALSE(model.ok());
    EXPECT_TRUE(Contains(model.status().message(), "names tensor 7")) << model.status().message();
  }
  {
    TestModelBuilder builder;
    const int a = builder.AddTensor("a", TensorType::kFloat32, {4});
    const int out = builder.AddTensor("out", TensorType::kFloat32, {4});
    builder.AddOperator(BuiltinOperator::kAdd, {a, a}, {out}, BuiltinOptionsType::kMulOptions,
                        testing::ActivationOptions(tflite::Activation::kNone));
    builder.SetInputs({a});
    builder.SetOutputs({out});
    auto model = Model::Create(builder.Build());
    ASSERT_FALSE(model.ok());
    EXPECT_TRUE(Contains(model.status().message(), "has options MulOptions, expected AddOptions"))
        << model.status().message();
  }
  {
    TestModelBuilder builder;
    const int a = builder.AddTensor("a", TensorType::kFloat32, {4});
    const int b = builder.AddTensor("b", TensorType::kFloat32, {4});
    const int out = builder.AddTensor("out", TensorType::kFloat32, {4});
    builder.AddOperator(BuiltinOperator::kAdd, {a, b}, {out});  // b is never written
    builder.SetInputs({a});
    builder.SetOutputs({out});
    auto model = Model::Create(builder.Build());
    ASSERT_FALSE(model.ok());
    EXPECT_TRUE(Contains(model.status().message(), "before any operator writes it"))
        << model.status().message();
  }
}

TEST(ModelTest, RefusesCustomOperatorsAndOtherSchemaVersions) {
  {
    TestModelBuilder builder;
    const int a = builder.AddTensor("a", TensorType::kFloat32, {4});
    const int out = builder.AddTensor("out", TensorType::kFloat32, {4});
    builder.AddRawOperator(32, "MyOp", {a}, {out});
    builder.SetInputs({a});
    builder.SetOutputs({out});
    auto model = Model::Create(builder.Build());
    ASSERT_FALSE(model.ok());
    EXPECT_EQ(model.status().message(),
              "unsupported custom operator 'MyOp' in subgraph 0, operator 0");
  }
  {
    TestModelBuilder builder;
    builder.SetVersion(2);
    auto model = Model::Create(builder.Build());
    ASSERT_FALSE(model.ok());
    EXPECT_TRUE(Contains(model.status().message(), "schema version 2")) << model.status().message();
  }
}

}  // namespace
}  // namespace auralink::nn
