#include "audio/aus_stream.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace auralink::audio {
namespace {

namespace fs = std::filesystem;

AusStream SampleStream() {
  AusStream stream;
  stream.header.codec = kAusCodecOpus;
  stream.header.sample_rate_hz = 48000;
  stream.header.channels = 2;
  stream.header.bitrate_bps = 24000;
  stream.packets = {{0xAA, 0xBB, 0xCC}, {}, {0x01}};
  return stream;
}

// The expected bytes written out by hand from docs/aus-format.md.
std::vector<uint8_t> SampleBytes() {
  return {'A',  'U',  'R',  'A',                            // magic
          1,                                                // version
          2,                                                // codec: opus
          20,   0,                                          // frame duration ms
          0x80, 0xBB, 0x00, 0x00,                           // 48000 Hz
          2,                                                // channels
          0,    0,    0,                                    // reserved
          0xC0, 0x5D, 0x00, 0x00,                           // 24000 bps
          3,    0,    0,    0,                              // frame count
          3,    0,    0xAA, 0xBB, 0xCC, 0, 0, 1, 0, 0x01};  // records
}

std::string ParseError(std::vector<uint8_t> bytes) {
  auto parsed = ParseAus(bytes);
  return parsed.ok() ? "ok" : parsed.status().message();
}

TEST(AusStreamTest, SerialisesTheDocumentedLayout) {
  auto bytes = SerializeAus(SampleStream());
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  EXPECT_EQ(*bytes, SampleBytes());
}

TEST(AusStreamTest, ParsesTheDocumentedLayout) {
  auto stream = ParseAus(SampleBytes());
  ASSERT_TRUE(stream.ok()) << stream.status().message();
  EXPECT_EQ(stream->header.version, 1);
  EXPECT_EQ(stream->header.codec, kAusCodecOpus);
  EXPECT_EQ(stream->header.frame_duration_ms, 20);
  EXPECT_EQ(stream->header.sample_rate_hz, 48000u);
  EXPECT_EQ(stream->header.channels, 2);
  EXPECT_EQ(stream->header.bitrate_bps, 24000u);
  EXPECT_EQ(stream->header.frame_count, 3u);
  EXPECT_EQ(stream->packets, SampleStream().packets);
}

TEST(AusStreamTest, FrameCountComesFromThePackets) {
  AusStream stream = SampleStream();
  stream.header.frame_count = 99;
  auto bytes = SerializeAus(stream);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ((*bytes)[20], 3);
}

TEST(AusStreamTest, RoundTripsMaximumPackets) {
  AusStream stream = SampleStream();
  stream.header.codec = kAusCodecSoundStream;
  stream.header.sample_rate_hz = 16000;
  stream.header.channels = 1;
  stream.packets.assign(50, std::vector<uint8_t>(kAusMaxPacketBytes, 0x5A));
  stream.packets[7].clear();
  auto bytes = SerializeAus(stream);
  ASSERT_TRUE(bytes.ok());
  auto parsed = ParseAus(*bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->packets, stream.packets);
}

TEST(AusStreamTest, WriterRefusesWhatReadersWouldReject) {
  AusStream stream = SampleStream();
  stream.packets[0].assign(kAusMaxPacketBytes + 1, 0);
  EXPECT_FALSE(SerializeAus(stream).ok());
  stream = SampleStream();
  stream.header.sample_rate_hz = 22050;
  EXPECT_FALSE(SerializeAus(stream).ok());
  stream = SampleStream();
  stream.header.codec = 0;
  EXPECT_FALSE(SerializeAus(stream).ok());
}

TEST(AusStreamTest, RejectsBadHeadersWithClearMessages) {
  std::vector<uint8_t> b = SampleBytes();
  EXPECT_EQ(ParseError({}), "empty file");
  b[0] = 'X';
  EXPECT_EQ(ParseError(b), "not an .aus file (bad magic)");
  EXPECT_EQ(ParseError({'R', 'I', 'F', 'F', 0, 0}), "not an .aus file (bad magic)");
  b = SampleBytes();
  b[4] = 2;
  EXPECT_EQ(ParseError(b), "unsupported .aus version 2 (this build reads version 1)");
  b = SampleBytes();
  b[5] = 7;
  EXPECT_EQ(ParseError(b), "unknown codec id 7 (1 = soundstream, 2 = opus)");
  b = SampleBytes();
  b[6] = 10;
  EXPECT_EQ(ParseError(b), "unsupported frame duration 10 ms (only 20 ms)");
  b = SampleBytes();
  b[8] = 0x22;  // 0xBB22 = 47906 Hz
  EXPECT_EQ(ParseError(b), "unsupported sample rate 47906 Hz (8000, 16000, 32000, 44100 or 48000)");
  b = SampleBytes();
  b[12] = 3;
  EXPECT_EQ(ParseError(b), "unsupported channel count 3 (1 or 2)");
  b = SampleBytes();
  b[12] = 0;
  EXPECT_EQ(ParseError(b), "unsupported channel count 0 (1 or 2)");
}

TEST(AusStreamTest, AcceptsEverySupportedRate) {
  for (uint32_t rate : {8000u, 16000u, 32000u, 44100u, 48000u}) {
    AusStream stream = SampleStream();
    stream.header.sample_rate_hz = rate;
    auto bytes = SerializeAus(stream);
    ASSERT_TRUE(bytes.ok());
    auto parsed = ParseAus(*bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(parsed->header.sample_rate_hz, rate);
  }
}

TEST(AusStreamTest, RejectsTruncationAndTrailingBytes) {
  std::vector<uint8_t> b = SampleBytes();
  b.resize(10);
  EXPECT_EQ(ParseError(b), "truncated: header needs 24 bytes, the file has 10");
  b = SampleBytes();
  b.resize(b.size() - 2);  // the last record loses its length... and its byte
  EXPECT_EQ(ParseError(b), "truncated: frame 2 of 3 is missing");
  b = SampleBytes();
  b.resize(b.size() - 1);  // the last record's packet is cut short
  EXPECT_EQ(ParseError(b), "truncated: frame 2 declares 1 bytes, 0 remain");
  b = SampleBytes();
  b[24] = 0x10;  // the first packet would need 16 bytes
  EXPECT_EQ(ParseError(b), "truncated: frame 0 declares 16 bytes, 8 remain");
  b = SampleBytes();
  b[20] = 200;  // far more frames than the body could hold
  EXPECT_EQ(ParseError(b), "truncated: the header declares 200 frames, the file holds at most 5");
  b = SampleBytes();
  b.push_back(0);
  EXPECT_EQ(ParseError(b), "1 trailing bytes after the last frame");
  b = SampleBytes();
  b[20] = 2;
  EXPECT_EQ(ParseError(b), "3 trailing bytes after the last frame");
}

TEST(AusStreamTest, RejectsOversizedPackets) {
  std::vector<uint8_t> b = SampleBytes();
  b[24] = 0xFC;  // 0x04FC = 1276
  b[25] = 0x04;
  EXPECT_EQ(ParseError(b), "frame 0: packet length 1276 is over the 1275-byte limit");
}

TEST(AusStreamTest, HugeFrameCountDoesNotAllocate) {
  std::vector<uint8_t> b = SampleBytes();
  b[20] = b[21] = b[22] = b[23] = 0xFF;
  EXPECT_NE(ParseError(b).find("truncated"), std::string::npos);
}

class AusFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::path(::testing::TempDir()) / ("auralink_aus_stream_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string PathOf(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(AusFileTest, WritesAndReadsAFile) {
  ASSERT_TRUE(WriteAusFile(PathOf("a.aus"), SampleStream()).ok());
  auto stream = ReadAusFile(PathOf("a.aus"));
  ASSERT_TRUE(stream.ok()) << stream.status().message();
  EXPECT_EQ(stream->packets, SampleStream().packets);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), {}), 1);
}

TEST_F(AusFileTest, ErrorsNameTheFile) {
  auto missing = ReadAusFile(PathOf("x.aus"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), PathOf("x.aus") + ": file not found");
  std::ofstream(PathOf("empty.aus")).close();
  auto empty = ReadAusFile(PathOf("empty.aus"));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), PathOf("empty.aus") + ": empty file");
  std::ofstream(PathOf("text.aus")) << "hello world, not a stream";
  auto text = ReadAusFile(PathOf("text.aus"));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(), PathOf("text.aus") + ": not an .aus file (bad magic)");
}

TEST_F(AusFileTest, FailedWriteKeepsTheOldFile) {
  ASSERT_TRUE(WriteAusFile(PathOf("a.aus"), SampleStream()).ok());
  AusStream bad = SampleStream();
  bad.header.channels = 5;
  Status status = WriteAusFile(PathOf("a.aus"), bad);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), PathOf("a.aus") + ": unsupported channel count 5 (1 or 2)");
  auto stream = ReadAusFile(PathOf("a.aus"));
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(stream->header.channels, 2);
}

}  // namespace
}  // namespace auralink::audio
