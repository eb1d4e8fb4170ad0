#include "aic/video/analysis/content_analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "video/y4m.h"

namespace auralink::video {
namespace {

// A non-periodic texture (random levels on an 8-sample grid, bilinearly interpolated, plus fine
// detail) larger than the frames cut from it, so shifted crops are true translations.
class Texture {
 public:
  Texture(int width, int height, uint32_t seed, int base_level = 128)
      : width_(width), height_(height), samples_(static_cast<size_t>(width) * height) {
    std::mt19937 random(seed);
    const int grid_w = width / 8 + 2;
    const int grid_h = height / 8 + 2;
    std::vector<int> grid(static_cast<size_t>(grid_w) * grid_h);
    for (int& g : grid) g = static_cast<int>(random() % 121) - 60;
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        const int gx = x / 8, gy = y / 8;
        const double fx = (x % 8) / 8.0, fy = (y % 8) / 8.0;
        auto at = [&](int cx, int cy) { return grid[cy * grid_w + cx]; };
        const double coarse = (1 - fy) * ((1 - fx) * at(gx, gy) + fx * at(gx + 1, gy)) +
                              fy * ((1 - fx) * at(gx, gy + 1) + fx * at(gx + 1, gy + 1));
        const int fine = static_cast<int>(random() % 21) - 10;
        samples_[y * width + x] =
            static_cast<uint8_t>(std::clamp(base_level + static_cast<int>(coarse) + fine, 0, 255));
      }
    }
  }

  // A width x height frame whose top-left corner is at (left, top) of the texture.
  VideoFrame Crop(int left, int top, int width, int height, int64_t pts = 0) const {
    VideoFrame frame = VideoFrame::Allocate(width, height);
    frame.pts = pts;
    for (int y = 0; y < height; ++y) {
      std::copy_n(samples_.begin() + (top + y) * width_ + left, width,
                  frame.y().begin() + y * width);
    }
    std::fill(frame.u().begin(), frame.u().end(), 128);
    std::fill(frame.v().begin(), frame.v().end(), 128);
    return frame;
  }

 private:
  int width_;
  int height_;
  std::vector<uint8_t> samples_;
};

std::unique_ptr<ContentAnalyzer> MakeAnalyzer(ContentAnalyzerConfig config = {}) {
  auto analyzer = ContentAnalyzer::Create(config);
  EXPECT_TRUE(analyzer.ok()) << analyzer.status().message();
  return analyzer.ok() ? std::move(analyzer).value() : nullptr;
}

TEST(ContentAnalyzerTest, RejectsBadConfiguration) {
  EXPECT_FALSE(ContentAnalyzer::Create({.downscale = 3}).ok());
  EXPECT_FALSE(ContentAnalyzer::Create({.min_analysis_width = 0}).ok());
  EXPECT_FALSE(ContentAnalyzer::Create({.history_frames = 0}).ok());
  ContentAnalyzerConfig config;
  config.class_smoothing = 0.0;
  EXPECT_FALSE(ContentAnalyzer::Create(config).ok());
}

TEST(ContentAnalyzerTest, RejectsMalformedFrames) {
  auto analyzer = MakeAnalyzer();
  VideoFrame frame = VideoFrame::Allocate(64, 48);
  frame.data.resize(frame.data.size() - 1);
  EXPECT_FALSE(analyzer->Analyze(frame).ok());
  EXPECT_FALSE(analyzer->Analyze(VideoFrame::Allocate(8, 64)).ok());
  EXPECT_FALSE(analyzer->Analyze(VideoFrame{}).ok());
  EXPECT_TRUE(analyzer->Analyze(VideoFrame::Allocate(64, 48)).ok());
}

