// Decides whether a 20 ms frame of 16 kHz audio holds speech or only background noise: the gate for
// SoundStream's DTX. A pure, causal algorithm with no I/O.
#pragma once

#include <complex>
#include <span>
#include <vector>

#include "dsp/fft.h"

namespace auralink::speech {

// Statistical model-based detection after J. Sohn, N. S. Kim and W. Sung, "A statistical
// model-based voice activity detection", IEEE Signal Processing Letters 6(1), 1999: a Gaussian
// likelihood-ratio test per frequency bin with the a priori SNR from the decision-directed estimate
// (Y. Ephraim and D. Malah, IEEE Trans. ASSP 32(6), 1984), averaged over the speech band. The
// noise spectrum is averaged over frames judged noise-only and kept from falling below a
// minimum-statistics floor (R. Martin, IEEE Trans. Speech Audio Process. 9(5), 2001), so a rise in
// the noise level is followed within about two seconds. A hangover of 200 ms after the last speech
// frame keeps word endings and short pauses inside speech.
class VoiceActivityDetector {
 public:
  static constexpr int kSampleRateHz = 16000;
  static constexpr int kFrameSamples = 320;  // 20 ms
  static constexpr int kHangoverFrames = 10;

  VoiceActivityDetector();

  // Classifies the next frame: true for speech (including the hangover). A frame of another length
  // is zero-padded or truncated to kFrameSamples.
  bool IsSpeech(std::span<const float> frame);

  // The mean log-likelihood ratio of the last frame (> threshold means speech before hangover).
  float last_score() const { return last_score_; }

  void Reset();

 private:
  void UpdateNoiseFloor();

  dsp::Fft fft_;
  std::vector<float> window_;
  std::vector<float> history_;   // the last analysis-window of input samples
  std::vector<float> analysis_;  // windowed copy of history_
  std::vector<std::complex<float>> spectrum_;
  std::vector<float> power_;
  std::vector<float> noise_;           // per-bin noise power estimate
  std::vector<float> clean_previous_;  // per-bin speech power estimate of the last frame
  std::vector<float> smoothed_;        // per-bin smoothed power, for the minimum tracking
  std::vector<float> window_minimum_;  // minimum of smoothed_ within the current sub-window
  std::vector<std::vector<float>> subwindow_minima_;
  int subwindow_frames_ = 0;
  int next_subwindow_ = 0;
  int frames_seen_ = 0;
  int noise_frames_ = 0;
  int hangover_left_ = 0;
  float last_score_ = 0.0f;
};

}  // namespace auralink::speech
