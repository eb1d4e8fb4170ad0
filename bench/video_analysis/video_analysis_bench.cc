// Times, per 720p frame on one core: content analysis (SI, TI, motion, cuts, class), face
// detection (one cascade run, and tracking with the cascade on every Nth frame), the two together
// (the AIC analysis budget is 3 ms), and the quality measures (PSNR + SSIM, MS-SSIM).
//
//   video_analysis_bench [--benchmark_filter=Analysis] [--benchmark_repetitions=5]
//
// Frames: the shared 720p webcam clip $AURALINK_SHARED/media/video/src_openh264_Zhling_1280x720.264
// decoded with ffmpeg into a temporary folder when both are there; otherwise a synthetic moving
// texture (the face benchmarks then measure a face-free search).

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <opencv2/core/utility.hpp>
#include <random>
#include <string>
#include <vector>

#include "aic/video/analysis/content_analyzer.h"
#include "aic/video/analysis/face_detector.h"
#include "quality/video_quality.h"
#include "video/y4m.h"

namespace {

using auralink::video::ContentAnalyzer;
using auralink::video::FaceDetector;
using auralink::video::VideoFrame;

constexpr int kWidth = 1280;
constexpr int kHeight = 720;

std::filesystem::path SharedDirectory() {
  const char* shared = std::getenv("AURALINK_SHARED");
  return shared != nullptr && *shared != '\0' ? std::filesystem::path(shared)
                                              : std::filesystem::path(AURALINK_DEFAULT_SHARED_DIR);
}

std::vector<VideoFrame> DecodeSharedClip() {
  const std::filesystem::path source =
      SharedDirectory() / "media" / "video" / "src_openh264_Zhling_1280x720.264";
  if (!std::filesystem::exists(source)) return {};
  if (std::system("ffmpeg -version > /dev/null 2>&1") != 0) return {};
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() /
      ("auralink_video_analysis_bench_" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  const std::string y4m = (directory / "clip.y4m").string();
  const std::string command = "ffmpeg -nostdin -loglevel error -y -i '" + source.string() +
                              "' -pix_fmt yuv420p '" + y4m + "'";
  std::vector<VideoFrame> frames;
  if (std::system(command.c_str()) == 0) {
    auto reader = auralink::video::Y4mReader::Create(y4m);
    if (reader.ok() && (*reader)->width() == kWidth && (*reader)->height() == kHeight) {
      VideoFrame frame;
      while (true) {
        auto read = (*reader)->ReadFrame(&frame);
        if (!read.ok() || !*read) break;
        frames.push_back(frame);
      }
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory, ignored);
  return frames;
}

// A smooth random texture panning 3 pixels per frame, for machines without the clip or ffmpeg.
std::vector<VideoFrame> SyntheticFrames(int count) {
  std::mt19937 random(1);
  const int canvas_width = kWidth + 3 * count;
  std::vector<uint8_t> canvas(static_cast<size_t>(canvas_width) * kHeight);
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < canvas_width; ++x) {
      canvas[y * canvas_width + x] =
          static_cast<uint8_t>(128 + 50 * std::sin(x * 0.05) * std::cos(y * 0.03) + random() % 16);
    }
  }
  std::vector<VideoFrame> frames;
  for (int i = 0; i < count; ++i) {
    VideoFrame frame = VideoFrame::Allocate(kWidth, kHeight);
    frame.pts = i;
    for (int y = 0; y < kHeight; ++y) {
      std::copy_n(canvas.begin() + y * canvas_width + 3 * i, kWidth,
                  frame.y().begin() + y * kWidth);
    }
    std::fill(frame.u().begin(), frame.u().end(), 128);
    std::fill(frame.v().begin(), frame.v().end(), 128);
    frames.push_back(std::move(frame));
  }
  return frames;
}

const std::vector<VideoFrame>& Frames() {
  static const std::vector<VideoFrame> frames = [] {
    std::vector<VideoFrame> decoded = DecodeSharedClip();
    if (decoded.empty()) {
      std::fprintf(stderr, "shared 720p clip or ffmpeg missing: using synthetic frames\n");
      return SyntheticFrames(20);
    }
    return decoded;
  }();
  return frames;
}

void ContentAnalysis(benchmark::State& state) {
  const auto& frames = Frames();
  auto analyzer = ContentAnalyzer::Create();
  if (!analyzer.ok()) return state.SkipWithError(analyzer.status().message().c_str());
  size_t i = 0;
  for (auto _ : state) {
    auto features = (*analyzer)->Analyze(frames[i++ % frames.size()]);
    benchmark::DoNotOptimize(features);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(ContentAnalysis)->Unit(benchmark::kMillisecond);

void FaceCascadeOneRun(benchmark::State& state) {
  const auto& frames = Frames();
  auto detector = FaceDetector::Create();
  if (!detector.ok()) return state.SkipWithError(detector.status().message().c_str());
  size_t i = 0;
  int64_t faces = 0;
  for (auto _ : state) {
    auto found = (*detector)->Detect(frames[i++ % frames.size()]);
    if (found.ok()) faces += static_cast<int64_t>(found->size());
  }
  state.counters["faces_per_frame"] =
      benchmark::Counter(static_cast<double>(faces) / state.iterations());
}
BENCHMARK(FaceCascadeOneRun)->Unit(benchmark::kMillisecond);

void FaceTracking(benchmark::State& state) {
  const auto& frames = Frames();
  auto detector = FaceDetector::Create();
  if (!detector.ok()) return state.SkipWithError(detector.status().message().c_str());
  size_t i = 0;
  for (auto _ : state) {
    auto found = (*detector)->Track(frames[i++ % frames.size()]);
    benchmark::DoNotOptimize(found);
  }
  state.counters["detection_interval"] = (*detector)->config().detection_interval;
}
// Whole multiples of the detection interval, so every run pays its share of cascade runs.
BENCHMARK(FaceTracking)->Unit(benchmark::kMillisecond)->Iterations(200);

// What the AIC policy pays per frame: content analysis plus tracked faces.
void AnalysisWithFaces(benchmark::State& state) {
  const auto& frames = Frames();
  auto analyzer = ContentAnalyzer::Create();
  auto detector = FaceDetector::Create();
  if (!analyzer.ok()) return state.SkipWithError(analyzer.status().message().c_str());
  if (!detector.ok()) return state.SkipWithError(detector.status().message().c_str());
  size_t i = 0;
  for (auto _ : state) {
    const VideoFrame& frame = frames[i++ % frames.size()];
    auto features = (*analyzer)->Analyze(frame);
    auto faces = (*detector)->Track(frame);
    benchmark::DoNotOptimize(features);
    benchmark::DoNotOptimize(faces);
  }
}
BENCHMARK(AnalysisWithFaces)->Unit(benchmark::kMillisecond)->Iterations(200);

void QualityMeasures(benchmark::State& state, bool ms_ssim) {
  const auto& frames = Frames();
  const VideoFrame& reference = frames[0];
  const VideoFrame& distorted = frames[1 % frames.size()];
  for (auto _ : state) {
    auto quality = auralink::quality::MeasureFrame(reference, distorted, {.ms_ssim = ms_ssim});
    benchmark::DoNotOptimize(quality);
  }
}
BENCHMARK_CAPTURE(QualityMeasures, PsnrAndSsim, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(QualityMeasures, PsnrSsimAndMsSsim, true)->Unit(benchmark::kMillisecond);

void SsimLuma(benchmark::State& state) {
  const auto& frames = Frames();
  const VideoFrame& a = frames[0];
  const VideoFrame& b = frames[1 % frames.size()];
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        auralink::quality::PlaneSsim(a.y().data(), kWidth, b.y().data(), kWidth, kWidth, kHeight));
  }
}
BENCHMARK(SsimLuma)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  cv::setNumThreads(1);  // one core, as the budget is stated
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Frames();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
