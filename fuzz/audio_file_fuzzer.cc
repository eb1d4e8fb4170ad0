// Fuzzes the WAV/FLAC reader (libsndfile behind AuraLink's own RIFF checks): any bytes must decode
// or fail with an error, and decoded audio must be consistent and within [-1, 1].
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "audio/audio_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto audio = auralink::audio::ReadAudioFromMemory(std::span<const uint8_t>(data, size));
  if (!audio.ok()) return 0;
  if (audio->channels < 1 || audio->sample_rate_hz <= 0) std::abort();
  if (audio->samples.size() % static_cast<size_t>(audio->channels) != 0) std::abort();
  for (float sample : audio->samples) {
    if (!(sample >= -1.0f && sample <= 1.0f)) std::abort();
  }
  return 0;
}
