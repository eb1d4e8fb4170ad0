#include "nn/flatbuffer_view.h"

#include <gtest/gtest.h>

#include "nn/test_model_builder.h"

namespace auralink::nn {
namespace {

using testing::ScalarVector;
using testing::String;
using testing::TableWriter;

std::vector<uint8_t> SampleBuffer() {
  TableWriter child;
  child.Scalar<int32_t>(0, -7);
  TableWriter root;
  root.Scalar<uint32_t>(0, 42)
      .Ref(1, String("hello"))
      .Ref(2, ScalarVector(std::vector<int32_t>{1, 2, 3}))
      .Ref(4, child.node())
      .Scalar<int8_t>(5, 9);
  return testing::WriteFlatbuffer(root.node(), "TEST");
}

TEST(FlatbufferViewTest, ReadsTablesVectorsAndStrings) {
  const std::vector<uint8_t> bytes = SampleBuffer();
  FlatbufferView view(bytes);
  auto root = view.Root("TEST");
  ASSERT_TRUE(root.ok()) << root.status().message();
  EXPECT_EQ(*root->Scalar<uint32_t>(0, 0), 42u);
  EXPECT_EQ(**root->String(1), "hello");
  auto vector = root->Vector(2, 4);
  ASSERT_TRUE(vector.ok() && vector->has_value());
  ASSERT_EQ((*vector)->size(), 3u);
  EXPECT_EQ((*vector)->Get<int32_t>(2), 3);
  // Field 3 is absent: defaults and empty optionals.
  EXPECT_FALSE(root->Has(3));
  EXPECT_EQ(*root->Scalar<int16_t>(3, 11), 11);
  EXPECT_FALSE(root->String(3)->has_value());
  auto child = root->Table(4);
  ASSERT_TRUE(child.ok() && child->has_value());
  EXPECT_EQ(*(*child)->Scalar<int32_t>(0, 0), -7);
  EXPECT_EQ(*root->Scalar<int8_t>(5, 0), 9);
  // Ids beyond the vtable read as absent.
  EXPECT_EQ(*root->Scalar<int32_t>(40, 5), 5);
}

TEST(FlatbufferViewTest, RejectsWrongIdentifierAndTinyBuffers) {
  const std::vector<uint8_t> bytes = SampleBuffer();
  FlatbufferView view(bytes);
  auto wrong = view.Root("TFL3");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("file identifier is 'TEST'"), std::string::npos);
  const std::vector<uint8_t> tiny = {1, 2, 3};
  EXPECT_FALSE(FlatbufferView(tiny).Root("").ok());
}

TEST(FlatbufferViewTest, EveryTruncationIsAnErrorNotACrash) {
  const std::vector<uint8_t> bytes = SampleBuffer();
  for (size_t size = 0; size < bytes.size(); ++size) {
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + size);
    FlatbufferView view(cut);
    auto root = view.Root("TEST");
    if (!root.ok()) continue;
    // Whatever parsed, reading every field stays in bounds.
    (void)root->Scalar<uint32_t>(0, 0);
    (void)root->String(1);
    (void)root->Vector(2, 4);
    (void)root->Table(4);
  }
}

TEST(FlatbufferViewTest, ReportsOffsetsBeyondTheEnd) {
  std::vector<uint8_t> bytes = SampleBuffer();
  const uint32_t beyond = 1000;
  std::memcpy(bytes.data(), &beyond, 4);
  auto root = FlatbufferView(bytes).Root("TEST");
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().message(), "file truncated: offset 1000 beyond end of " +
                                         std::to_string(bytes.size()) + "-byte file");
}

}  // namespace
}  // namespace auralink::nn
