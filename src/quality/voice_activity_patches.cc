#include "quality/voice_activity_patches.h"

#include <algorithm>
#include <cmath>

namespace auralink::quality {
namespace {

constexpr double kActiveRmsRelativeToPeak = 5000.0 / 32768.0;
constexpr size_t kHangoverChunks = 2;

}  // namespace

std::vector<size_t> SelectVoicedPatches(std::span<const float> reference, size_t num_frames,
                                        size_t patch_frames, size_t hop_samples) {
  std::vector<size_t> starts;
  if (patch_frames == 0 || hop_samples == 0 || reference.empty()) return starts;
  float peak = 0.0f;
  for (float sample : reference) peak = std::max(peak, std::abs(sample));
  if (peak <= 0.0f) return starts;

  const size_t num_chunks = reference.size() / hop_samples;
  std::vector<bool> loud(num_chunks);
  for (size_t c = 0; c < num_chunks; ++c) {
    double energy = 0.0;
    for (size_t i = 0; i < hop_samples; ++i) {
      const double sample = reference[c * hop_samples + i] / peak;
      energy += sample * sample;
    }
    loud[c] = std::sqrt(energy / static_cast<double>(hop_samples)) >= kActiveRmsRelativeToPeak;
  }
  auto active = [&](size_t chunk) {
    for (size_t back = 0; back <= kHangoverChunks && back <= chunk; ++back) {
      if (loud[chunk - back]) return true;
    }
    return false;
  };

  size_t first = patch_frames / 2 >= 1 ? patch_frames / 2 - 1 : 0;
  // A clip shorter than that lead-in plus one patch still gets one patch, from its start.
  if (first + patch_frames > num_frames) first = 0;
  for (size_t start = first; start + patch_frames <= num_frames; start += patch_frames) {
    const size_t end_chunk = std::min(start + patch_frames, num_chunks);
    for (size_t c = start; c < end_chunk; ++c) {
      if (active(c)) {
        starts.push_back(start);
        break;
      }
    }
  }
  return starts;
}

}  // namespace auralink::quality
