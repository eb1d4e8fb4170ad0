// Which degradation rung the AIC video engine runs at when the bandwidth cap falls, and when it
// may climb back. Rungs are ordered from best to cheapest; the rate controller says what each rung
// needs (kbps) for the content at hand, the ladder compares that with the cap. It steps down at
// once, straight to the first rung that fits (a call must fit its link; when none does, to the
// cheapest), and climbs one rung at a time only after the rung above has fitted with room to
// spare for a hold time (with no cap at all it returns to the top at once): the asymmetric
// hysteresis libwebrtc's quality scaler and resolution adaptation use so a noisy estimate does not
// make the picture pump.
//
// The order (kDefaultLadderRungs): the quantizer first (quality target -0.01, -0.02), then the
// resolution (3/4, then 1/2), then the frame rate (half), then the codec (the most efficient
// profile the CPU allows at the reduced size, even if it means a codec switch).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace auralink::video {

enum class LadderLever { kTarget, kQuantizer, kResolution, kFrameRate, kCodec };
const char* LadderLeverName(LadderLever lever);  // "target", "quantizer", ...

struct LadderRung {
  LadderLever lever = LadderLever::kTarget;
  double quality_drop = 0.0;  // SSIM-Y below the mode's target
  double max_resolution_scale = 1.0;
  double max_frame_rate_factor = 1.0;  // of the source frame rate
  bool any_profile = false;            // false: keep the scene's codec profile
};

// Target; quantizer (-0.01, -0.02); resolution (3/4 at -0.03, 1/2 at -0.05); frame rate (1/2 at
// -0.08); codec (-0.12, any profile).
std::vector<LadderRung> DefaultLadderRungs();

struct CodecLadderConfig {
  // Step down when the current rung needs more than down_fraction of the cap (headroom for the
  // encoder's short-term overshoot).
  double down_fraction = 0.95;
  // Climb when the rung above needs at most up_fraction of the cap ...
  double up_fraction = 0.80;
  // ... continuously for this long.
  int64_t up_hold_ms = 3000;
  // No climb within this long after any switch.
  int64_t min_dwell_ms = 1000;
};

class CodecLadder {
 public:
  CodecLadder(int rung_count, const CodecLadderConfig& config = {});

  // One step of the ladder at `now_ms` (non-decreasing). required_kbps[i] = what rung i needs;
  // shorter spans count the missing rungs as fitting anything. A cap <= 0 means no cap. Returns
  // the rung to run at.
  int Update(int64_t now_ms, double cap_kbps, std::span<const double> required_kbps);

  int rung() const { return rung_; }
  int switches() const { return switches_; }
  int rung_count() const { return rung_count_; }
  void Reset();

 private:
  int rung_count_;
  CodecLadderConfig config_;
  int rung_ = 0;
  int switches_ = 0;
  int64_t last_switch_ms_ = INT64_MIN / 2;
  int64_t fits_above_since_ms_ = -1;
};

}  // namespace auralink::video
