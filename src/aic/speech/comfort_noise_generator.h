// Comfort noise for concealment: learns the spectrum and level of the background noise in decoded
// audio and synthesises more of it, so a long loss or DTX gap fades into the room's own noise
// rather than into silence (the behaviour of Lyra's decoder, and RFC 3389's purpose for RTP).
#pragma once

#include <complex>
#include <cstdint>
#include <span>
#include <vector>

#include "dsp/fft.h"

namespace auralink::speech {

class ComfortNoiseGenerator {
 public:
  // sample_rate_hz: a positive multiple of 50 (a whole number of samples per 20 ms); it is set by
  // code, never by outside data, and checked with an assert.
  explicit ComfortNoiseGenerator(int sample_rate_hz);

  int sample_rate_hz() const { return sample_rate_hz_; }
  int frame_size() const { return hop_; }

  // Feeds one frame of decoded audio (frame_size() samples). Every frame may be passed: frames more
  // than 6 dB above the tracked noise floor (speech) are ignored, the rest update the noise
  // spectrum.
  void Learn(std::span<const float> frame);

  // Writes frame.size() samples of noise with the learned spectral envelope and level (random
  // phase, overlap-added with a sine window so the level is steady). Silence until a noise frame
  // was seen.
  void Generate(std::span<float> frame);

  bool has_noise_estimate() const { return noise_frames_ > 0; }
  // Mean power of the learned noise per sample (a full-scale sine is 0.5); 0 before any noise
  // frame.
  double noise_power() const;

  void Reset();

 private:
  void UpdateEnergyFloor(double mean_square);
  void SynthesiseBlock();

  int sample_rate_hz_;
  int hop_;          // samples per 20 ms frame
  size_t fft_size_;  // >= 2 * hop_
  dsp::Fft fft_;
  std::vector<float> analysis_window_;   // Hann, hop_
  std::vector<float> synthesis_window_;  // sine (square root of Hann), 2 * hop_
  double analysis_window_energy_ = 0.0;  // sum of squared analysis window samples

  // Learning.
  std::vector<float> analysis_;
  std::vector<std::complex<float>> spectrum_;
  std::vector<double> noise_spectrum_;  // per-bin power of the windowed analysis frames
  int noise_frames_ = 0;
  int frames_seen_ = 0;
  double smoothed_energy_ = 0.0;
  double subwindow_minimum_ = 0.0;
  std::vector<double> subwindow_minima_;
  int subwindow_frames_ = 0;
  size_t next_subwindow_ = 0;

  // Synthesis.
  uint64_t random_state_ = 0x9E3779B97F4A7C15ull;
  std::vector<std::complex<float>> synthesis_spectrum_;
  std::vector<float> block_;
  std::vector<float> overlap_;  // second half of the previous windowed block
  std::vector<float> ready_;    // synthesised samples not yet handed out
  size_t ready_offset_ = 0;
};

}  // namespace auralink::speech