// P.910 SI written directly: Sobel on the interior, magnitude, population standard deviation.
double DirectSpatialInformation(const VideoFrame& frame) {
  std::vector<double> magnitudes;
  auto p = [&](int x, int y) { return static_cast<double>(frame.y()[y * frame.width + x]); };
  for (int y = 1; y + 1 < frame.height; ++y) {
    for (int x = 1; x + 1 < frame.width; ++x) {
      const double gx = p(x + 1, y - 1) + 2 * p(x + 1, y) + p(x + 1, y + 1) - p(x - 1, y - 1) -
                        2 * p(x - 1, y) - p(x - 1, y + 1);
      const double gy = p(x - 1, y + 1) + 2 * p(x, y + 1) + p(x + 1, y + 1) - p(x - 1, y - 1) -
                        2 * p(x, y - 1) - p(x + 1, y - 1);
      magnitudes.push_back(std::hypot(gx, gy));
    }
  }
  double mean = 0;
  for (double m : magnitudes) mean += m;
  mean /= magnitudes.size();
  double variance = 0;
  for (double m : magnitudes) variance += (m - mean) * (m - mean);
  return std::sqrt(variance / magnitudes.size());
}

TEST(ContentAnalyzerTest, SpatialAndTemporalInformationFollowP910) {
  const Texture texture(300, 200, 1);
  const VideoFrame first = texture.Crop(0, 0, 200, 120);
  auto analyzer = MakeAnalyzer({.downscale = 1});
  const StatusOr<FrameFeatures> features = analyzer->Analyze(first);
  ASSERT_TRUE(features.ok());
  EXPECT_EQ(features->downscale, 1);
  EXPECT_EQ(features->analysis_width, 200);
  EXPECT_NEAR(features->spatial_information, DirectSpatialInformation(first), 1e-3);
  EXPECT_EQ(features->temporal_information, 0.0);

  // TI is the standard deviation of the difference: a uniform brightness step has none.
  VideoFrame brighter = first;
  for (uint8_t& s : brighter.y()) s = static_cast<uint8_t>(std::min(255, s + 10));
  bool clipped = false;
  for (uint8_t s : first.y()) clipped = clipped || s > 245;
  ASSERT_FALSE(clipped);
  const StatusOr<FrameFeatures> step = analyzer->Analyze(brighter);
  ASSERT_TRUE(step.ok());
  EXPECT_NEAR(step->temporal_information, 0.0, 1e-9);

  // Against a different picture TI is the standard deviation of the sample differences.
  const VideoFrame other = texture.Crop(50, 40, 200, 120);
  const StatusOr<FrameFeatures> moved = analyzer->Analyze(other);
  ASSERT_TRUE(moved.ok());
  double sum = 0, squares = 0;
  for (size_t i = 0; i < other.y().size(); ++i) {
    const double d = static_cast<double>(other.y()[i]) - brighter.y()[i];
    sum += d;
    squares += d * d;
  }
  const double n = static_cast<double>(other.y().size());
  EXPECT_NEAR(moved->temporal_information, std::sqrt(squares / n - (sum / n) * (sum / n)), 1e-6);
}

TEST(ContentAnalyzerTest, FlatFramesHaveNoInformationOrMotion) {
  auto analyzer = MakeAnalyzer();
  VideoFrame flat = VideoFrame::Allocate(320, 240);
  std::fill(flat.data.begin(), flat.data.end(), 90);
  ASSERT_TRUE(analyzer->Analyze(flat).ok());
  const StatusOr<FrameFeatures> features = analyzer->Analyze(flat);
  ASSERT_TRUE(features.ok());
  EXPECT_EQ(features->spatial_information, 0.0);
  EXPECT_EQ(features->temporal_information, 0.0);
  EXPECT_EQ(features->mean_motion_pixels, 0.0);
  EXPECT_EQ(features->changed_block_fraction, 0.0);
  EXPECT_EQ(features->sharp_edge_ratio, 0.0);
  EXPECT_FALSE(features->scene_cut);
}

