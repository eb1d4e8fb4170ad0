#include "video/y4m.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/shared_test_data.h"

namespace auralink::video {
namespace {

namespace fs = std::filesystem;

class Y4mTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("auralink_y4m_test_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }
  std::string PathOf(const std::string& name) const { return (directory_ / name).string(); }

  fs::path directory_;
};

VideoFrame PatternFrame(int width, int height, int seed) {
  VideoFrame frame = VideoFrame::Allocate(width, height);
  for (size_t i = 0; i < frame.data.size(); ++i) {
    frame.data[i] = static_cast<uint8_t>(i * 7 + seed * 31);
  }
  return frame;
}

std::vector<uint8_t> Bytes(const std::string& text) { return {text.begin(), text.end()}; }

std::string OpenError(const std::string& text) {
  auto reader = Y4mReader::CreateFromMemory(Bytes(text), "x.y4m");
  return reader.ok() ? "ok" : reader.status().message();
}

// A file with `frames` frames of `width` x `height`, every byte `fill`.
std::string SmallClip(const std::string& header, int width, int height, int frames,
                      char fill = 'a') {
  std::string text = header + "\n";
  for (int i = 0; i < frames; ++i) {
    text += "FRAME\n" + std::string(VideoFrame::BufferSize(width, height), fill);
  }
  return text;
}

TEST_F(Y4mTest, WritesAndReadsBackOddSizedFrames) {
  const std::string path = PathOf("clip.y4m");
  Y4mHeader header;
  header.width = 33;
  header.height = 17;
  header.fps_numerator = 30000;
  header.fps_denominator = 1001;
  header.colour_space = "420mpeg2";
  {
    auto writer = Y4mWriter::Create(path, header);
    ASSERT_TRUE(writer.ok()) << writer.status().message();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*writer)->WriteFrame(PatternFrame(33, 17, i)).ok());
    ASSERT_TRUE((*writer)->Close().ok());
  }
  auto reader = Y4mReader::Create(path);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_EQ((*reader)->width(), 33);
  EXPECT_EQ((*reader)->height(), 17);
  EXPECT_EQ((*reader)->header().fps_numerator, 30000);
  EXPECT_EQ((*reader)->header().fps_denominator, 1001);
  EXPECT_EQ((*reader)->header().colour_space, "420mpeg2");
  ASSERT_TRUE((*reader)->frame_count().has_value());
  EXPECT_EQ(*(*reader)->frame_count(), 3);
  VideoFrame frame;
  for (int i = 0; i < 3; ++i) {
    auto more = (*reader)->ReadFrame(&frame);
    ASSERT_TRUE(more.ok()) << more.status().message();
    ASSERT_TRUE(*more);
    EXPECT_EQ(frame.pts, i);
    EXPECT_EQ(frame.data, PatternFrame(33, 17, i).data);
  }
  auto end = (*reader)->ReadFrame(&frame);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
}

TEST_F(Y4mTest, WriterLeavesNothingBehindWithoutClose) {
  const std::string path = PathOf("unfinished.y4m");
  {
    Y4mHeader header;
    header.width = 16;
    header.height = 16;
    auto writer = Y4mWriter::Create(path, header);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->WriteFrame(PatternFrame(16, 16, 0)).ok());
  }
  EXPECT_TRUE(fs::is_empty(directory_));
}

TEST_F(Y4mTest, WriterRefusesAFrameOfTheWrongSize) {
  Y4mHeader header;
  header.width = 16;
  header.height = 16;
  auto writer = Y4mWriter::Create(PathOf("x.y4m"), header);
  ASSERT_TRUE(writer.ok());
  const Status status = (*writer)->WriteFrame(PatternFrame(18, 16, 0));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("18x16"), std::string::npos) << status.message();
}

TEST_F(Y4mTest, WriterRefusesUnsupportedHeaders) {
  Y4mHeader header;
  header.width = 16;
  header.height = 16;
  header.colour_space = "444";
  EXPECT_FALSE(Y4mWriter::Create(PathOf("x.y4m"), header).ok());
  header.colour_space = "420";
  header.fps_numerator = 0;
  EXPECT_FALSE(Y4mWriter::Create(PathOf("x.y4m"), header).ok());
  EXPECT_TRUE(fs::is_empty(directory_));
}

