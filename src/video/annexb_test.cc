#include "video/annexb.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/shared_test_data.h"

namespace auralink::video {
namespace {

namespace fs = std::filesystem;

using Bytes = std::vector<uint8_t>;

// NAL units written out by hand (H.264 s7.3): the first byte is the NAL header
// (forbidden_zero_bit, nal_ref_idc, nal_unit_type); a slice header opens with first_mb_in_slice
// as ue(v), where a leading 1 bit codes 0 and "0 0 1 1 0" codes 5.
const Bytes kSps = {0x67, 0x42, 0xC0, 0x1E, 0xDA};
const Bytes kPps = {0x68, 0xCE, 0x3C, 0x80};
const Bytes kIdrFirstSlice = {0x65, 0x88, 0x84, 0x21};   // first_mb_in_slice 0
const Bytes kIdrSecondSlice = {0x65, 0x30, 0x84, 0x21};  // first_mb_in_slice 5
const Bytes kSliceFirst = {0x41, 0x9A, 0x02, 0x11};      // first_mb_in_slice 0
// first_mb_in_slice with 22 leading zeros, its RBSP 00 00 02 escaped as 00 00 03 02.
const Bytes kSliceEscaped = {0x41, 0x00, 0x00, 0x03, 0x02, 0x7F, 0xFF, 0xFF, 0x80};
const Bytes kAud = {0x09, 0xF0};
const Bytes kSei = {0x06, 0x05, 0x01, 0xAA, 0x80};

Bytes Concatenate(std::initializer_list<std::pair<bool, Bytes>> units) {
  Bytes out;
  for (const auto& [long_code, payload] : units) {
    if (long_code) out.push_back(0);
    out.insert(out.end(), {0, 0, 1});
    out.insert(out.end(), payload.begin(), payload.end());
  }
  return out;
}

std::vector<Bytes> ReadAll(Bytes stream, std::string* error = nullptr) {
  std::vector<Bytes> units;
  auto reader = AnnexBReader::CreateFromMemory(std::move(stream), "x.264");
  if (!reader.ok()) {
    if (error) *error = reader.status().message();
    return units;
  }
  Bytes unit;
  while (true) {
    auto more = (*reader)->ReadAccessUnit(&unit);
    if (!more.ok()) {
      if (error) *error = more.status().message();
      break;
    }
    if (!*more) break;
    units.push_back(unit);
  }
  return units;
}

TEST(SplitAnnexBNalUnitsTest, ReturnsPayloadsWithoutStartCodesOrTrailingZeros) {
  const Bytes stream = {0xAB, 0,    0, 1, 0x67, 0x42, 0, 0, 0,    0,    1,
                        0x68, 0xCE, 0, 0, 1,    0,    0, 1, 0x65, 0x88, 0};
  const auto units = SplitAnnexBNalUnits(stream);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(Bytes(units[0].begin(), units[0].end()), (Bytes{0x67, 0x42}));
  EXPECT_EQ(Bytes(units[1].begin(), units[1].end()), (Bytes{0x68, 0xCE}));
  EXPECT_EQ(Bytes(units[2].begin(), units[2].end()), (Bytes{0x65, 0x88}));
}

TEST(AnnexBReaderTest, GroupsNalUnitsIntoAccessUnits) {
  const Bytes first =
      Concatenate({{true, kSps}, {true, kPps}, {true, kIdrFirstSlice}, {false, kIdrSecondSlice}});
  const Bytes second = Concatenate({{true, kSliceFirst}, {false, kSliceEscaped}});
  const Bytes third = Concatenate({{true, kAud}, {false, kSliceFirst}});
  const Bytes fourth = Concatenate({{true, kSei}, {true, kSliceFirst}});
  Bytes stream;
  for (const Bytes* unit : {&first, &second, &third, &fourth}) {
    stream.insert(stream.end(), unit->begin(), unit->end());
  }
  std::string error;
  const auto units = ReadAll(stream, &error);
  EXPECT_EQ(error, "");
  ASSERT_EQ(units.size(), 4u);
  EXPECT_EQ(units[0], first);
  EXPECT_EQ(units[1], second);
  EXPECT_EQ(units[2], third);
  EXPECT_EQ(units[3], fourth);
}

TEST(AnnexBReaderTest, ToleratesLeadingZerosTrailingZerosAndEmptyNalUnits) {
  Bytes stream = {0, 0, 0, 0};
  const Bytes body = Concatenate({{false, kIdrFirstSlice}, {false, kSliceFirst}});
  stream.insert(stream.end(), body.begin(), body.end());
  stream.insert(stream.end(), {0, 0, 0, 1, 0, 0, 1});  // an empty NAL unit
  const Bytes last = Concatenate({{true, kSliceFirst}});
  stream.insert(stream.end(), last.begin(), last.end());
  stream.insert(stream.end(), {0, 0});  // trailing_zero_8bits
  const auto units = ReadAll(stream);
  ASSERT_EQ(units.size(), 3u);
  // Leading zeros end in a zero_byte, so the first start code is the four-byte form.
  EXPECT_EQ(units[0], Concatenate({{true, kIdrFirstSlice}}));
  EXPECT_EQ(units[1], Concatenate({{false, kSliceFirst}}));
  EXPECT_EQ(units[2], Concatenate({{true, kSliceFirst}}));
}

TEST(AnnexBReaderTest, RefusesNonAnnexBInput) {
  std::string error;
  ReadAll({}, &error);
  EXPECT_EQ(error, "x.264: empty file");
  ReadAll({'R', 'I', 'F', 'F', 0, 0, 1, 0x65}, &error);
  EXPECT_EQ(error, "x.264: not an H.264 Annex-B stream (no start code)");
  ReadAll({0, 0, 0, 0}, &error);
  EXPECT_EQ(error, "x.264: not an H.264 Annex-B stream (no start code)");
  ReadAll(Concatenate({{true, kSps}, {true, Bytes{0xE5, 0x88}}}), &error);
  EXPECT_EQ(error, "x.264: NAL unit 1: forbidden_zero_bit is set (corrupt or not H.264)");
}

TEST(AnnexBReaderTest, ReadsNalUnitsLongerThanOneReadChunk) {
  Bytes big = {0x65, 0x88};
  for (int i = 0; i < 200000; ++i) big.push_back(static_cast<uint8_t>(i % 251 + 4));
  const Bytes stream = Concatenate({{true, kSps}, {true, big}, {true, kSliceFirst}});
  const auto units = ReadAll(stream);
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0], Concatenate({{true, kSps}, {true, big}}));
}

