// Chooses which simulcast layer a subscriber receives: the best layer that fits both the
// bandwidth available for this subscriber's video and the size the subscriber renders at
// (LiveKit UpdateTrackSettings width/height), or none when paused. Steps down at once when the
// current layer no longer fits; steps up only after the estimate has exceeded the higher layer's
// bitrate by a margin for a while, so a noisy estimate does not make it oscillate.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "common/status.h"

namespace auralink::sfu {

struct SimulcastLayerInfo {
  int width = 0;
  int height = 0;
  int64_t bitrate_bps = 0;  // measured on the publisher's stream
  bool active = true;       // the publisher is sending it
};

class SimulcastLayerSelector {
 public:
  struct Config {
    double up_margin = 0.15;    // the estimate must exceed a higher layer's bitrate by 15 %
    int64_t up_hold_ms = 3000;  // continuously, for this long
  };
  struct Request {
    int64_t available_bps = 0;
    std::span<const SimulcastLayerInfo> layers;  // ordered from lowest to highest quality
    int max_width = 0;                           // 0: no limit
    int max_height = 0;                          // 0: no limit
    bool paused = false;                         // the subscriber disabled the track
  };

  static StatusOr<std::unique_ptr<SimulcastLayerSelector>> Create(const Config& config);

  // Returns the layer index to forward, or nullopt to pause.
  std::optional<int> Select(const Request& request, int64_t now_ms);
  std::optional<int> selected() const { return selected_; }

 private:
  explicit SimulcastLayerSelector(const Config& config) : config_(config) {}

  Config config_;
  std::optional<int> selected_;
  // True until the first selection and after the subscriber paused: the next choice is
  // immediate instead of waiting out the hysteresis.
  bool choose_at_once_ = true;
  std::optional<int> last_resolution_cap_;
  std::optional<int64_t> up_candidate_since_ms_;
};

}  // namespace auralink::sfu
