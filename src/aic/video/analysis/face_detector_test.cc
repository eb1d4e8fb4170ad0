#include "aic/video/analysis/face_detector.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "video/y4m.h"

namespace auralink::video {
namespace {

bool DefaultCascadeInstalled() {
  for (const char* path : kDefaultFaceCascades) {
    if (std::filesystem::exists(path)) return true;
  }
  return false;
}

std::string SharedClip(const std::string& name) {
  std::filesystem::path root;
  if (const char* env = std::getenv("AURALINK_SHARED"); env != nullptr && *env != '\0') {
    root = env;
  } else {
    root = std::filesystem::path(AURALINK_SOURCE_DIR) / ".." / "shared";
  }
  const std::filesystem::path path = root / "media" / "video" / name;
  return std::filesystem::exists(path) ? path.string() : "";
}

std::vector<VideoFrame> ReadClip(const std::string& path) {
  std::vector<VideoFrame> frames;
  auto reader = Y4mReader::Create(path);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  if (!reader.ok()) return frames;
  VideoFrame frame;
  while (true) {
    StatusOr<bool> read = (*reader)->ReadFrame(&frame);
    EXPECT_TRUE(read.ok()) << read.status().message();
    if (!read.ok() || !*read) break;
    frames.push_back(frame);
  }
  return frames;
}

#define REQUIRE_CASCADE()                                  \
  if (!DefaultCascadeInstalled())                          \
  GTEST_SKIP() << "OpenCV cascades not installed (Debian " \
                  "package opencv-data)"

TEST(FaceDetectorTest, MissingCascadeIsAClearError) {
  const StatusOr<std::unique_ptr<FaceDetector>> detector =
      FaceDetector::Create(FaceDetectorConfig{.cascade_path = "/nonexistent/cascade.xml"});
  ASSERT_FALSE(detector.ok());
  EXPECT_NE(detector.status().message().find("/nonexistent/cascade.xml"), std::string::npos);
  EXPECT_NE(detector.status().message().find("not found"), std::string::npos);
}

TEST(FaceDetectorTest, FileThatIsNoCascadeIsAnError) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("auralink_not_a_cascade_" + std::to_string(::getpid()) + ".xml");
  for (const std::string& contents :
       {std::string("not xml at all \x01\x02"),
        std::string("<?xml version=\"1.0\"?>\n<opencv_storage>"
                    "<cascade><stageNum>x</stageNum>"),
        std::string("<?xml version=\"1.0\"?>\n<opencv_storage></opencv_storage>\n")}) {
    std::ofstream(path) << contents;
    const StatusOr<std::unique_ptr<FaceDetector>> detector =
        FaceDetector::Create(FaceDetectorConfig{.cascade_path = path.string()});
    EXPECT_FALSE(detector.ok());
    if (!detector.ok()) {
      EXPECT_NE(detector.status().message().find(path.string()), std::string::npos);
    }
  }
  std::filesystem::remove(path);
}

TEST(FaceDetectorTest, RejectsBadConfiguration) {
  auto with = [](auto change) {
    FaceDetectorConfig config;
    change(config);
    return FaceDetector::Create(config);
  };
  EXPECT_FALSE(with([](FaceDetectorConfig& c) { c.detection_width = 4; }).ok());
  EXPECT_FALSE(with([](FaceDetectorConfig& c) { c.detection_interval = 0; }).ok());
  EXPECT_FALSE(with([](FaceDetectorConfig& c) { c.scale_factor = 1.0; }).ok());
  EXPECT_FALSE(with([](FaceDetectorConfig& c) { c.min_neighbors = -1; }).ok());
  EXPECT_FALSE(with([](FaceDetectorConfig& c) { c.hold_frames = -1; }).ok());
  EXPECT_FALSE(with([](FaceDetectorConfig& c) { c.min_face_fraction = 1.5; }).ok());
  EXPECT_FALSE(with([](FaceDetectorConfig& c) { c.smoothing = 0.0; }).ok());
}

TEST(FaceDetectorTest, DefaultCascadeLoadsAndFindsNoFaceInAFlatFrame) {
  REQUIRE_CASCADE();
  auto detector = FaceDetector::Create();
  ASSERT_TRUE(detector.ok()) << detector.status().message();
  EXPECT_FALSE((*detector)->cascade_path().empty());
  VideoFrame flat = VideoFrame::Allocate(320, 240);
  std::fill(flat.data.begin(), flat.data.end(), 128);
  const StatusOr<std::vector<FaceRectangle>> faces = (*detector)->Detect(flat);
  ASSERT_TRUE(faces.ok());
  EXPECT_TRUE(faces->empty());

  VideoFrame broken = flat;
  broken.data.resize(10);
  EXPECT_FALSE((*detector)->Detect(broken).ok());
  EXPECT_FALSE((*detector)->Track(broken).ok());
  EXPECT_FALSE((*detector)->Detect(VideoFrame::Allocate(8, 8)).ok());
}

TEST(FaceDetectorClipTest, TalkingHeadHasOneCentralFace) {
  REQUIRE_CASCADE();
  const std::string clip = SharedClip("talkinghead_hdtf_KatieHill_512x512_25fps_75f_decoded.y4m");
  if (clip.empty()) GTEST_SKIP() << "talking-head clip not found (set AURALINK_SHARED)";
  auto detector = FaceDetector::Create();
  ASSERT_TRUE(detector.ok()) << detector.status().message();
  const std::vector<VideoFrame> frames = ReadClip(clip);
  ASSERT_EQ(frames.size(), 75u);
  int with_face = 0;
  for (const VideoFrame& frame : frames) {
    const StatusOr<std::vector<FaceRectangle>> faces = (*detector)->Detect(frame);
    ASSERT_TRUE(faces.ok());
    if (faces->empty()) continue;
    ++with_face;
    EXPECT_EQ(faces->size(), 1u) << "frame " << frame.pts;
    for (const FaceRectangle& face : *faces) {
      // Head and shoulders, facing the camera: the face centre lies in the middle half of the
      // picture and the face spans a good part of it.
      const int centre_x = face.x + face.width / 2;
      const int centre_y = face.y + face.height / 2;
      EXPECT_GT(centre_x, frame.width / 4) << "frame " << frame.pts;
      EXPECT_LT(centre_x, frame.width * 3 / 4) << "frame " << frame.pts;
      EXPECT_GT(centre_y, frame.height / 4) << "frame " << frame.pts;
      EXPECT_LT(centre_y, frame.height * 3 / 4) << "frame " << frame.pts;
      EXPECT_GT(face.width, frame.width / 6) << "frame " << frame.pts;
    }
  }
  EXPECT_GE(with_face, 60) << "of 75 frames";
}

TEST(FaceDetectorClipTest, ScreenCaptureHasAlmostNoFaces) {
  REQUIRE_CASCADE();
  const std::string clip = SharedClip("screen_pdf_reader_scroll_1024x768_25fps_f24-48_decoded.y4m");
  if (clip.empty()) GTEST_SKIP() << "screen clip not found (set AURALINK_SHARED)";
  auto detector = FaceDetector::Create();
  ASSERT_TRUE(detector.ok()) << detector.status().message();
  int with_face = 0;
  for (const VideoFrame& frame : ReadClip(clip)) {
    const StatusOr<std::vector<FaceRectangle>> faces = (*detector)->Detect(frame);
    ASSERT_TRUE(faces.ok());
    with_face += !faces->empty();
  }
  EXPECT_LE(with_face, 2) << "of 25 frames";
}

TEST(FaceDetectorClipTest, TwoPeopleGiveAFaceOnEachSide) {
  REQUIRE_CASCADE();
  const std::string clip = SharedClip("raw_openh264_CiscoVT2people_320x192_12fps_9f.y4m");
  if (clip.empty()) GTEST_SKIP() << "two-people clip not found (set AURALINK_SHARED)";
  auto detector = FaceDetector::Create();
  ASSERT_TRUE(detector.ok()) << detector.status().message();
  const std::vector<VideoFrame> frames = ReadClip(clip);
  ASSERT_EQ(frames.size(), 9u);
  int with_face = 0;
  int left_seen = 0;
  int right_seen = 0;
  for (const VideoFrame& frame : frames) {
    const StatusOr<std::vector<FaceRectangle>> faces = (*detector)->Detect(frame);
    ASSERT_TRUE(faces.ok());
    with_face += !faces->empty();
    EXPECT_LE(faces->size(), 2u) << "frame " << frame.pts;  // two people, one face each
    bool left = false, right = false;
    for (const FaceRectangle& face : *faces) {
      // The man sits on the left, the woman on the right.
      (face.x + face.width / 2 < frame.width / 2 ? left : right) = true;
    }
    left_seen += left;
    right_seen += right;
  }
  EXPECT_GE(with_face, 7) << "of 9 frames";
  EXPECT_GE(left_seen, 5) << "of 9 frames";
  EXPECT_GE(right_seen, 4) << "of 9 frames";
}

TEST(FaceDetectorClipTest, TrackingRunsTheCascadeEveryNthFrameAndHoldsFaces) {
  REQUIRE_CASCADE();
  const std::string clip = SharedClip("talkinghead_hdtf_KatieHill_512x512_25fps_75f_decoded.y4m");
  if (clip.empty()) GTEST_SKIP() << "talking-head clip not found (set AURALINK_SHARED)";
  FaceDetectorConfig config;
  config.detection_interval = 5;
  auto detector = FaceDetector::Create(config);
  ASSERT_TRUE(detector.ok()) << detector.status().message();
  const std::vector<VideoFrame> frames = ReadClip(clip);
  int cascade_runs = 0;
  int with_face = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const StatusOr<std::vector<FaceRectangle>> faces = (*detector)->Track(frames[i]);
    ASSERT_TRUE(faces.ok());
    EXPECT_EQ((*detector)->ran_cascade(), i % 5 == 0) << "frame " << i;
    cascade_runs += (*detector)->ran_cascade();
    with_face += !faces->empty();
    EXPECT_LE(faces->size(), 1u) << "frame " << i;
  }
  EXPECT_EQ(cascade_runs, 15);
  EXPECT_GE(with_face, 70) << "of 75 frames";

  // Faces outlive hold_frames frames without detections, then go.
  FaceDetectorConfig holding;
  holding.detection_interval = 1;
  holding.hold_frames = 3;
  auto short_memory = FaceDetector::Create(holding);
  ASSERT_TRUE(short_memory.ok());
  StatusOr<std::vector<FaceRectangle>> faces = (*short_memory)->Track(frames[0]);
  ASSERT_TRUE(faces.ok());
  ASSERT_EQ(faces->size(), 1u);
  VideoFrame empty = frames[0];
  std::fill(empty.data.begin(), empty.data.end(), 128);
  for (int i = 1; i <= 3; ++i) {
    faces = (*short_memory)->Track(empty);
    ASSERT_TRUE(faces.ok());
    EXPECT_EQ(faces->size(), 1u) << "blank frame " << i;
  }
  faces = (*short_memory)->Track(empty);
  ASSERT_TRUE(faces.ok());
  EXPECT_TRUE(faces->empty());
}

}  // namespace
}  // namespace auralink::video