TEST(Y4mReaderTest, AcceptsEvery420SitingAndDefaultsToI420) {
  for (const char* siting : {"", " C420", " C420jpeg", " C420paldv", " C420mpeg2"}) {
    auto reader = Y4mReader::CreateFromMemory(
        Bytes(SmallClip(std::string("YUV4MPEG2 W4 H2 F25:1 Ip A1:1") + siting, 4, 2, 1)));
    ASSERT_TRUE(reader.ok()) << siting << ": " << reader.status().message();
    VideoFrame frame;
    auto more = (*reader)->ReadFrame(&frame);
    ASSERT_TRUE(more.ok() && *more);
    EXPECT_EQ(frame.data.size(), 4u * 2 + 2 * 2 * 1);
  }
}

TEST(Y4mReaderTest, RefusesOtherChromaFormatsAndBitDepthsByName) {
  EXPECT_EQ(OpenError("YUV4MPEG2 W4 H2 F25:1 C444\n"),
            "x.y4m: unsupported colour space C444 (only 8-bit 4:2:0 is read)");
  EXPECT_EQ(OpenError("YUV4MPEG2 W4 H2 F25:1 C422\n"),
            "x.y4m: unsupported colour space C422 (only 8-bit 4:2:0 is read)");
  EXPECT_EQ(OpenError("YUV4MPEG2 W4 H2 F25:1 C420p10 XYSCSS=420P10\n"),
            "x.y4m: unsupported colour space C420p10 (only 8-bit 4:2:0 is read)");
  EXPECT_EQ(OpenError("YUV4MPEG2 W4 H2 F25:1 Cmono\n"),
            "x.y4m: unsupported colour space Cmono (only 8-bit 4:2:0 is read)");
}

TEST(Y4mReaderTest, RefusesMalformedHeaders) {
  EXPECT_EQ(OpenError(""), "x.y4m: empty file");
  EXPECT_EQ(OpenError("RIFF....WAVEfmt \n"), "x.y4m: not a YUV4MPEG2 file");
  EXPECT_EQ(OpenError("YUV4MPEG2X W4 H2 F25:1\n"), "x.y4m: not a YUV4MPEG2 file");
  EXPECT_EQ(OpenError("YUV4MPEG2 W4 H2 F25:1"), "x.y4m: truncated header (no newline)");
  EXPECT_EQ(OpenError("YUV4MPEG2 H2 F25:1\n"), "x.y4m: header lacks the frame size (W and H)");
  EXPECT_EQ(OpenError("YUV4MPEG2 W4 H2\n"), "x.y4m: header lacks the frame rate (F)");
  EXPECT_EQ(OpenError("YUV4MPEG2 Wfour H2 F25:1\n"), "x.y4m: bad W field 'Wfour'");
  EXPECT_EQ(OpenError("YUV4MPEG2 W4 H2 F25\n"), "x.y4m: bad frame rate field 'F25'");
  EXPECT_EQ(OpenError("YUV4MPEG2 W4 H2 F0:1\n"), "x.y4m: bad frame rate 0:1");
  EXPECT_EQ(OpenError("YUV4MPEG2 W0 H2 F25:1\n"),
            "x.y4m: unsupported frame size 0x2 (1..16384 per side)");
  EXPECT_EQ(OpenError("YUV4MPEG2 W16385 H2 F25:1\n"),
            "x.y4m: unsupported frame size 16385x2 (1..16384 per side)");
  EXPECT_EQ(OpenError("YUV4MPEG2 W-4 H2 F25:1\n"),
            "x.y4m: unsupported frame size -4x2 (1..16384 per side)");
  EXPECT_EQ(OpenError("YUV4MPEG2 W99999999999 H2 F25:1\n"), "x.y4m: bad W field 'W99999999999'");
  EXPECT_EQ(OpenError("YUV4MPEG2 W4 H2 F25:1 X" + std::string(5000, 'x') + "\n"),
            "x.y4m: header line too long");
}

TEST(Y4mReaderTest, ReportsATruncatedFrameWithItsIndexAndSizes) {
  std::string text = SmallClip("YUV4MPEG2 W4 H2 F25:1", 4, 2, 2);
  text += "FRAME\nabc";
  auto reader = Y4mReader::CreateFromMemory(Bytes(text), "x.y4m");
  ASSERT_TRUE(reader.ok());
  EXPECT_FALSE((*reader)->frame_count().has_value());
  VideoFrame frame;
  for (int i = 0; i < 2; ++i) {
    auto more = (*reader)->ReadFrame(&frame);
    ASSERT_TRUE(more.ok() && *more);
  }
  auto truncated = (*reader)->ReadFrame(&frame);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().message(), "x.y4m: truncated frame 2 (expected 12 bytes, got 3)");
}

