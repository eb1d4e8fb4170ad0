#include "common/atomic_file_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace auralink {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

class AtomicFileWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("auralink_atomic_test_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }
  fs::path directory_;
};

TEST_F(AtomicFileWriterTest, ReplacesTheFileOnlyAtCommit) {
  const fs::path path = directory_ / "out.bin";
  { std::ofstream(path) << "old"; }
  auto writer = AtomicFileWriter::Create(path.string());
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append(AsBytes("hello ")).ok());
  ASSERT_TRUE((*writer)->Append(AsBytes("world")).ok());
  EXPECT_EQ((*writer)->size(), 11u);
  ASSERT_TRUE((*writer)->OverwriteAt(0, AsBytes("J")).ok());
  EXPECT_EQ(ReadText(path), "old");
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ(ReadText(path), "Jello world");
  EXPECT_FALSE((*writer)->Append(AsBytes("x")).ok());
  EXPECT_EQ(std::distance(fs::directory_iterator(directory_), fs::directory_iterator()), 1);
}

TEST_F(AtomicFileWriterTest, AbandonsTheTempFileWithoutCommit) {
  const fs::path path = directory_ / "out.bin";
  {
    auto writer = AtomicFileWriter::Create(path.string());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append(AsBytes("partial")).ok());
    EXPECT_FALSE((*writer)->OverwriteAt(5, AsBytes("long")).ok());
  }
  EXPECT_TRUE(fs::is_empty(directory_));
}

TEST_F(AtomicFileWriterTest, ReportsAnUnwritableDirectory) {
  auto writer = AtomicFileWriter::Create((directory_ / "missing" / "out.bin").string());
  ASSERT_FALSE(writer.ok());
  EXPECT_NE(writer.status().message().find("cannot create"), std::string::npos);
}

}  // namespace
}  // namespace auralink
