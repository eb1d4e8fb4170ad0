// Sample-rate conversion on libsoxr (high quality: 20-bit precision, linear phase, passband to 91%
// of the lower Nyquist frequency), for mono audio.
#pragma once

#include <deque>
#include <memory>
#include <span>
#include <vector>

#include "common/status.h"

struct soxr;

namespace auralink::audio {

// Codecs work on 20 ms frames; ProcessFrame() keeps that contract across rates.
inline constexpr int kResamplerFrameDurationMs = 20;

class StreamingResampler {
 public:
  // Both rates must be positive and a whole number of samples per 20 ms (a multiple of 50 Hz).
  static StatusOr<std::unique_ptr<StreamingResampler>> Create(int input_rate_hz,
                                                              int output_rate_hz);
  ~StreamingResampler();
  StreamingResampler(const StreamingResampler&) = delete;
  StreamingResampler& operator=(const StreamingResampler&) = delete;

  int input_rate_hz() const { return input_rate_hz_; }
  int output_rate_hz() const { return output_rate_hz_; }
  int input_frame_size() const { return input_rate_hz_ * kResamplerFrameDurationMs / 1000; }
  int output_frame_size() const { return output_rate_hz_ * kResamplerFrameDurationMs / 1000; }

  // Takes input_frame_size() samples and replaces `out` with exactly output_frame_size() samples.
  // libsoxr releases output in blocks, so the output is held back by a fixed number of samples
  // (delay_output_samples()): output sample j corresponds to input time
  // (j - delay_output_samples()) / output_rate_hz, on every call. Other input lengths are accepted
  // but drift the timing.
  void ProcessFrame(std::span<const float> in, std::vector<float>* out);

  // The constant group delay of ProcessFrame(), in output samples (0 when the rates are equal).
  int delay_output_samples() const { return delay_output_samples_; }

  // Forgets all history, as if newly created.
  void Reset();

 private:
  StreamingResampler(int input_rate_hz, int output_rate_hz, soxr* resampler, int delay);

  int input_rate_hz_;
  int output_rate_hz_;
  soxr* resampler_;  // null when the rates are equal
  int delay_output_samples_;
  std::deque<float> pending_;  // resampled samples not yet handed out
  std::vector<float> scratch_;
  std::vector<float> produced_;
  size_t owed_samples_ = 0;  // zeros handed out on an underrun, dropped from later output
};

// Resamples a whole signal in one go and returns round(n * output_rate / input_rate) samples,
// aligned with the input (no delay). Returns an empty vector when a rate is not positive.
std::vector<float> ResampleWhole(std::span<const float> input, int input_rate_hz,
                                 int output_rate_hz);

}  // namespace auralink::audio
