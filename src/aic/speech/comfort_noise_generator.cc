#include "aic/speech/comfort_noise_generator.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

namespace auralink::speech {
namespace {

// Frames whose mean square is within this factor (+6 dB) of the tracked noise floor count as noise.
constexpr double kNoiseGate = 4.0;
constexpr double kEnergySmoothing = 0.7;
constexpr int kSubwindowFrames = 20;  // the floor is the minimum over 5 x 0.4 s = 2 s
constexpr size_t kSubwindows = 5;
constexpr int kStartupFrames = 20;           // plain averaging while the estimate forms
constexpr double kSpectrumSmoothing = 0.05;  // per noise frame afterwards: ~0.4 s time constant

size_t NextPowerOfTwo(size_t n) {
  size_t p = 2;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

ComfortNoiseGenerator::ComfortNoiseGenerator(int sample_rate_hz)
    : sample_rate_hz_(sample_rate_hz),
      hop_(sample_rate_hz / 50),
      fft_size_(NextPowerOfTwo(2 * static_cast<size_t>(std::max(hop_, 1)))),
      fft_(fft_size_) {
  assert(sample_rate_hz > 0 && sample_rate_hz % 50 == 0);
  const size_t hop = static_cast<size_t>(hop_);
  analysis_window_ = dsp::HannWindow(hop);
  for (float w : analysis_window_) analysis_window_energy_ += static_cast<double>(w) * w;
  // sin(pi n / 2H) is the square root of a periodic Hann of length 2H: its squares at hop H sum to
  // one, so overlap-added independent noise blocks keep a constant variance.
  synthesis_window_.resize(2 * hop);
  for (size_t i = 0; i < 2 * hop; ++i) {
    synthesis_window_[i] = static_cast<float>(
        std::sin(std::numbers::pi * static_cast<double>(i) / static_cast<double>(2 * hop)));
  }
  analysis_.assign(fft_size_, 0.0f);
  noise_spectrum_.assign(fft_size_ / 2 + 1, 0.0);
  synthesis_spectrum_.assign(fft_size_ / 2 + 1, {0.0f, 0.0f});
  subwindow_minima_.assign(kSubwindows, 0.0);
  overlap_.assign(hop, 0.0f);
  Reset();
}

void ComfortNoiseGenerator::Reset() {
  std::fill(noise_spectrum_.begin(), noise_spectrum_.end(), 0.0);
  noise_frames_ = 0;
  frames_seen_ = 0;
  smoothed_energy_ = 0.0;
  subwindow_minimum_ = 0.0;
  std::fill(subwindow_minima_.begin(), subwindow_minima_.end(), 0.0);
  subwindow_frames_ = 0;
  next_subwindow_ = 0;
  std::fill(overlap_.begin(), overlap_.end(), 0.0f);
  ready_.clear();
  ready_offset_ = 0;
}

void ComfortNoiseGenerator::UpdateEnergyFloor(double mean_square) {
  ++frames_seen_;
  if (frames_seen_ == 1) {
    smoothed_energy_ = mean_square;
    std::fill(subwindow_minima_.begin(), subwindow_minima_.end(), mean_square);
  } else {
    smoothed_energy_ = kEnergySmoothing * smoothed_energy_ + (1.0 - kEnergySmoothing) * mean_square;
  }
  subwindow_minimum_ =
      subwindow_frames_ == 0 ? smoothed_energy_ : std::min(subwindow_minimum_, smoothed_energy_);
  if (++subwindow_frames_ == kSubwindowFrames) {
    subwindow_minima_[next_subwindow_] = subwindow_minimum_;
    next_subwindow_ = (next_subwindow_ + 1) % kSubwindows;
    subwindow_frames_ = 0;
  }
}

void ComfortNoiseGenerator::Learn(std::span<const float> frame) {
  const size_t hop = static_cast<size_t>(hop_);
  const size_t n = std::min(frame.size(), hop);
  double mean_square = 0.0;
  std::fill(analysis_.begin(), analysis_.end(), 0.0f);
  for (size_t i = 0; i < n; ++i) {
    const float sample = std::isfinite(frame[i]) ? frame[i] : 0.0f;
    mean_square += static_cast<double>(sample) * sample;
    analysis_[i] = sample * analysis_window_[i];
  }
  mean_square /= static_cast<double>(hop);
  UpdateEnergyFloor(mean_square);

  double floor = subwindow_frames_ == 0 ? smoothed_energy_ : subwindow_minimum_;
  for (double minimum : subwindow_minima_) floor = std::min(floor, minimum);
  if (mean_square > kNoiseGate * floor) return;

  fft_.ForwardReal(analysis_, &spectrum_);
  ++noise_frames_;
  const double rate = noise_frames_ <= kStartupFrames ? 1.0 / noise_frames_ : kSpectrumSmoothing;
  for (size_t k = 0; k < noise_spectrum_.size(); ++k) {
    noise_spectrum_[k] +=
        rate * (static_cast<double>(std::norm(spectrum_[k])) - noise_spectrum_[k]);
  }
}

double ComfortNoiseGenerator::noise_power() const {
  // Parseval over the Hermitian spectrum the synthesis uses (DC and Nyquist left out).
  double sum = 0.0;
  for (size_t k = 1; k + 1 < noise_spectrum_.size(); ++k) sum += noise_spectrum_[k];
  return 2.0 * sum / (static_cast<double>(fft_size_) * analysis_window_energy_);
}

void ComfortNoiseGenerator::SynthesiseBlock() {
  const size_t hop = static_cast<size_t>(hop_);
  ready_.assign(hop, 0.0f);
  ready_offset_ = 0;
  if (!has_noise_estimate()) {
    std::fill(overlap_.begin(), overlap_.end(), 0.0f);
    return;
  }
  // A windowed frame's bin power is the noise PSD times the window energy; an inverse FFT of size M
  // (scaled 1/M) with magnitudes sqrt(M * P / W) and random phases has that PSD again.
  const double scale = static_cast<double>(fft_size_) / analysis_window_energy_;
  synthesis_spectrum_.front() = {0.0f, 0.0f};
  synthesis_spectrum_.back() = {0.0f, 0.0f};
  for (size_t k = 1; k + 1 < synthesis_spectrum_.size(); ++k) {
    // xorshift64*: cheap, deterministic, plenty for phases.
    random_state_ ^= random_state_ >> 12;
    random_state_ ^= random_state_ << 25;
    random_state_ ^= random_state_ >> 27;
    const uint64_t bits = random_state_ * 0x2545F4914F6CDD1Dull;
    const double phase = 2.0 * std::numbers::pi * static_cast<double>(bits >> 11) * 0x1.0p-53;
    const double magnitude = std::sqrt(scale * noise_spectrum_[k]);
    synthesis_spectrum_[k] = std::polar(static_cast<float>(magnitude), static_cast<float>(phase));
  }
  fft_.InverseReal(synthesis_spectrum_, &block_);
  for (size_t i = 0; i < hop; ++i) {
    ready_[i] = overlap_[i] + block_[i] * synthesis_window_[i];
    overlap_[i] = block_[hop + i] * synthesis_window_[hop + i];
  }
}

void ComfortNoiseGenerator::Generate(std::span<float> frame) {
  size_t written = 0;
  while (written < frame.size()) {
    if (ready_offset_ >= ready_.size()) SynthesiseBlock();
    const size_t n = std::min(frame.size() - written, ready_.size() - ready_offset_);
    std::copy_n(ready_.begin() + static_cast<std::ptrdiff_t>(ready_offset_), n,
                frame.begin() + static_cast<std::ptrdiff_t>(written));
    ready_offset_ += n;
    written += n;
  }
}

}  // namespace auralink::speech