TEST(Y4mReaderTest, RefusesABadFrameMarker) {
  std::string text = SmallClip("YUV4MPEG2 W4 H2 F25:1", 4, 2, 1) + "FRAMEX\n";
  auto reader = Y4mReader::CreateFromMemory(Bytes(text), "x.y4m");
  ASSERT_TRUE(reader.ok());
  VideoFrame frame;
  ASSERT_TRUE((*reader)->ReadFrame(&frame).ok());
  auto bad = (*reader)->ReadFrame(&frame);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "x.y4m: frame 1: expected a FRAME line");

  auto unterminated = Y4mReader::CreateFromMemory(Bytes("YUV4MPEG2 W4 H2 F25:1\nFRAME"), "x.y4m");
  ASSERT_TRUE(unterminated.ok());
  auto result = (*unterminated)->ReadFrame(&frame);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "x.y4m: truncated frame 0 header");
}

TEST(Y4mReaderTest, AcceptsFrameLineParameters) {
  const std::string text = "YUV4MPEG2 W2 H2 F25:1\nFRAME Ip\n" + std::string(6, 'x');
  auto reader = Y4mReader::CreateFromMemory(Bytes(text));
  ASSERT_TRUE(reader.ok());
  VideoFrame frame;
  auto more = (*reader)->ReadFrame(&frame);
  ASSERT_TRUE(more.ok() && *more);
  EXPECT_EQ(frame.data, std::vector<uint8_t>(6, 'x'));
}

TEST(Y4mReaderTest, ReportsAMissingFile) {
  auto reader = Y4mReader::Create("/nonexistent/clip.y4m");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().message(), "/nonexistent/clip.y4m: file not found");
  auto directory = Y4mReader::Create("/tmp");
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().message(), "/tmp: is a directory");
}

struct SharedClip {
  const char* name;
  int width, height, fps_numerator, fps_denominator, frames;
};

// Sizes, rates and frame counts as listed in shared/media/SOURCES.md.
TEST(Y4mReaderTest, ReadsTheSharedClips) {
  const SharedClip clips[] = {
      {"highmotion_foreman_cif_352x288_30fps_f160-249_decoded.y4m", 352, 288, 30000, 1001, 90},
      {"raw_openh264_CiscoVT2people_320x192_12fps_9f.y4m", 320, 192, 12, 1, 9},
      {"screen_pdf_reader_scroll_1024x768_25fps_f24-48_decoded.y4m", 1024, 768, 25, 1, 25},
      {"talkinghead_hdtf_KatieHill_512x512_25fps_75f_decoded.y4m", 512, 512, 25, 1, 75},
  };
  int found = 0;
  for (const SharedClip& clip : clips) {
    const std::string path = SharedTestFile(std::string("media/video/") + clip.name);
    if (path.empty()) continue;
    ++found;
    auto reader = Y4mReader::Create(path);
    ASSERT_TRUE(reader.ok()) << reader.status().message();
    EXPECT_EQ((*reader)->width(), clip.width) << clip.name;
    EXPECT_EQ((*reader)->height(), clip.height) << clip.name;
    EXPECT_EQ((*reader)->header().fps_numerator, clip.fps_numerator) << clip.name;
    EXPECT_EQ((*reader)->header().fps_denominator, clip.fps_denominator) << clip.name;
    ASSERT_TRUE((*reader)->frame_count().has_value()) << clip.name;
    EXPECT_EQ(*(*reader)->frame_count(), clip.frames) << clip.name;
    VideoFrame frame;
    int frames = 0;
    while (true) {
      auto more = (*reader)->ReadFrame(&frame);
      ASSERT_TRUE(more.ok()) << more.status().message();
      if (!*more) break;
      ++frames;
    }
    EXPECT_EQ(frames, clip.frames) << clip.name;
  }
  if (found == 0) GTEST_SKIP() << "shared video clips not found (set AURALINK_SHARED)";
}

}  // namespace
}  // namespace auralink::video
