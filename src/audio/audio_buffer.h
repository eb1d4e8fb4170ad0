// Decoded PCM audio as the rest of AuraLink sees it: float samples in [-1, 1], channels
// interleaved.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace auralink::audio {

struct AudioBuffer {
  int sample_rate_hz = 0;
  int channels = 0;
  std::vector<float> samples;  // interleaved, [-1, 1]

  size_t frames() const {
    return channels > 0 ? samples.size() / static_cast<size_t>(channels) : 0;
  }
};

// Averages the channels of interleaved audio into one ((L + R) / 2 for stereo). `mono` is replaced
// and holds interleaved.size() / channels samples; channels <= 1 copies the input.
void DownmixToMono(std::span<const float> interleaved, int channels, std::vector<float>* mono);

}  // namespace auralink::audio
