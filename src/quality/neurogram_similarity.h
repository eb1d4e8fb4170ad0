// Neurogram Similarity Index Measure (NSIM; Hines & Harte, "Speech intelligibility prediction
// using a Neurogram Similarity Index Measure", Speech Communication 2012), the similarity behind
// ViSQOL: SSIM's luminance ("intensity") and structure terms over a 3x3 Gaussian neighbourhood
// (sigma 0.5) of a time-frequency patch, with ViSQOL v3's constants for an intensity range of 1:
// C1 = (0.01)^2 and C3 = (0.03)^2 / 2. Patch edges replicate their border cells, as ViSQOL does.
#pragma once

#include <cstddef>
#include <span>

namespace auralink::quality {

// Mean NSIM over two equally sized frame-major patches (num_frames x num_bands), in [-1, 1];
// 1 for identical patches. Both patches must hold num_frames * num_bands values.
double NeurogramSimilarity(std::span<const double> reference, std::span<const double> degraded,
                           size_t num_frames, size_t num_bands);

}  // namespace auralink::quality
