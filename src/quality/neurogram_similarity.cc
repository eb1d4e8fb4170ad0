#include "quality/neurogram_similarity.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <vector>

namespace auralink::quality {
namespace {

constexpr double kIntensityConstant = 0.01 * 0.01;        // C1 = (K1 L)^2, L = 1
constexpr double kStructureConstant = 0.03 * 0.03 / 2.0;  // C3 = C2 / 2 = (K2 L)^2 / 2

// Separable 3-tap Gaussian with sigma 0.5: weights exp(-1/(2 sigma^2)) = e^-2 either side.
const double kSideWeight = std::exp(-2.0) / (1.0 + 2.0 * std::exp(-2.0));
const double kCentreWeight = 1.0 / (1.0 + 2.0 * std::exp(-2.0));

// 3x3 Gaussian smoothing of a frame-major map with replicated borders.
void Smooth(const std::vector<double>& input, size_t frames, size_t bands,
            std::vector<double>* along_bands, std::vector<double>* output) {
  along_bands->resize(input.size());
  output->resize(input.size());
  for (size_t f = 0; f < frames; ++f) {
    const double* row = &input[f * bands];
    double* out = &(*along_bands)[f * bands];
    for (size_t b = 0; b < bands; ++b) {
      const double lower = row[b == 0 ? 0 : b - 1];
      const double upper = row[b + 1 == bands ? b : b + 1];
      out[b] = kCentreWeight * row[b] + kSideWeight * (lower + upper);
    }
  }
  for (size_t f = 0; f < frames; ++f) {
    const double* previous = &(*along_bands)[(f == 0 ? 0 : f - 1) * bands];
    const double* current = &(*along_bands)[f * bands];
    const double* next = &(*along_bands)[(f + 1 == frames ? f : f + 1) * bands];
    double* out = &(*output)[f * bands];
    for (size_t b = 0; b < bands; ++b) {
      out[b] = kCentreWeight * current[b] + kSideWeight * (previous[b] + next[b]);
    }
  }
}

}  // namespace

double NeurogramSimilarity(std::span<const double> reference, std::span<const double> degraded,
                           size_t num_frames, size_t num_bands) {
  const size_t cells = num_frames * num_bands;
  assert(reference.size() >= cells && degraded.size() >= cells);
  if (cells == 0) return 0.0;
  std::vector<double> r(reference.begin(), reference.begin() + static_cast<std::ptrdiff_t>(cells));
  std::vector<double> d(degraded.begin(), degraded.begin() + static_cast<std::ptrdiff_t>(cells));
  std::vector<double> rr(cells), dd(cells), rd(cells);
  for (size_t i = 0; i < cells; ++i) {
    rr[i] = r[i] * r[i];
    dd[i] = d[i] * d[i];
    rd[i] = r[i] * d[i];
  }
  std::vector<double> scratch, mu_r, mu_d, mean_rr, mean_dd, mean_rd;
  Smooth(r, num_frames, num_bands, &scratch, &mu_r);
  Smooth(d, num_frames, num_bands, &scratch, &mu_d);
  Smooth(rr, num_frames, num_bands, &scratch, &mean_rr);
  Smooth(dd, num_frames, num_bands, &scratch, &mean_dd);
  Smooth(rd, num_frames, num_bands, &scratch, &mean_rd);

  double sum = 0.0;
  for (size_t i = 0; i < cells; ++i) {
    const double var_r = std::max(mean_rr[i] - mu_r[i] * mu_r[i], 0.0);
    const double var_d = std::max(mean_dd[i] - mu_d[i] * mu_d[i], 0.0);
    const double covariance = mean_rd[i] - mu_r[i] * mu_d[i];
    const double intensity = (2.0 * mu_r[i] * mu_d[i] + kIntensityConstant) /
                             (mu_r[i] * mu_r[i] + mu_d[i] * mu_d[i] + kIntensityConstant);
    const double structure =
        (covariance + kStructureConstant) / (std::sqrt(var_r * var_d) + kStructureConstant);
    sum += intensity * structure;
  }
  return sum / static_cast<double>(cells);
}

}  // namespace auralink::quality
