#include "quality/speech_mos.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "quality/gammatone_spectrogram.h"
#include "quality/neurogram_similarity.h"
#include "quality/patch_alignment.h"
#include "quality/signal_alignment.h"
#include "quality/voice_activity_patches.h"

namespace auralink::quality {
namespace {

// ViSQOL v3 speech mode: 20-frame (400 ms) patches.
constexpr size_t kPatchFrames = 20;
// ViSQOL searches up to 60 patches either side; after global alignment, drift within a clip is far
// smaller, and one second either side keeps the search linear in the clip length.
constexpr size_t kSearchRadiusFrames = 50;
// Fine realignment needs at least this many frames of overlap to rebuild a patch.
constexpr size_t kMinRealignedFrames = 4;

// ViSQOL v3's exponential fit of MOS on mean NSIM (TCD-VOIP), and its scale to reach 5 at NSIM 1.
constexpr double kFitOffset = -262.847869;
constexpr double kFitRate = 0.0154302525;
constexpr double kFitShift = -361.063949;
constexpr double kFitScale = 1.245063;
constexpr double kUnrelatedSignalsNsim = 0.15;

double Rms(std::span<const float> signal) {
  double energy = 0.0;
  for (float sample : signal) energy += static_cast<double>(sample) * sample;
  return signal.empty() ? 0.0 : std::sqrt(energy / static_cast<double>(signal.size()));
}

std::span<const float> Slice(std::span<const float> signal, size_t first, size_t length) {
  if (first >= signal.size()) return {};
  return signal.subspan(first, std::min(length, signal.size() - first));
}

// ViSQOL's per-patch refinement: cross-correlate the two patches' audio, cut both to their aligned
// overlap, and rebuild and compare their spectrograms. Returns the new NSIM, or nothing when the
// overlap is too short to rebuild a patch.
std::optional<double> RealignedSimilarity(const GammatoneSpectrogramBuilder& builder,
                                          std::span<const float> reference,
                                          std::span<const float> degraded,
                                          const PatchMatch& match) {
  const size_t hop = builder.settings().hop_samples;
  const size_t length = kPatchFrames * hop;
  const std::span<const float> reference_audio =
      Slice(reference, match.reference_frame * hop, length);
  const std::span<const float> degraded_audio =
      Slice(degraded, *match.degraded_frame * hop, length);
  const size_t common = std::min(reference_audio.size(), degraded_audio.size());
  if (common == 0) return std::nullopt;
  const int lag = EstimateDelay(reference_audio.first(common), degraded_audio.first(common),
                                static_cast<int>(common / 2));
  const size_t shift = static_cast<size_t>(std::abs(lag));
  if (shift >= common) return std::nullopt;
  const size_t overlap = common - shift;
  const std::span<const float> reference_part =
      reference_audio.subspan(lag < 0 ? shift : 0, overlap);
  const std::span<const float> degraded_part = degraded_audio.subspan(lag > 0 ? shift : 0, overlap);
  const size_t min_samples = builder.settings().window_samples + (kMinRealignedFrames - 1) * hop;
  if (overlap < min_samples) return std::nullopt;
  StatusOr<Spectrogram> reference_spectrogram = builder.Build(reference_part);
  StatusOr<Spectrogram> degraded_spectrogram = builder.Build(degraded_part);
  if (!reference_spectrogram.ok() || !degraded_spectrogram.ok()) return std::nullopt;
  PrepareSpectrogramsForComparison(&*reference_spectrogram, &*degraded_spectrogram);
  const size_t frames =
      std::min(reference_spectrogram->num_frames, degraded_spectrogram->num_frames);
  return NeurogramSimilarity(reference_spectrogram->values, degraded_spectrogram->values, frames,
                             reference_spectrogram->num_bands);
}

}  // namespace

double MapNsimToMos(double nsim) {
  if (!(nsim >= kUnrelatedSignalsNsim)) return 1.0;  // also catches NaN
  const double mos = (kFitOffset + std::exp(kFitRate * (nsim - kFitShift))) * kFitScale;
  return std::clamp(mos, 1.0, 5.0);
}

StatusOr<SpeechMosEstimate> EstimateSpeechMos(std::span<const float> reference,
                                              std::span<const float> degraded) {
  const GammatoneSpectrogramBuilder builder;
  const size_t hop = builder.settings().hop_samples;

  // Level matching (ViSQOL's ScaleToMatchSoundPressureLevel): a louder or quieter copy is not
  // a worse one.
  std::vector<float> scaled(degraded.begin(), degraded.end());
  const double reference_rms = Rms(reference);
  const double degraded_rms = Rms(degraded);
  if (degraded_rms > 0.0) {
    const float gain = static_cast<float>(reference_rms / degraded_rms);
    for (float& sample : scaled) sample *= gain;
  }

  StatusOr<Spectrogram> reference_spectrogram = builder.Build(reference);
  if (!reference_spectrogram.ok()) {
    return reference_spectrogram.status().WithContext("reference spectrogram");
  }
  StatusOr<Spectrogram> degraded_spectrogram = builder.Build(scaled);
  if (!degraded_spectrogram.ok()) {
    return degraded_spectrogram.status().WithContext("degraded spectrogram");
  }
  PrepareSpectrogramsForComparison(&*reference_spectrogram, &*degraded_spectrogram);

  if (reference_spectrogram->num_frames < kPatchFrames) {
    return Status::Error("reference is too short for one " + std::to_string(kPatchFrames) +
                         "-frame comparison patch");
  }
  const std::vector<size_t> starts =
      SelectVoicedPatches(reference, reference_spectrogram->num_frames, kPatchFrames, hop);
  if (starts.empty()) return Status::Error("reference holds no voice activity");

  std::vector<PatchMatch> matches = AlignPatches(*reference_spectrogram, *degraded_spectrogram,
                                                 starts, kPatchFrames, kSearchRadiusFrames);
  SpeechMosEstimate estimate;
  double total = 0.0;
  for (PatchMatch& match : matches) {
    if (!match.degraded_frame) {
      ++estimate.patches_unmatched;
      continue;
    }
    const std::optional<double> realigned = RealignedSimilarity(builder, reference, scaled, match);
    if (realigned && *realigned > match.similarity) match.similarity = *realigned;
    total += match.similarity;
  }
  estimate.patches_compared = matches.size();
  estimate.nsim = total / static_cast<double>(matches.size());
  estimate.mos = MapNsimToMos(estimate.nsim);
  return estimate;
}

}  // namespace auralink::quality
