#include "quality/speech_quality.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "quality/log_spectral_distance.h"
#include "quality/sample_rate_conversion.h"
#include "quality/segmental_snr.h"
#include "quality/short_time_objective_intelligibility.h"
#include "quality/signal_alignment.h"
#include "quality/speech_mos.h"

namespace auralink::quality {
namespace {

constexpr int kAnalysisRateHz = 16000;
constexpr int kLowestRateHz = 8000;
constexpr int kHighestRateHz = 48000;
constexpr double kShortestSeconds = 0.5;
// Peak under which a reference counts as silent (-100 dBFS).
constexpr float kSilentPeak = 1e-5f;

Status CheckInput(std::span<const float> signal, int rate_hz, const char* name) {
  if (rate_hz < kLowestRateHz || rate_hz > kHighestRateHz) {
    return Status::Error(std::string(name) + " sample rate " + std::to_string(rate_hz) +
                         " Hz is outside 8000..48000 Hz");
  }
  if (static_cast<double>(signal.size()) < kShortestSeconds * rate_hz) {
    return Status::Error(std::string(name) + " is shorter than 0.5 s (" +
                         std::to_string(signal.size()) + " samples at " + std::to_string(rate_hz) +
                         " Hz)");
  }
  for (float sample : signal) {
    if (!std::isfinite(sample)) {
      return Status::Error(std::string(name) + " holds a non-finite sample");
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<SpeechQualityScores> CompareSpeech(std::span<const float> reference, int reference_rate_hz,
                                            std::span<const float> degraded, int degraded_rate_hz) {
  AURALINK_RETURN_IF_ERROR(CheckInput(reference, reference_rate_hz, "reference"));
  AURALINK_RETURN_IF_ERROR(CheckInput(degraded, degraded_rate_hz, "degraded"));
  float peak = 0.0f;
  for (float sample : reference) peak = std::max(peak, std::abs(sample));
  if (peak < kSilentPeak) return Status::Error("reference is silent");

  StatusOr<std::vector<float>> clean =
      ConvertSampleRate(reference, reference_rate_hz, kAnalysisRateHz);
  if (!clean.ok()) return clean.status().WithContext("resampling reference");
  StatusOr<std::vector<float>> received =
      ConvertSampleRate(degraded, degraded_rate_hz, kAnalysisRateHz);
  if (!received.ok()) return received.status().WithContext("resampling degraded");

  // ViSQOL bounds the global lag by half the reference; so do we.
  const int delay = EstimateDelay(*clean, *received, static_cast<int>(clean->size() / 2));
  const std::vector<float> aligned = RemoveDelay(*received, delay, clean->size());

  SpeechQualityScores scores;
  scores.delay_ms = 1000.0 * delay / kAnalysisRateHz;

  StatusOr<SpeechMosEstimate> mos = EstimateSpeechMos(*clean, aligned);
  if (!mos.ok()) return mos.status().WithContext("MOS");
  scores.mos = mos->mos;
  scores.nsim = mos->nsim;

  StatusOr<double> stoi = ShortTimeObjectiveIntelligibility(*clean, aligned, kAnalysisRateHz);
  if (!stoi.ok()) return stoi.status().WithContext("STOI");
  scores.stoi = *stoi;

  StatusOr<double> lsd = LogSpectralDistance(*clean, aligned, kAnalysisRateHz);
  if (!lsd.ok()) return lsd.status().WithContext("log-spectral distance");
  scores.lsd_db = *lsd;

  StatusOr<double> snr = SegmentalSnr(*clean, aligned, kAnalysisRateHz);
  if (!snr.ok()) return snr.status().WithContext("segmental SNR");
  scores.snr_db = *snr;
  return scores;
}

}  // namespace auralink::quality
