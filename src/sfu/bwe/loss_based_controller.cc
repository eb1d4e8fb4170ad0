#include "sfu/bwe/loss_based_controller.h"

#include <algorithm>

namespace auralink::sfu {

void LossBasedController::OnPacketResults(int received, int lost, int64_t target_bps,
                                          int64_t delay_based_bps, int64_t now_ms) {
  received_ += std::max(received, 0);
  lost_ += std::max(lost, 0);
  if (!last_evaluation_ms_) last_evaluation_ms_ = now_ms;
  const int total = received_ + lost_;
  if (total < config_.min_packets || now_ms - *last_evaluation_ms_ < config_.min_interval_ms) {
    return;
  }
  const double loss = static_cast<double>(lost_) / total;
  last_loss_ = loss;
  received_ = 0;
  lost_ = 0;
  last_evaluation_ms_ = now_ms;

  if (loss > config_.high_loss) {
    const int64_t base = bound_bps_ ? std::min(*bound_bps_, target_bps) : target_bps;
    bound_bps_ = static_cast<int64_t>(static_cast<double>(base) * (1 - 0.5 * loss));
  } else if (loss < config_.low_loss && bound_bps_) {
    bound_bps_ = static_cast<int64_t>(static_cast<double>(*bound_bps_) * config_.increase_factor);
    // Grown past the rate in force: losses no longer limit; let the delay-based rate rule.
    if (*bound_bps_ > delay_based_bps) bound_bps_.reset();
  }
}

}  // namespace auralink::sfu