TEST(ContentAnalyzerTest, MeasuresTheShiftOfATranslatedPicture) {
  const Texture texture(400, 300, 2);
  auto analyzer = MakeAnalyzer({.downscale = 1});
  ASSERT_TRUE(analyzer->Analyze(texture.Crop(40, 40, 320, 240)).ok());
  // Content moves by (-8, -6) samples: 10 full-resolution pixels per frame.
  const StatusOr<FrameFeatures> features = analyzer->Analyze(texture.Crop(48, 46, 320, 240));
  ASSERT_TRUE(features.ok());
  EXPECT_GT(features->changed_block_fraction, 0.9);
  EXPECT_NEAR(features->mean_motion_pixels, 10.0, 1.5);

  // The same picture again: nothing moves.
  const StatusOr<FrameFeatures> still = analyzer->Analyze(texture.Crop(48, 46, 320, 240));
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->mean_motion_pixels, 0.0);
  EXPECT_EQ(still->changed_block_fraction, 0.0);
}

TEST(ContentAnalyzerTest, ExposureStepIsNeitherMotionNorCut) {
  const Texture texture(400, 300, 3, 110);
  auto analyzer = MakeAnalyzer();
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(analyzer->Analyze(texture.Crop(i, 0, 320, 240)).ok());
  VideoFrame brighter = texture.Crop(6, 0, 320, 240);
  for (uint8_t& s : brighter.y()) s = static_cast<uint8_t>(std::min(255, s + 25));
  const StatusOr<FrameFeatures> features = analyzer->Analyze(brighter);
  ASSERT_TRUE(features.ok());
  EXPECT_FALSE(features->scene_cut);
  EXPECT_LT(features->mean_motion_pixels, 2.0);
}

TEST(ContentAnalyzerTest, FindsASyntheticCutAndNothingElse) {
  // A slowly panning scene, then a different scene (other texture, darker), panning on.
  const Texture first_scene(500, 300, 4, 140);
  const Texture second_scene(500, 300, 5, 90);
  auto analyzer = MakeAnalyzer();
  std::vector<int> cuts;
  for (int i = 0; i < 30; ++i) {
    const Texture& scene = i < 17 ? first_scene : second_scene;
    const StatusOr<FrameFeatures> features = analyzer->Analyze(scene.Crop(2 * i, i, 400, 240, i));
    ASSERT_TRUE(features.ok());
    if (features->scene_cut) cuts.push_back(i);
  }
  EXPECT_EQ(cuts, std::vector<int>{17});
}

TEST(ContentAnalyzerTest, CutRightAfterTheFirstFrameIsFoundByItsHistogram) {
  const Texture bright(400, 300, 6, 170);
  const Texture dark(400, 300, 7, 70);
  auto analyzer = MakeAnalyzer();
  ASSERT_TRUE(analyzer->Analyze(bright.Crop(0, 0, 320, 240)).ok());
  const StatusOr<FrameFeatures> features = analyzer->Analyze(dark.Crop(0, 0, 320, 240));
  ASSERT_TRUE(features.ok());
  EXPECT_TRUE(features->scene_cut);
  EXPECT_GT(features->histogram_distance, 0.5);
}

TEST(ContentAnalyzerTest, SizeChangeIsACutAndResetForgets) {
  const Texture texture(700, 500, 8);
  auto analyzer = MakeAnalyzer();
  ASSERT_TRUE(analyzer->Analyze(texture.Crop(0, 0, 640, 360)).ok());
  StatusOr<FrameFeatures> features = analyzer->Analyze(texture.Crop(0, 0, 320, 180));
  ASSERT_TRUE(features.ok());
  EXPECT_TRUE(features->scene_cut);
  EXPECT_EQ(features->temporal_information, 0.0);
  analyzer->Reset();
  features = analyzer->Analyze(texture.Crop(100, 100, 320, 180));
  ASSERT_TRUE(features.ok());
  EXPECT_FALSE(features->scene_cut);
  EXPECT_EQ(features->temporal_information, 0.0);
}

