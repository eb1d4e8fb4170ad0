#include "aic/speech/voice_activity_detector.h"

#include <algorithm>
#include <cmath>

namespace auralink::speech {
namespace {

constexpr size_t kFftSize = 512;                  // 32 ms analysis window, 31.25 Hz bins
constexpr size_t kFirstBin = 3;                   // ~100 Hz: below it lies hum and rumble
constexpr size_t kLastBin = 192;                  // 6 kHz: above it speech adds little energy
constexpr float kDecisionDirectedWeight = 0.98f;  // Ephraim-Malah's alpha
constexpr float kMinPrioriSnr = 0.003f;           // -25 dB, bounds the decision-directed estimate
constexpr float kSpeechThreshold = 0.5f;          // on the mean log-likelihood ratio
constexpr float kNoiseSmoothing = 0.05f;          // per noise-only frame: ~0.4 s time constant
constexpr int kNoiseStartupFrames = 20;           // plain averaging while the estimate forms
constexpr float kPowerSmoothing = 0.8f;           // for the minimum tracking
constexpr int kSubwindowFrames = 20;              // minimum statistics: 5 x 0.4 s = 2 s window
constexpr int kSubwindows = 5;
// The minimum of smoothed periodograms sits below the mean noise power; the estimate may not fall
// under the minimum times this (a conservative fraction of Martin's bias compensation).
constexpr float kMinimumBias = 1.5f;
constexpr float kPowerFloor = 1e-10f;
constexpr int kInitialSmoothingBins = 4;  // +-125 Hz
// Frames quieter than -70 dBFS are never speech, whatever the noise estimate says.
constexpr float kQuietMeanSquare = 1e-7f;

}  // namespace

VoiceActivityDetector::VoiceActivityDetector()
    : fft_(kFftSize),
      window_(dsp::HannWindow(kFftSize)),
      history_(kFftSize, 0.0f),
      analysis_(kFftSize, 0.0f),
      power_(kFftSize / 2 + 1, 0.0f),
      noise_(kFftSize / 2 + 1, 0.0f),
      clean_previous_(kFftSize / 2 + 1, 0.0f),
      smoothed_(kFftSize / 2 + 1, 0.0f),
      window_minimum_(kFftSize / 2 + 1, 0.0f),
      subwindow_minima_(kSubwindows, std::vector<float>(kFftSize / 2 + 1, 0.0f)) {
  Reset();
}

void VoiceActivityDetector::Reset() {
  std::fill(history_.begin(), history_.end(), 0.0f);
  std::fill(noise_.begin(), noise_.end(), kPowerFloor);
  std::fill(clean_previous_.begin(), clean_previous_.end(), 0.0f);
  subwindow_frames_ = 0;
  next_subwindow_ = 0;
  frames_seen_ = 0;
  noise_frames_ = 0;
  hangover_left_ = 0;
  last_score_ = 0.0f;
}

void VoiceActivityDetector::UpdateNoiseFloor() {
  const size_t bins = power_.size();
  for (size_t k = 0; k < bins; ++k) {
    smoothed_[k] = frames_seen_ == 1
                       ? power_[k]
                       : kPowerSmoothing * smoothed_[k] + (1.0f - kPowerSmoothing) * power_[k];
    window_minimum_[k] =
        subwindow_frames_ == 0 ? smoothed_[k] : std::min(window_minimum_[k], smoothed_[k]);
  }
  if (frames_seen_ == 1) {
    for (auto& minima : subwindow_minima_) minima = smoothed_;
  }
  if (++subwindow_frames_ == kSubwindowFrames) {
    subwindow_minima_[static_cast<size_t>(next_subwindow_)] = window_minimum_;
    next_subwindow_ = (next_subwindow_ + 1) % kSubwindows;
    subwindow_frames_ = 0;
  }
  for (size_t k = 0; k < bins; ++k) {
    float minimum = subwindow_frames_ == 0 ? smoothed_[k] : window_minimum_[k];
    for (const auto& minima : subwindow_minima_) minimum = std::min(minimum, minima[k]);
    noise_[k] = std::max(noise_[k], kMinimumBias * minimum);
  }
}

bool VoiceActivityDetector::IsSpeech(std::span<const float> frame) {
  const size_t n = std::min(frame.size(), static_cast<size_t>(kFrameSamples));
  std::copy(history_.begin() + kFrameSamples, history_.end(), history_.begin());
  auto fresh = history_.end() - kFrameSamples;
  std::copy_n(frame.begin(), n, fresh);
  std::fill(fresh + static_cast<std::ptrdiff_t>(n), history_.end(), 0.0f);

  double mean_square = 0.0;
  for (auto it = fresh; it != history_.end(); ++it) {
    const float sample = std::isfinite(*it) ? *it : 0.0f;
    *it = sample;
    mean_square += static_cast<double>(sample) * sample;
  }
  mean_square /= kFrameSamples;

  for (size_t i = 0; i < kFftSize; ++i) analysis_[i] = history_[i] * window_[i];
  fft_.ForwardReal(analysis_, &spectrum_);
  for (size_t k = 0; k < power_.size(); ++k) power_[k] = std::norm(spectrum_[k]) + kPowerFloor;
  ++frames_seen_;

  if (frames_seen_ == 1) {
    // The stream is assumed to open on background noise (as in Sohn et al.). Only the newest
    // kFrameSamples of the window hold signal yet, so scale up for the window energy they cover.
    double covered = 0.0, total = 0.0;
    for (size_t i = 0; i < kFftSize; ++i) {
      total += static_cast<double>(window_[i]) * window_[i];
      if (i >= kFftSize - kFrameSamples) covered += static_cast<double>(window_[i]) * window_[i];
    }
    const float scale = static_cast<float>(total / covered);
    // One periodogram is a poor per-bin estimate (each bin is exponentially distributed), so the
    // first one is averaged over neighbouring bins; later noise frames refine it bin by bin.
    const int bins = static_cast<int>(power_.size());
    for (int k = 0; k < bins; ++k) {
      double sum = 0.0;
      int count = 0;
      for (int j = std::max(0, k - kInitialSmoothingBins);
           j <= std::min(bins - 1, k + kInitialSmoothingBins); ++j) {
        sum += power_[static_cast<size_t>(j)];
        ++count;
      }
      noise_[static_cast<size_t>(k)] = static_cast<float>(sum / count) * scale;
    }
    noise_frames_ = 1;
  }
  UpdateNoiseFloor();

  double score = 0.0;
  for (size_t k = kFirstBin; k <= kLastBin; ++k) {
    const float posteriori = power_[k] / noise_[k];
    const float priori = std::max(
        kMinPrioriSnr, kDecisionDirectedWeight * clean_previous_[k] / noise_[k] +
                           (1.0f - kDecisionDirectedWeight) * std::max(posteriori - 1.0f, 0.0f));
    score += posteriori * priori / (1.0f + priori) - std::log1p(priori);
    const float gain = priori / (1.0f + priori);  // Wiener gain for the next decision-directed step
    clean_previous_[k] = gain * gain * power_[k];
  }
  last_score_ = static_cast<float>(score / static_cast<double>(kLastBin - kFirstBin + 1));

  const bool speech = last_score_ > kSpeechThreshold && mean_square > kQuietMeanSquare;
  if (!speech && frames_seen_ > 1) {
    ++noise_frames_;
    const float rate = noise_frames_ <= kNoiseStartupFrames
                           ? 1.0f / static_cast<float>(noise_frames_)
                           : kNoiseSmoothing;
    for (size_t k = 0; k < noise_.size(); ++k) noise_[k] += rate * (power_[k] - noise_[k]);
  }
  if (speech) {
    hangover_left_ = kHangoverFrames;
    return true;
  }
  if (hangover_left_ > 0) {
    --hangover_left_;
    return true;
  }
  return false;
}

}  // namespace auralink::speech
