#include "common/whole_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace auralink {
namespace {

namespace fs = std::filesystem;

class WholeFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::path(::testing::TempDir()) / ("auralink_whole_file_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string PathOf(const std::string& name) const { return (dir_ / name).string(); }
  size_t EntriesInDir() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }

  fs::path dir_;
};

TEST_F(WholeFileTest, ReadsWhatWasWritten) {
  const std::vector<uint8_t> bytes = {1, 2, 3, 0, 255};
  ASSERT_TRUE(WriteWholeFileAtomically(PathOf("a.bin"), bytes).ok());
  auto read = ReadWholeFile(PathOf("a.bin"));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(*read, bytes);
  EXPECT_EQ(EntriesInDir(), 1u) << "the temp file must be renamed away";
}

TEST_F(WholeFileTest, ReplacesAnExistingFile) {
  ASSERT_TRUE(WriteWholeFileAtomically(PathOf("a.bin"), std::vector<uint8_t>(1000, 7)).ok());
  ASSERT_TRUE(WriteWholeFileAtomically(PathOf("a.bin"), std::vector<uint8_t>{9}).ok());
  auto read = ReadWholeFile(PathOf("a.bin"));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, std::vector<uint8_t>{9});
}

TEST_F(WholeFileTest, MissingFileIsNamed) {
  auto read = ReadWholeFile(PathOf("nope.wav"));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(), PathOf("nope.wav") + ": file not found");
}

TEST_F(WholeFileTest, EmptyFileIsNamed) {
  std::ofstream(PathOf("empty.wav")).close();
  auto read = ReadWholeFile(PathOf("empty.wav"));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(), PathOf("empty.wav") + ": empty file");
}

TEST_F(WholeFileTest, DirectoryIsNotAFile) {
  auto read = ReadWholeFile(dir_.string());
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("is a directory"), std::string::npos);
}

TEST_F(WholeFileTest, WriteIntoMissingDirectoryFailsCleanly) {
  const std::string path = PathOf("missing/sub/out.bin");
  Status status = WriteWholeFileAtomically(path, std::vector<uint8_t>{1});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message().rfind(path + ": cannot create", 0), 0u) << status.message();
  EXPECT_EQ(EntriesInDir(), 0u);
}

TEST_F(WholeFileTest, FailedRenameLeavesNoTempFileAndKeepsTarget) {
  // Renaming a file over a non-empty directory fails after the temp file was written.
  fs::create_directories(dir_ / "target" / "inside");
  Status status = WriteWholeFileAtomically(PathOf("target"), std::vector<uint8_t>{1, 2});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("cannot replace"), std::string::npos) << status.message();
  EXPECT_EQ(EntriesInDir(), 1u) << "only the untouched target directory may remain";
  EXPECT_TRUE(fs::is_directory(dir_ / "target" / "inside"));
}

}  // namespace
}  // namespace auralink