TEST(AnnexBWriterTest, WritesAccessUnitsThatReadBackUnchanged) {
  const fs::path path =
      fs::temp_directory_path() / ("auralink_annexb_test_" + std::to_string(::getpid()) + ".264");
  const Bytes first = Concatenate({{true, kSps}, {true, kPps}, {true, kIdrFirstSlice}});
  const Bytes second = Concatenate({{true, kSliceFirst}});
  {
    auto writer = AnnexBWriter::Create(path.string());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->WriteAccessUnit(first).ok());
    ASSERT_TRUE((*writer)->WriteAccessUnit(second).ok());
    EXPECT_FALSE((*writer)->WriteAccessUnit(kSliceFirst).ok());  // no start code
  }
  EXPECT_FALSE(fs::exists(path));  // the failed write abandoned the file
  {
    auto writer = AnnexBWriter::Create(path.string());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->WriteAccessUnit(first).ok());
    ASSERT_TRUE((*writer)->WriteAccessUnit(second).ok());
    ASSERT_TRUE((*writer)->Close().ok());
  }
  auto reader = AnnexBReader::Create(path.string());
  ASSERT_TRUE(reader.ok());
  Bytes unit;
  ASSERT_TRUE(*(*reader)->ReadAccessUnit(&unit));
  EXPECT_EQ(unit, first);
  ASSERT_TRUE(*(*reader)->ReadAccessUnit(&unit));
  EXPECT_EQ(unit, second);
  EXPECT_FALSE(*(*reader)->ReadAccessUnit(&unit));
  fs::remove(path);
}

// Frame counts as listed in shared/media/SOURCES.md.
TEST(AnnexBReaderTest, SplitsTheSharedStreamsIntoOnePictureEach) {
  const std::pair<const char*, int> streams[] = {
      {"media/video/src_openh264_Zhling_1280x720.264", 19},
      {"media/video/src_openh264_Adobe_PDF_sample_a_1024x768_50Frms.264", 50},
  };
  int found = 0;
  for (const auto& [name, pictures] : streams) {
    const std::string path = SharedTestFile(name);
    if (path.empty()) continue;
    ++found;
    auto reader = AnnexBReader::Create(path);
    ASSERT_TRUE(reader.ok()) << reader.status().message();
    Bytes unit, joined;
    int count = 0;
    while (true) {
      auto more = (*reader)->ReadAccessUnit(&unit);
      ASSERT_TRUE(more.ok()) << more.status().message();
      if (!*more) break;
      if (count == 0) {
        const auto nal_units = SplitAnnexBNalUnits(unit);
        ASSERT_FALSE(nal_units.empty());
        EXPECT_EQ(nal_units[0][0] & 0x1f, static_cast<int>(H264NalType::kSps)) << name;
      }
      joined.insert(joined.end(), unit.begin(), unit.end());
      ++count;
    }
    EXPECT_EQ(count, pictures) << name;
    // Splitting loses nothing: the NAL units are those of the file.
    std::ifstream in(path, std::ios::binary);
    const Bytes original{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto expected = SplitAnnexBNalUnits(original);
    const auto actual = SplitAnnexBNalUnits(joined);
    ASSERT_EQ(actual.size(), expected.size()) << name;
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_TRUE(
          std::equal(actual[i].begin(), actual[i].end(), expected[i].begin(), expected[i].end()))
          << name << " NAL unit " << i;
    }
  }
  if (found == 0) GTEST_SKIP() << "shared .264 streams not found (set AURALINK_SHARED)";
}

}  // namespace
}  // namespace auralink::video
