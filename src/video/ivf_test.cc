#include "video/ivf.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace auralink::video {
namespace {

namespace fs = std::filesystem;

class IvfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("auralink_ivf_test_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }
  std::string PathOf(const std::string& name) const { return (directory_ / name).string(); }

  fs::path directory_;
};

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A VP9 file header for 320x240 at time base 1/30 claiming `frame_count` frames, written out by
// hand from the layout.
std::vector<uint8_t> HeaderBytes(uint32_t frame_count = 2) {
  return {'D',  'K', 'I',  'F',  0,
          0,    32,  0,    'V',  'P',
          '9',  '0', 0x40, 0x01, 0xF0,
          0x00, 30,  0,    0,    0,
          1,    0,   0,    0,    static_cast<uint8_t>(frame_count),
          0,    0,   0,    0,    0,
          0,    0};
}

void AppendFrame(std::vector<uint8_t>* bytes, std::vector<uint8_t> payload, uint64_t pts) {
  const uint32_t size = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i) bytes->push_back(static_cast<uint8_t>(size >> (8 * i)));
  for (int i = 0; i < 8; ++i) bytes->push_back(static_cast<uint8_t>(pts >> (8 * i)));
  bytes->insert(bytes->end(), payload.begin(), payload.end());
}

std::string OpenError(std::vector<uint8_t> bytes) {
  auto reader = IvfReader::CreateFromMemory(std::move(bytes), "x.ivf");
  return reader.ok() ? "ok" : reader.status().message();
}

std::string FirstFrameError(std::vector<uint8_t> bytes) {
  auto reader = IvfReader::CreateFromMemory(std::move(bytes), "x.ivf");
  if (!reader.ok()) return reader.status().message();
  IvfFrame frame;
  auto more = (*reader)->ReadFrame(&frame);
  return more.ok() ? "ok" : more.status().message();
}

TEST(IvfFourccTest, NamesEachCodec) {
  EXPECT_STREQ(IvfFourcc(IvfCodec::kVp8), "VP80");
  EXPECT_STREQ(IvfFourcc(IvfCodec::kVp9), "VP90");
  EXPECT_STREQ(IvfFourcc(IvfCodec::kAv1), "AV01");
  EXPECT_STREQ(IvfFourcc(IvfCodec::kH264), "H264");
  EXPECT_EQ(ParseIvfFourcc("AV01"), IvfCodec::kAv1);
  EXPECT_EQ(ParseIvfFourcc("H264"), IvfCodec::kH264);
  EXPECT_FALSE(ParseIvfFourcc("HEVC").has_value());
}

TEST_F(IvfTest, WritesTheDocumentedLayoutAndFixesTheFrameCount) {
  const std::string path = PathOf("clip.ivf");
  IvfHeader header;
  header.codec = IvfCodec::kVp9;
  header.width = 320;
  header.height = 240;
  header.timebase_numerator = 1;
  header.timebase_denominator = 30;
  auto writer = IvfWriter::Create(path, header);
  ASSERT_TRUE(writer.ok()) << writer.status().message();
  ASSERT_TRUE((*writer)->WriteFrame(std::vector<uint8_t>{1, 2, 3}, 0).ok());
  ASSERT_TRUE((*writer)->WriteFrame(std::vector<uint8_t>{4}, 0x0102030405LL).ok());
  EXPECT_FALSE(fs::exists(path));
  ASSERT_TRUE((*writer)->Close().ok());

  std::vector<uint8_t> expected = HeaderBytes(2);
  AppendFrame(&expected, {1, 2, 3}, 0);
  AppendFrame(&expected, {4}, 0x0102030405ULL);
  EXPECT_EQ(ReadFile(path), expected);
}

TEST_F(IvfTest, ReadsBackWhatItWrote) {
  const std::string path = PathOf("clip.ivf");
  IvfHeader header;
  header.codec = IvfCodec::kAv1;
  header.width = 1280;
  header.height = 720;
  header.timebase_numerator = 1;
  header.timebase_denominator = 90000;
  {
    auto writer = IvfWriter::Create(path, header);
    ASSERT_TRUE(writer.ok());
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(
          (*writer)->WriteFrame(std::vector<uint8_t>(100 * i + 1, uint8_t(i)), 3000 * i).ok());
    }
    ASSERT_TRUE((*writer)->Close().ok());
  }
  auto reader = IvfReader::Create(path);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_EQ((*reader)->header().codec, IvfCodec::kAv1);
  EXPECT_EQ((*reader)->header().width, 1280);
  EXPECT_EQ((*reader)->header().height, 720);
  EXPECT_EQ((*reader)->header().timebase_numerator, 1u);
  EXPECT_EQ((*reader)->header().timebase_denominator, 90000u);
  EXPECT_EQ((*reader)->header().frame_count, 5u);
  IvfFrame frame;
  for (int i = 0; i < 5; ++i) {
    auto more = (*reader)->ReadFrame(&frame);
    ASSERT_TRUE(more.ok() && *more);
    EXPECT_EQ(frame.pts, 3000 * i);
    EXPECT_EQ(frame.data, std::vector<uint8_t>(100 * i + 1, uint8_t(i)));
  }
  auto end = (*reader)->ReadFrame(&frame);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
}

