#include "audio/audio_buffer.h"

namespace auralink::audio {

void DownmixToMono(std::span<const float> interleaved, int channels, std::vector<float>* mono) {
  if (channels <= 1) {
    mono->assign(interleaved.begin(), interleaved.end());
    return;
  }
  const size_t stride = static_cast<size_t>(channels);
  const size_t frames = interleaved.size() / stride;
  const float scale = 1.0f / static_cast<float>(channels);
  mono->resize(frames);
  for (size_t i = 0; i < frames; ++i) {
    float sum = 0.0f;
    for (size_t c = 0; c < stride; ++c) sum += interleaved[i * stride + c];
    (*mono)[i] = sum * scale;
  }
}

}  // namespace auralink::audio
