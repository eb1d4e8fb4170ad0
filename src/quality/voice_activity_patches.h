// Reference patch selection for ViSQOL's speech mode (Chinen et al. 2020, sec. 2.2): the reference
// spectrogram is cut into consecutive patches of `patch_frames` frames, and only patches holding
// voice activity are compared, so silence and pauses (where listeners judge little) do not dilute
// the score. Voice activity is ViSQOL's RMS detector on the peak-normalised reference: a hop-long
// chunk is active when its RMS reaches 5000/32768 of full scale (-16.3 dB re. the peak), and stays
// active for two more chunks (hangover).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace auralink::quality {

// First frames of the voiced reference patches. Frame f covers samples from f * hop_samples; the
// first patch starts at frame patch_frames / 2 - 1 (room for the degraded match to sit earlier;
// frame 0 when the clip is too short for that), the rest follow without overlap while a whole patch
// fits in num_frames.
std::vector<size_t> SelectVoicedPatches(std::span<const float> reference, size_t num_frames,
                                        size_t patch_frames, size_t hop_samples);

}  // namespace auralink::quality
