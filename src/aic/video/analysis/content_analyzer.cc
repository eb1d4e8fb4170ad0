#include "aic/video/analysis/content_analyzer.h"

#include <libyuv/scale.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <string>

namespace auralink::video {
namespace {

constexpr int kMinFrameSize = 16;
constexpr int kHistogramBins = 64;
constexpr int kMotionBlock = 8;  // on the half-size motion luma: 16x16 analysis-luma samples
// Mean absolute difference (levels) under which a motion block counts as unchanged: above the
// noise of decoded camera clips on the twice-averaged motion luma.
constexpr double kChangedBlockDifference = 2.5;
// Cost added per sample of vector length so flat, noisy blocks keep the zero vector.
constexpr int kVectorCostPerSample = 8;
constexpr int kSharpStep = 96;
constexpr int kMinCutHistory = 3;
constexpr int kVisibleStep = 8;

// Standard deviation from sums, clamped at zero against rounding.
double StandardDeviation(double sum, double sum_of_squares, double count) {
  if (count <= 0) return 0.0;
  const double mean = sum / count;
  return std::sqrt(std::max(0.0, sum_of_squares / count - mean * mean));
}

// P.910 SI: standard deviation of the Sobel magnitude over the interior samples.
double SpatialInformation(const uint8_t* luma, int width, int height, std::vector<int>* gradients,
                          std::vector<float>* magnitudes) {
  if (width < 3 || height < 3) return 0.0;
  const int inner = width - 2;
  gradients->resize(2 * static_cast<size_t>(inner));
  magnitudes->resize(inner);
  int* gx = gradients->data();
  int* gy = gx + inner;
  float* magnitude = magnitudes->data();
  double sum = 0.0;
  int64_t sum_of_squares = 0;
  for (int y = 1; y + 1 < height; ++y) {
    const uint8_t* above = luma + static_cast<size_t>(y - 1) * width;
    const uint8_t* row = above + width;
    const uint8_t* below = row + width;
    int64_t row_squares = 0;
    for (int x = 0; x < inner; ++x) {
      const int horizontal =
          (above[x + 2] + 2 * row[x + 2] + below[x + 2]) - (above[x] + 2 * row[x] + below[x]);
      const int vertical = (below[x] + 2 * below[x + 1] + below[x + 2]) -
                           (above[x] + 2 * above[x + 1] + above[x + 2]);
      gx[x] = horizontal;
      gy[x] = vertical;
    }
    for (int x = 0; x < inner; ++x) {
      const int squared = gx[x] * gx[x] + gy[x] * gy[x];
      row_squares += squared;
      magnitude[x] = std::sqrt(static_cast<float>(squared));
    }
    // Eight partial sums so the reduction vectorises without reassociation flags.
    std::array<float, 8> lanes{};
    int x = 0;
    for (; x + 8 <= inner; x += 8) {
      for (int lane = 0; lane < 8; ++lane) lanes[lane] += magnitude[x + lane];
    }
    double row_sum = 0.0;
    for (; x < inner; ++x) row_sum += magnitude[x];
    for (float lane : lanes) row_sum += lane;
    sum += row_sum;
    sum_of_squares += row_squares;
  }
  const double count = static_cast<double>(inner) * (height - 2);
  return StandardDeviation(sum, static_cast<double>(sum_of_squares), count);
}

// P.910 TI: standard deviation of the sample-wise difference.
double TemporalInformation(const uint8_t* current, const uint8_t* previous, size_t count) {
  int64_t sum = 0;
  int64_t sum_of_squares = 0;
  constexpr size_t kChunk = 4096;  // keeps the 32-bit partial sums from overflowing
  for (size_t start = 0; start < count; start += kChunk) {
    const size_t end = std::min(count, start + kChunk);
    int32_t chunk_sum = 0;
    int32_t chunk_squares = 0;
    for (size_t i = start; i < end; ++i) {
      const int32_t d = static_cast<int32_t>(current[i]) - previous[i];
      chunk_sum += d;
      chunk_squares += d * d;
    }
    sum += chunk_sum;
    sum_of_squares += chunk_squares;
  }
  return StandardDeviation(static_cast<double>(sum), static_cast<double>(sum_of_squares),
                           static_cast<double>(count));
}

double SharpEdgeRatio(const uint8_t* luma, int width, int height) {
  int64_t visible = 0;
  int64_t sharp = 0;
  for (int y = 0; y < height; ++y) {
    const uint8_t* row = luma + static_cast<size_t>(y) * width;
    int32_t row_visible = 0;
    int32_t row_sharp = 0;
    for (int x = 0; x + 1 < width; ++x) {
      const int step = std::abs(static_cast<int>(row[x + 1]) - row[x]);
      row_visible += step > kVisibleStep;
      row_sharp += step > kSharpStep;
    }
    visible += row_visible;
    sharp += row_sharp;
  }
  return visible == 0 ? 0.0 : static_cast<double>(sharp) / visible;
}

void Histogram(const uint8_t* luma, size_t count, std::vector<double>* histogram) {
  std::array<uint32_t, kHistogramBins> bins{};
  for (size_t i = 0; i < count; ++i) ++bins[luma[i] >> 2];
  histogram->assign(kHistogramBins, 0.0);
  for (int i = 0; i < kHistogramBins; ++i) (*histogram)[i] = static_cast<double>(bins[i]) / count;
}

// Sum of absolute differences of two 8x8 blocks after removing a global brightness `offset`
// (current minus reference), so a camera's exposure step is not taken for motion.
int BlockDifference(const uint8_t* current, const uint8_t* reference, int stride, int offset) {
  int total = 0;
  for (int y = 0; y < kMotionBlock; ++y) {
    const uint8_t* a = current + static_cast<size_t>(y) * stride;
    const uint8_t* b = reference + static_cast<size_t>(y) * stride;
    for (int x = 0; x < kMotionBlock; ++x) {
      total += std::abs(static_cast<int>(a[x]) - b[x] - offset);
    }
  }
  return total;
}

double MeanLevel(const uint8_t* plane, size_t count) {
  uint64_t sum = 0;
  for (size_t i = 0; i < count; ++i) sum += plane[i];
  return count == 0 ? 0.0 : static_cast<double>(sum) / count;
}

struct MotionSummary {
  double mean_vector_length = 0.0;  // motion-luma samples
  double changed_fraction = 0.0;
};

// Three-step search (steps 4, 2, 1: vectors up to +-7) for every block whose content changed.
MotionSummary EstimateMotion(const uint8_t* current, const uint8_t* previous, int width,
                             int height) {
  const int blocks_x = width / kMotionBlock;
  const int blocks_y = height / kMotionBlock;
  if (blocks_x == 0 || blocks_y == 0) return {};
  const int changed_threshold =
      static_cast<int>(kChangedBlockDifference * kMotionBlock * kMotionBlock);
  const size_t samples = static_cast<size_t>(width) * height;
  const int offset =
      static_cast<int>(std::lround(MeanLevel(current, samples) - MeanLevel(previous, samples)));
  int changed = 0;
  double length_sum = 0.0;
  for (int by = 0; by < blocks_y; ++by) {
    for (int bx = 0; bx < blocks_x; ++bx) {
      const int left = bx * kMotionBlock;
      const int top = by * kMotionBlock;
      const uint8_t* block = current + static_cast<size_t>(top) * width + left;
      const int still =
          BlockDifference(block, previous + static_cast<size_t>(top) * width + left, width, offset);
      if (still <= changed_threshold) continue;
      ++changed;
      int best_x = 0;
      int best_y = 0;
      int best_cost = still;
      for (int step = 4; step >= 1; step /= 2) {
        const int centre_x = best_x;
        const int centre_y = best_y;
        for (int dy = -step; dy <= step; dy += step) {
          for (int dx = -step; dx <= step; dx += step) {
            if (dx == 0 && dy == 0) continue;
            const int vx = centre_x + dx;
            const int vy = centre_y + dy;
            const int x = left + vx;
            const int y = top + vy;
            if (x < 0 || y < 0 || x + kMotionBlock > width || y + kMotionBlock > height) continue;
            const int cost = BlockDifference(block, previous + static_cast<size_t>(y) * width + x,
                                             width, offset) +
                             kVectorCostPerSample * (std::abs(vx) + std::abs(vy));
            if (cost < best_cost) {
              best_cost = cost;
              best_x = vx;
              best_y = vy;
            }
          }
        }
      }
      length_sum += std::sqrt(static_cast<double>(best_x * best_x + best_y * best_y));
    }
  }
  const double blocks = static_cast<double>(blocks_x) * blocks_y;
  return {length_sum / blocks, changed / blocks};
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  const size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + middle, values.end());
  if (values.size() % 2 == 1) return values[middle];
  const double upper = values[middle];
  const double lower = *std::max_element(values.begin(), values.begin() + middle);
  return (lower + upper) / 2;
}

}  // namespace

