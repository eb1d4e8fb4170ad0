// Per-frame content features that steer the AIC video policy: ITU-T P.910 spatial and temporal
// information, motion, scene cuts, and a content class (talking head, high motion, screen).
// Everything is computed on a downscaled luma plane so one 720p frame costs about a millisecond
// on one core (bench/video_analysis measures it).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "common/status.h"
#include "video/video_frame.h"

namespace auralink::video {

enum class ContentClass {
  kTalkingHead,    // camera content with local motion: what a call mostly is
  kHighMotion,     // camera pans, walking, sport: most blocks move far between frames
  kScreenContent,  // text, slides, UI: synthetic, sharp, high-contrast edges
};

const char* ContentClassName(ContentClass content_class);  // "talking_head", ...

struct ContentAnalyzerConfig {
  // Analysis luma = the frame's luma box-downscaled by 1, 2 or 4. 0 picks the largest factor
  // that keeps the analysis width at least min_analysis_width.
  int downscale = 0;
  int min_analysis_width = 480;

  // Scene cut: the temporal information exceeds both cut_ti_ratio times the median of the last
  // history_frames values (+1, a noise floor) and cut_min_ti, once 3 values are known; or the luma
  // histograms differ by cut_histogram_distance with TI above cut_min_ti and
  // cut_histogram_ti_ratio times that median. The median ignores the odd earlier cut, so
  // back-to-back jumps (a screen scrolled twice) are each found.
  int history_frames = 12;
  double cut_ti_ratio = 3.0;
  double cut_min_ti = 12.0;
  double cut_histogram_distance = 0.35;
  double cut_histogram_ti_ratio = 1.5;

  // Content class from exponential averages of the features (weight of the newest frame), with
  // separate enter and leave thresholds so the class does not flicker.
  double class_smoothing = 0.15;
  double screen_enter_sharp_edge_ratio = 0.15;
  double screen_leave_sharp_edge_ratio = 0.08;
  double high_motion_enter_pixels = 6.0;  // mean block motion, full-resolution pixels per frame
  double high_motion_leave_pixels = 4.0;
};

struct FrameFeatures {
  int64_t pts = 0;
  int analysis_width = 0;  // size of the analysis luma (the frame's divided by `downscale`)
  int analysis_height = 0;
  int downscale = 1;

  // ITU-T P.910 (2008) section 7.5-7.6, on the analysis luma: standard deviation over the picture
  // of the Sobel gradient magnitude (SI), and of the difference from the previous analysed
  // frame (TI; 0 on the first frame). The clip values of P.910 are the maxima over time.
  double spatial_information = 0.0;
  double temporal_information = 0.0;

  // Half the L1 distance of the normalised 64-bin luma histograms of this and the previous frame
  // (0 = same distribution, 1 = disjoint).
  double histogram_distance = 0.0;

  // Motion between this and the previous frame, from a three-step block search (Koga et al.
  // 1981) of 16x16 analysis-luma blocks on a half-size copy: mean vector length over all blocks
  // in full-resolution pixels, and the fraction of blocks whose content changed (mean absolute
  // difference above the noise of camera sensors and coding).
  double mean_motion_pixels = 0.0;
  double changed_block_fraction = 0.0;

  // Of the horizontal neighbour steps larger than 8 levels, the fraction larger than 96: text
  // and UI edges jump from background to ink within a pixel, optics never do. Measured on the
  // shared clips (analysis luma): screen capture ~0.30, camera clips <= 0.035.
  double sharp_edge_ratio = 0.0;

  bool scene_cut = false;  // also true on a change of frame size
  ContentClass content_class = ContentClass::kTalkingHead;
};

class ContentAnalyzer {
 public:
  static StatusOr<std::unique_ptr<ContentAnalyzer>> Create(
      const ContentAnalyzerConfig& config = {});

  // Analyses the next frame of a stream. Frames may be a subset of the stream (every Nth); TI,
  // motion and cuts then compare with the previous frame given here. Errors: a frame whose buffer
  // does not match its size, or smaller than 16x16.
  StatusOr<FrameFeatures> Analyze(const VideoFrame& frame);

  // Forgets the previous frame and the history (a new stream).
  void Reset();

  const ContentAnalyzerConfig& config() const { return config_; }

 private:
  explicit ContentAnalyzer(const ContentAnalyzerConfig& config) : config_(config) {}
  void PrepareAnalysisLuma(const VideoFrame& frame, int downscale);
  void UpdateContentClass(FrameFeatures* features);

  ContentAnalyzerConfig config_;
  int frame_width_ = 0;
  int frame_height_ = 0;
  int downscale_ = 1;
  int width_ = 0;  // analysis luma
  int height_ = 0;
  std::vector<uint8_t> luma_;
  std::vector<uint8_t> previous_luma_;
  std::vector<uint8_t> motion_luma_;  // analysis luma at half size, for the block search
  std::vector<uint8_t> previous_motion_luma_;
  std::vector<double> histogram_;
  std::vector<double> previous_histogram_;
  bool has_previous_ = false;
  std::deque<double> ti_history_;
  bool class_averages_valid_ = false;
  double average_sharp_edge_ratio_ = 0.0;
  double average_motion_pixels_ = 0.0;
  ContentClass content_class_ = ContentClass::kTalkingHead;
  std::vector<int> row_buffer_;
  std::vector<float> magnitude_buffer_;
};

}  // namespace auralink::video
