#include "rtc/srtp/srtp_replay_window.h"

#include <algorithm>
#include <bit>

namespace auralink::rtc {

SrtpReplayWindow::SrtpReplayWindow(uint32_t size)
    : bits_(std::bit_ceil(std::clamp<uint32_t>(size, 64, kMaxSize)) / 64, 0),
      size_(bits_.size() * 64) {}

SrtpReplayWindow::Verdict SrtpReplayWindow::Check(uint64_t index) const {
  if (empty_ || index > newest_) return Verdict::kNew;
  if (newest_ - index >= size_) return Verdict::kTooOld;
  return Seen(index) ? Verdict::kReplayed : Verdict::kNew;
}

void SrtpReplayWindow::Accept(uint64_t index) {
  if (empty_) {
    std::fill(bits_.begin(), bits_.end(), 0);
    empty_ = false;
    newest_ = index;
  } else if (index > newest_) {
    // Indices skipped over leave the window's memory as the window advances.
    if (index - newest_ >= size_) {
      std::fill(bits_.begin(), bits_.end(), 0);
    } else {
      for (uint64_t skipped = newest_ + 1; skipped < index; ++skipped) Set(skipped, false);
    }
    newest_ = index;
  }
  Set(index, true);
}

bool SrtpReplayWindow::Seen(uint64_t index) const {
  const uint64_t bit = index & (size_ - 1);
  return (bits_[bit / 64] >> (bit % 64)) & 1;
}

void SrtpReplayWindow::Set(uint64_t index, bool seen) {
  const uint64_t bit = index & (size_ - 1);
  const uint64_t mask = uint64_t{1} << (bit % 64);
  if (seen) {
    bits_[bit / 64] |= mask;
  } else {
    bits_[bit / 64] &= ~mask;
  }
}

}  // namespace auralink::rtc