TEST_F(IvfTest, WriterLeavesNothingBehindWithoutClose) {
  {
    IvfHeader header;
    header.width = 16;
    header.height = 16;
    auto writer = IvfWriter::Create(PathOf("x.ivf"), header);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->WriteFrame(std::vector<uint8_t>{1}, 0).ok());
  }
  EXPECT_TRUE(fs::is_empty(directory_));
  IvfHeader bad;
  bad.width = 0;
  EXPECT_FALSE(IvfWriter::Create(PathOf("y.ivf"), bad).ok());
  EXPECT_TRUE(fs::is_empty(directory_));
}

TEST(IvfReaderTest, RefusesMalformedHeaders) {
  EXPECT_EQ(OpenError({}), "x.ivf: empty file");
  std::vector<uint8_t> bad_magic = HeaderBytes();
  bad_magic[0] = 'R';
  EXPECT_EQ(OpenError(bad_magic), "x.ivf: not an IVF file (bad magic)");
  EXPECT_EQ(OpenError({'D', 'K', 'I', 'F', 0, 0}), "x.ivf: truncated header (6 of 32 bytes)");
  std::vector<uint8_t> fourcc = HeaderBytes();
  fourcc[8] = 'H';
  fourcc[9] = '2';
  fourcc[10] = '6';
  fourcc[11] = 0x05;
  EXPECT_EQ(OpenError(fourcc), "x.ivf: unknown fourcc 'H26\\x05'");
  std::vector<uint8_t> version = HeaderBytes();
  version[4] = 2;
  EXPECT_EQ(OpenError(version), "x.ivf: unsupported IVF version 2");
  std::vector<uint8_t> header_size = HeaderBytes();
  header_size[6] = 12;
  EXPECT_EQ(OpenError(header_size), "x.ivf: bad header size 12");
  std::vector<uint8_t> zero_width = HeaderBytes();
  zero_width[12] = zero_width[13] = 0;
  EXPECT_EQ(OpenError(zero_width), "x.ivf: unsupported frame size 0x240 (1..16384 per side)");
  std::vector<uint8_t> zero_rate = HeaderBytes();
  zero_rate[16] = 0;
  EXPECT_EQ(OpenError(zero_rate), "x.ivf: bad time base 1/0");
}

TEST(IvfReaderTest, SkipsALongerHeader) {
  std::vector<uint8_t> bytes = HeaderBytes();
  bytes[6] = 40;
  bytes.insert(bytes.end(), 8, 0xEE);
  AppendFrame(&bytes, {9, 9}, 7);
  auto reader = IvfReader::CreateFromMemory(bytes);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  IvfFrame frame;
  auto more = (*reader)->ReadFrame(&frame);
  ASSERT_TRUE(more.ok() && *more);
  EXPECT_EQ(frame.data, (std::vector<uint8_t>{9, 9}));
  EXPECT_EQ(frame.pts, 7);
}

TEST(IvfReaderTest, RefusesTruncatedAndAbsurdFrames) {
  std::vector<uint8_t> short_header = HeaderBytes();
  short_header.insert(short_header.end(), {5, 0, 0});
  EXPECT_EQ(FirstFrameError(short_header), "x.ivf: truncated frame 0 header");

  std::vector<uint8_t> short_payload = HeaderBytes();
  AppendFrame(&short_payload, {1, 2, 3, 4, 5}, 0);
  short_payload.pop_back();
  short_payload.pop_back();
  EXPECT_EQ(FirstFrameError(short_payload), "x.ivf: truncated frame 0 (expected 5 bytes, got 3)");

  std::vector<uint8_t> absurd = HeaderBytes();
  absurd.insert(absurd.end(), {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(FirstFrameError(absurd), "x.ivf: frame 0 claims 4294967295 bytes (corrupt)");

  // Within the limit but beyond the data: refused without allocating the claimed size.
  std::vector<uint8_t> large = HeaderBytes();
  large.insert(large.end(), {0x00, 0x00, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(FirstFrameError(large), "x.ivf: truncated frame 0 (expected 134217728 bytes, got 0)");
}

TEST(IvfReaderTest, ReportsAMissingFile) {
  auto reader = IvfReader::Create("/nonexistent/clip.ivf");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().message(), "/nonexistent/clip.ivf: file not found");
}

}  // namespace
}  // namespace auralink::video