const char* ContentClassName(ContentClass content_class) {
  switch (content_class) {
    case ContentClass::kTalkingHead:
      return "talking_head";
    case ContentClass::kHighMotion:
      return "high_motion";
    case ContentClass::kScreenContent:
      return "screen_content";
  }
  return "unknown";
}

StatusOr<std::unique_ptr<ContentAnalyzer>> ContentAnalyzer::Create(
    const ContentAnalyzerConfig& config) {
  if (config.downscale != 0 && config.downscale != 1 && config.downscale != 2 &&
      config.downscale != 4) {
    return Status::Error("content analyzer downscale must be 0 (automatic), 1, 2 or 4, not " +
                         std::to_string(config.downscale));
  }
  if (config.min_analysis_width < kMinFrameSize) {
    return Status::Error("content analyzer min_analysis_width must be at least " +
                         std::to_string(kMinFrameSize));
  }
  if (config.history_frames < 1 || config.history_frames > 1000) {
    return Status::Error("content analyzer history_frames must be 1..1000");
  }
  if (!(config.class_smoothing > 0.0 && config.class_smoothing <= 1.0)) {
    return Status::Error("content analyzer class_smoothing must be in (0, 1]");
  }
  return std::unique_ptr<ContentAnalyzer>(new ContentAnalyzer(config));
}

