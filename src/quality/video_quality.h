// Full-reference video quality of 8-bit I420 frames: PSNR (luma, and all planes weighted by their
// sample counts), SSIM on luma computed exactly as ffmpeg's `ssim` filter does, and MS-SSIM on luma
// (Wang, Simoncelli, Bovik 2003). Pure functions of two frames; a clip mean comes from
// VideoQualityAccumulator.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "video/video_frame.h"

namespace auralink::quality {

// PSNR of identical planes. ffmpeg prints "inf"; a finite cap keeps means and plots usable. 100 dB
// is an MSE of 255^2 * 1e-10, far below any difference one 8-bit sample can make (MSE >= 1/(w*h)).
inline constexpr double kMaxPsnrDb = 100.0;

// The smallest frame MeasureFrame accepts: MS-SSIM needs its 11x11 window at the full scale.
inline constexpr int kMinQualityFrameSize = 11;

struct FrameQuality {
  double mse_y = 0.0;
  double mse_yuv = 0.0;   // plane MSEs weighted by sample count (4:1:1 for 4:2:0), as ffmpeg's psnr
  double psnr_y = 0.0;    // dB, capped at kMaxPsnrDb
  double psnr_yuv = 0.0;  // dB from mse_yuv (ffmpeg's "psnr_avg"), capped at kMaxPsnrDb
  double ssim_y = 0.0;    // ffmpeg `ssim` filter's Y value
  double ms_ssim_y = 0.0;  // 0 when not computed (VideoQualityOptions::ms_ssim false)
};

struct VideoQualityOptions {
  // MS-SSIM costs several times more than the rest together (Gaussian windows at five scales).
  bool ms_ssim = true;
};

// Compares `distorted` with `reference`. Errors: sizes differ, a frame's buffer does not match its
// size, or the frame is smaller than kMinQualityFrameSize in either dimension.
StatusOr<FrameQuality> MeasureFrame(const video::VideoFrame& reference,
                                    const video::VideoFrame& distorted,
                                    const VideoQualityOptions& options = {});

// 10 log10(255^2 / mse), capped at kMaxPsnrDb.
double PsnrFromMse(double mse);

// Mean squared difference of two 8-bit planes of `width` x `height` samples.
double PlaneMse(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride, int width,
                int height);

// SSIM of one 8-bit plane the way ffmpeg's vf_ssim (after x264) computes it: 4x4 block sums of
// a, b, a^2 + b^2 and a*b; unweighted 8x8 windows made of 2x2 neighbouring blocks, so windows step
// by 4 samples and overlap by half; the mean over all (width/4 - 1) x (height/4 - 1) windows.
// Columns and rows past the last whole 4x4 block are ignored, as in ffmpeg. The constants are
// ffmpeg's: C2 = (0.03*255)^2 on the unbiased (n-1) covariance, but C1 = (0.01*255)^2 / 64 on the
// means (x264 scales it by 64, not 64^2, against products of window sums), so dark, flat windows
// score lower than with Wang et al.'s C1. Needs width and height >= 8.
double PlaneSsim(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride, int width,
                 int height);

// MS-SSIM of one 8-bit plane (Wang et al., "Multi-scale structural similarity for image quality
// assessment", Asilomar 2003): 11x11 Gaussian windows (sigma 1.5) over the valid region, five
// scales with exponents 0.0448, 0.2856, 0.3001, 0.2363, 0.1333, each scale the 2x2 mean of the one
// above. Contrast-structure terms below zero are clamped to zero (the product with fractional
// exponents is otherwise undefined). Planes too small for five scales use the scales whose size is
// still >= 11, with the exponents renormalised to sum to 1. Needs width and height >= 11.
double PlaneMsSsim(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride, int width,
                   int height);

// Per-clip summary. Mean() averages per-frame values (ffmpeg's SSIM summary is this mean);
// ffmpeg's PSNR summary is instead the PSNR of the mean MSE, which PsnrYOfMeanMse() and
// PsnrYuvOfMeanMse() give.
class VideoQualityAccumulator {
 public:
  void Add(const FrameQuality& frame);
  int frames() const { return frames_; }
  FrameQuality Mean() const;
  double PsnrYOfMeanMse() const;
  double PsnrYuvOfMeanMse() const;

 private:
  int frames_ = 0;
  FrameQuality sum_;
};

}  // namespace auralink::quality
