#include "aic/video/policy/codec_ladder.h"

#include <algorithm>

namespace auralink::video {

const char* LadderLeverName(LadderLever lever) {
  switch (lever) {
    case LadderLever::kTarget:
      return "target";
    case LadderLever::kQuantizer:
      return "quantizer";
    case LadderLever::kResolution:
      return "resolution";
    case LadderLever::kFrameRate:
      return "frame_rate";
    case LadderLever::kCodec:
      return "codec";
  }
  return "unknown";
}

std::vector<LadderRung> DefaultLadderRungs() {
  return {
      {LadderLever::kTarget, 0.0, 1.0, 1.0, false},
      {LadderLever::kQuantizer, 0.01, 1.0, 1.0, false},
      {LadderLever::kQuantizer, 0.02, 1.0, 1.0, false},
      {LadderLever::kResolution, 0.03, 0.75, 1.0, false},
      {LadderLever::kResolution, 0.05, 0.5, 1.0, false},
      {LadderLever::kFrameRate, 0.08, 0.5, 0.5, false},
      {LadderLever::kCodec, 0.12, 0.5, 0.5, true},
  };
}

CodecLadder::CodecLadder(int rung_count, const CodecLadderConfig& config)
    : rung_count_(std::max(1, rung_count)), config_(config) {}

void CodecLadder::Reset() {
  rung_ = 0;
  switches_ = 0;
  last_switch_ms_ = INT64_MIN / 2;
  fits_above_since_ms_ = -1;
}

int CodecLadder::Update(int64_t now_ms, double cap_kbps, std::span<const double> required_kbps) {
  auto required = [&](int rung) {
    return rung < static_cast<int>(required_kbps.size()) ? required_kbps[static_cast<size_t>(rung)]
                                                         : 0.0;
  };
  auto fits = [&](int rung, double fraction) {
    return cap_kbps <= 0.0 || required(rung) <= fraction * cap_kbps;
  };
  if (cap_kbps <= 0.0) {
    // No cap at all: nothing to be careful about.
    if (rung_ != 0) {
      rung_ = 0;
      ++switches_;
      last_switch_ms_ = now_ms;
    }
    fits_above_since_ms_ = -1;
    return rung_;
  }
  if (!fits(rung_, config_.down_fraction)) {
    int next = rung_;
    while (next + 1 < rung_count_ && !fits(next, config_.down_fraction)) ++next;
    if (!fits(next, config_.down_fraction)) {
      // Nothing fits: the cheapest rung from here down (a deeper rung need not be cheaper).
      next = rung_;
      for (int rung = rung_ + 1; rung < rung_count_; ++rung) {
        if (required(rung) < required(next)) next = rung;
      }
    }
    if (next != rung_) {
      rung_ = next;
      ++switches_;
      last_switch_ms_ = now_ms;
    }
    fits_above_since_ms_ = -1;
    return rung_;
  }
  if (rung_ == 0) return rung_;
  if (!fits(rung_ - 1, config_.up_fraction)) {
    fits_above_since_ms_ = -1;
    return rung_;
  }
  if (fits_above_since_ms_ < 0) fits_above_since_ms_ = now_ms;
  if (now_ms - fits_above_since_ms_ >= config_.up_hold_ms &&
      now_ms - last_switch_ms_ >= config_.min_dwell_ms) {
    --rung_;
    ++switches_;
    last_switch_ms_ = now_ms;
    fits_above_since_ms_ = -1;
  }
  return rung_;
}

}  // namespace auralink::video
