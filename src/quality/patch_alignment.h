// Patch alignment of ViSQOL (Hines et al. 2015, sec. III-B; Chinen et al. 2020, sec. 2.3): each
// reference patch is matched to the degraded patch, within a search radius, that is most similar
// (NSIM), under the constraint that matches keep their order in time. Dynamic programming over the
// patch sequence maximises the summed similarity; a reference patch may stay unmatched (scoring 0),
// which is how lost or heavily concealed speech shows up.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "quality/gammatone_spectrogram.h"

namespace auralink::quality {

struct PatchMatch {
  size_t reference_frame = 0;            // first frame of the reference patch
  std::optional<size_t> degraded_frame;  // first frame of the matched degraded patch
  double similarity = 0.0;               // NSIM of the pair; 0 when unmatched
};

// One match per entry of reference_starts (ascending), in the same order. Degraded candidates for a
// reference patch starting at frame r start within [r - search_radius, r + search_radius] and are
// zero-padded (the conditioned floor) where they run past the degraded spectrogram.
std::vector<PatchMatch> AlignPatches(const Spectrogram& reference, const Spectrogram& degraded,
                                     std::span<const size_t> reference_starts, size_t patch_frames,
                                     size_t search_radius_frames);

// Frames [first_frame, first_frame + num_frames) of a spectrogram as one frame-major block, with
// frames past its end set to 0.
std::vector<double> ExtractPatch(const Spectrogram& spectrogram, size_t first_frame,
                                 size_t num_frames);

}  // namespace auralink::quality