void ContentAnalyzer::Reset() {
  has_previous_ = false;
  ti_history_.clear();
  class_averages_valid_ = false;
  content_class_ = ContentClass::kTalkingHead;
  frame_width_ = frame_height_ = 0;
}

void ContentAnalyzer::PrepareAnalysisLuma(const VideoFrame& frame, int downscale) {
  width_ = std::max(1, frame.width / downscale);
  height_ = std::max(1, frame.height / downscale);
  luma_.resize(static_cast<size_t>(width_) * height_);
  if (downscale == 1) {
    std::copy(frame.data.begin(), frame.data.begin() + luma_.size(), luma_.begin());
  } else {
    libyuv::ScalePlane(frame.data.data(), frame.width, frame.width, frame.height, luma_.data(),
                       width_, width_, height_, libyuv::kFilterBox);
  }
  const int motion_width = std::max(1, width_ / 2);
  const int motion_height = std::max(1, height_ / 2);
  motion_luma_.resize(static_cast<size_t>(motion_width) * motion_height);
  libyuv::ScalePlane(luma_.data(), width_, width_, height_, motion_luma_.data(), motion_width,
                     motion_width, motion_height, libyuv::kFilterBox);
}

StatusOr<FrameFeatures> ContentAnalyzer::Analyze(const VideoFrame& frame) {
  if (frame.width < kMinFrameSize || frame.height < kMinFrameSize) {
    return Status::Error("content analysis needs frames of at least 16x16, got " +
                         std::to_string(frame.width) + "x" + std::to_string(frame.height));
  }
  if (frame.data.size() != VideoFrame::BufferSize(frame.width, frame.height)) {
    return Status::Error(
        "frame buffer holds " + std::to_string(frame.data.size()) + " bytes, not the " +
        std::to_string(VideoFrame::BufferSize(frame.width, frame.height)) + " of a " +
        std::to_string(frame.width) + "x" + std::to_string(frame.height) + " I420 frame");
  }
  const bool size_changed =
      has_previous_ && (frame.width != frame_width_ || frame.height != frame_height_);
  if (!has_previous_ || size_changed) {
    int downscale = config_.downscale;
    if (downscale == 0) {
      downscale = 1;
      while (downscale < 4 && frame.width / (downscale * 2) >= config_.min_analysis_width) {
        downscale *= 2;
      }
    }
    downscale_ = downscale;
    frame_width_ = frame.width;
    frame_height_ = frame.height;
    has_previous_ = false;
    ti_history_.clear();
  }

  PrepareAnalysisLuma(frame, downscale_);
  FrameFeatures features;
  features.pts = frame.pts;
  features.analysis_width = width_;
  features.analysis_height = height_;
  features.downscale = downscale_;
  features.spatial_information =
      SpatialInformation(luma_.data(), width_, height_, &row_buffer_, &magnitude_buffer_);
  features.sharp_edge_ratio = SharpEdgeRatio(luma_.data(), width_, height_);
  Histogram(motion_luma_.data(), motion_luma_.size(), &histogram_);

  if (has_previous_) {
    features.temporal_information =
        TemporalInformation(luma_.data(), previous_luma_.data(), luma_.size());
    double distance = 0.0;
    for (int i = 0; i < kHistogramBins; ++i) {
      distance += std::abs(histogram_[i] - previous_histogram_[i]);
    }
    features.histogram_distance = distance / 2;
    const MotionSummary motion = EstimateMotion(motion_luma_.data(), previous_motion_luma_.data(),
                                                std::max(1, width_ / 2), std::max(1, height_ / 2));
    features.mean_motion_pixels = motion.mean_vector_length * 2 * downscale_;
    features.changed_block_fraction = motion.changed_fraction;

    // A cut is a TI far above what this scene has shown lately (the median ignores earlier
    // cuts and scroll jumps), or a new brightness distribution arriving with a TI rise.
    const double recent = Median(std::vector<double>(ti_history_.begin(), ti_history_.end())) + 1.0;
    // Until a few frames have set the scene's level, only the histogram can tell a cut.
    const bool history_known =
        static_cast<int>(ti_history_.size()) >= std::min(kMinCutHistory, config_.history_frames);
    const double ti = features.temporal_information;
    features.scene_cut =
        (history_known && ti >= config_.cut_ti_ratio * recent && ti >= config_.cut_min_ti) ||
        (features.histogram_distance >= config_.cut_histogram_distance &&
         ti >= config_.cut_histogram_ti_ratio * recent && ti >= config_.cut_min_ti);
    ti_history_.push_back(ti);
    while (static_cast<int>(ti_history_.size()) > config_.history_frames) {
      ti_history_.pop_front();
    }
  }
  features.scene_cut = features.scene_cut || size_changed;
  UpdateContentClass(&features);

  luma_.swap(previous_luma_);
  motion_luma_.swap(previous_motion_luma_);
  histogram_.swap(previous_histogram_);
  has_previous_ = true;
  return features;
}

