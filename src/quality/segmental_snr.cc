#include "quality/segmental_snr.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace auralink::quality {
namespace {

constexpr double kFrameSeconds = 0.020;
constexpr double kLowestDb = -10.0;
constexpr double kHighestDb = 35.0;
constexpr double kActiveRangeDb = 40.0;

}  // namespace

StatusOr<double> SegmentalSnr(std::span<const float> reference, std::span<const float> degraded,
                              int sample_rate_hz) {
  if (sample_rate_hz <= 0) return Status::Error("sample rate must be positive");
  const size_t frame_size =
      std::max<size_t>(1, static_cast<size_t>(std::lround(kFrameSeconds * sample_rate_hz)));
  const size_t common = std::min(reference.size(), degraded.size());
  const size_t num_frames = common / frame_size;
  if (num_frames == 0) return Status::Error("signals are shorter than one SNR frame");
  std::vector<double> signal_energy(num_frames, 0.0), noise_energy(num_frames, 0.0);
  double loudest = 0.0;
  for (size_t f = 0; f < num_frames; ++f) {
    for (size_t i = f * frame_size; i < (f + 1) * frame_size; ++i) {
      const double error = static_cast<double>(reference[i]) - degraded[i];
      signal_energy[f] += static_cast<double>(reference[i]) * reference[i];
      noise_energy[f] += error * error;
    }
    loudest = std::max(loudest, signal_energy[f]);
  }
  if (loudest <= 0.0) return Status::Error("reference is silent");
  const double threshold = loudest * std::pow(10.0, -kActiveRangeDb / 10.0);
  double total = 0.0;
  size_t frames = 0;
  for (size_t f = 0; f < num_frames; ++f) {
    if (signal_energy[f] < threshold) continue;
    const double snr =
        noise_energy[f] > 0.0 ? 10.0 * std::log10(signal_energy[f] / noise_energy[f]) : kHighestDb;
    total += std::clamp(snr, kLowestDb, kHighestDb);
    ++frames;
  }
  return total / static_cast<double>(frames);
}

}  // namespace auralink::quality