TEST(ContentAnalyzerTest, AutomaticDownscaleKeepsTheAnalysisWide) {
  const Texture texture(1300, 740, 9);
  auto analyzer = MakeAnalyzer();
  const StatusOr<FrameFeatures> hd = analyzer->Analyze(texture.Crop(0, 0, 1280, 720));
  ASSERT_TRUE(hd.ok());
  EXPECT_EQ(hd->downscale, 2);
  EXPECT_EQ(hd->analysis_width, 640);
  EXPECT_EQ(hd->analysis_height, 360);
  auto small = MakeAnalyzer();
  const StatusOr<FrameFeatures> cif = small->Analyze(texture.Crop(0, 0, 352, 288));
  ASSERT_TRUE(cif.ok());
  EXPECT_EQ(cif->downscale, 1);
}

// ---- Shared clips ----

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

std::vector<FrameFeatures> AnalyseClip(const std::string& path) {
  std::vector<FrameFeatures> all;
  auto reader = Y4mReader::Create(path);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  if (!reader.ok()) return all;
  auto analyzer = MakeAnalyzer();
  VideoFrame frame;
  while (true) {
    StatusOr<bool> read = (*reader)->ReadFrame(&frame);
    EXPECT_TRUE(read.ok()) << read.status().message();
    if (!read.ok() || !*read) break;
    StatusOr<FrameFeatures> features = analyzer->Analyze(frame);
    EXPECT_TRUE(features.ok()) << features.status().message();
    if (!features.ok()) break;
    all.push_back(*features);
  }
  return all;
}

TEST(ContentAnalyzerClipTest, ScreenScrollJumpsAreTheOnlyCuts) {
  const std::string clip = SharedClip("screen_pdf_reader_scroll_1024x768_25fps_f24-48_decoded.y4m");
  if (clip.empty()) GTEST_SKIP() << "screen clip not found (set AURALINK_SHARED)";
  const std::vector<FrameFeatures> features = AnalyseClip(clip);
  ASSERT_EQ(features.size(), 25u);
  // SOURCES.md: scroll jumps at source frames 28, 32-33, 42 and 45; the clip starts at 24.
  std::vector<int> cuts;
  for (size_t i = 0; i < features.size(); ++i) {
    if (features[i].scene_cut) cuts.push_back(static_cast<int>(i));
    EXPECT_EQ(features[i].content_class, ContentClass::kScreenContent) << "frame " << i;
  }
  EXPECT_EQ(cuts, (std::vector<int>{28 - 24, 32 - 24, 33 - 24, 42 - 24, 45 - 24}));
}

int CountClass(const std::vector<FrameFeatures>& features, ContentClass content_class) {
  return static_cast<int>(std::count_if(features.begin(), features.end(), [&](const auto& f) {
    return f.content_class == content_class;
  }));
}

TEST(ContentAnalyzerClipTest, TalkingHeadIsATalkingHeadWithoutCuts) {
  const std::string clip = SharedClip("talkinghead_hdtf_KatieHill_512x512_25fps_75f_decoded.y4m");
  if (clip.empty()) GTEST_SKIP() << "talking-head clip not found (set AURALINK_SHARED)";
  const std::vector<FrameFeatures> features = AnalyseClip(clip);
  ASSERT_EQ(features.size(), 75u);
  EXPECT_EQ(CountClass(features, ContentClass::kTalkingHead), 75);
  for (const FrameFeatures& f : features) EXPECT_FALSE(f.scene_cut) << "frame " << f.pts;
}

TEST(ContentAnalyzerClipTest, ForemanPanIsHighMotion) {
  const std::string clip = SharedClip("highmotion_foreman_cif_352x288_30fps_f160-249_decoded.y4m");
  if (clip.empty()) GTEST_SKIP() << "foreman clip not found (set AURALINK_SHARED)";
  const std::vector<FrameFeatures> features = AnalyseClip(clip);
  ASSERT_EQ(features.size(), 90u);
  // The fast hand-held pan fills the middle of the excerpt.
  EXPECT_GE(CountClass(features, ContentClass::kHighMotion), 30);
  EXPECT_EQ(CountClass(features, ContentClass::kScreenContent), 0);
  for (const FrameFeatures& f : features) EXPECT_FALSE(f.scene_cut) << "frame " << f.pts;
}

}  // namespace
}  // namespace auralink::video