void ContentAnalyzer::UpdateContentClass(FrameFeatures* features) {
  // After a cut the old scene says nothing about the new one: start the averages afresh.
  if (!class_averages_valid_ || features->scene_cut) {
    average_sharp_edge_ratio_ = features->sharp_edge_ratio;
    average_motion_pixels_ = features->mean_motion_pixels;
    class_averages_valid_ = true;
  } else {
    const double a = config_.class_smoothing;
    average_sharp_edge_ratio_ += a * (features->sharp_edge_ratio - average_sharp_edge_ratio_);
    average_motion_pixels_ += a * (features->mean_motion_pixels - average_motion_pixels_);
  }
  const bool screen = content_class_ == ContentClass::kScreenContent
                          ? average_sharp_edge_ratio_ >= config_.screen_leave_sharp_edge_ratio
                          : average_sharp_edge_ratio_ >= config_.screen_enter_sharp_edge_ratio;
  const bool high_motion = content_class_ == ContentClass::kHighMotion
                               ? average_motion_pixels_ >= config_.high_motion_leave_pixels
                               : average_motion_pixels_ >= config_.high_motion_enter_pixels;
  content_class_ = screen        ? ContentClass::kScreenContent
                   : high_motion ? ContentClass::kHighMotion
                                 : ContentClass::kTalkingHead;
  features->content_class = content_class_;
}

}  // namespace auralink::video
