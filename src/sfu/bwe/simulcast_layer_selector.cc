#include "sfu/bwe/simulcast_layer_selector.h"

#include <string>

namespace auralink::sfu {
namespace {

// The highest layer worth sending for the requested size: the smallest active layer that
// covers it (a smaller one would be upscaled), or the largest active layer if none does.
std::optional<int> ResolutionCap(std::span<const SimulcastLayerInfo> layers, int max_width,
                                 int max_height) {
  std::optional<int> largest;
  for (int i = 0; i < static_cast<int>(layers.size()); ++i) {
    const SimulcastLayerInfo& layer = layers[static_cast<size_t>(i)];
    if (!layer.active) continue;
    largest = i;
    if ((max_width > 0 || max_height > 0) && layer.width >= max_width &&
        layer.height >= max_height) {
      return i;
    }
  }
  return largest;
}

// The highest active layer up to `cap` whose bitrate, scaled by `factor`, fits.
std::optional<int> BestFit(std::span<const SimulcastLayerInfo> layers, int cap,
                           int64_t available_bps, double factor) {
  std::optional<int> best;
  for (int i = 0; i <= cap; ++i) {
    const SimulcastLayerInfo& layer = layers[static_cast<size_t>(i)];
    if (layer.active &&
        static_cast<double>(layer.bitrate_bps) * factor <= static_cast<double>(available_bps)) {
      best = i;
    }
  }
  return best;
}

}  // namespace

StatusOr<std::unique_ptr<SimulcastLayerSelector>> SimulcastLayerSelector::Create(
    const Config& config) {
  if (config.up_margin < 0 || config.up_hold_ms < 0) {
    return Status::Error("layer selector margin " + std::to_string(config.up_margin) +
                         " and hold " + std::to_string(config.up_hold_ms) +
                         " ms must not be negative");
  }
  return std::unique_ptr<SimulcastLayerSelector>(new SimulcastLayerSelector(config));
}

std::optional<int> SimulcastLayerSelector::Select(const Request& request, int64_t now_ms) {
  const std::optional<int> cap =
      ResolutionCap(request.layers, request.max_width, request.max_height);
  if (request.paused || !cap) {
    selected_.reset();
    choose_at_once_ = true;
    up_candidate_since_ms_.reset();
    last_resolution_cap_.reset();
    return selected_;
  }
  const std::optional<int> fitting = BestFit(request.layers, *cap, request.available_bps, 1.0);
  const std::optional<int> fitting_with_margin =
      BestFit(request.layers, *cap, request.available_bps, 1.0 + config_.up_margin);
  const bool cap_grew = last_resolution_cap_ && *cap > *last_resolution_cap_;
  last_resolution_cap_ = cap;

  if (choose_at_once_) {
    choose_at_once_ = false;
    selected_ = fitting;
    up_candidate_since_ms_.reset();
    return selected_;
  }
  // Down at once: the current layer is gone, too large for the view, or over the estimate.
  if (selected_) {
    const SimulcastLayerInfo& current = request.layers[static_cast<size_t>(
        std::min<int>(*selected_, static_cast<int>(request.layers.size()) - 1))];
    if (*selected_ >= static_cast<int>(request.layers.size()) || *selected_ > *cap ||
        !current.active || current.bitrate_bps > request.available_bps) {
      selected_ = fitting;
      up_candidate_since_ms_.reset();
      return selected_;
    }
  }
  // Up only after the margin has held; a larger view with room to spare needs no wait.
  const bool higher_fits = fitting_with_margin && (!selected_ || *fitting_with_margin > *selected_);
  if (!higher_fits) {
    up_candidate_since_ms_.reset();
    return selected_;
  }
  if (cap_grew) {
    selected_ = fitting_with_margin;
    up_candidate_since_ms_.reset();
    return selected_;
  }
  if (!up_candidate_since_ms_) up_candidate_since_ms_ = now_ms;
  if (now_ms - *up_candidate_since_ms_ >= config_.up_hold_ms) {
    selected_ = fitting_with_margin;
    up_candidate_since_ms_.reset();
  }
  return selected_;
}

}  // namespace auralink::sfu
