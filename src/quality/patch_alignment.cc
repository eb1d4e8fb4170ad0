#include "quality/patch_alignment.h"

#include <algorithm>
#include <limits>

#include "quality/neurogram_similarity.h"

namespace auralink::quality {
namespace {

// Per reference patch, the candidates it was scored against and the decision for each.
struct CandidateWindow {
  size_t first = 0;                 // first candidate degraded frame
  std::vector<double> similarity;   // NSIM per candidate
  std::vector<bool> matched;        // whether matching here beat leaving the patch unmatched
  std::vector<long long> previous;  // state before a match (-1: nothing matched yet)
};

}  // namespace

std::vector<double> ExtractPatch(const Spectrogram& spectrogram, size_t first_frame,
                                 size_t num_frames) {
  std::vector<double> patch(num_frames * spectrogram.num_bands, 0.0);
  for (size_t f = 0; f < num_frames && first_frame + f < spectrogram.num_frames; ++f) {
    std::copy_n(&spectrogram.values[(first_frame + f) * spectrogram.num_bands],
                spectrogram.num_bands, &patch[f * spectrogram.num_bands]);
  }
  return patch;
}

std::vector<PatchMatch> AlignPatches(const Spectrogram& reference, const Spectrogram& degraded,
                                     std::span<const size_t> reference_starts, size_t patch_frames,
                                     size_t search_radius_frames) {
  std::vector<PatchMatch> matches(reference_starts.size());
  for (size_t i = 0; i < reference_starts.size(); ++i) {
    matches[i].reference_frame = reference_starts[i];
  }
  if (reference_starts.empty() || patch_frames == 0 || degraded.num_frames == 0 ||
      reference.num_bands != degraded.num_bands) {
    return matches;
  }
  const size_t bands = reference.num_bands;
  // Latest start that keeps a whole degraded patch inside the spectrogram (0 if none fits).
  const size_t last_start =
      degraded.num_frames > patch_frames ? degraded.num_frames - patch_frames : 0;

  // DP state: the degraded frame of the latest matched patch, stored at index frame + 1; index 0
  // means nothing matched yet. score[state] is the best summed similarity reaching it.
  const double kUnreachable = -std::numeric_limits<double>::infinity();
  std::vector<double> score(last_start + 2, kUnreachable);
  score[0] = 0.0;
  std::vector<double> best_before(last_start + 2);
  std::vector<long long> best_before_state(last_start + 2);
  std::vector<CandidateWindow> windows(reference_starts.size());

  for (size_t i = 0; i < reference_starts.size(); ++i) {
    const size_t r = reference_starts[i];
    const std::vector<double> reference_patch = ExtractPatch(reference, r, patch_frames);
    // best_before[s + 1]: best state with the previous match strictly before frame s.
    double running = kUnreachable;
    long long running_state = -1;
    for (size_t index = 0; index < score.size(); ++index) {
      best_before[index] = running;
      best_before_state[index] = running_state;
      if (score[index] > running) {
        running = score[index];
        running_state = static_cast<long long>(index) - 1;
      }
    }
    CandidateWindow& window = windows[i];
    window.first = r > search_radius_frames ? r - search_radius_frames : 0;
    const size_t last = std::min(r + search_radius_frames, last_start);
    if (window.first > last) continue;  // no candidate: the patch stays unmatched
    const size_t count = last - window.first + 1;
    window.similarity.resize(count);
    window.matched.assign(count, false);
    window.previous.assign(count, -1);
    for (size_t c = 0; c < count; ++c) {
      const size_t s = window.first + c;
      const std::vector<double> degraded_patch = ExtractPatch(degraded, s, patch_frames);
      window.similarity[c] =
          NeurogramSimilarity(reference_patch, degraded_patch, patch_frames, bands);
      const double before = best_before[s + 1];
      if (before == kUnreachable) continue;
      const double with_match = before + window.similarity[c];
      // Matching wins ties; the skip alternative keeps score[s + 1] as it is.
      if (with_match >= score[s + 1]) {
        window.matched[c] = true;
        window.previous[c] = best_before_state[s + 1];
      }
    }
    for (size_t c = 0; c < count; ++c) {
      if (window.matched[c]) {
        const size_t s = window.first + c;
        score[s + 1] = best_before[s + 1] + window.similarity[c];
      }
    }
  }

  long long state = -1;
  double best = kUnreachable;
  for (size_t index = 0; index < score.size(); ++index) {
    if (score[index] > best) {
      best = score[index];
      state = static_cast<long long>(index) - 1;
    }
  }
  for (size_t i = reference_starts.size(); i-- > 0;) {
    if (state < 0) break;
    const CandidateWindow& window = windows[i];
    const size_t s = static_cast<size_t>(state);
    if (s < window.first || s - window.first >= window.matched.size() ||
        !window.matched[s - window.first]) {
      continue;  // patch i unmatched; the state passes through unchanged
    }
    matches[i].degraded_frame = s;
    matches[i].similarity = window.similarity[s - window.first];
    state = window.previous[s - window.first];
  }
  return matches;
}

}  // namespace auralink::quality
